"""The knowledge actions: slots in, database answer + next-step buttons out, never a crash."""
from __future__ import annotations

import json

import pytest
from rasa_sdk.events import SlotSet

from actions.common import next_step_buttons, payload
from actions.services import (
    ActionCrossProvinceGuide, ActionFindOffice, ActionLegalAidVerdict, ActionMediationGuide,
    ActionNotaryGuide, ActionServiceGuide,
)


def only_message(messages):
    assert len(messages) == 1
    return messages[0]


def payloads(message):
    return [b["payload"] for b in message["buttons"]]


def slots(events):
    return {e["name"]: e["value"] for e in events if e["event"] == "slot"}


def assert_ends_with_handoff(message):
    assert message["buttons"] and message["buttons"][-1]["payload"] == "/request_human"


def test_legal_aid_verdict_reads_all_slots(run_action):
    messages, events = run_action(ActionLegalAidVerdict(), {
        "case_type": "labor_pay", "case_category": "civil", "city": "佛山市",
        "person_group": ["migrant_worker"], "economic_status": None})
    message = only_message(messages)
    assert "您可以申请法律援助" in message["text"]
    assert "第四十二条" in message["text"] and "佛山市法律援助机构" in message["text"]
    assert "/find_office" in payloads(message)
    assert_ends_with_handoff(message)
    assert slots(events) == {"topic": "legal_aid"}


def test_legal_aid_verdict_not_covered_and_single_string_group(run_action):
    message = only_message(run_action(ActionLegalAidVerdict(), {
        "case_type": "labor_pay", "person_group": "elderly", "economic_status": "not_hardship"})[0])
    assert "没有固定生活来源" in message["text"]  # Art. 42(1) still possible
    message = only_message(run_action(ActionLegalAidVerdict(), {"case_type": "debt"})[0])
    assert "暂时不符合" in message["text"] and "人民调解" in message["text"]


def test_legal_aid_verdict_without_case_offers_case_types(run_action):
    message = only_message(run_action(ActionLegalAidVerdict(), {})[0])
    assert "什么问题" in message["text"]
    assert payload("legal_aid_eligibility", case_type="labor_pay") in payloads(message)


def test_notary_guide_for_item(run_action):
    messages, events = run_action(ActionNotaryGuide(), {"notary_item": "學歷"})
    message = only_message(messages)
    assert "【学历公证】" in message["text"] and "15个工作日" in message["text"]
    assert payload("cross_province", notary_item="学历公证") in payloads(message)
    assert slots(events) == {"topic": "notarization", "notary_item": "学历公证"}
    assert_ends_with_handoff(message)


def test_notary_guide_asks_for_missing_or_unknown_item(run_action):
    message = only_message(run_action(ActionNotaryGuide(), {})[0])
    assert "哪一项公证" in message["text"]
    assert payload("notarization", notary_item="学历公证") in payloads(message)
    messages, events = run_action(ActionNotaryGuide(), {"notary_item": "飞船公证"})
    assert "没有找到" in only_message(messages)["text"]
    assert slots(events)["notary_item"] is None


def test_mediation_guide(run_action):
    messages, events = run_action(ActionMediationGuide())
    message = only_message(messages)
    assert "不收取任何费用" in message["text"] and "人民调解法" in message["text"]
    assert slots(events) == {"topic": "mediation"}
    assert_ends_with_handoff(message)


def test_cross_province_guide(run_action):
    message = only_message(run_action(ActionCrossProvinceGuide(), {"notary_item": "驾驶证公证"})[0])
    assert "可以跨省通办" in message["text"]
    message = only_message(run_action(ActionCrossProvinceGuide(), {"notary_item": "继承公证"})[0])
    assert "没有核实" in message["text"]


def test_find_office_by_alias_sets_canonical_slots(run_action):
    messages, events = run_action(ActionFindOffice(), {"city": "穗", "topic": "legal_aid"})
    message = only_message(messages)
    assert "广州市" in message["text"] and "12348" in message["text"]
    assert message["text"].index("法律援助机构") < message["text"].index("公共法律服务中心")  # topic first
    assert slots(events) == {"city": "广州市", "district": None}
    assert "/find_office" not in payloads(message)
    assert_ends_with_handoff(message)


def test_find_office_by_district(run_action):
    messages, events = run_action(ActionFindOffice(), {"district": "顺德"})
    assert slots(events) == {"city": "佛山市", "district": "顺德区"}
    assert "佛山市顺德区" in only_message(messages)["text"]


def test_find_office_corrected_city_wins_over_old_district(run_action):
    _, events = run_action(ActionFindOffice(), {"city": "深圳", "district": "顺德区"})
    assert slots(events) == {"city": "深圳市", "district": None}
    _, events = run_action(ActionFindOffice(), {"city": "深圳", "district": "顺德区"}, entities=["city"])
    assert slots(events) == {"city": "深圳市", "district": None}


