"""Routing, re-answering with new details, handoff, fallback and feedback actions."""
from __future__ import annotations

import pytest

from actions.dialogue import (
    ActionHandoff, ActionRestartTopic, ActionRouteLegalProblem, corrected_entity, looks_like_correction,
)
from actions.missed import ActionDefaultFallback, ActionOutOfScope, ActionRecordFeedback, consecutive_fallbacks
from bot.review import store
from tests.dialogue.conftest import all_text, entity, make_tracker, slot_events, user_event


def payloads(message):
    return [b["payload"] for b in message.get("buttons") or []]


def bot(text: str) -> dict:
    return {"event": "bot", "text": text}


def action(name: str) -> dict:
    return {"event": "action", "name": name}


def ends_with_next_step(message) -> bool:
    return bool(message.get("buttons")) and "/request_human" in payloads(message)


# ------------------------------------------------------------- routing

def test_route_for_unpaid_wages_offers_the_screening(run):
    messages, events = run(ActionRouteLegalProblem(), make_tracker({"case_type": "labor_pay"}, intent="legal_problem"))
    [message] = messages
    assert "法律援助" in message["text"] and "依据" in message["text"]
    assert '/legal_aid_eligibility{"case_type": "labor_pay"}' in payloads(message)
    assert ends_with_next_step(message)
    assert slot_events(events)["topic"] == "legal_aid"


def test_route_for_a_neighbour_dispute_offers_mediation(run):
    messages, _ = run(ActionRouteLegalProblem(), make_tracker({"case_type": "neighbor"}, intent="legal_problem"))
    assert "/mediation" in payloads(messages[0])


def test_route_without_a_case_type_asks_which_problem(run):
    messages, events = run(ActionRouteLegalProblem(), make_tracker(intent="legal_problem", text="我有个法律问题"))
    assert "哪一类问题" in messages[0]["text"]
    assert '/legal_problem{"case_type": "labor_pay"}' in payloads(messages[0])
    assert events == []


# ------------------------------------------------------------- corrections and added details

@pytest.mark.parametrize("text, expected", [
    ("不是广州，是佛山", "佛山市"), ("是佛山不是广州", "佛山市"), ("广州", "广州市"), ("不是广州", None)])
def test_corrected_entity(text, expected):
    entities = [entity(text, "city", w, w + "市") for w in ("广州", "佛山") if w in text]
    entities.sort(key=lambda e: e["start"])
    tracker = make_tracker(text=text, intent="inform", entities=entities)
    assert corrected_entity(tracker, "city") == (True, expected)


def test_city_given_after_the_office_question_answers_it(run):
    history = [user_event("在哪里办", "find_office"), action("action_find_office"), bot("请问您在广东哪个城市？"),
               action("action_listen")]
    text = "佛山"
    messages, events = run(ActionRestartTopic(), make_tracker(
        {"city": "佛山市"}, text=text, intent="inform", entities=[entity(text, "city", "佛山", "佛山市")],
        history=history))
    assert "佛山" in all_text(messages) and ends_with_next_step(messages[-1])
    assert slot_events(events)["city"] == "佛山市"


def test_correction_after_an_office_answer_overwrites_the_city(run):
    history = [user_event("广州的公证处在哪", "find_office"), action("action_find_office"), bot("广州市…"),
               action("action_listen")]
    text = "是佛山不是广州"
    messages, events = run(ActionRestartTopic(), make_tracker(
        {"city": "广州市"}, text=text, intent="inform",
        entities=[entity(text, "city", "佛山", "佛山市"), entity(text, "city", "广州", "广州市")], history=history))
    assert slot_events(events)["city"] == "佛山市"
    assert "佛山" in all_text(messages)


