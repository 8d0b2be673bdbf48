"""knowledge.api answers from the database, with citations (both backends)."""
from __future__ import annotations

import pytest

from knowledge import db
from knowledge.models import ServiceItem

CONTRACT_NOTARY_ITEMS = ("学历公证 学位公证 驾驶证公证 出生公证 亲属关系公证 无犯罪记录公证 "
                         "婚姻状况公证 委托公证 声明公证 继承公证 遗嘱公证 强制执行公证 赠与公证 收养公证 生存公证 "
                         "保全证据公证").split()


def test_every_contract_notary_item_has_a_sourced_guide(kb):
    assert sorted(kb.notary_items()) == sorted(CONTRACT_NOTARY_ITEMS)
    for item in CONTRACT_NOTARY_ITEMS:
        guide = kb.notary_guide(item)
        assert guide.found and guide.materials
        text = guide.to_text()
        assert "15个工作日" in text                                    # Art. 30
        assert "减免公证费" in text                                     # Art. 34
        assert "经常居住地" in text                                     # Art. 25
        assert "公证法第三十条" in guide.citations and "公证法第三十四条" in guide.citations
        assert "依据：《中华人民共和国公证法》" in text


def test_in_person_items(kb):
    assert kb.notary_guide("遗嘱公证").in_person == "required"
    assert "必须由本人亲自办理" in kb.notary_guide("遗嘱").to_text()
    assert "公证法第二十六条" in kb.notary_guide("遗嘱公证").citations
    assert kb.notary_guide("委托公证").in_person == "check"
    assert kb.notary_guide("学历公证").in_person is None


def test_cross_province_flag_only_where_sourced(kb):
    flagged = {i for i in CONTRACT_NOTARY_ITEMS if kb.notary_guide(i).cross_province}
    assert flagged == {"学历公证", "学位公证", "驾驶证公证"}
    assert all(kb.notary_guide(i).cross_province is None for i in set(CONTRACT_NOTARY_ITEMS) - flagged)
    assert "可以跨省通办" in kb.cross_province_guide("驾照").to_text()
    unverified = kb.cross_province_guide("委托公证").to_text()
    assert "没有核实" in unverified and "学历公证" in unverified
    assert "学位公证" in kb.cross_province_guide().to_text()


def test_notary_item_words(kb):
    assert kb.notary_item_code("學歷公證") == "学历公证"
    assert kb.notary_item_code("毕业证") == "学历公证"
    assert kb.notary_item_code("赋予强制执行效力") == "强制执行公证"
    assert kb.notary_item_code("飞船公证") is None
    assert not kb.notary_guide("飞船公证").found
    assert "12348" in kb.notary_guide(None).to_text()


def test_mediation_guide(kb):
    guide = kb.mediation_guide()
    text = guide.to_text()
    for fact in ("不收取任何费用", "自愿", "法律约束力", "30日内共同", "婚姻关系"):
        assert fact in text, fact
    for citation in ("人民调解法第四条", "人民调解法第三十一条", "人民调解法第三十三条"):
        assert citation in guide.citations


@pytest.mark.parametrize("code", ["lawyer_service", "judicial_appraisal", "arbitration",
                                  "administrative_reconsideration", "legal_qualification", "legal_aid_apply"])
def test_service_guides_exist_cite_and_point_to_12348(kb, code):
    guide = kb.service_guide(code)
    assert guide.found and guide.citations
    assert "12348" in guide.to_text()


def test_service_guides_do_not_invent_fees_or_deadlines(kb):
    assert "未收录" in kb.service_guide("lawyer_service").fee_rule
    assert "未收录" in kb.service_guide("arbitration").time_limit
    assert not kb.service_guide("unknown").found


def test_verdict_text_has_citations_last_and_offices(kb):
    verdict = kb.assess_legal_aid(kb.LegalAidCase(case_type="labor_pay", person_groups=["migrant_worker"],
                                                  city="穗"))
    assert verdict.outcome == "eligible"
    assert "法律援助法第四十二条" in verdict.citations
    text = verdict.to_text()
    assert text.rstrip().splitlines()[-1].startswith("依据：《中华人民共和国法律援助法》第三十一条")
    assert "广州市法律援助机构" in text and "未收录" in text and verdict.materials


def test_verdict_from_dict_and_not_covered_alternatives(kb):
    verdict = kb.assess_legal_aid({"case_type": "neighbor", "city": "火星", "junk": 1})
    assert verdict.outcome == "not_covered"
    assert [a.service_code for a in verdict.alternatives][0] == "mediation"
    assert "其他途径" in verdict.to_text()
    assert kb.assess_legal_aid(None).outcome == "need_more_info"


def test_legal_aid_questions(kb):
    assert kb.legal_aid_questions({"case_type": "domestic_violence"}) == ["city"]
    assert kb.legal_aid_questions({"case_type": "labor_pay", "city": "佛山"}) == ["person_group", "economic_status"]


def test_routes_for_case_type(kb):
    routes = kb.routes_for_case_type("labor_pay")
    assert [r.service_code for r in routes][:2] == ["legal_aid", "arbitration"]
    assert "法律援助法第三十一条" in routes[0].citations
    assert kb.routes_for_case_type("neighbor")[0].service_code == "mediation"
    assert "legal_aid" not in [r.service_code for r in kb.routes_for_case_type("neighbor")]
    assert kb.routes_for_case_type("land")[0].service_code == "administrative_reconsideration"
    assert kb.routes_for_case_type("domestic_violence")[0].service_code == "legal_aid"
    assert kb.routes_for_case_type("nonsense") == [] and kb.routes_for_case_type(None) == []


def test_answers_follow_the_database_not_code(kb, kb_url):
    with db.session_scope(kb_url) as s:
        s.get(ServiceItem, "mediation").summary = "数据库里的调解说明"
    assert "数据库里的调解说明" in kb.mediation_guide().to_text()


def test_legal_source_lookup(kb):
    source = kb.legal_source("LAL-31")
    assert source["citation"] == "法律援助法第三十一条" and "国家赔偿" in source["excerpt"]
    assert kb.legal_source("nope") is None


def test_verdict_materials_follow_the_rules_applied(kb):
    violence = kb.assess_legal_aid({"case_type": "domestic_violence"}).materials
    assert not any("经济困难" in m for m in violence) and any("家庭暴力" in m for m in violence)
    unknown = kb.assess_legal_aid({"case_type": "labor_pay"}).materials
    assert any("个人诚信承诺" in m for m in unknown)
    migrant = kb.assess_legal_aid({"case_type": "labor_pay", "person_groups": ["migrant_worker"]}).materials
    assert any("进城务工" in m for m in migrant) and not any("诚信承诺" in m for m in migrant)
    assigned = kb.assess_legal_aid({"case_type": "criminal", "person_groups": ["minor"], "role": "accused"})
    assert assigned.materials == [] and "不需要另外申请" in assigned.where_to_apply
