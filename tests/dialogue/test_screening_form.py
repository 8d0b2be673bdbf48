"""validate_legal_aid_form: asks only what the eligibility engine still needs; handles
first-message slots, corrections, skips, "none of these" and special facts."""
from __future__ import annotations

import pytest

from actions.dialogue import (
    ActionAskCaseType, ActionAskCity, ActionAskEconomicStatus, ActionAskPersonGroup, ValidateLegalAidForm,
)
from tests.dialogue.conftest import all_text, entity, make_tracker, slot_events

FORM = ValidateLegalAidForm()


def requested(events):
    return slot_events(events)["requested_slot"]


def test_empty_start_asks_the_matter_first(run):
    messages, events = run(FORM, make_tracker(text="我想申请法律援助", intent="legal_aid_eligibility"))
    assert requested(events) == "case_type"
    assert messages == []


def test_slots_from_the_first_message_are_not_asked_again(run):
    text = "我在佛山被老板拖欠工资，能申请法律援助吗"
    tracker = make_tracker(text=text, intent="legal_aid_eligibility",
                           entities=[entity(text, "city", "佛山", "佛山市"),
                                     entity(text, "case_type", "拖欠工资", "labor_pay")],
                           extracted={"city": "佛山市", "case_type": "labor_pay"})
    _, events = run(FORM, tracker)
    assert slot_events(events)["city"] == "佛山市"
    assert slot_events(events)["case_type"] == "labor_pay"
    assert requested(events) == "person_group"  # the matter and the city are known


def test_economic_situation_is_asked_last_and_only_when_it_matters(run):
    slots = {"case_type": "labor_pay", "city": "广州市", "requested_slot": "person_group"}
    _, events = run(FORM, make_tracker(slots, text="都不是", intent="deny"))
    assert requested(events) == "economic_status"
    # A group the engine exempts from the hardship check: no money question at all.
    _, events = run(FORM, make_tracker(slots, text="我是农民工", intent="inform",
                                       extracted={"person_group": ["migrant_worker"]}))
    assert requested(events) is None


def test_family_violence_never_asks_about_money(run):
    text = "老公家暴我"
    tracker = make_tracker(text=text, intent="legal_aid_eligibility",
                           entities=[entity(text, "case_type", "家暴", "domestic_violence")],
                           extracted={"case_type": "domestic_violence"})
    _, events = run(FORM, tracker)
    assert requested(events) == "city"
    _, events = run(FORM, make_tracker({"case_type": "domestic_violence", "requested_slot": "city"},
                                       text="东莞", intent="inform", extracted={"city": "东莞市"}))
    assert requested(events) is None  # done: Art. 32 needs no hardship check


@pytest.mark.parametrize("text", ["不是广州，是佛山", "是佛山，不是广州", "唔系广州，系佛山"])
def test_city_correction_inside_the_form(run, text):
    slots = {"case_type": "labor_pay", "city": "广州市", "requested_slot": "economic_status",
             "person_group": None, "screening_skipped": ["person_group"]}
    # action_extract_slots keeps the last city entity, which may be the negated one.
    last = "广州市" if text.index("广州") > text.index("佛山") else "佛山市"
    tracker = make_tracker(slots, text=text, intent="inform",
                           entities=sorted([entity(text, "city", "广州", "广州市"), entity(text, "city", "佛山", "佛山市")],
                                           key=lambda e: e["start"]),
                           extracted={"city": last})
    _, events = run(FORM, tracker)
    assert slot_events(events)["city"] == "佛山市"
    assert requested(events) == "economic_status"  # the form goes back to its question


def test_a_correction_read_as_deny_is_not_none_of_these(run):
    """"不是广州，是佛山" is often classified deny; during the special-circumstances question
    it corrects the city and does not answer "都不是"."""
    text = "不是广州，是佛山"
    slots = {"case_type": "labor_pay", "city": "广州市", "requested_slot": "person_group"}
    tracker = make_tracker(slots, text=text, intent="deny",
                           entities=[entity(text, "city", "广州", "广州市"), entity(text, "city", "佛山", "佛山市")],
                           extracted={"city": "佛山市"})
    _, events = run(FORM, tracker)
    assert slot_events(events)["city"] == "佛山市"
    assert "screening_skipped" not in slot_events(events)
    assert requested(events) == "person_group"


def test_a_denied_group_is_not_taken(run):
    text = "我不是农民工"
    slots = {"case_type": "labor_pay", "city": "广州市", "requested_slot": "person_group"}
    _, events = run(FORM, make_tracker(slots, text=text, intent="inform",
                                       entities=[entity(text, "person_group", "农民工", "migrant_worker")],
                                       extracted={"person_group": ["migrant_worker"]}))
    assert slot_events(events)["person_group"] is None
    assert requested(events) == "person_group"


def test_district_sets_city_and_district(run):
    _, events = run(FORM, make_tracker({"case_type": "debt", "requested_slot": "city"}, text="顺德",
                                       intent="inform", extracted={"city": "顺德区"}))
    assert slot_events(events)["city"] == "佛山市" and slot_events(events)["district"] == "顺德区"


def test_district_answer_fills_the_city(run):
    _, events = run(FORM, make_tracker({"case_type": "debt", "requested_slot": "city"}, text="我在南山",
                                       intent="inform", extracted={"district": "南山区"}))
    assert slot_events(events)["city"] == "深圳市" and slot_events(events)["district"] == "南山区"
    assert requested(events) is None