def test_item_given_after_the_notary_question_gives_the_guide(run):
    history = [user_event("我要办公证", "notarization"), action("action_notary_guide"), bot("请问您要办理哪一项公证？"),
               action("action_listen")]
    text = "学历公证"
    messages, events = run(ActionRestartTopic(), make_tracker(
        {"notary_item": "学历公证", "topic": "notarization"}, text=text, intent="inform",
        entities=[entity(text, "notary_item", "学历公证")], history=history))
    assert "学历公证" in all_text(messages) and "公证法" in all_text(messages)
    assert slot_events(events)["topic"] == "notarization"


def after_a_verdict() -> list:
    """Events of a screening that has just ended with a verdict."""
    return [user_event("能申请法律援助吗", "legal_aid_eligibility"), action("legal_aid_form"),
            action("action_legal_aid_verdict"), bot("…"), action("action_listen")]


def test_detail_after_a_verdict_gives_a_new_verdict(run):
    history = after_a_verdict()
    text = "我是农民工"
    messages, _ = run(ActionRestartTopic(), make_tracker(
        {"case_type": "labor_pay", "city": "广州市", "person_group": ["migrant_worker"]}, text=text, intent="inform",
        entities=[entity(text, "person_group", "农民工", "migrant_worker")], history=history))
    assert "法律援助" in all_text(messages) and "法律援助法" in all_text(messages)


def cities(text: str) -> list[dict]:
    found = [entity(text, "city", w, w + "市") for w in ("广州", "佛山", "深圳", "东莞") if w in text]
    return sorted(found, key=lambda e: e["start"])


@pytest.mark.parametrize("text, entities, expected", [
    ("不是广州，是佛山", None, True), ("是佛山，不是广州", None, True), ("不对，是深圳", None, True),
    ("唔系广州，系佛山", None, True),
    ("不是广州，是顺德", lambda t: cities(t) + [entity(t, "district", "顺德", "顺德区")], True),
    ("佛山", None, False),                 # a detail, not a correction
    ("不是广州", None, False),             # nothing to replace it with
    ("我在佛山被人骗了钱", None, False),
    ("不知道", None, False),
])
def test_looks_like_correction(text, entities, expected):
    ents = entities(text) if entities else cities(text)
    assert looks_like_correction(make_tracker(text=text, intent="nlu_fallback", entities=ents)) is expected


@pytest.mark.parametrize("intent", ["deny", "affirm", "inform"])
def test_correction_read_as_any_intent_re_answers_the_office_question(run, intent):
    """The rules send deny/affirm/inform with a detail to action_restart_topic."""
    history = [user_event("广州的法律援助中心在哪", "find_office"), action("action_find_office"), bot("广州市…"),
               action("action_listen")]
    text = "是佛山，不是广州"
    # action_extract_slots kept the last city said: the negated one.
    messages, events = run(ActionRestartTopic(), make_tracker(
        {"city": "广州市"}, text=text, intent=intent, entities=cities(text), history=history))
    assert slot_events(events)["city"] == "佛山市"
    assert "佛山" in all_text(messages) and ends_with_next_step(messages[-1])


def test_notary_item_correction_re_answers_the_notary_question(run):
    history = [user_event("学历公证怎么办", "notarization"), action("action_notary_guide"), bot("学历公证…"),
               action("action_listen")]
    text = "是出生公证，不是学历公证"
    ents = [entity(text, "notary_item", "出生公证"), entity(text, "notary_item", "学历公证")]
    messages, events = run(ActionRestartTopic(), make_tracker(
        {"notary_item": "学历公证", "topic": "notarization"}, text=text, intent="deny", entities=ents,
        history=history))
    assert "出生" in all_text(messages)
    assert slot_events(events)["notary_item"] != "学历公证"


def test_denied_group_is_dropped_and_the_verdict_given_again(run):
    history = after_a_verdict()
    text = "我不是农民工"
    messages, events = run(ActionRestartTopic(), make_tracker(
        {"case_type": "labor_pay", "city": "广州市", "person_group": ["migrant_worker"]}, text=text, intent="deny",
        entities=[entity(text, "person_group", "农民工", "migrant_worker")], history=history))
    assert slot_events(events)["person_group"] is None
    assert "法律援助法" in all_text(messages)


