"""Answer the part of a service the citizen asked about (要多久 / 要钱吗 / 家里人能帮我去办吗 …),
briefly and with its article, instead of the whole service sheet; the other parts are offered
as buttons. The facet comes from knowledge.questions, the text from knowledge.api.facet_answer.
"""
from __future__ import annotations

import re
from dataclasses import replace
from typing import Any

from rasa_sdk import Action, Tracker
from rasa_sdk.events import EventType, SlotSet
from rasa_sdk.executor import CollectingDispatcher

from actions.common import button, next_step_buttons, safe_run, slot_text, typed_text
from actions.facts import (case_before_and_after_latest, conversation_case, conversation_case_type, typed_user_texts,
                           user_events)
from bot.nlu.normalizer import fix_typos
from knowledge import api
from knowledge.questions import (
    ALREADY_AIDED, CLAUSE_END, NOTARIZABLE, WEAK_TOPICS, detect_facets, detect_topic, focus_on_question,
    focus_time_limit, other_ways_facet, property_city, residence_city,
)
from knowledge.text import to_simplified
from knowledge.results import FACET_NAMES

MAX_FACETS_ANSWERED = 2
MAX_FACET_BUTTONS = 4
# The facets worth offering next, per facet just answered (a citizen's usual next question).
NEXT_FACETS = ["time_limit", "fee", "materials", "where", "proxy", "effect", "remedy", "after"]
# After the mediation agreement's effect, "要多久/要钱吗" are about the court's confirmation.
TOPIC_AFTER = {("mediation", "effect"): "judicial_confirmation"}
TOPIC_SERVICE_CODE = {"judicial_confirmation": "mediation"}
# The question of a long message is in its last sentence: facets are read there only
# ("拖了三个月…能不能帮我申请" asks about the proxy, not about time).
QUESTION_SPLIT = re.compile(r"(?<=[。！？!?；;\n])")  # sentences, each keeping its end mark
QUESTION_END = re.compile(r"[？?]\s*$")
TAIL_CHARS = 40
# A message this short right after a facet answer is a follow-up to it, not a new story.
SHORT_FOLLOW_UP = 24


# "…听讲拎去法院司法确认就有效想问下离婚呢种可唔可以去法院确认": the question starts after
# the last "想问下 / 请问", however long and unpunctuated the story before it.
QUESTION_MARKER = re.compile(r"想问下|想问一下|想问|请问|问下|问一下|唔该问|我想知道?|想知道|想了解")
MIN_QUESTION_CHARS = 4


def question_part(text: str) -> str:
    """The last sentence of a message (the whole message when it is short), with the
    questions just before it ("那这份协议还有用吗？接下来怎么办" asks both)."""
    text = (text or "").strip()
    if len(text) <= TAIL_CHARS:
        return text
    markers = list(QUESTION_MARKER.finditer(text))
    if markers and len(text) - markers[-1].end() >= MIN_QUESTION_CHARS:
        return text[markers[-1].end():][-TAIL_CHARS:]
    pieces = [p for p in QUESTION_SPLIT.split(text) if p.strip()]
    if not pieces:
        return text[-TAIL_CHARS:]
    tail = pieces[-1][-TAIL_CHARS:]
    for piece in reversed(pieces[:-1]):
        if not QUESTION_END.search(piece) or len(piece) + len(tail) > TAIL_CHARS:
            break
        tail = piece + tail
    return tail


def asked_facets(text: str, *, exclude: tuple[str, ...] = ("what",)) -> list[str]:
    found = [f for f in detect_facets(question_part(text)) if f not in exclude]
    # An objection to a decision ("…突然话要终止…点算") is the question wherever it is said.
    if "remedy" not in found and "remedy" in detect_facets(text):
        found.insert(0, "remedy")
    return found


def facets_in(text: str) -> list[str]:
    """The facets asked, read in the question part first, else anywhere in the message;
    "呢份协议可唔可以拎去公证" asks what can be notarized."""
    found = asked_facets(text) or [f for f in detect_facets(text) if f != "what"]
    if not found and NOTARIZABLE.search(to_simplified(question_part(text))):
        return ["what"]
    return found


