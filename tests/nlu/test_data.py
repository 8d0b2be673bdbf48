"""Fast checks of the NLU training and held-out data (no model needed)."""
from __future__ import annotations

import re
from collections import Counter

import pytest
import yaml

from bench.metrics import load_cases, training_synonyms
from bot import paths
from bot.nlu import datacheck, gen_dict, lexicon
from bot.nlu.normalizer import normalize_text

NLU_DIR = paths.DATA / "nlu"
HOLDOUT_DIR = paths.ROOT / "tests" / "nlu_holdout"
DEV_FILE = paths.ROOT / "bench" / "nlu_dev.yml"
SERVICE_INTENTS = [
    "legal_aid_eligibility", "legal_aid_apply", "notarization", "mediation", "cross_province",
    "find_office", "lawyer_service", "judicial_appraisal", "arbitration",
    "administrative_reconsideration", "legal_qualification",
]
CANTONESE = re.compile(r"点样|边度|唔|有冇|喺|咩|系唔系|嘅|佢|攞|揾|搵|几耐")


def _key(text: str) -> str:
    """Comparison key: normalised script and width, no punctuation, spaces or case."""
    return re.sub(r"[\W_]+", "", normalize_text(text).lower())


@pytest.fixture(scope="module")
def training():
    return datacheck.load_examples([NLU_DIR])


@pytest.fixture(scope="module")
def holdout():
    return datacheck.load_examples([HOLDOUT_DIR])


@pytest.fixture(scope="module")
def domain_intents():
    return yaml.safe_load((paths.DOMAIN / "nlu.yml").read_text(encoding="utf-8"))


@pytest.mark.parametrize("evaluation", [HOLDOUT_DIR, DEV_FILE], ids=["holdout", "dev"])
def test_evaluation_data_shares_no_example_with_training(training, evaluation):
    train_keys = {_key(m.get("text")) for m in training}
    examples = datacheck.load_examples([evaluation])
    overlap = [m.get("text") for m in examples if _key(m.get("text")) in train_keys]
    assert examples and not overlap, f"{evaluation.name} examples also in data/nlu: {overlap}"


def test_holdout_has_no_duplicates(holdout):
    counts = Counter(_key(m.get("text")) for m in holdout)
    assert not [k for k, n in counts.items() if n > 1]


def test_every_contract_intent_is_trained_and_held_out(training, holdout, domain_intents):
    intents = set(domain_intents["intents"])
    assert intents == {m.get("intent") for m in training}
    assert intents == {m.get("intent") for m in holdout}


# Entities that only come from button payloads (docs/contract.md): typed text is read by
# knowledge.questions instead, so no example carries them.
PAYLOAD_ONLY_ENTITIES = {"facet"}


def test_every_contract_entity_is_trained_and_held_out(training, holdout, domain_intents):
    entities = set(domain_intents["entities"]) - PAYLOAD_ONLY_ENTITIES
    for examples in (training, holdout):
        seen = {e["entity"] for m in examples for e in m.get("entities") or []}
        assert entities == seen


def test_training_volume_per_intent(training):
    counts = Counter(m.get("intent") for m in training)
    for intent in SERVICE_INTENTS:
        assert counts[intent] >= 40, (intent, counts[intent])
    assert counts["legal_problem"] >= 60
    assert counts["out_of_scope"] >= 60
    assert all(n >= 20 for n in counts.values()), counts


# Case types of the wider contract (issue 12): learned from the consultation corpus by the
# message-level classifier (tests/nlu/test_consultations.py checks their volume), not as spans.
MESSAGE_LEVEL_ONLY = {"tort", "intellectual_property", "company", "construction", "administrative",
                      "foreign_related", "maritime", "guarantee", "other_legal"}


def test_every_case_type_is_trained(training):
    values = {e["value"] for m in training for e in m.get("entities") or [] if e["entity"] == "case_type"}
    assert values <= set(lexicon.CASE_TYPES)
    assert set(lexicon.CASE_TYPES) - values <= MESSAGE_LEVEL_ONLY


def test_holdout_entity_values_are_canonical():
    cases = load_cases(HOLDOUT_DIR, training_synonyms(NLU_DIR))
    places = {c["name"] for c in _divisions()["cities"]}
    districts = {d["name"] for c in _divisions()["cities"] for d in c["counties"]}
    allowed = {**{k: set(v) for k, v in lexicon.CLOSED_VALUES.items()},
               "city": places, "district": districts, "notary_item": set(lexicon.NOTARY_ITEMS)}
    for case in cases:
        for name, value in case.entities:
            assert value in allowed[name], (case.text, name, value)


def test_holdout_has_cantonese_traditional_and_mixed_english(holdout):
    texts = [m.get("text") for m in holdout]
    assert sum(bool(CANTONESE.search(normalize_text(t))) for t in texts) >= 20
    assert sum(normalize_text(t) != t for t in texts) >= 10  # traditional script
    assert sum(bool(re.search(r"[A-Za-z]{3,}", t)) for t in texts) >= 5


@pytest.mark.parametrize("directory", [NLU_DIR, HOLDOUT_DIR], ids=["training", "holdout"])
def test_entity_spans_align_with_jieba_tokens(directory):
    examples = datacheck.load_examples([directory])
    assert datacheck.misaligned_entities(examples) == []


@pytest.mark.parametrize("directory", [NLU_DIR, HOLDOUT_DIR], ids=["training", "holdout"])
def test_every_place_and_notary_mention_is_annotated(directory):
    examples = datacheck.load_examples([directory])
    assert datacheck.unannotated_mentions(examples, datacheck.gazetteer_surfaces()) == []


def test_generated_dictionary_and_lookups_are_current():
    assert gen_dict.main(["--check"]) == 0, "run: .venv/bin/python -m bot.nlu.gen_dict"


def _divisions():
    import json

    return json.loads(gen_dict.DIVISIONS.read_text(encoding="utf-8"))

