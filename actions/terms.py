"""A legal term the citizen asks about by name ("告诫书係咩嚟", "工友话冇签合同可以要双倍人工，
系咪真㗎", "法院可唔可以叫佢搬出去"): its short sourced explanation (knowledge/seed/terms.yml),
instead of a service sheet or "the conclusion is the same as above"."""
from __future__ import annotations

import re
from dataclasses import replace

from rasa_sdk import Tracker
from rasa_sdk.events import EventType, SlotSet
from rasa_sdk.executor import CollectingDispatcher

from actions.common import next_step_buttons, typed_text
from actions.facts import typed_user_texts
from actions.facets import CLAUSE_MIN_SCORE, DURATION, facet_buttons, question_part, sent_texts
from knowledge import api
from knowledge.questions import CLAUSE_END, detect_facets, focus_on_question

# A term that belongs to a service answers only "what is it": any other part of the service
# ("司法确认要几耐", "法院会唔会受理", "公证书有问题点算") is the facet answers' to give.
# The message is a question (a statement that only names the term is part of a story).
ASKS = re.compile(r"[？?]|吗|嘛|呢|咩|乜|点|係唔係|系唔系|系咪|是不是|是否|可唔可以|可不可以|能不能|能唔能|会唔会|会不会|"
                  r"有冇|有没有|得唔得|行不行|怎么|怎样|如何|什么|啥|边个|谁|几多|多少|几耐|多久|几时|真唔真|真的|真系|"
                  r"边度|边间|哪里|哪儿|去哪|喺边|认唔认|算唔算|要唔要|使唔使")


# How many earlier turns give a term's context ("要唔要做尸检" after the hospital story).
CONTEXT_TURNS = 2


def asked_term(tracker: Tracker) -> api.TermAnswer | None:
    """The term the latest message asks about, when its answer was not already sent: named in
    the question, with the earlier turns as context for a pattern's guard."""
    text = typed_text(tracker)
    question = question_part(text)
    if not ASKS.search(question):
        return None
    earlier = typed_user_texts(tracker, earlier=True)[-CONTEXT_TURNS:]
    facets = set(detect_facets(question))
    term = api.term_for(question, context=" ".join(earlier))
    if term is None:
        return None
    if term.topic is not None and facets - {"what"}:
        return None
    if any(term.text in t for t in sent_texts(tracker)):
        # said already: the clause the follow-up asks about ("投诉咗之后几耐会有人理" → 7个工作日)
        if "time_limit" in facets:  # "投诉咗之后几耐会有人理": the clauses that say how long
            part = "".join(c for c in CLAUSE_END.split(term.text) if DURATION.search(c)) or None
        else:
            part = focus_on_question(term.text, question, "", CLAUSE_MIN_SCORE, whole=True)
        if part is None or part.strip() == term.text.strip():
            return None  # the caller's own follow-up handling points back
        return replace(term, text=part, pointing_back=True)
    return term


def term_reply(dispatcher: CollectingDispatcher, tracker: Tracker) -> list[EventType] | None:
    """Answer the term asked about and return the events; None when no term is asked."""
    term = asked_term(tracker)
    if term is None:
        return None
    send_term(dispatcher, term)
    return [SlotSet("topic", term.topic)] if term.topic else []


def send_term(dispatcher: CollectingDispatcher, term: api.TermAnswer) -> None:
    buttons = (facet_buttons(term.topic, []) + next_step_buttons(term.topic)[:2]) if term.topic \
        else next_step_buttons(None)
    dispatcher.utter_message(text=term.to_text(), buttons=buttons)