def facet_buttons(topic: str, answered: list[str]) -> list[dict]:
    have = set(api.facets_of(topic))
    return [button(FACET_NAMES[f], "ask_detail", facet=f) for f in NEXT_FACETS
            if f in have and f not in answered][:MAX_FACET_BUTTONS]


# "可唔可以委托人帮佢去" asks for a proxy for the item under discussion; it names no 委托公证.
PROXY_NOT_ITEM = re.compile(r"委托(人|他人|别人|朋友|亲戚|家人|律师)")


def notary_item_of(tracker: Tracker) -> str | None:
    """The notary item the latest message names ("想立个遗嘱"), else the slot's."""
    text = typed_text(tracker)
    named = api.notary_item_code(text)
    current = api.notary_item_code(slot_text(tracker, "notary_item"))
    if named == "委托公证" and current and PROXY_NOT_ITEM.search(text) and "委托公证" not in text:
        return current
    return named or current


def facet_texts(topic: str, facets: list[str], tracker: Tracker) -> list[api.FacetAnswer]:
    item = notary_item_of(tracker) if topic == "notarization" else None
    # the route type: the accused's side of a criminal matter without a case type has the criminal
    # answers (值班律师 are for suspects and defendants, not victims)
    case_type = conversation_case_type(tracker)
    if case_type is None:
        case = conversation_case(tracker)
        case_type = case.route_type if case.role != "victim" else None
    answers = [api.facet_answer(topic, f, item, case_type) for f in facets[:MAX_FACETS_ANSWERED]]
    question = question_part(typed_text(tracker))
    return [replace(a, text=focus_time_limit(a.text, question)) if a.found and a.facet == "time_limit" else a
            for a in answers]


# Items that may be notarized where the applicant lives even when they concern a house
# (公证法第二十五条第二款), and personal items that concern no real property at all.
RESIDENCE_ITEMS = ("委托公证", "声明公证", "遗嘱公证", "赠与公证", "学历公证", "学位公证", "驾驶证公证",
                   "出生公证", "亲属关系公证", "无犯罪记录公证", "婚姻状况公证")


# Items whose real property decides the office (公证法第二十五条第二款: 不动产所在地).
PROPERTY_ITEMS = ("继承公证",)


def residence_note(answer: api.FacetAnswer, tracker: Tracker) -> str:
    """The where-answer said for the places in the message: "房产在佛山市的…" for an item the
    house decides, "您经常居住在深圳市的…" for one the applicant's home may decide; "" otherwise."""
    if answer.topic == "legal_aid" and answer.facet == "where":
        city = slot_text(tracker, "city")
        # Art. 38: the office where the case is handled or the dispute arose, not where one lives now
        return f"您说的事情在{city}的，一般向{city}的法律援助机构申请。" if city else ""
    if answer.topic != "notarization" or answer.facet != "where":
        return ""
    item, text, cities = notary_item_of(tracker), typed_text(tracker), latest_entities(tracker, "city")
    if item in PROPERTY_ITEMS:
        city = property_city(text, cities)
        return f"您说的房产在{city}，{item}要向{city}的公证处申请。" if city else ""
    if item not in RESIDENCE_ITEMS:
        return ""
    city = residence_city(text, cities)
    return f"您经常居住在{city}的，可以向{city}的公证处申请，不必专门回去。" if city else ""


# Facets whose sentences are steps one after another (a follow-up asks the next one); in the
# others ("where": 不动产所在地 … 不涉及不动产的 …) one sentence alone could mislead.
STEP_FACETS = ("remedy", "effect", "after")


def sent_texts(tracker: Tracker) -> list[str]:
    return [e.get("text") or "" for e in tracker.events if e.get("event") == "bot"]


def repeated_answer(found: list[api.FacetAnswer], tracker: Tracker, full: str) -> str:
    """A follow-up whose answer was already sent in full ("如果司法局也说维持呢" after the
    objection answer): the sentence that answers it, pointing back, instead of the same message."""
    focus = None
    if found[0].facet in STEP_FACETS:
        focus = focus_on_question(found[0].text, question_part(typed_text(tracker)), found[0].topic_name)
    if focus is None:
        return "还是上面这条答复——\n" + full
    return pointing_back(found[0], focus)


