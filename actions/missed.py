"""What the bot does when it could not help: the fallback (rephrase prompt, never a
guess; handoff after two in a row), "not helpful" feedback and out-of-scope questions.
Each is recorded for the operators (bot.review.store) without delaying the reply."""
from __future__ import annotations

import logging
from typing import Any

from rasa_sdk import Action, Tracker
from rasa_sdk.events import FollowupAction, SlotSet
from rasa_sdk.executor import CollectingDispatcher

from actions.common import HANDOFF, button, latest_intent, next_step_buttons, safe_run, slot_text
from actions.dialogue import ActionRestartTopic, continue_consultation, handoff_message, looks_like_correction
from actions.facets import facet_followup, named_service_reply, recent_topic_reply
from actions.terms import term_reply
from bot.review import store

log = logging.getLogger(__name__)

FALLBACKS_BEFORE_HANDOFF = 2
MAX_SUGGESTIONS = 3
# Intents worth offering as "did you mean" buttons, with their titles.
SUGGESTION_TITLES = {
    "legal_aid_eligibility": "能否申请法律援助", "legal_aid_apply": "申请法律援助要什么材料",
    "notarization": "办理公证", "mediation": "人民调解", "cross_province": "跨省通办",
    "find_office": "查办理地点", "lawyer_service": "找律师", "judicial_appraisal": "司法鉴定",
    "arbitration": "劳动/商事仲裁", "administrative_reconsideration": "行政复议",
    "legal_qualification": "法律职业资格", "legal_problem": "我遇到了法律问题",
}
DEFAULT_SUGGESTIONS = ["legal_aid_eligibility", "notarization", "find_office"]
REPHRASE = ("抱歉，我没能确定您的意思，不想乱猜。能换个说法吗？例如“公司欠工资能申请法律援助吗”"
            "“办学历公证要带什么”。您是不是想问下面这些：")
AFTER_TWO_FALLBACKS = "抱歉，我还是没能理解您的问题。为您转人工服务："
NOT_HELPFUL = "抱歉，刚才的回答没能帮到您。您的反馈已经记下，我们会改进。您可以换个说法再问，或者转人工："
OUT_OF_SCOPE = ("这个问题超出了我能回答的范围，我只能解答广东公共法律服务方面的问题（法律援助、公证、"
                "人民调解、办理地点等）。问题已经记下，我们会参考改进。您可以：")


def previous_bot_text(tracker: Tracker) -> str:
    """The bot's last message before the latest user message."""
    seen_user = False
    for event in reversed(tracker.events):
        if event.get("event") == "user":
            seen_user = True
        elif seen_user and event.get("event") == "bot" and event.get("text"):
            return event["text"]
    return ""


def intent_ranking(tracker: Tracker) -> list[dict]:
    message = tracker.latest_message or {}
    ranking = message.get("intent_ranking") or []
    if not ranking and isinstance(message.get("intent"), dict):
        ranking = [message["intent"]]
    return ranking


def record_missed(kind: str, tracker: Tracker) -> None:
    """Queue the latest user message for review; never raises, never waits."""
    try:
        store.record(kind, sender_id=tracker.sender_id, text=(tracker.latest_message or {}).get("text"),
                     channel=tracker.get_latest_input_channel(), ranking=intent_ranking(tracker),
                     previous_bot_text=previous_bot_text(tracker), topic=slot_text(tracker, "topic"))
    except Exception as exc:  # noqa: BLE001
        log.error("record_missed failed: %s", type(exc).__name__)


def consecutive_fallbacks(tracker: Tracker) -> int:
    """How many user turns in a row, before the latest one, the bot answered only with the
    rephrase prompt. A turn where the fallback reset fallback_count to 0 (it handed off, or it
    answered a correction) ends the run."""
    count = 0
    turn_actions: list[str] = []
    turn_reset = False
    seen_latest_user = False
    for event in reversed(tracker.events):
        kind = event.get("event")
        if kind == "user":
            if seen_latest_user:
                if turn_actions and all(a == "action_default_fallback" for a in turn_actions) and not turn_reset:
                    count += 1
                    turn_actions, turn_reset = [], False
                else:
                    break
            seen_latest_user = True
        elif kind == "action" and seen_latest_user:
            name = event.get("name")
            if name not in ("action_listen", "action_extract_slots", None):
                turn_actions.append(name)
        elif kind == "slot" and seen_latest_user and event.get("name") == "fallback_count":
            turn_reset = turn_reset or not event.get("value")
        elif kind in ("restart", "session_started"):
            break
    return count


