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


def test_consultation_scores_count_routing_case_types_and_kept_nones():
    from bench.metrics import score_consultations
    from bot.nlu.consultations import Consultation

    items = [Consultation("朋友欠我二十万一直拖着", "legal_problem", "debt"),
             Consultation("老板欠我工资，怎么办", "legal_problem", "labor_pay"),
             Consultation("法考报名什么时候", "legal_qualification", "none"),
             Consultation("您好在吗", "legal_problem", "marriage")]

    def parsed(intent, case_type=None):
        entities = [{"entity": "case_type", "value": case_type}] if case_type else []
        return {"intent": {"name": intent}, "entities": entities}, 5.0

    report = score_consultations(items, [parsed("legal_problem", "debt"), parsed("legal_problem", "contract"),
                                         parsed("legal_qualification"), parsed("greet")])
    assert report.routed == 0.75 and report.unrouted == [("您好在吗", "greet")]
    assert abs(report.case_type_accuracy - 1 / 3) < 1e-9 and report.none_kept == 1.0
    assert report.per_case_type["debt"][:2] == (1.0, 1.0)
    assert report.per_case_type["contract"][0] == 0.0 and report.per_case_type["labor_pay"][1] == 0.0
    assert report.confusions[("labor_pay", "contract")] == 1


def test_consultation_section_is_rendered_for_both_pipelines():
    from bench.metrics import ConsultationReport
    from bench.nlu_eval import render_consultations

    report = ConsultationReport(n=2, routed=1.0, intent_accuracy=0.5, case_type_accuracy=0.75, none_kept=1.0,
                                per_case_type={"debt": (1.0, 0.5, 0.67, 2)}, latency_p95=9.0)
    text = "\n".join(render_consultations({"ours": report, "rasa-default": report}, 1500))
    assert "## Real consultations" in text and "| debt | 2 |" in text and "1500 messages" in text
