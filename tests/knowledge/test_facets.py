"""Facet answers (knowledge/seed/facets.yml via knowledge.api.facet_answer): each with its
article, a notary item's own answer first, nothing invented where the seed has no answer."""
from __future__ import annotations

import pytest

from knowledge import api
from knowledge.seed import FACETS, SeedError, load_facets, load_seed


def test_every_facet_has_a_verified_article(kb):
    data = load_seed()
    assert len(data.facets) >= 100
    for row in data.facets:
        case_type = row["item"][len("case:"):] if row["item"].startswith("case:") else None
        answer = api.facet_answer(row["topic"], row["facet"], None if case_type else row["item"] or None, case_type)
        assert answer.found and answer.citations, (row["topic"], row["item"], row["facet"])
        assert answer.text == row["text"], (row["topic"], row["item"], row["facet"])
        assert "依据：《" in answer.to_text()


def test_a_will_cannot_be_notarized_through_someone_else(kb):
    answer = api.facet_answer("notarization", "proxy", "遗嘱公证")
    assert "本人亲自" in answer.text and "公证法第二十六条" in answer.citations


def test_an_item_without_its_own_answer_gets_the_topic_answer(kb):
    assert api.facet_answer("notarization", "proxy", "学历公证").text == api.facet_answer("notarization", "proxy").text


def test_property_power_of_attorney_may_be_notarized_where_the_applicant_lives(kb):
    # 公证法第二十五条第二款: 委托、声明、赠与、遗嘱 about real property — not only where the house is
    answer = api.facet_answer("notarization", "where", "委托公证")
    assert "住所地" in answer.text and "公证法第二十五条" in answer.citations


def test_legal_aid_objection_is_reviewed_within_five_days(kb):
    answer = api.facet_answer("legal_aid", "remedy")
    assert "5日" in answer.text and "法律援助法第四十九条" in answer.citations


def test_a_medical_dispute_is_mediated_only_with_the_hospitals_consent(kb):
    # 医疗纠纷预防和处理条例第三十一条: both sides apply, or the other side consents
    answer = api.facet_answer("mediation", "refusal", case_type="medical")
    assert "同意" in answer.text and "医疗纠纷预防和处理条例第三十一条" in answer.citations
    assert answer.topic_name == "医疗纠纷人民调解"
    assert api.facet_answer("mediation", "refusal", case_type="debt").text == api.facet_answer("mediation", "refusal").text


def test_an_unconfirmed_mediation_agreement_still_binds_and_can_be_sued_on(kb):
    # 人民调解法第三十一条、第三十二条: the agreement binds; a dispute over it goes to court
    answer = api.facet_answer("judicial_confirmation", "effect")
    assert "起诉" in answer.text and "人民调解法第三十二条" in answer.citations


def test_judicial_confirmation_time_limits(kb):
    answer = api.facet_answer("judicial_confirmation", "time_limit")
    assert "3日" in answer.text and "15日" in answer.text


@pytest.mark.parametrize("topic, facet", [("mediation", "proxy"), ("nonsense", "fee"), (None, None), (3, "x")])
def test_no_answer_is_not_invented(kb, topic, facet):
    answer = api.facet_answer(topic, facet)
    assert not answer.found and "12348" in answer.to_text() and not answer.citations


def test_facets_of_lists_only_answered_facets(kb):
    assert "proxy" not in api.facets_of("mediation")
    assert api.facets_of("legal_aid") == list(FACETS)


def test_a_facet_without_basis_or_with_an_unknown_code_is_refused():
    check = lambda where, keys: list(keys or [])  # noqa: E731
    with pytest.raises(SeedError):
        load_facets({"topics": {"x": {"facets": {"fee": {"text": "免费", "basis": []}}}}}, check)
    with pytest.raises(SeedError):
        load_facets({"topics": {"x": {"facets": {"price": {"text": "免费", "basis": ["A"]}}}}}, check)