def pointing_back(answer: api.FacetAnswer, part: str) -> str:
    """"【service·facet】接着上面说的：<part>" with the hint and that answer's citations."""
    heading = answer.heading_text[:-len(answer.text)] if answer.text else answer.heading_text
    return pointing_back_text(heading, part, api.citation_line(answer.sources))


def pointing_back_text(heading: str, part: str, citation: str) -> str:
    return "\n\n".join([f"{heading}接着上面说的：{part}", api.HOTLINE_HINT] + ([citation] if citation else []))


FACET_CODES = {name: code for code, name in FACET_NAMES.items()}
HEADING = re.compile(r"【[^】·]*·([^】]+)】")
DURATION = re.compile(r"[0-9一二三四五六七八九十两]+(?:日|天|个月|年|小时|个工作日)")


# The screening form's question asked again after an answer ("回到刚才的问题：…"): not an answer.
FORM_PROMPTS = ("回到刚才的问题：", "（不方便回答的话，可以点“跳过”。）")


def previous_facet_message(tracker: Tracker) -> str | None:
    """The text of the bot's last facet answer ("【劳动争议调解·效力和执行】…"), skipping the
    screening question asked again after it; None when the last answer was no facet answer."""
    for event in reversed(tracker.events):
        if event.get("event") == "bot":
            text = (event.get("text") or "").removeprefix("还是上面这条答复——\n")
            if text.startswith(FORM_PROMPTS):
                continue
            return text if HEADING.match(text) else None
    return None


def previous_facet(tracker: Tracker) -> str | None:
    """The facet the bot's last message answered ("【法律援助·不服怎么办】…" → remedy), or None;
    the screening question repeated after it does not count."""
    text = previous_facet_message(tracker)
    return FACET_CODES.get(HEADING.match(text).group(1)) if text else None


# What a follow-up asks of the step just answered, and how its clauses say it.
STEP_CUES = {"time_limit": DURATION, "where": re.compile(r"向[^，。；]{2,30}(?:申请|提出|起诉|提起|投诉)")}


def step_detail(topic: str, facet: str, tracker: Tracker) -> tuple[api.FacetAnswer, str] | None:
    """"要几耐" / "要去边度提" right after an objection or enforcement answer asks how long that
    step takes (异议: 5日内审查) or where it is made (向出具公证书的公证处申请复查), not the
    service's own time or office: (that answer, its clauses that say it), or None."""
    step = previous_facet(tracker)
    text = question_part(typed_text(tracker))
    if (facet not in STEP_CUES or step not in STEP_FACETS or len(text) > SHORT_FOLLOW_UP // 2
            or detect_topic(text, topic) not in (None, topic)):
        return None
    answer = facet_texts(topic, [step], tracker)[0]
    if names_the_service(text, answer.topic_name):
        return None  # "法院要几耐先确认" asks how long the confirmation itself takes
    said = [c for c in CLAUSE_END.split(answer.text) if STEP_CUES[facet].search(c)]
    return (answer, "".join(said)) if answer.found and said else None


def names_the_service(text: str, topic_name: str) -> bool:
    """Does the question name the service itself ("…先确认" for 调解协议司法确认)?"""
    plain = to_simplified(text)
    return any(topic_name[i:i + 2] in plain for i in range(len(topic_name) - 1))


def answer_step_detail(dispatcher: CollectingDispatcher, topic: str, facet: str,
                       found: tuple[api.FacetAnswer, str]) -> list[EventType]:
    answer, part = found
    dispatcher.utter_message(text=pointing_back(answer, part), buttons=facet_buttons(topic, [facet, answer.facet]))
    return [SlotSet("topic", topic)]


