"""The scoring rules of the NLU benchmarks (pure functions; no model)."""
from __future__ import annotations

from collections import Counter

from rasa.shared.nlu.training_data.message import Message

from bench.metrics import FALLBACK, Case, Prediction, score
from bench.nlu_cv import pipeline_for, ranked, stratified_folds, with_fallback


def _messages(counts):
    return [Message(data={"text": f"{intent}-{i}", "intent": intent})
            for intent, n in counts.items() for i in range(n)]


def test_folds_are_stratified_disjoint_and_complete():
    messages = _messages({"greet": 9, "notarization": 30, "out_of_scope": 4})
    folds = stratified_folds(messages, 3)
    assert sorted(m.get("text") for f in folds for m in f) == sorted(m.get("text") for m in messages)
    for fold in folds:
        per_intent = Counter(m.get("intent") for m in fold)
        assert per_intent["greet"] == 3 and per_intent["notarization"] == 10
        assert per_intent["out_of_scope"] in (1, 2)
    assert [m.get("text") for m in stratified_folds(messages, 3)[0]] == [m.get("text") for m in folds[0]]


def test_ranking_ignores_the_fallback_verdict_and_thresholds_are_reapplied():
    result = {"intent_ranking": [{"name": FALLBACK, "confidence": 0.5},
                                 {"name": "mediation", "confidence": 0.46},
                                 {"name": "arbitration", "confidence": 0.40}],
              "entities": [{"entity": "city", "value": "广州市"}]}
    guess = ranked(result)
    assert guess[:3] == ("mediation", 0.46, 0.40)
    assert with_fallback(guess, 0.3, 0.0).intent == "mediation"
    assert with_fallback(guess, 0.5, 0.0).intent == FALLBACK      # below the threshold
    assert with_fallback(guess, 0.3, 0.08).intent == FALLBACK     # too close to the second
    assert with_fallback(guess, 0.3, 0.0).entities == {("city", "广州市")}


def test_out_of_scope_counts_a_fallback_as_right_and_in_scope_as_false_fallback():
    cases = [Case("天气", "out_of_scope", set()), Case("公证", "notarization", set())]
    report = score(cases, [Prediction(FALLBACK, 0.5, set()), Prediction(FALLBACK, 0.5, set())])
    assert report.oos_recall == 1.0 and report.false_fallback_rate == 1.0
    assert report.intent_accuracy == 0.5


def test_variants_override_only_the_named_component_or_leave_it_out():
    pipeline = pipeline_for({"DIETClassifier": {"epochs": 7}})
    diet = [c for c in pipeline if c["name"] == "DIETClassifier"]
    assert diet and diet[0]["epochs"] == 7
    assert all("epochs" not in c for c in pipeline if c["name"] != "DIETClassifier")
    names = [c["name"].rsplit(".", 1)[-1] for c in pipeline]
    assert "LinearIntentBlender" in names
    without = [c["name"].rsplit(".", 1)[-1] for c in pipeline_for({"LinearIntentBlender": None})]
    assert without == [n for n in names if n != "LinearIntentBlender"]


def test_report_lists_errors_of_studied_files_but_not_of_the_blind_one():
    from bench.nlu_eval import BLIND_FILES, render

    studied = [Case("学历公证点办", "notarization", set())]
    blind = [Case("离婚财产点分", "legal_problem", set())]
    wrong = [Prediction("mediation", 0.6, set())]
    parts = {"holdout.yml": {"ours": score(studied, wrong)}, "fresh.yml": {"ours": score(blind, wrong)}}
    assert "fresh.yml" in BLIND_FILES
    text = render({"ours": score(studied + blind, wrong * 2)}, {"ours": 1.0}, studied + blind, 10,
                  "bench", parts)
    assert "学历公证点办" in text
    assert "离婚财产点分" not in text
    assert "`fresh.yml` (1 intent errors" in text