def test_detail_with_no_context_asks_what_is_wanted(run):
    messages, events = run(ActionRestartTopic(), make_tracker(text="嗯", intent="inform"))
    assert ends_with_next_step(messages[0]) and events == []


# ------------------------------------------------------------- handoff

def test_handoff_gives_12348_the_office_and_a_summary(run):
    history = [user_event("老板拖欠我三个月工资，电话13812345678", "legal_problem"), action("action_route_legal_problem"),
               bot("…"), action("action_listen")]
    messages, events = run(ActionHandoff(), make_tracker(
        {"city": "佛山市", "case_type": "labor_pay", "topic": "legal_aid"}, text="转人工", intent="request_human",
        history=history))
    text = all_text(messages)
    assert "12348" in text
    assert "佛山" in text and "法律援助" in text  # the city's legal-aid office
    assert "【咨询摘要】" in text and "欠薪" in text and "拖欠我三个月工资" in text
    assert "13812345678" not in text and "转人工" not in text.split("【咨询摘要】")[1]
    assert "110" not in text
    assert slot_events(events)["fallback_count"] == 0


def test_urgent_family_violence_puts_110_first_with_sourced_advice(run):
    messages, _ = run(ActionHandoff(), make_tracker(text="我老公正在打我", intent="urgent_danger"))
    text = all_text(messages)
    assert text.index("110") < text.index("12348")
    assert "人身安全保护令" in text and "反家庭暴力法》第十三条、第十五条、第二十三条、第二十九条" in text


def test_urgent_without_family_context_gives_110_but_no_family_advice(run):
    text = all_text(run(ActionHandoff(), make_tracker(text="有人要杀我", intent="urgent_danger"))[0])
    assert "110" in text and "人身安全保护令" not in text


def test_handoff_without_a_city_still_answers(run):
    messages, _ = run(ActionHandoff(), make_tracker(text="找人工", intent="request_human"))
    assert "12348" in all_text(messages)


# ------------------------------------------------------------- fallback and feedback

@pytest.fixture
def review_db(tmp_path, monkeypatch):
    url = f"sqlite:///{tmp_path / 'review.db'}"
    real = store.record
    monkeypatch.setattr(store, "record", lambda *a, **k: real(*a, **{**k, "url": url}))
    return url


def rows(url):
    store.flush()
    return store.recent(10, url=url)


def test_first_fallback_asks_to_rephrase_with_suggestions_and_records(run, review_db):
    ranking = [{"name": "nlu_fallback", "confidence": 0.7}, {"name": "notarization", "confidence": 0.3},
               {"name": "greet", "confidence": 0.1}, {"name": "mediation", "confidence": 0.05}]
    messages, events = run(ActionDefaultFallback(), make_tracker(
        text="那个证明怎么弄 身份证440106199001011234", intent="nlu_fallback", ranking=ranking,
        history=[bot("您好！我是粤法助手")]))
    [message] = messages
    assert "换个说法" in message["text"]
    buttons = payloads(message)
    assert buttons[:2] == ["/notarization", "/mediation"] and buttons[-1] == "/request_human"
    assert "/greet" not in buttons
    assert slot_events(events)["fallback_count"] == 1
    [row] = rows(review_db)
    assert row["kind"] == "nlu_fallback" and "440106199001011234" not in row["text"]
    assert row["previous_bot_text"] == "您好！我是粤法助手" and row["channel"] == "rest"


def test_second_fallback_in_a_row_hands_off(run, review_db):
    history = [user_event("啊啊啊", "nlu_fallback"), action("action_default_fallback"), bot("抱歉…"),
               action("action_listen")]
    messages, events = run(ActionDefaultFallback(), make_tracker(text="呃呃呃", intent="nlu_fallback", history=history))
    assert "12348" in all_text(messages) and "转人工" in all_text(messages)
    assert slot_events(events)["fallback_count"] == 0
    assert len(rows(review_db)) == 1