def answer_facets(dispatcher: CollectingDispatcher, tracker: Tracker, topic: str,
                  facets: list[str]) -> list[EventType]:
    """Send the answers of `facets` for `topic` as one message; returns the slot events."""
    if step := step_detail(topic, facets[0], tracker):
        return answer_step_detail(dispatcher, topic, facets[0], step)
    if topic == "legal_aid" and facets[0] in CONCLUSION_FACETS:
        note = changed_conclusion(tracker, [m.get("text") or "" for m in dispatcher.messages])
        if note:  # "我哋都系湖南嚟打工嘅" said before "要开收入证明吗": Art. 42 now applies
            dispatcher.utter_message(text=note)
    answers = facet_texts(topic, facets, tracker)
    found = [a for a in answers if a.found]
    body: list[str] = []
    if not found:
        text = answers[0].to_text()
    else:
        sources = []
        for a in found:
            sources += [s for s in a.sources if s not in sources]
        body = [a.heading_text + residence_note(a, tracker) for a in found]
        line = api.citation_line(sources)
        text = "\n\n".join(body + [api.HOTLINE_HINT] + ([line] if line else []))
    sent = sent_texts(tracker)
    if found and all(any(part in t for t in sent) for part in body):
        text = repeated_answer(found, tracker, text)
    buttons = facet_buttons(topic, facets) + next_step_buttons(TOPIC_SERVICE_CODE.get(topic, topic))[:2]
    dispatcher.utter_message(text=text, buttons=buttons)
    events = [SlotSet("topic", TOPIC_AFTER.get((topic, facets[0]), topic))]
    if topic == "notarization" and notary_item_of(tracker):
        events.append(SlotSet("notary_item", notary_item_of(tracker)))
    return events


def latest_entities(tracker: Tracker, name: str) -> list[str]:
    return [e.get("value") for e in (tracker.latest_message or {}).get("entities") or []
            if isinstance(e, dict) and e.get("entity") == name and isinstance(e.get("value"), str)]


# "算了…问另一样嘢": what follows is not about the service just answered.
TOPIC_SWITCH = re.compile(r"问另一样|问另外一样|问第二样|另外想问|另一个问题|换个问题|问下其他|问其他嘢|问别的|说另一件|讲另一件|另外一件事")


# How far back the service a citizen named still sets the topic of a bare "喺边度申请".
NAMED_TOPIC_TURNS = 4


def last_named_topic(tracker: Tracker) -> str | None:
    """The service the citizen named last before this turn ("可唔可以帮阿妈申请保护令" …
    "喺边度申请": the protection order, not legal aid), within NAMED_TOPIC_TURNS turns."""
    earlier = [e.get("text") for e in user_events(tracker)[:-1]]
    for text in reversed(earlier[-NAMED_TOPIC_TURNS:]):
        if isinstance(text, str) and not text.startswith("/"):
            topic = detect_topic(question_part(fix_typos(to_simplified(text))))
            if topic and topic not in WEAK_TOPICS:  # "有冇律师帮" names no service of its own
                return topic
    return None


def last_answer_was_a_facet(tracker: Tracker) -> bool:
    """The previous answer was about one part of a service ("【法律援助·不服怎么办】…"): a
    follow-up stays with that service rather than going back to the consultation."""
    return not TOPIC_SWITCH.search(to_simplified(typed_text(tracker))) and previous_facet(tracker) is not None


def adds_facts(tracker: Tracker) -> bool:
    """The message changes what is known of the case ("他要把机器卖了跑路，法援来得及吗")."""
    before, after = case_before_and_after_latest(tracker)
    return before != after


# A legal-aid decision objected to ("呢个终止决定我唔认") after legal aid was named.
LEGAL_AID_DECISION = re.compile(r"终止|不予|唔批|不批|冇批|没批")


# "法援处话我唔符合经济困难，唔批": a legal-aid application refused (or aid ended), said in any turn.
AID_REFUSED = re.compile(r"(?:法援|法律援助|援助)[^。？?]{0,30}(?:终止|不予|唔批|不批|冇批|没批|驳回)|"
                         r"(?:终止|不予|唔批|不批|冇批|没批|驳回|拒绝|唔俾|不给)[^。？?]{0,6}(?:法援|法律援助|援助)")