def suggestion_buttons(tracker: Tracker) -> list[dict]:
    """Top service intents from the ranking (the bot's best guesses, offered, not acted on)."""
    names = [r.get("name") for r in intent_ranking(tracker) if isinstance(r, dict)]
    picked = [n for n in names if n in SUGGESTION_TITLES][:MAX_SUGGESTIONS]
    for name in DEFAULT_SUGGESTIONS:
        if len(picked) >= MAX_SUGGESTIONS:
            break
        if name not in picked:
            picked.append(name)
    return [button(SUGGESTION_TITLES[n], n) for n in picked] + [HANDOFF]


def fallback_ran_this_turn(tracker: Tracker) -> bool:
    for event in reversed(tracker.events):
        if event.get("event") == "user":
            return False
        if event.get("event") == "action" and event.get("name") == "action_default_fallback":
            return True
    return False


class ActionDefaultFallback(Action):
    """nlu_fallback (low NLU confidence) and RulePolicy's core fallback."""

    def name(self) -> str:
        return "action_default_fallback"

    @safe_run(None)
    async def run(self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: dict[str, Any]):
        if fallback_ran_this_turn(tracker):
            # A dialogue loop predicted the fallback again: one per turn, then wait for the citizen.
            return [FollowupAction("action_listen")]
        events = (term_reply(dispatcher, tracker) or named_service_reply(dispatcher, tracker)
                  or facet_followup(dispatcher, tracker))
        if events is None:
            events = await continue_consultation(dispatcher, tracker, domain)
        if events is None:
            events = recent_topic_reply(dispatcher, tracker)
        if events is not None:  # a question about a named service, or a new fact / follow-up in a consultation
            return events + [SlotSet("fallback_count", 0.0)]
        if looks_like_correction(tracker):
            # "不是深圳，是东莞" with an unsure intent: not a missed question, the citizen
            # corrected a detail, so the previous question is answered again with it.
            events = await ActionRestartTopic().run(dispatcher, tracker, domain)
            return list(events or []) + [SlotSet("fallback_count", 0.0)]
        kind = "nlu_fallback" if latest_intent(tracker) == "nlu_fallback" else "core_fallback"
        record_missed(kind, tracker)
        count = consecutive_fallbacks(tracker) + 1
        if count >= FALLBACKS_BEFORE_HANDOFF:  # a handoff ends the run: the next one is a 1st again
            dispatcher.utter_message(text=handoff_message(tracker, urgent=False, intro=AFTER_TWO_FALLBACKS),
                                     buttons=next_step_buttons(None))
            return [SlotSet("fallback_count", 0.0)]
        dispatcher.utter_message(text=REPHRASE, buttons=suggestion_buttons(tracker))
        return [SlotSet("fallback_count", float(count))]


class ActionRecordFeedback(Action):
    """"没用 / 答非所问" after an answer: apologise, record, offer the handoff."""

    def name(self) -> str:
        return "action_record_feedback"

    @safe_run(None)
    async def run(self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: dict[str, Any]):
        record_missed("not_helpful", tracker)
        dispatcher.utter_message(text=NOT_HELPFUL, buttons=[HANDOFF] + next_step_buttons(None)[:-1])
        return []


class ActionOutOfScope(Action):
    def name(self) -> str:
        return "action_out_of_scope"

    @safe_run(None)
    async def run(self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: dict[str, Any]):
        events = (term_reply(dispatcher, tracker) or named_service_reply(dispatcher, tracker)
                  or facet_followup(dispatcher, tracker))
        if events is None:
            events = await continue_consultation(dispatcher, tracker, domain)
        if events is None:
            events = recent_topic_reply(dispatcher, tracker)
        if events is not None:  # "佢今年先16岁" in the middle of a consultation is not out of scope
            return events
        record_missed("out_of_scope", tracker)
        dispatcher.utter_message(text=OUT_OF_SCOPE, buttons=next_step_buttons(None))
        return []
