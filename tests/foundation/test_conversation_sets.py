"""The blind conversation sets: well-formed, kept apart from the training data and from each
other, and the benchmark's scoring reads the bot's text the way the format says."""
from __future__ import annotations

from pathlib import Path

import pytest

from bench import conversations as bench
from bot.nlu import datacheck
from tests.nlu.test_data import _key  # the NLU data tests' comparison key (script, width, punctuation)

ROOT = Path(__file__).resolve().parents[2]
CODES = {"mandatory_defence", "apply_then_assigned", "no_means_test", "means_check_exempt", "means_tested",
         "not_listed"}


MIN_CONTENT_CHARS = 6  # "在吗", "你好呀": greetings every set shares carry no content


def user_lines(path: Path) -> set[str]:
    lines = {str(t["user"]).strip() for c in bench.load(path) for t in c["turns"]}
    return {_key(line) for line in lines if len(line) >= MIN_CONTENT_CHARS}


def training_lines() -> set[str]:
    """data/nlu and the consultation corpus (both are what the model trains on)."""
    from bot.nlu import consultations
    return ({_key(m.get("text")) for m in datacheck.load_examples([ROOT / "data" / "nlu"])}
            | {_key(c.text) for c in consultations.load()})


@pytest.mark.parametrize("path", bench.DEFAULT_SETS, ids=lambda p: p.name)
def test_sets_are_well_formed_and_say_who_wrote_them(path):
    assert path.read_text().lstrip().startswith("#")  # the provenance header
    conversations = bench.load(path)
    assert len({c["id"] for c in conversations}) == len(conversations) >= 45
    for c in conversations:
        assert 1 <= len(c["turns"]) <= 6
        if c.get("final"):
            assert c["final"]["conclusion"] in CODES


def test_sets_are_apart_from_training_data_and_from_each_other():
    sets = {p.name: user_lines(p) for p in bench.DEFAULT_SETS}
    train = training_lines()
    for name, lines in sets.items():
        assert not lines & train, f"{name} shares messages with the training data: {sorted(lines & train)[:3]}"
    names = sorted(sets)
    for i, a in enumerate(names):
        for b in names[i + 1:]:
            assert not sets[a] & sets[b], f"{a} and {b} share messages"


def test_scoring_reads_numbers_citations_and_conclusions():
    assert bench.digits("3日内决定，十五日内作出，七十二小时，第三十三条") == "3日内决定，15日内作出，72小时，第三十三条"
    text = "依据：《中华人民共和国法律援助法》第二十五条、第三十六条；《最高人民法院关于人民调解协议司法确认程序的若干规定》第五条"
    citations = bench.cited(text)
    assert bench.article_cited("法律援助法第三十六条", citations)
    assert bench.article_cited("人民调解协议司法确认程序的若干规定第五条", citations)
    assert not bench.article_cited("法律援助法第四十三条", citations)
    assert bench.conclusion_of("根据您说的情况，您可以申请法律援助，而且不受经济困难条件的限制") == "no_means_test"
    assert bench.conclusion_of("请问您遇到的是什么问题") is None