# After such a refusal, "交咗异议之后几耐会答复我" asks how long the justice bureau takes (Art. 49).
ABOUT_THE_OBJECTION = re.compile(r"异议|答复|复查|复核|重新(?:审|睇|看|考虑|决定)")


def objects_to_legal_aid_decision(tracker: Tracker, facets: list[str], question: str) -> bool:
    """"呢个终止决定我唔认" names no service, but legal aid was named before; "我可以去边度投诉"
    follows a refusal of legal aid told in an earlier turn: legal aid's objection (Art. 49)."""
    if detect_topic(question) not in (None, "legal_aid"):
        return False
    asks = "remedy" in facets or ("time_limit" in facets and ABOUT_THE_OBJECTION.search(to_simplified(question)))
    if not asks:
        return False
    earlier = typed_user_texts(tracker, earlier=True)
    if LEGAL_AID_DECISION.search(question):
        return any(detect_topic(t) == "legal_aid" for t in earlier)
    return any(AID_REFUSED.search(t) for t in earlier[-RECENT_TURNS:])


RECENT_TURNS = 4  # a refusal told this many turns ago is still what the citizen objects to


class ActionAnswerDetail(Action):
    """A follow-up question about a service: the topic the message names, else the one just
    talked about (slot `topic`); the facet from the button payload or the text."""

    def name(self) -> str:
        return "action_answer_detail"

    @safe_run(None)
    async def run(self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: dict[str, Any]):
        text = typed_text(tracker)
        from_button = [f for f in latest_entities(tracker, "facet") if f in FACET_NAMES]
        if text:  # typed, not a button
            from actions.terms import term_reply  # actions.terms imports this module
            term_events = term_reply(dispatcher, tracker)
            if term_events is not None:  # "法院可唔可以叫佢搬出去": what the order may say
                return term_events
        facets = from_button or facets_in(text)
        current = slot_text(tracker, "topic")
        plain_follow_up = (detect_topic(text) is None and current in (None, "legal_aid")
                           and not last_answer_was_a_facet(tracker))
        if not latest_entities(tracker, "facet") and (plain_follow_up or adds_facts(tracker)):
            # Inside a legal consultation the problem decides ("有没有时间限制" about unpaid wages
            # is the arbitration limit); imported here because actions.dialogue imports this module.
            from actions.dialogue import continue_consultation
            continued = await continue_consultation(dispatcher, tracker, domain)
            if continued is not None:
                return continued
        topic = detect_topic(text, current) or current
        if objects_to_legal_aid_decision(tracker, facets, text) or (
                detect_topic(text) is None and (tracker.active_loop or {}).get("name") == "legal_aid_form"):
            topic = "legal_aid"  # "申请之后要多久先有结果" while the screening is open
        if topic not in api.TOPIC_NAMES:
            dispatcher.utter_message(
                text="请问您问的是哪项服务？",
                buttons=[button("法律援助", "legal_aid_apply"), button("公证", "notarization"),
                         button("人民调解", "mediation"), button("劳动仲裁", "arbitration")])
            return []
        if not facets:
            dispatcher.utter_message(
                text=f"关于{api.TOPIC_NAMES[topic]}，您想了解哪一方面？",
                buttons=facet_buttons(topic, []))
            return [SlotSet("topic", topic)]
        return answer_facets(dispatcher, tracker, topic, facets)


# Legal-aid questions whose answer depends on the conclusion (what to bring, who decides, the fee).
CONCLUSION_FACETS = ("materials", "who", "fee", "time_limit", "where", "after")


def changed_conclusion(tracker: Tracker, sending: list[str]) -> str | None:
    """The legal-aid conclusion for everything said so far when the bot has not stated it yet
    (a fact told in passing — "我哋都系湖南嚟打工嘅" — changed it), as one short message; None
    when there is no consultation or its reasons were all said before."""
    from actions.dialogue import consultation_of  # actions.dialogue imports this module

    case = conversation_case(tracker)
    if not (case.case_type or case.case_category):
        return None
    verdict = consultation_of(case).verdict
    if verdict is None:
        return None
    sent = "\n".join(sent_texts(tracker) + sending)
    reasons = verdict.brief_reasons or verdict.reasons
    if not reasons or all(r in sent for r in reasons):
        return None
    return "根据您说的情况，先更新一下法律援助的结论：\n" + verdict.to_brief_text()