def test_unknown_place_is_asked_again_with_a_hint(run):
    messages, events = run(FORM, make_tracker({"case_type": "debt", "requested_slot": "city"}, text="火星",
                                              intent="inform", extracted={"city": "火星"}))
    assert slot_events(events)["city"] is None
    assert requested(events) == "city"
    assert "没有找到" in all_text(messages)


def test_skip_moves_on_and_is_not_asked_again(run):
    slots = {"case_type": "labor_pay", "city": "广州市", "requested_slot": "economic_status",
             "screening_skipped": ["person_group"]}
    messages, events = run(FORM, make_tracker(slots, text="不想说", intent="skip"))
    assert set(slot_events(events)["screening_skipped"]) == {"person_group", "economic_status"}
    assert requested(events) is None
    assert "跳过" in all_text(messages)


def test_skipping_the_matter_still_asks_the_place(run):
    _, events = run(FORM, make_tracker({"requested_slot": "case_type"}, text="说不清", intent="skip"))
    assert slot_events(events)["screening_skipped"] == ["case_type"]
    assert requested(events) == "city"


def test_a_new_screening_forgets_old_skips(run):
    _, events = run(FORM, make_tracker({"screening_skipped": ["case_type", "city"]}, text="我要做初筛",
                                       intent="legal_aid_eligibility"))
    assert slot_events(events)["screening_skipped"] == []
    assert requested(events) == "case_type"


def test_stop_is_left_to_the_rules(run):
    # Nothing extracted, nothing validated: the form rejects and the stop rule takes over.
    _, events = run(FORM, make_tracker({"requested_slot": "case_type"}, text="算了", intent="stop"))
    assert [e for e in events if e.get("name") != "requested_slot"] == []


def test_special_facts_in_passing(run):
    text = "我见义勇为被打伤了，我是受害人"
    _, events = run(FORM, make_tracker(text=text, intent="legal_aid_eligibility"))
    assert slot_events(events)["legal_aid_flags"] == ["good_samaritan"]
    assert slot_events(events)["criminal_role"] == "victim"


@pytest.mark.parametrize("slot, value", [("case_type", "alien_abduction"), ("economic_status", "rich"),
                                         ("case_category", "martial"), ("person_group", ["wizard"])])
def test_values_outside_the_contract_are_dropped(run, slot, value):
    _, events = run(FORM, make_tracker({"requested_slot": slot}, text="x", intent="inform",
                                       extracted={slot: value}))
    assert slot_events(events)[slot] is None


def test_database_failure_ends_the_form_quietly(run, monkeypatch):
    from knowledge import api

    def boom(*_a, **_k):
        raise RuntimeError("db down")

    monkeypatch.setattr(api, "legal_aid_questions", boom)
    monkeypatch.setattr(api, "resolve_place", boom)
    _, events = run(FORM, make_tracker(text="能申请法律援助吗", intent="legal_aid_eligibility",
                                       extracted={"city": "广州市"}))
    assert requested(events) is None


def test_city_question_offers_major_cities_and_skip(run):
    messages, _ = run(ActionAskCity(), make_tracker({"requested_slot": "city"}))
    payloads = [b["payload"] for b in messages[0]["buttons"]]
    assert '/inform{"city": "广州市"}' in payloads and payloads[-1] == "/skip"


@pytest.mark.parametrize("action, expected", [
    (ActionAskCaseType(), ['/inform{"case_type": "labor_pay"}', '/inform{"case_category": "criminal"}', "/skip"]),
    (ActionAskPersonGroup(), ['/inform{"person_group": "migrant_worker"}', "/deny"]),
    (ActionAskEconomicStatus(), ['/inform{"economic_status": "hardship"}', "/skip"]),
])
def test_every_question_has_answer_buttons(run, action, expected):
    messages, _ = run(action, make_tracker())
    payloads = [b["payload"] for b in messages[0]["buttons"]]
    assert all(p in payloads for p in expected)


def test_a_question_asked_instead_of_an_answer_is_answered_then_the_screening_goes_on(run):
    # The form takes such a turn (no rule runs): "等你哋审批实过咗期啦" is Art. 44's advance aid.
    slots = {"case_type": "labor_pay", "city": "中山市", "requested_slot": "person_group"}
    tracker = make_tracker(slots, text="3日咁紧 等你哋审批实过咗期啦 点算", intent="nlu_fallback",
                           active_loop="legal_aid_form")
    messages, events = run(FORM, tracker)
    assert "先行提供" in all_text(messages) and "第四十四条" in all_text(messages)
    assert requested(events) is not None  # the screening continues


def test_a_screening_question_asked_again_is_never_the_same_message_three_times(run):
    from actions.dialogue import ASK_TEXTS, ActionAskEconomicStatus
    from tests.dialogue.conftest import make_tracker
    sent = []
    for _ in range(3):
        history = [{"event": "bot", "text": t} for t in sent]
        messages, _ = run(ActionAskEconomicStatus(), make_tracker({"case_type": "labor_pay"}, text="要几耐",
                                                                  history=history))
        sent.append(messages[-1]["text"])
    assert all(t.endswith(ASK_TEXTS["economic_status"]) for t in sent) and len(set(sent)) == 3
