"""Legal terms citizens ask about by name (knowledge/seed/terms.yml via knowledge.api.term_for):
each sourced, found from everyday and Cantonese wording, and only when the term itself is named."""
from __future__ import annotations

import pytest

from knowledge.seed import SeedError, load_seed, load_terms


def test_every_term_rests_on_a_verified_article():
    data = load_seed()
    verified = {s["key"] for s in data.sources if s.get("verified", True) and s.get("article")}
    assert len(data.terms) >= 25
    for row in data.terms:
        assert row["patterns"] and len(row["text"]) <= 200, row["code"]
        assert row["basis"] and set(row["basis"]) - {"REF-12348"} <= verified, row["code"]


@pytest.mark.parametrize("text, code", [
    ("呢份告诫书係咩嚟㗎", "warning_letter"),
    ("工友话冇签合同可以要双倍人工，系咪真㗎", "double_wages"),
    ("法院可唔可以叫佢搬出去，我唔想再见到佢，佢成日打我", "protection_order_measures"),
    ("可唔可以去劳动局投诉佢", "labour_inspection_complaint"),
    ("听人讲看守所入面有免费嘅律师可以问嘢", "duty_lawyer"),
    ("听讲可以假一赔三，我可以攞几多", "consumer_fraud_treble"),
    ("公证过嘅嘢法院认唔认㗎", "notarial_certificate_effect"),
    ("借條做咗公證，佢唔還錢可唔可以直接申請強制執行", "enforceable_debt_notarization"),
])
def test_the_term_named(kb, text, code):
    found = kb.term_for(text)
    assert found is not None and found.code == code
    assert found.sources and all(s.verified for s in found.sources)


@pytest.mark.parametrize("text", ["公司欠我三个月工资", "老公叫我搬出去", "房东叫我搬走", "我想离婚", "加班费有冇双倍"])
def test_no_term_in_an_ordinary_story(kb, text):
    assert kb.term_for(text) is None


def test_context_may_satisfy_a_guard_but_the_term_must_be_in_the_question(kb):
    story = "我老豆琴日喺梅州一间医院做完手术冇几个钟就走咗"
    assert kb.term_for("要唔要做尸检，有冇时间限制") is None
    assert kb.term_for("要唔要做尸检，有冇时间限制", context=story).code == "medical_autopsy"
    assert kb.term_for("我哋想告佢", context="医院唔肯做尸检") is None  # named only before


def test_a_term_without_a_source_or_with_a_bad_pattern_is_refused():
    def check(where, keys):
        return list(keys or [])
    with pytest.raises(SeedError):
        load_terms({"terms": [{"code": "x", "name": "x", "patterns": ["x"], "text": "x", "basis": []}]}, check)
    with pytest.raises(SeedError):
        load_terms({"terms": [{"code": "x", "name": "x", "patterns": ["(x"], "text": "x", "basis": ["LAL-2"]}]}, check)
    with pytest.raises(SeedError):
        load_terms({"terms": [{"code": "x", "name": "x", "topic": "nope", "patterns": ["x"], "text": "x",
                               "basis": ["LAL-2"]}]}, check)


@pytest.mark.parametrize("text", [
    "租房没签合同，房东不退押金，能要赔偿吗",           # no labour contract
    "公司违法辞退我，系咪要赔双倍工资",                 # 赔偿金 (劳动合同法第八十七条), not Art. 82
    "老板拖欠我三个月人工，我可以去边度投诉",            # a worker, not a consumer
    "律师可唔可以帮我追赔偿",                           # asking a lawyer for help, no complaint
    "我哋签咗商事仲裁协议，系咪一裁终局",               # commercial arbitration
    "保险公司要我举证",
    "按摩椅试用期内可唔可以退",
])
def test_review_findings_no_unrelated_term(kb, text):
    assert kb.term_for(text) is None
