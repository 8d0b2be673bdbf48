"""One owner of the conversation's case type (actions.facts.conversation_case_type): every turn's
message-level case type, in order — a later, more specific statement wins over an earlier vague
one, a vague remark does not undo a specific one — and the actions' own decisions (a reset)."""
from __future__ import annotations

from actions.facts import conversation_case_type, replaces
from actions.services import ActionLegalAidVerdict
from tests.dialogue.conftest import all_text, make_tracker, user_event


def said(text: str, case_type: str | None, confidence: float | None = 0.8) -> dict:
    entities = []
    if case_type:
        entity = {"entity": "case_type", "value": case_type, "start": 0, "end": len(text)}
        if confidence is not None:
            entity.update(extractor="CaseTypeClassifier", confidence_entity=confidence)
        entities.append(entity)
    return user_event(text, "legal_problem", entities)


def tracker_of(*events: dict, slots: dict | None = None):
    *history, latest = events
    return make_tracker(slots or {}, text=latest["text"], intent="legal_problem",
                        entities=latest["parse_data"]["entities"], history=history)


def test_a_later_specific_statement_overrides_an_earlier_vague_one():
    tracker = tracker_of(said("我想咨询一个合同方面的问题", "contract", 0.5),
                         said("就是公司一直拖欠我三个月工资不发", "labor_pay", 0.9))
    assert conversation_case_type(tracker) == "labor_pay"


def test_a_vague_remark_does_not_undo_a_specific_statement():
    tracker = tracker_of(said("老板欠我三个月工资不给", "labor_pay", 0.9),
                         said("这个法律问题怎么弄", "other_legal", 0.3),
                         said("合同的事", "contract", 0.4))
    assert conversation_case_type(tracker) == "labor_pay"


def test_a_new_long_confident_story_is_a_new_matter_even_when_its_type_is_broad():
    tracker = tracker_of(said("老板欠我三个月工资不给", "labor_pay", 0.9),
                         said("另外想问一下，我跟装修公司签了装修合同，他们做到一半就不来了，定金也不退，能告他们吗", "contract", 0.8))
    assert conversation_case_type(tracker) == "contract"


def test_a_correction_or_a_button_always_wins():
    assert replaces("labor_pay", "contract", 0.3, "不对，是合同纠纷")
    assert replaces("labor_pay", "other_legal", None, '/inform{"case_type":"other_legal"}')
    assert not replaces("labor_pay", "other_legal", 0.9, "还有别的法律问题想问问你们这边能不能帮忙解答一下谢谢啦")


def test_a_reset_by_an_action_clears_it():
    events = [said("老板欠我三个月工资不给", "labor_pay", 0.9),
              {"event": "action", "name": "action_restart_topic"},
              {"event": "slot", "name": "case_type", "value": None},
              said("你好", None)]
    tracker = tracker_of(*events, slots={"case_type": None})
    assert conversation_case_type(tracker) is None


def test_a_tracker_with_slots_only_keeps_its_slot():
    tracker = make_tracker({"case_type": "debt"}, text="怎么办", intent="legal_problem")
    assert conversation_case_type(tracker) == "debt"


def test_the_verdict_uses_the_specific_type_not_the_later_vague_one(run):
    # The slot holds the last turn's value (from_entity); the verdict follows the owner.
    tracker = tracker_of(said("我是进城务工人员，工地老板欠我两个月工资", "labor_pay", 0.9),
                         said("这种纠纷能申请法律援助吗", "other_legal", 0.3),
                         slots={"case_type": "other_legal", "person_group": ["migrant_worker"]})
    messages, _ = run(ActionLegalAidVerdict(), tracker)
    text = all_text(messages)
    assert "第三十一条" in text or "第四十二条" in text


def test_a_form_filling_the_slot_from_a_vague_turn_does_not_replace_the_story():
    # "能不能申请法律援助" read as other_legal; the screening form then copies the entity into the slot
    events = [said("我在深圳送外卖两年了，平台说我不算他们员工，我想先确认我跟站点公司是劳动关系", "labor_contract", 0.6),
              {"event": "action", "name": "action_route_legal_problem"},
              said("我是深圳本地人，现在没收入，能不能申请法律援助", "other_legal", 0.23),
              {"event": "action", "name": "legal_aid_form"},
              {"event": "slot", "name": "case_type", "value": "other_legal"},
              said("我在南山", None)]
    tracker = tracker_of(*events, slots={"case_type": "other_legal"})
    assert conversation_case_type(tracker) == "labor_contract"


def test_a_turn_that_sets_unpaid_wages_aside_does_not_make_the_matter_unpaid_wages():
    from actions.facts import conversation_case_type
    from tests.dialogue.conftest import make_tracker, user_event
    said = "工资倒是每个月都按时发的 就是不认我是他们的人"
    history = [user_event("跑外卖公司不认我是员工，想确认劳动关系", "legal_problem",
                          [{"entity": "case_type", "value": "labor_contract"}])]
    tracker = make_tracker({}, text=said, intent="inform", history=history,
                           entities=[{"entity": "case_type", "value": "labor_pay"}])
    assert conversation_case_type(tracker) == "labor_contract"
    dismissed = "人工同加班费都结清晒但系一分钱补偿都冇，我想追佢要赔偿金"
    tracker = make_tracker({}, text=dismissed, intent="legal_problem",
                           entities=[{"entity": "case_type", "value": "labor_pay"}])
    assert conversation_case_type(tracker) == "labor_contract"  # Art. 31(5) does not list it


def test_a_short_remark_about_another_side_of_a_labour_dispute_keeps_the_matter():
    from actions.facts import conversation_case_type
    from tests.dialogue.conftest import make_tracker, user_event
    history = [user_event("我老公在厂里右手被机器压断了三根手指，厂里说不算工伤", "legal_problem",
                          [{"entity": "case_type", "value": "work_injury"}])]
    tracker = make_tracker({}, text="他没签合同 社保也没买", intent="inform", history=history,
                           entities=[{"entity": "case_type", "value": "social_insurance"}])
    assert conversation_case_type(tracker) == "work_injury"  # Art. 42(3) still applies
