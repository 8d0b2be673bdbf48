"""The citizen's legal-aid case from the whole conversation: slots (entities, buttons) plus
the legal facts in everything they typed (knowledge.facts), so a fact said in any turn —
the first story, an answer to another question, a later correction — reaches the verdict."""
from __future__ import annotations

import copy

from rasa_sdk import Tracker

from actions.common import slot_list, slot_text
from knowledge import api
from knowledge.facts import LegalFacts, extract_one


def user_events(tracker: Tracker) -> list[dict]:
    return [e for e in tracker.events if e.get("event") == "user"]


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


def case_from_facts(tracker: Tracker, facts: LegalFacts) -> api.LegalAidCase:
    groups, flags = facts.merge_into(slot_list(tracker, "person_group"), slot_list(tracker, "legal_aid_flags"))
    return api.LegalAidCase(
        case_type=slot_text(tracker, "case_type"),
        case_category=slot_text(tracker, "case_category") or facts.case_category,
        city=slot_text(tracker, "city"),
        person_groups=groups,
        # Typed words read with negation ("不算太困难") beat an entity tagged on "困难".
        economic_status=facts.economic_status or slot_text(tracker, "economic_status"),
        role=facts.role or slot_text(tracker, "criminal_role"),
        flags=set(flags),
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