# A topic without an answer for a facet borrows it from the service it belongs to.
FACET_FALLBACK_TOPIC = {"cross_province": "notarization", "judicial_confirmation": "mediation"}


def answer_known(dispatcher: CollectingDispatcher, tracker: Tracker, topic: str | None, facets: list[str],
                 *, borrow: bool = True) -> list[EventType] | None:
    """Answer `facets` from `topic` (or, with `borrow`, the service it belongs to) when one of
    them has a sourced answer there; None otherwise."""
    candidates = (topic, FACET_FALLBACK_TOPIC.get(topic)) if borrow else (topic,)
    for candidate in candidates:
        if candidate and any(api.facet_answer(candidate, f).found for f in facets[:MAX_FACETS_ANSWERED]):
            return answer_facets(dispatcher, tracker, candidate, facets)
    return None


# A service's more specific part, named anywhere in the message, decides the topic.
NARROWER_TOPICS = {"mediation": ("judicial_confirmation",)}


def facet_reply(dispatcher: CollectingDispatcher, tracker: Tracker, default_topic: str) -> list[EventType] | None:
    """When the latest message asks a facet (要多久, 要钱吗 …) that has a sourced answer, answer
    only that and return the events; None lets the caller give its full answer."""
    text = typed_text(tracker)
    facets = asked_facets(text)
    if not facets:
        return None
    topic, named = detect_topic(question_part(text), default_topic) or default_topic, detect_topic(text)
    if named in NARROWER_TOPICS.get(topic, ()):
        topic = named  # "法院作出了不予确认的决定…接下来怎么办" is about the confirmation
    current = slot_text(tracker, "topic")
    if current in api.TOPIC_NAMES and last_answer_was_a_facet(tracker) and (
            named is None or detect_topic(text, current) == current):
        # "去边度申请" right after an arbitration answer is about arbitration; "喺边度申请复议"
        # after the protection-order answer is that court's review
        topic = current
    return answer_known(dispatcher, tracker, topic, facets)


# Legal-aid questions a story may end with that are not answered by the consultation itself.
LEGAL_AID_SERVICE_FACETS = ("remedy",)  # "佢唔肯赔" is the other side refusing, not the office


def has_own_what(item: str | None) -> bool:
    """Does this notary item have its own 'what' answer (保全证据公证 does)?"""
    return bool(item) and api.facet_answer("notarization", "what", item).topic_name == item


def named_service_reply(dispatcher: CollectingDispatcher, tracker: Tracker) -> list[EventType] | None:
    """A message that names a service and asks one of its facets ("想办继承公证，可唔可以喺珠海办",
    "法援不予援助我能投诉吗") gets that answer, whatever intent the model chose; None otherwise."""
    text = typed_text(tracker)
    topic = detect_topic(question_part(text)) or detect_topic(text)
    if topic in (None, "lawyer_service"):
        return None
    # the question may sit before the last sentence ("…写了他同意接受强制执行。现在到期他不还…")
    facets = facets_in(text)
    if topic == "legal_aid":
        allowed = LEGAL_AID_SERVICE_FACETS + (("refusal",) if ALREADY_AIDED.search(to_simplified(text)) else ())
        facets = [f for f in facets if f in allowed]
    if not facets and topic == "protection_order" and "保护令" not in text:
        facets = ["what"]  # "点样可以叫佢唔好再接近我": what the order is and does
    if not facets and topic == "notarization" and has_own_what(api.notary_item_code(text)):
        facets = ["what"]  # "听讲可以搵公证处做证据保全，系咪真㗎": what that notarization is
    if not facets:
        return None
    return answer_known(dispatcher, tracker, topic, facets)


