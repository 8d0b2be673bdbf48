"""Helpers shared by every custom action (services.py, dialogue.py ...).

Public signatures (import these, don't copy them):

    payload(intent: str, **entities) -> str
        '/find_office{"city": "佛山市"}' — a button payload that sets entities.
    button(title: str, intent: str, **entities) -> dict
        {"title": title, "payload": payload(intent, **entities)}
    next_step_buttons(topic: str | None, *, notary_item: str | None = None,
                      exclude: Iterable[str] = (), extra: Sequence[dict] = ()) -> list[dict]
        The buttons that end every answer: `extra` first, then the topic's next steps
        (查办理地点 → /find_office, 需要哪些材料, ...), always ending with 转人工 → /request_human.
        `exclude` drops buttons by payload intent (e.g. {"find_office"} inside the office finder).
    slot_text(tracker, name) -> str | None      a slot as a clean non-empty string (first item of a list)
    slot_list(tracker, name) -> list[str]       a list slot (a lone string becomes [string])
    latest_intent(tracker) -> str | None
    apologise(dispatcher, topic=None) -> None
        The polite answer when the knowledge base fails: 12348 + handoff button.
    safe_run(topic)                              decorator for Action.run: any exception is logged
        (with a pseudonym of the conversation id, never the citizen's text) and answered with apologise().
"""
from __future__ import annotations

import functools
import json
import logging
from typing import Any, Iterable, Sequence

from bot.logsafe import pseudonym

log = logging.getLogger(__name__)

HANDOFF = {"title": "转人工", "payload": "/request_human"}
SORRY = ("抱歉，系统暂时查不到相关信息。您可以拨打12348公共法律服务热线"
         "（普通话、粤语、客家话、潮汕话）直接咨询，或点“转人工”。")


def payload(intent: str, **entities: Any) -> str:
    entities = {k: v for k, v in entities.items() if v not in (None, "", [])}
    return f"/{intent}" + (json.dumps(entities, ensure_ascii=False) if entities else "")


def button(title: str, intent: str, **entities: Any) -> dict:
    return {"title": title, "payload": payload(intent, **entities)}


def _topic_buttons(topic: str | None, notary_item: str | None) -> list[dict]:
    where = button("查办理地点", "find_office")
    if topic in ("legal_aid", "legal_aid_eligibility", "legal_aid_apply"):
        return [where, button("需要哪些材料", "legal_aid_apply"), button("人民调解", "mediation")]
    if topic in ("notarization", "cross_province"):
        buttons = [where]
        if notary_item:
            buttons.append(button("能否跨省通办", "cross_province", notary_item=notary_item))
        else:
            buttons.append(button("跨省通办", "cross_province"))
        buttons.append(button("其他公证事项", "notarization"))
        return buttons
    if topic == "mediation":
        return [where, button("能否申请法律援助", "legal_aid_eligibility"), button("找律师", "lawyer_service")]
    if topic == "find_office":
        return [button("法律援助", "legal_aid_eligibility"), button("办理公证", "notarization"),
                button("人民调解", "mediation")]
    if topic:
        return [where, button("能否申请法律援助", "legal_aid_eligibility")]
    return [button("法律援助", "legal_aid_eligibility"), button("办理公证", "notarization"), where]


def _intent_of(b: dict) -> str:
    return b["payload"].lstrip("/").split("{", 1)[0]


def next_step_buttons(topic: str | None, *, notary_item: str | None = None,
                      exclude: Iterable[str] = (), extra: Sequence[dict] = ()) -> list[dict]:
    excluded = set(exclude)
    seen: set[str] = set()
    result = []
    for b in list(extra) + _topic_buttons(topic, notary_item) + [HANDOFF]:
        if (_intent_of(b) in excluded and b is not HANDOFF) or b["payload"] in seen:
            continue
        seen.add(b["payload"])
        result.append(b)
    return result


def slot_text(tracker, name: str) -> str | None:
    value = tracker.get_slot(name)
    if isinstance(value, (list, tuple)):
        value = next((v for v in value if isinstance(v, str) and v.strip()), None)
    if isinstance(value, str) and value.strip():
        return value.strip()[:200]
    return None


def slot_list(tracker, name: str) -> list[str]:
    value = tracker.get_slot(name)
    if isinstance(value, str):
        value = [value]
    if not isinstance(value, (list, tuple)):
        return []
    return [v.strip() for v in value if isinstance(v, str) and v.strip()]


def latest_text(tracker) -> str:
    text = (tracker.latest_message or {}).get("text")
    return text if isinstance(text, str) else ""


def typed_text(tracker) -> str:
    """The latest message as typed ("" for a button payload such as "/inform{...}")."""
    text = latest_text(tracker)
    return "" if text.startswith("/") else text


def latest_intent(tracker) -> str | None:
    intent = (tracker.latest_message or {}).get("intent") or {}
    return intent.get("name") if isinstance(intent, dict) else None


def apologise(dispatcher, topic: str | None = None) -> None:
    dispatcher.utter_message(text=SORRY, buttons=[HANDOFF])


def safe_run(topic: str | None = None):
    """Wrap an async Action.run so no exception ever reaches the citizen."""

    def decorate(run):
        @functools.wraps(run)
        async def wrapper(self, dispatcher, tracker, domain):
            try:
                return await run(self, dispatcher, tracker, domain)
            except Exception:
                log.exception("%s failed (conversation %s)", self.name(), pseudonym(getattr(tracker, "sender_id", "?")))
                apologise(dispatcher, topic)
                return []

        return wrapper

    return decorate
