"""The citizen's legal-aid case from the whole conversation: slots (entities, buttons) plus
the legal facts in everything they typed (knowledge.facts), so a fact said in any turn —
the first story, an answer to another question, a later correction — reaches the verdict."""
from __future__ import annotations

import copy
import re

from rasa_sdk import Tracker

from actions.common import slot_list, slot_text
from knowledge import api
from knowledge.facts import LegalFacts, extract_one
from knowledge.text import to_simplified


def user_events(tracker: Tracker) -> list[dict]:
    return [e for e in tracker.events if e.get("event") == "user"]


def typed_user_texts(tracker: Tracker, *, earlier: bool = False) -> list[str]:
    """What the citizen typed, oldest first, Simplified (button payloads left out); with
    `earlier`, without the latest turn. Slot and action events after the latest user event
    (action_extract_slots) make tracker.events[:-1] no way to drop it."""
    events = user_events(tracker)[:-1] if earlier else user_events(tracker)
    return [to_simplified(e["text"]) for e in events
            if isinstance(e.get("text"), str) and not e["text"].startswith("/")]


def _add_turn(event: dict, facts: LegalFacts) -> None:
    """One user turn into `facts`. Button payloads ("/inform{...}") are not text: their
    economic_status entity applies as said at that turn."""
    text = event.get("text") or ""
    if not isinstance(text, str):
        return
    if not text.startswith("/"):
        extract_one(text, facts)
        return
    for ent in (event.get("parse_data") or {}).get("entities") or []:
        if isinstance(ent, dict) and ent.get("entity") == "economic_status" \
                and ent.get("value") in ("hardship", "not_hardship"):
            facts.economic_status = ent["value"]


def conversation_facts(tracker: Tracker) -> LegalFacts:
    """Facts from the citizen's messages, oldest first."""
    facts = LegalFacts()
    for event in user_events(tracker):
        _add_turn(event, facts)
    return facts


# ---------------------------------------------------------------- the case type (one owner)

# A message that opens with one of these corrects what was said before ("不对，是深圳").
CORRECTION_CUE = re.compile(r"^\W*(不对|唔啱|错了|搞错了|说错了|弄错了|讲错|应该是|更正|改成|改为|换成|唔系(?!好|太|几)|不是(?!很|太|好))")
# How specific a case type is: a later statement replaces the conversation's case type unless
# it is vaguer ("合同的事" does not undo "老板欠我三个月工资"). Umbrella types are 1, the
# catch-all 0, every other type 2.
SPECIFICITY = {"other_legal": 0, "contract": 1, "tort": 1, "personal_injury": 1, "administrative": 1,
               "foreign_related": 1}
# A long, confident new story is a new matter even when its type is an umbrella one.
NEW_STORY_CHARS = 30
NEW_STORY_CONFIDENCE = 0.6


# One labour dispute has several sides (pay, contract, injury, insurance); a short remark about
# another side does not replace the matter asked about.
LABOUR_TYPES = frozenset({"labor_pay", "labor_contract", "work_injury", "social_insurance"})


def specificity(case_type: str) -> int:
    return SPECIFICITY.get(case_type, 2)


def stated_case_type(event: dict) -> tuple[str, float | None] | None:
    """The case type one user turn states (its single case_type entity), with the
    classifier's confidence (None for buttons and spans)."""
    for ent in (event.get("parse_data") or {}).get("entities") or []:
        if isinstance(ent, dict) and ent.get("entity") == "case_type" and isinstance(ent.get("value"), str):
            return ent["value"], ent.get("confidence_entity") if ent.get("extractor") == "CaseTypeClassifier" else None
    return None


# A turn that says the matter is NOT of this type ("工资倒是每个月都按时发的", "有合同有社保")
# names it only to set it aside.
DENIES_TYPE = {
    "labor_pay": re.compile(r"(?:工资|人工|工钱|薪水|加班费)[^，。？?]{0,8}(?:按时|准时|照发|都有发|有发|冇拖|没拖|冇欠|没欠|不欠|唔欠|"
                            r"都发|都俾|都给|发齐|出齐|结清|结晒|俾齐|给齐|付清)"),
    "social_insurance": re.compile(r"有(?:买|交|缴)?社保|社保(?:有|都有|照交|有交|有买|都买|都交)"),
}
# ... and asks about the end of the job instead: the labour-contract matter (not Art. 31(5)).
DISMISSAL = re.compile(r"补偿|赔偿金|辞退|炒(?:咗|了)?(?:我|鱿鱼)|开除|解除(?:劳动)?合同|叫我(?:哋|们)?[^，。]{0,8}(?:走|唔使做|不用做)|裁员")


