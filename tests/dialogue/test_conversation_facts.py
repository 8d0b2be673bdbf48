"""Facts from the whole conversation reach the screening and the verdict (rasa_sdk trackers,
no model): a fact said in any turn counts, the means question is not asked where the law has
no means test, and an answer that does not answer never brings the same question back forever."""
from __future__ import annotations

from actions.dialogue import ValidateLegalAidForm
from actions.services import ActionLegalAidVerdict
from tests.dialogue.conftest import all_text, make_tracker, slot_events, user_event

FORM = ValidateLegalAidForm()
VERDICT = ActionLegalAidVerdict()


def history(*texts: str) -> list[dict]:
    return [user_event(t, "legal_problem") for t in texts]


def test_deaf_relative_in_custody_gets_an_assigned_lawyer_whatever_the_income(run):
    story = history("我弟弟是聋哑人，上礼拜被派出所抓了，说他偷东西")
    tracker = make_tracker({"case_category": "criminal", "city": "佛山市"}, text="家里收入还可以",
                           intent="inform", history=story)
    _, events = run(FORM, tracker)
    assert slot_events(events)["requested_slot"] is None  # nothing left to ask: no means question
    messages, _ = run(VERDICT, tracker)
    text = all_text(messages)
    assert "指派律师" in text and "不审查经济状况" in text and "第二十五条" in text
    assert "一般不能获得法律援助" not in text
    assert "值班律师" in text and "第三十条" in text
    assert "七日" not in text and "7日内作出" not in text  # Art. 43 is not for notifications


def test_accused_family_saying_income_is_fine_is_not_refused(run):
    tracker = make_tracker({"case_category": "criminal", "city": "广州市"}, text="收入还可以",
                           intent="inform", history=history("我老公被刑拘了，涉嫌诈骗，还没请律师"))
    messages, _ = run(VERDICT, tracker)
    text = all_text(messages)
    assert "其他原因" in text and "第二十四条" in text and "值班律师" in text
    assert "一般不能获得法律援助" not in text


def test_wife_beaten_by_detained_husband_claims_divorce_without_means_test(run):
    tracker = make_tracker({"case_type": "marriage", "city": "东莞市"}, text="我想离婚，还要他赔偿，家里条件还行",
                           intent="legal_aid_eligibility", history=history("我老公打我，被派出所拘留了"))
    messages, _ = run(VERDICT, tracker)
    text = all_text(messages)
    assert "不受经济困难条件的限制" in text and "第三十二条" in text


def test_dv_victims_neighbour_dispute_still_needs_the_means_test(run):
    tracker = make_tracker({"case_type": "neighbor", "city": "东莞市"}, text="邻居漏水的事，家里不困难",
                           intent="inform", history=history("之前被老公打过"))
    messages, _ = run(VERDICT, tracker)
    assert "不受经济困难条件的限制" not in all_text(messages)


def test_answer_to_another_question_is_kept_and_the_question_is_not_repeated_forever(run):
    slots = {"case_type": "labor_pay", "city": "广州市", "requested_slot": "person_group"}
    ask = {"event": "action", "name": "action_ask_legal_aid_form_person_group"}
    asked_once = [{"event": "active_loop", "name": "legal_aid_form"}, ask]
    first = make_tracker(slots, text="家里不困难", intent="inform", history=asked_once)
    _, events = run(FORM, first)
    assert slot_events(events).get("requested_slot") == "person_group"  # a new fact: asked once more
    asked_again = asked_once + [user_event("家里不困难", "inform"), ask]
    second = make_tracker(slots, text="嗯嗯", intent="affirm", history=asked_again)
    _, events = run(FORM, second)
    assert "person_group" in slot_events(events)["screening_skipped"]
    assert slot_events(events)["requested_slot"] is None  # economic status already known: verdict


def test_dismissal_compensation_is_honestly_not_listed_with_the_arbitration_route(run):
    tracker = make_tracker({"case_type": "labor_contract", "city": "深圳市", "economic_status": "hardship"},
                           text="公司违法辞退我不给经济补偿", intent="legal_aid_eligibility")
    messages, _ = run(VERDICT, tracker)
    text = all_text(messages)
    assert "确认劳动关系或者支付劳动报酬" in text and "12348" in text and "仲裁" in text


def test_urgent_deadline_said_in_passing_brings_advance_aid(run):
    tracker = make_tracker({"case_type": "labor_pay", "city": "佛山市"}, text="我们是农民工",
                           intent="inform", history=history("老板欠我们三个月工资，仲裁时效还有几天就过了"))
    messages, _ = run(VERDICT, tracker)
    assert "先行提供" in all_text(messages) and "第四十四条" in all_text(messages)


def test_every_family_violence_answer_says_110_and_the_protection_order(run):
    from actions.dialogue import ActionRouteLegalProblem

    tracker = make_tracker({"case_type": "domestic_violence", "city": "广州市"}, text="老公经常打我怎么办",
                           intent="legal_problem")
    for action in (ActionRouteLegalProblem(), VERDICT):
        messages, _ = run(action, tracker)
        text = all_text(messages)
        assert "110" in text and "人身安全保护令" in text and "72小时" in text and "24小时" in text
        assert "代为申请" in text and "反家庭暴力法" in text and "第二十八条" in text