def facet_followup(dispatcher: CollectingDispatcher, tracker: Tracker) -> list[EventType] | None:
    """A follow-up the model did not place ("唔服 可以点投诉 去边度") right after a facet answer:
    answered from that service; None otherwise."""
    current = slot_text(tracker, "topic")
    if current not in api.TOPIC_NAMES or not last_answer_was_a_facet(tracker):
        return None
    text = typed_text(tracker)
    facets = facets_in(text)
    if not facets and other_ways_facet(text, current):
        facets = [other_ways_facet(text, current)]  # "咁仲有咩办法"
    if not facets:
        return clause_followup(dispatcher, tracker, current)
    return answer_known(dispatcher, tracker, current, facets, borrow=False)


# "可唔可以直接申请仲裁" right after the labour-mediation answer that says when one may: that clause.
ASKS_PERMISSION = re.compile(r"可唔可以|可不可以|可以吗|可以咩|行吗|行不行|也行|都得|得唔得|得不得|能不能|能唔能|能否")
ROUTE_WORDS = {"arbitration": "仲裁", "mediation": "调解", "legal_aid": "法律援助", "notarization": "公证",
               "administrative_reconsideration": "复议", "protection_order": "保护令"}


def route_clause_reply(dispatcher: CollectingDispatcher, tracker: Tracker, topic: str) -> list[EventType] | None:
    """A short "may I go to <service>" right after another service's facet answer whose clauses
    say when one may: those clauses, pointing back, instead of the service's whole sheet; None otherwise."""
    text, word = question_part(typed_text(tracker)), ROUTE_WORDS.get(topic)
    previous = previous_facet_message(tracker)
    if (not word or previous is None or len(text) > SHORT_FOLLOW_UP
            or not ASKS_PERMISSION.search(to_simplified(text))):
        return None
    heading = HEADING.match(previous).group(0)
    if word in heading:
        return None  # the answer was about that service itself
    body, _, rest = previous[len(heading):].partition("\n\n")
    said = "".join(c for c in CLAUSE_END.split(body) if word in c)
    if not said:
        return None
    citation = next((line for line in rest.split("\n") if line.startswith("依据：")), "")
    clause = said if said.endswith("。") else said.rstrip("；") + "。"
    dispatcher.utter_message(text=pointing_back_text(heading, clause, citation), buttons=facet_buttons(topic, []))
    return [SlotSet("topic", topic)]


# "…佢都有回话会俾，咁算唔算" after the limitation answer: whether the case fits one clause of it.
DOES_IT_COUNT = re.compile(r"算唔算|算不算|系咪|系唔系|是不是|是否|行不行|得唔得|可唔可以|可不可以|可以吗|算吗|有冇用|有没有用")
CLAUSE_MIN_SCORE = 3  # shared words (conditions count three times) that make a clause the one asked about


def clause_followup(dispatcher: CollectingDispatcher, tracker: Tracker, current: str) -> list[EventType] | None:
    """The clause of the facet just answered that a "does it count" question is about, pointing
    back; None when the question asks no such thing or no clause matches it well."""
    facet, text = previous_facet(tracker), question_part(typed_text(tracker))
    if facet is None or not DOES_IT_COUNT.search(to_simplified(text)):
        return None
    answer = facet_texts(current, [facet], tracker)[0]
    part = focus_on_question(answer.text, text, answer.topic_name, CLAUSE_MIN_SCORE) if answer.found else None
    if part is None:
        return None
    dispatcher.utter_message(text=pointing_back(answer, part), buttons=facet_buttons(current, [facet]))
    return [SlotSet("topic", current)]


RECENT_TOPIC_CHARS = 40  # longer messages are stories of their own, not questions about the last answer


def recent_topic_reply(dispatcher: CollectingDispatcher, tracker: Tracker) -> list[EventType] | None:
    """A short question the model could not place ("咁要唔要钱㗎") after any answer about a
    service: its facet answered for that service; None when it asks no facet or no service
    was being discussed."""
    current = slot_text(tracker, "topic")
    text = typed_text(tracker)
    if current not in api.TOPIC_NAMES or len(text) > RECENT_TOPIC_CHARS or TOPIC_SWITCH.search(to_simplified(text)):
        return None
    facets = facets_in(text)
    return answer_known(dispatcher, tracker, current, facets) if facets else None
