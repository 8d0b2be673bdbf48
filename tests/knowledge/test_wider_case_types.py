"""The wider case-type contract (docs/contract.md, issue 12): every code has a route, each
legal statement on it carries an article from ../shared/reference/laws, and the legal-aid
conclusion is the one the Legal Aid Law gives (no invented coverage)."""
from __future__ import annotations

import pytest

from knowledge.eligibility import CASE_TYPES

NEW_CODES = ["personal_injury", "tort", "intellectual_property", "company", "construction",
             "administrative", "foreign_related", "maritime", "guarantee", "fraud_victim", "other_legal"]


def test_the_contract_codes_exist():
    from bot.nlu.lexicon import CASE_TYPES as NLU_CASE_TYPES

    assert set(NEW_CODES) <= CASE_TYPES and set(NLU_CASE_TYPES) == set(CASE_TYPES)


@pytest.mark.parametrize("code", sorted(CASE_TYPES))
def test_every_case_type_has_a_route(kb, code):
    routes = kb.routes_for_case_type(code)
    assert routes, code
    assert all(r.reason for r in routes)


def test_administrative_matters_go_to_reconsideration_with_its_time_limit(kb):
    route = kb.routes_for_case_type("administrative")[0]
    assert route.service_code == "administrative_reconsideration"
    assert "60日" in route.reason and {"行政复议法第十一条", "行政复议法第二十条"} <= set(route.citations)


def test_construction_workers_wages_are_pointed_to_labour_arbitration(kb):
    text = " ".join(r.reason for r in kb.routes_for_case_type("construction"))
    assert "劳动仲裁" in text


def test_a_fraud_victim_is_told_to_report_first_and_gets_art_29(kb):
    consultation = kb.consult({"case_type": "fraud_victim"}, "被诈骗")
    text = consultation.to_text()
    assert text.index("110") < text.index("法律援助")
    assert consultation.verdict is not None and "第二十九条" in text
    assert consultation.verdict.conclusion == "means_tested"


def test_personal_injury_outside_the_listed_accidents_is_not_listed(kb):
    verdict = kb.assess_legal_aid({"case_type": "personal_injury", "economic_status": "hardship"})
    assert verdict.outcome == "not_covered" and verdict.conclusion == "not_listed"
    text = verdict.to_text()
    assert "工伤事故、交通事故、食品药品安全事故、医疗事故" in text and "12348" in text


def test_other_legal_gives_no_legal_aid_verdict_but_a_route(kb):
    consultation = kb.consult({"case_type": "other_legal"}, "其他法律问题")
    assert consultation.verdict is None
    assert "12348" in consultation.to_text()
    assert kb.legal_aid_questions({"case_type": "other_legal"})[0] == "case_type"


def test_administrative_and_fraud_codes_carry_their_category(kb):
    from knowledge.eligibility import LegalAidCase

    assert LegalAidCase(case_type="administrative").case_category == "administrative"
    fraud = LegalAidCase(case_type="fraud_victim")
    assert fraud.case_category == "criminal" and fraud.role == "victim"
    assert LegalAidCase(case_type="fraud_victim", role="accused").role == "accused"
