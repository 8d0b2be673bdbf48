"""The consultation corpus and its blind development set (no model needed)."""
from __future__ import annotations

import re
from collections import Counter

import pytest

from bot import paths
from bot.nlu import consultations, datacheck, lexicon
from bot.nlu.consultations import question_after_greeting, strip_greeting
from bot.nlu.normalizer import normalize_text
from tests.nlu.test_data import HOLDOUT_DIR, NLU_DIR, SERVICE_INTENTS

INTENTS = set(SERVICE_INTENTS) | {"legal_problem"}


def _key(text: str) -> str:
    return re.sub(r"[\W_]+", "", normalize_text(text).lower())


@pytest.fixture(scope="module")
def corpus():
    return consultations.load()


@pytest.fixture(scope="module")
def dev():
    return consultations.load(consultations.DEV_SET)


def test_corpus_is_large_and_covers_every_case_type_and_service_intent(corpus):
    assert len(corpus) >= 1500
    by_type = Counter(item.case_type for item in corpus)
    for case_type in lexicon.CASE_TYPES:
        assert by_type[case_type] >= 30, (case_type, by_type[case_type])
    by_intent = Counter(item.intent for item in corpus)
    for intent in INTENTS:
        assert by_intent[intent] >= 10, (intent, by_intent[intent])
    assert {item.intent for item in corpus} <= INTENTS


def test_corpus_messages_read_like_consultations(corpus):
    lengths = [len(re.sub(r"\W", "", item.text)) for item in corpus]
    assert sum(n >= 30 for n in lengths) / len(lengths) >= 0.7
    greeted = sum(question_after_greeting(item.text) is not None for item in corpus)
    assert greeted / len(corpus) >= 0.1


def test_dev_set_is_separate_and_large_enough(corpus, dev):
    assert len(dev) >= 300
    train_keys = {_key(item.text) for item in corpus}
    train_keys |= {_key(m.get("text")) for m in datacheck.load_examples([NLU_DIR])}
    overlap = [item.text for item in dev if _key(item.text) in train_keys]
    assert not overlap, overlap
    assert {item.case_type for item in dev} >= set(lexicon.CASE_TYPES)


def test_corpus_shares_no_message_with_the_held_out_sets(corpus):
    held_out = {_key(m.get("text")) for m in datacheck.load_examples([HOLDOUT_DIR])}
    held_out |= {_key(m.get("text")) for m in datacheck.load_examples([paths.ROOT / "bench" / "nlu_dev.yml"])}
    assert not [item.text for item in corpus if _key(item.text) in held_out]


def test_corpus_has_no_duplicates(corpus):
    counts = Counter(_key(item.text) for item in corpus)
    assert not [k for k, n in counts.items() if n > 1]


def test_every_file_says_who_wrote_it_and_what_they_saw():
    for file in consultations.corpus_files() + [consultations.DEV_SET]:
        header = "\n".join(line for line in file.read_text(encoding="utf-8").splitlines()[:15]
                           if line.startswith("#"))
        assert re.search(r"helper|session|written", header, re.I), file.name
        assert re.search(r"blind", header, re.I), file.name


def test_an_unknown_label_is_refused(tmp_path):
    bad = tmp_path / "bad.yml"
    bad.write_text("consultations:\n  - case_type: debts\n    intent: legal_problem\n    examples: |\n      - 朋友欠我钱\n",
                   encoding="utf-8")
    with pytest.raises(consultations.CorpusError):
        consultations.load(bad)
    bad.write_text("consultations:\n  - case_type: debt\n    intent: legal_problm\n    examples: |\n      - 朋友欠我钱\n",
                   encoding="utf-8")
    with pytest.raises(consultations.CorpusError):
        consultations.load(bad, intents=INTENTS)


def test_fingerprint_follows_the_content(tmp_path):
    (tmp_path / "a.yml").write_text("consultations: []\n", encoding="utf-8")
    before = consultations.fingerprint(tmp_path)
    (tmp_path / "a.yml").write_text("consultations: [] # changed\n", encoding="utf-8")
    assert consultations.fingerprint(tmp_path) != before


@pytest.mark.parametrize("text, rest", [
    ("您好，在吗？我想跟老公离婚但不知道怎么弄", "我想跟老公离婚但不知道怎么弄"),
    ("您好在吗我想离婚", "我想离婚"),
    ("律师你好，老板欠我三个月工资", "老板欠我三个月工资"),
    ("急！！！我爸被抓了", "我爸被抓了"),
    ("hi, 我想问下公证", "我想问下公证"),
])
def test_greeting_then_question(text, rest):
    assert question_after_greeting(text) == rest


@pytest.mark.parametrize("text", ["你好", "您好！在吗？", "你好啊小助手", "hello", "在吗在吗", "律师费怎么算",
                                  "老板欠我工资"])
def test_no_question_after_a_greeting(text):
    assert question_after_greeting(text) is None


def test_strip_greeting_keeps_a_message_without_one():
    assert strip_greeting("老板欠我工资") == "老板欠我工资"
