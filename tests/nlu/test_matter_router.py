"""bot.nlu.matter_router without a trained model: a stated legal matter becomes legal_problem
whatever wrapped it; family violence yields to the other matter asked about in one message."""
from __future__ import annotations

import pytest

from rasa.shared.nlu.constants import ENTITIES, INTENT, TEXT
from rasa.shared.nlu.training_data.message import Message

from bot.nlu.matter_router import LegalMatterRouter, resolve_family_violence

ROUTER = LegalMatterRouter(LegalMatterRouter.get_default_config())


def message(text: str, intent: str, entities=()) -> Message:
    return Message(data={TEXT: text, INTENT: {"name": intent, "confidence": 0.4}, ENTITIES: list(entities)})


def test_greeting_with_a_story_is_a_legal_problem_and_keeps_the_models_guess():
    msg = message("您好在吗，我儿子被派出所带走了，说他偷电动车", "greet")
    ROUTER.process([msg])
    assert msg.get(INTENT)["name"] == "legal_problem" and msg.get(INTENT)["routed_from"] == "greet"


def test_a_key_phrase_is_enough_for_a_weak_intent():
    msg = message("你好，我想跟老公离婚但不知道怎么弄", "greet")
    ROUTER.process([msg])
    assert msg.get(INTENT)["name"] == "legal_problem"
    assert any(e["entity"] == "case_type" and e["value"] == "marriage" for e in msg.get(ENTITIES))


def test_a_lawyer_request_stays_one_without_a_criminal_or_named_matter():
    msg = message("我想找个律师帮我打离婚官司", "lawyer_service")
    ROUTER.process([msg])
    assert msg.get(INTENT)["name"] == "lawyer_service"
    msg = message("我爸一审判了死刑，要报死刑复核，还能有律师吗", "lawyer_service")
    ROUTER.process([msg])
    assert msg.get(INTENT)["name"] == "legal_problem"


def test_short_or_strong_intents_are_left_alone():
    for msg in (message("在吗", "greet"), message("我想办学历公证，被抓过的人能办吗", "notarization")):
        before = msg.get(INTENT)["name"]
        ROUTER.process([msg])
        assert msg.get(INTENT)["name"] == before


def case_types_after_resolving(text: str, *tagged: tuple[str, str]) -> list[str]:
    """The case_type values left after resolve_family_violence, for (value, tagged word) pairs."""
    msg = message(text, "legal_problem", [{"entity": "case_type", "value": value, "start": text.index(word),
                                           "end": text.index(word) + len(word)} for value, word in tagged])
    resolve_family_violence(msg)
    return [e["value"] for e in msg.get(ENTITIES) if e["entity"] == "case_type"]


def test_family_violence_yields_to_the_matter_asked_about():
    text = "我前年被老公家暴过，后来离婚了。现在想问另一件事：朋友借了我五万一直不还"
    assert case_types_after_resolving(text, ("domestic_violence", "家暴")) == ["debt"]


def test_family_violence_alone_stays():
    assert case_types_after_resolving("老公经常喝醉了打我", ("domestic_violence", "老公")) == ["domestic_violence"]


def test_the_matter_named_last_wins_over_violence_and_an_earlier_divorce():
    text = "我前年被老公家暴，后来离婚了。现在想问另一件事：我借给朋友五万块，他一直不还"
    assert case_types_after_resolving(text, ("domestic_violence", "家暴"), ("marriage", "离婚")) == ["debt"]


def test_violence_then_divorce_is_about_the_divorce():
    assert case_types_after_resolving("老公喝醉打我，家暴好多次了，我想离婚", ("domestic_violence", "家暴")) == ["marriage"]


def test_a_protection_order_question_stays_family_violence_whatever_else_is_said():
    text = "我同老公分居紧 佢成日打电话恐吓我话要斩死我 但系佢未真系郁手打过我 咁样法院会唔会唔批保护令"
    assert case_types_after_resolving(text, ("domestic_violence", "恐吓")) == ["domestic_violence"]


def test_an_objection_to_a_legal_aid_refusal_is_a_remedy_question():
    msg = message("法援中心给了我一个不予法律援助的通知书，说我家收入超标了，我能怎么办", "legal_aid_eligibility")
    ROUTER.process([msg])
    assert msg.get(INTENT)["name"] == "ask_detail"
    story = message("老板欠我三个月工资，能申请法律援助吗", "legal_aid_eligibility")
    ROUTER.process([story])
    assert story.get(INTENT)["name"] == "legal_aid_eligibility"


def ranked(msg: Message, ranking: dict) -> Message:
    msg.set("case_type_ranking", [{"name": n, "confidence": c} for n, c in ranking.items()])
    return msg


def test_a_confident_case_type_routes_a_weak_intent_and_sets_one_value():
    msg = ranked(message("朋友欠我二十万一直拖着，问他就说下个月", "nlu_fallback"), {"debt": 0.8, "none": 0.1})
    ROUTER.process([msg])
    assert msg.get(INTENT)["name"] == "legal_problem"
    assert [e["value"] for e in msg.get(ENTITIES) if e["entity"] == "case_type"] == ["debt"]
    unsure = ranked(message("今天天气不错我们出去玩一下吧", "out_of_scope"), {"none": 0.7, "debt": 0.2})
    ROUTER.process([unsure])
    assert unsure.get(INTENT)["name"] == "out_of_scope"


def test_a_facet_question_without_a_problem_is_a_follow_up():
    msg = ranked(message("我哋屋企喺深圳，佢大学喺长沙读，要去长沙办咩", "legal_problem"), {"none": 0.6, "debt": 0.05})
    ROUTER.process([msg])
    assert msg.get(INTENT)["name"] == "ask_detail" and msg.get(INTENT)["routed_from"] == "legal_problem"
    # A problem stated with the question stays a legal problem.
    story = ranked(message("老板欠我三个月工资，去哪里告他", "legal_problem"), {"none": 0.6, "labor_pay": 0.3})
    ROUTER.process([story])
    assert story.get(INTENT)["name"] == "legal_problem"


@pytest.mark.parametrize("text, intent, routed", [
    ("佢下次再嚟我可以即刻打110吗 警察会唔会理", "goodbye", "ask_detail"),  # a facet asked: a follow-up
    ("我唔想再见到佢，有冇办法可以令佢唔好再接近我", "stop", "legal_problem"),  # names the protection order
    ("多谢晒，拜拜啦", "goodbye", "goodbye"),
    ("唔使喇，我唔想再问落去", "stop", "stop"),
])
def test_a_question_never_closes_the_conversation(text, intent, routed):
    msg = message(text, intent)
    ROUTER.process([msg])
    assert msg.get(INTENT)["name"] == routed


@pytest.mark.parametrize("text, intent", [
    ("要是法律援助中心也说不给呢，我还能找谁", "find_office"),  # the objection (Art. 49), not an office
    ("我喺珠海车祸嘅案已经批咗法律援助 人工高咗好多 会唔会俾人取消法援", "legal_aid_eligibility"),  # Art. 48
])
def test_a_legal_aid_decision_question_is_a_follow_up_not_a_new_screening(text, intent):
    msg = message(text, intent)
    ROUTER.process([msg])
    assert msg.get(INTENT)["name"] == "ask_detail"