def stated_in_text(value: str, text: str) -> str | None:
    """The case type a turn really states: `value`, or labor_contract when it sets unpaid wages
    aside to ask about a dismissal, or None when it only denies `value`."""
    plain = to_simplified(text) if isinstance(text, str) else ""
    if value in DENIES_TYPE and DENIES_TYPE[value].search(plain):
        return "labor_contract" if value == "labor_pay" and DISMISSAL.search(plain) else None
    return value


def replaces(current: str | None, new: str, confidence: float | None, text: str) -> bool:
    """Does a turn stating `new` change the conversation's case type `current`?"""
    if current is None or new == current or text.startswith("/") or CORRECTION_CUE.match(text):
        return True  # nothing yet, a button, or a correction
    if current in LABOUR_TYPES and new in LABOUR_TYPES and len(text) < NEW_STORY_CHARS:
        return False  # "他没签合同 社保也没买" adds to a work-injury story; it is not a new matter
    if specificity(new) >= specificity(current):
        return True
    return (specificity(new) > 0 and len(text) >= NEW_STORY_CHARS
            and (confidence or 0.0) >= NEW_STORY_CONFIDENCE)


def conversation_case_type(tracker: Tracker) -> str | None:
    """The case type of the conversation: the turns' statements in order (a later, more
    specific one wins over an earlier vague one), and the actions' decisions (a reset, a
    validated answer). Slot events right after a user turn are that turn's own extraction."""
    current: str | None = None
    after_user = seen = False
    last_stated = None
    for event in tracker.events:
        kind = event.get("event")
        if kind in ("restart", "session_started"):
            current, after_user, last_stated = None, False, None
        elif kind == "user":
            after_user = True
            stated = stated_case_type(event)
            last_stated = stated[0] if stated else None
            text = event.get("text") or ""
            if stated and not text.startswith("/"):
                value = stated_in_text(stated[0], text)
                stated = (value, stated[1]) if value else None
            if stated and replaces(current, stated[0], stated[1], text if isinstance(text, str) else ""):
                current, seen = stated[0], True
        elif kind == "action":
            after_user = False
        elif kind == "slot" and event.get("name") == "case_type" and not after_user:
            value = event.get("value")
            if value is not None and value == last_stated:
                continue  # a form filling the slot from the turn's entity: already weighed above
            current, seen = (value if isinstance(value, str) and value else None), True
    # A tracker without those events (restored from slots only) keeps its slot.
    return current if seen else slot_text(tracker, "case_type")


def case_from_facts(tracker: Tracker, facts: LegalFacts) -> api.LegalAidCase:
    groups, flags = facts.merge_into(slot_list(tracker, "person_group"), slot_list(tracker, "legal_aid_flags"))
    return api.LegalAidCase(
        case_type=conversation_case_type(tracker),
        case_category=slot_text(tracker, "case_category") or facts.case_category,
        city=slot_text(tracker, "city"),
        person_groups=groups,
        # Typed words read with negation ("不算太困难") beat an entity tagged on "困难".
        economic_status=facts.economic_status or slot_text(tracker, "economic_status"),
        role=facts.role or slot_text(tracker, "criminal_role"),
        flags=set(flags),
        offender_charged=facts.offender_charged,
    )


def conversation_case(tracker: Tracker) -> api.LegalAidCase:
    return case_from_facts(tracker, conversation_facts(tracker))


def case_before_and_after_latest(tracker: Tracker) -> tuple[api.LegalAidCase, api.LegalAidCase]:
    """The case without and with the latest user turn, reading the conversation once."""
    events = user_events(tracker)
    facts = LegalFacts()
    for event in events[:-1]:
        _add_turn(event, facts)
    before = case_from_facts(tracker, copy.deepcopy(facts))
    if events:
        _add_turn(events[-1], facts)
    return before, case_from_facts(tracker, facts)