def test_find_office_newly_said_district_wins_over_old_city(run_action):
    _, events = run_action(ActionFindOffice(), {"city": "广州市", "district": "南山"}, entities=["district"])
    assert slots(events) == {"city": "深圳市", "district": "南山区"}


def test_find_office_unknown_district_in_known_city(run_action):
    messages, events = run_action(ActionFindOffice(), {"city": "佛山", "district": "火星区"})
    assert "没有找到“火星区”" in only_message(messages)["text"]
    assert slots(events) == {"city": "佛山市", "district": None}


def test_find_office_unknown_place_suggests(run_action):
    messages, events = run_action(ActionFindOffice(), {"city": "佛三"})
    message = only_message(messages)
    assert "没有找到“佛三”" in message["text"]
    assert payload("find_office", city="佛山市") in payloads(message)
    assert slots(events) == {"city": None, "district": None}
    message = only_message(run_action(ActionFindOffice(), {"city": "北京"})[0])
    assert "21个地级市" in message["text"] and payload("find_office", city="广州市") in payloads(message)


def test_find_office_without_place_asks_with_major_cities(run_action):
    messages, events = run_action(ActionFindOffice(), {})
    message = only_message(messages)
    assert "哪个城市" in message["text"]
    assert payload("find_office", city="深圳市") in payloads(message)
    assert events == []


@pytest.mark.parametrize("intent, name", [("lawyer_service", "律师服务"), ("judicial_appraisal", "司法鉴定"),
                                          ("arbitration", "仲裁"), ("administrative_reconsideration", "行政复议"),
                                          ("legal_qualification", "法律职业资格"), ("legal_aid_apply", "法律援助")])
def test_service_guide_by_latest_intent(run_action, intent, name):
    messages, events = run_action(ActionServiceGuide(), {"city": "中山"}, intent=intent)
    message = only_message(messages)
    assert f"【{name}】" in message["text"] and "依据：" in message["text"]
    assert_ends_with_handoff(message)
    assert slots(events)["topic"] == api_code(intent)


def api_code(intent):
    from knowledge.api import SERVICE_CODES

    return SERVICE_CODES[intent]


def test_service_guide_falls_back_to_topic_then_asks(run_action):
    message = only_message(run_action(ActionServiceGuide(), {"topic": "arbitration"}, intent="inform")[0])
    assert "【仲裁】" in message["text"]
    message = only_message(run_action(ActionServiceGuide(), {}, intent="inform")[0])
    assert "哪项服务" in message["text"]


@pytest.mark.parametrize("action, slots_", [
    (ActionLegalAidVerdict(), {"case_type": "labor_pay"}), (ActionNotaryGuide(), {"notary_item": "学历公证"}),
    (ActionMediationGuide(), {}), (ActionCrossProvinceGuide(), {}), (ActionFindOffice(), {"city": "广州"}),
    (ActionServiceGuide(), {"topic": "arbitration"}),
])
def test_database_failure_gives_polite_answer(run_action, monkeypatch, tmp_path, action, slots_, caplog):
    monkeypatch.setenv("DATABASE_URL", f"sqlite:///{tmp_path / 'empty.db'}")  # no tables
    messages, events = run_action(action, slots_, intent="arbitration")
    message = only_message(messages)
    assert "12348" in message["text"] and "Traceback" not in message["text"]
    assert payloads(message) == ["/request_human"]
    assert events == []
    assert "failed" in caplog.text


def test_hostile_slot_values_do_not_crash(run_action):
    for value in ("x" * 100_000, "<script>alert(1)</script>", 42, ["a", None], {"k": "v"}):
        for action, name in ((ActionFindOffice(), "city"), (ActionNotaryGuide(), "notary_item"),
                             (ActionLegalAidVerdict(), "case_type")):
            message = only_message(run_action(action, {name: value})[0])
            assert message["text"] and message["buttons"]


def test_next_step_buttons_helper():
    buttons = next_step_buttons("notarization", notary_item="学历公证", exclude={"find_office"},
                                extra=[{"title": "X", "payload": "/greet"}])
    assert buttons[0]["payload"] == "/greet" and buttons[-1]["payload"] == "/request_human"
    assert "/find_office" not in [b["payload"] for b in buttons]
    assert json.loads(payload("find_office", city="佛山市").removeprefix("/find_office")) == {"city": "佛山市"}
    assert payload("find_office", city=None) == "/find_office"
    assert next_step_buttons(None, exclude={"request_human"})[-1]["payload"] == "/request_human"


def test_optional_role_and_flag_slots(run_action):
    message = only_message(run_action(ActionLegalAidVerdict(), {
        "case_category": "criminal", "person_group": ["minor"], "criminal_role": "accused"})[0])
    assert "指派律师" in message["text"] and "不需要另外申请" in message["text"]
    message = only_message(run_action(ActionLegalAidVerdict(), {
        "case_type": "medical", "economic_status": "not_hardship", "legal_aid_flags": ["good_samaritan"]})[0])
    assert "见义勇为" in message["text"] and "您可以申请法律援助" in message["text"]