def test_a_correction_read_as_fallback_is_answered_not_recorded(run, review_db):
    history = [user_event("深圳的公证处在哪", "find_office"), action("action_find_office"), bot("深圳市…"),
               action("action_listen")]
    text = "不是深圳，是东莞"
    messages, events = run(ActionDefaultFallback(), make_tracker(
        {"city": "东莞市"}, text=text, intent="nlu_fallback", entities=cities(text), history=history))
    text_out = all_text(messages)
    assert "东莞" in text_out and "换个说法" not in text_out and ends_with_next_step(messages[-1])
    assert slot_events(events)["fallback_count"] == 0
    assert rows(review_db) == []
    # It does not count towards "two fallbacks in a row": the next fallback asks to rephrase.
    history += [user_event(text, "nlu_fallback"), action("action_default_fallback"), bot("东莞市…"),
                {"event": "slot", "name": "fallback_count", "value": 0.0}, action("action_listen")]
    messages, _ = run(ActionDefaultFallback(), make_tracker(text="呃呃呃", intent="nlu_fallback", history=history))
    assert "换个说法" in all_text(messages)


def test_after_a_handoff_the_count_starts_again():
    history = [user_event("a", "nlu_fallback"), action("action_default_fallback"),
               {"event": "slot", "name": "fallback_count", "value": 1.0}, action("action_listen"),
               user_event("b", "nlu_fallback"), action("action_default_fallback"),
               {"event": "slot", "name": "fallback_count", "value": 0.0}, action("action_listen")]
    assert consecutive_fallbacks(make_tracker(text="c", intent="nlu_fallback", history=history)) == 0
    assert consecutive_fallbacks(make_tracker(text="c", intent="nlu_fallback", history=history[:4])) == 1


def test_core_fallback_is_recorded_as_such(run, review_db):
    run(ActionDefaultFallback(), make_tracker(text="那怎么办", intent="affirm"))
    assert rows(review_db)[0]["kind"] == "core_fallback"


def test_consecutive_fallbacks_count_is_reset_by_a_good_turn():
    history = [user_event("a", "nlu_fallback"), action("action_default_fallback"), action("action_listen"),
               user_event("学历公证", "notarization"), action("action_notary_guide"), action("action_listen")]
    assert consecutive_fallbacks(make_tracker(text="x", intent="nlu_fallback", history=history)) == 0
    history += [user_event("b", "nlu_fallback"), action("action_default_fallback"), action("action_listen")]
    assert consecutive_fallbacks(make_tracker(text="x", intent="nlu_fallback", history=history)) == 1


def test_not_helpful_apologises_records_and_offers_a_person(run, review_db):
    history = [user_event("调解要钱吗", "mediation"), action("action_mediation_guide"), bot("人民调解不收费。"),
               action("action_listen")]
    messages, _ = run(ActionRecordFeedback(), make_tracker({"topic": "mediation"}, text="没用", intent="not_helpful",
                                                          history=history))
    assert "抱歉" in messages[0]["text"] and payloads(messages[0])[0] == "/request_human"
    [row] = rows(review_db)
    assert row["kind"] == "not_helpful" and row["previous_bot_text"] == "人民调解不收费。"
    assert row["topic"] == "mediation"


def test_out_of_scope_is_recorded_and_answered_with_next_steps(run, review_db):
    messages, _ = run(ActionOutOfScope(), make_tracker(text="帮我买张火车票", intent="out_of_scope"))
    assert ends_with_next_step(messages[0])
    assert rows(review_db)[0]["kind"] == "out_of_scope"


def test_a_broken_store_does_not_break_the_reply(run, monkeypatch):
    def boom(*_a, **_k):
        raise RuntimeError("store down")

    monkeypatch.setattr(store, "record", boom)
    messages, _ = run(ActionOutOfScope(), make_tracker(text="帮我买张火车票", intent="out_of_scope"))
    assert ends_with_next_step(messages[0])
