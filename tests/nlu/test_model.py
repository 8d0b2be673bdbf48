"""The trained model on the held-out set, plus NLU smoke tests (marked `model`).

The floors sit below the benchmark results in docs/benchmarks.md by a margin for
training noise, and far above what a broken pipeline scores (a model that lost its
tokenizer dictionary, normaliser or entity components drops well below them).
"""
from __future__ import annotations

import time

import pytest

from bench.metrics import load_cases, prediction_from_parse, score, training_synonyms
from bot import paths

pytestmark = pytest.mark.model

FLOORS = {"intent_accuracy": 0.92, "entity_f1": 0.88, "oos_recall": 0.85, "false_fallback_rate": 0.06}


@pytest.fixture(scope="module")
def holdout_report(parse):
    cases = load_cases(paths.ROOT / "tests" / "nlu_holdout", training_synonyms(paths.DATA / "nlu"))
    predictions = []
    for case in cases:
        started = time.perf_counter()
        result = parse(case.text)
        predictions.append(prediction_from_parse(result, (time.perf_counter() - started) * 1000))
    return score(cases, predictions)


def test_holdout_intent_accuracy_floor(holdout_report):
    assert holdout_report.intent_accuracy >= FLOORS["intent_accuracy"], holdout_report.errors


def test_holdout_entity_f1_floor(holdout_report):
    assert holdout_report.entity_prf[2] >= FLOORS["entity_f1"], holdout_report.entity_errors


def test_holdout_out_of_scope_and_false_fallbacks(holdout_report):
    assert holdout_report.oos_recall >= FLOORS["oos_recall"]
    assert holdout_report.false_fallback_rate <= FLOORS["false_fallback_rate"]


def _entities(result: dict) -> set:
    return {(e["entity"], e["value"]) for e in result["entities"]}


def test_traditional_input_is_understood(parse):
    result = parse("請問喺廣州點樣申請法律援助")
    assert result["intent"]["name"] == "legal_aid_apply"
    assert ("city", "广州市") in _entities(result)


def test_mixed_chinese_english_with_spaces(parse):
    result = parse("我想 申请 legal aid ，唔该")
    assert result["intent"]["name"] in {"legal_aid_apply", "legal_aid_eligibility"}
    assert parse("notary 点办")["intent"]["name"] == "notarization"


def test_entity_values_are_canonical(parse):
    result = parse("在佛山顺德办驾照公证要什么材料")
    assert {("city", "佛山市"), ("district", "顺德区"), ("notary_item", "驾驶证公证")} <= _entities(result)
    problem = parse("老板欠了我半年工资不给")
    assert problem["intent"]["name"] == "legal_problem"
    assert ("case_type", "labor_pay") in _entities(problem)


def test_gibberish_and_chitchat_do_not_land_on_a_service(parse):
    for text in ["今晚食咩好", "帮我订一张去北京的机票", "qwertyuiop", "哈哈哈哈哈哈"]:
        assert parse(text)["intent"]["name"] in {"out_of_scope", "nlu_fallback"}, text


@pytest.mark.parametrize("text", ["", " ", "。", "a" * 5000, "<script>alert(1)</script>", "\u200b\u200b"])
def test_odd_input_parses_without_error(parse, text):
    result = parse(text)
    assert "intent" in result
