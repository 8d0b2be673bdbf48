"""Dialogue actions: the legal-aid screening form, legal-problem routing, re-answering
with new details (corrections) and the handoff to a person.

Law is never re-encoded here: which questions matter comes from
knowledge.api.legal_aid_questions, the answer to a described problem from knowledge.api.consult,
follow-up answers from actions/facets.py and the rest from the knowledge actions in actions/services.py.
"""
from __future__ import annotations

import logging
import re
from typing import Any

from rasa_sdk import Action, FormValidationAction, Tracker
from rasa_sdk.events import EventType, SlotSet
from rasa_sdk.executor import CollectingDispatcher

from actions import services
from actions.common import (
    HANDOFF, button, latest_intent, latest_text, next_step_buttons, safe_run, slot_list, slot_text,
)
from actions.facets import (
    CLAUSE_MIN_SCORE, DOES_IT_COUNT, FORM_PROMPTS, RECENT_TOPIC_CHARS, SHORT_FOLLOW_UP, adds_facts, answer_facets,
    asked_facets, facet_followup, last_answer_was_a_facet, last_named_topic, latest_entities, named_service_reply,
    objects_to_legal_aid_decision, question_part, recent_topic_reply,
)
from actions.facts import (CORRECTION_CUE, case_before_and_after_latest, conversation_case,
                           conversation_case_type, user_events)
from actions.terms import asked_term, send_term, term_reply
from bot.logsafe import pseudonym
from bot.review.redact import redact
from knowledge import api
from knowledge.eligibility import (
    CASE_CATEGORIES, CASE_TYPES, ECONOMIC_STATUSES, FLAGS, MATTER_FLAGS, PERSON_GROUPS, ROLES,
)
from knowledge.facts import extract_one
from knowledge.questions import detect_topic, focus_on_question, set_aside_topics
from knowledge.text import to_simplified

log = logging.getLogger(__name__)

FORM = "legal_aid_form"
REQUESTED_SLOT = "requested_slot"
# Every slot the validator may fill; the questions are a subset, asked in this order
# (the issue's order: the matter, the place, special circumstances, money last).
FORM_SLOTS = ["screening_skipped", "case_type", "case_category", "city", "district", "person_group",
              "economic_status", "criminal_role", "legal_aid_flags"]
ASK_ORDER = ["case_type", "city", "person_group", "economic_status"]

# Display names, for summaries and routing text only (the codes are the contract's).
CASE_TYPE_NAMES = {
    "labor_pay": "欠薪", "labor_contract": "劳动合同纠纷", "work_injury": "工伤", "social_insurance": "社会保险",
    "marriage": "婚姻家庭", "domestic_violence": "家庭暴力", "support": "赡养费/抚养费/扶养费",
    "inheritance": "继承", "traffic_accident": "交通事故", "medical": "医疗纠纷", "debt": "借款/欠债",
    "contract": "合同纠纷", "housing": "房屋纠纷", "land": "土地纠纷", "neighbor": "邻里纠纷",
    "consumer": "消费纠纷", "state_compensation": "国家赔偿", "criminal": "刑事案件", "environment": "环境污染",
    "personal_injury": "人身损害赔偿", "tort": "名誉、隐私、财产侵权", "intellectual_property": "知识产权纠纷",
    "company": "公司、股权纠纷", "construction": "建设工程纠纷", "administrative": "行政纠纷",
    "foreign_related": "涉外纠纷", "maritime": "海事海商纠纷", "guarantee": "抵押、担保纠纷",
    "fraud_victim": "被诈骗", "other_legal": "其他法律问题",
}
CATEGORY_NAMES = {"criminal": "刑事", "civil": "民事", "administrative": "行政"}
PERSON_GROUP_NAMES = {
    "migrant_worker": "农民工", "elderly": "老年人", "minor": "未成年人", "disabled": "残疾人",
    "low_income": "低保/特困人员", "military": "军人军属", "hero_martyr_family": "英雄烈士近亲属",
    "violence_victim": "家暴受害人",
}
NEGATION = re.compile(r"(不是|唔系|唔係|唔喺|不在|并非|而非|不要|不)\s*$")
# A message that opens with one of these corrects what was said before ("不对，是深圳").
# Entities that carry a detail of the citizen's matter (docs/contract.md).
DETAIL_ENTITIES = ("city", "district", "notary_item", "case_type", "case_category", "person_group",
                   "economic_status")
# Of those, the ones kept in a single-value slot: a correction replaces the old value.
SINGLE_VALUE_DETAILS = ("city", "district", "notary_item", "case_type", "case_category", "economic_status")
CASE_TYPE_BUTTONS = [("欠薪", "labor_pay"), ("工伤", "work_injury"), ("交通事故", "traffic_accident"),
                     ("家庭暴力", "domestic_violence"), ("婚姻家庭", "marriage"), ("借钱不还", "debt"),
                     ("邻里纠纷", "neighbor"), ("刑事案件", "criminal")]
# Where each service of a route is explained (button intent + title).
ROUTE_BUTTONS = {
    "legal_aid": ("做个法律援助初筛", "legal_aid_eligibility"),
    "mediation": ("了解人民调解", "mediation"),
    "arbitration": ("了解仲裁", "arbitration"),
    "lawyer_service": ("找律师", "lawyer_service"),
    "administrative_reconsideration": ("了解行政复议", "administrative_reconsideration"),
    "judicial_appraisal": ("了解司法鉴定", "judicial_appraisal"),
    "notarization": ("办理公证", "notarization"),
}
TOPIC_OFFICE_TYPE = services.TOPIC_OFFICE_TYPE
FAMILY_WORDS = ("家暴", "家庭暴力", "老公", "丈夫", "老婆", "妻子", "前夫", "前妻", "男朋友", "女朋友",
                "爸爸", "妈妈", "父亲", "母亲", "儿子", "女儿", "公公", "婆婆", "家里人", "家人")
DANGER_FIRST = "如果您或身边的人正面临危险，请立即拨打110报警！先离开危险的地方，到安全的地方再联系。"
FAMILY_VIOLENCE_ADVICE = (
    "遭受家庭暴力，可以：\n"
    "· 向公安机关报案（110），公安机关接到报案应当及时出警，制止家庭暴力、调查取证、协助就医和鉴定伤情；"
    "也可以向加害人或您所在单位、居委会、村委会、妇女联合会等投诉、求助；\n"
    "· 因遭受家庭暴力或面临家庭暴力的现实危险，可以向人民法院申请人身安全保护令，禁止对方骚扰、跟踪、接触您和相关近亲属，"
    "责令对方迁出您的住所等；\n"
    "· 家庭暴力受害人主张相关权益申请法律援助，不受经济困难条件的限制。\n"
    "依据：《中华人民共和国反家庭暴力法》第十三条、第十五条、第二十三条、第二十九条；《中华人民共和国法律援助法》第三十二条"
)
HOTLINE_LINE = "人工服务：请拨打12348公共法律服务热线（普通话、粤语、客家话、潮汕话），工作人员会为您解答。"
SUMMARY_HEAD = "为了不用重复说明，您可以把下面这段摘要告诉工作人员："
# Intents whose text says nothing about the citizen's matter (left out of the summary).
CONTROL_INTENTS = {"request_human", "stop", "skip", "affirm", "deny", "greet", "goodbye", "thank",
                   "bot_challenge", "not_helpful", "nlu_fallback"}
MAX_SUMMARY_QUOTES = 3
MAX_QUOTE_CHARS = 60


# ---------------------------------------------------------------- tracker helpers

def mentions(tracker: Tracker, entity: str) -> list[tuple[str, bool]]:
    """(value, negated) for each mention of `entity` in the latest message, in order;
    a mention right after 不是/不在/唔系... is negated."""
    text = latest_text(tracker)
    found = []
    for ent in (tracker.latest_message or {}).get("entities") or []:
        if not isinstance(ent, dict) or ent.get("entity") != entity or not isinstance(ent.get("value"), str):
            continue
        start = ent.get("start")
        negated = isinstance(start, int) and bool(NEGATION.search(text[max(0, start - 4):start]))
        found.append((ent["value"], negated))
    return found


def corrected_entity(tracker: Tracker, entity: str) -> tuple[bool, str | None]:
    """(mentioned, value) for `entity` in the latest message, ignoring negated mentions:
    "不是广州，是佛山" and "是佛山，不是广州" both give 佛山; "不是广州" alone gives (True, None)."""
    found = mentions(tracker, entity)
    if not found:
        return False, None
    kept = [value for value, negated in found if not negated]
    return True, (kept[-1] if kept else None)


def negated_values(tracker: Tracker, entity: str) -> set[str]:
    """Values of `entity` the latest message only mentions negated ("我不是农民工")."""
    found = mentions(tracker, entity)
    return {v for v, negated in found if negated} - {v for v, negated in found if not negated}


def has_negated_detail(tracker: Tracker) -> bool:
    return any(negated for name in DETAIL_ENTITIES for _, negated in mentions(tracker, name))


def looks_like_correction(tracker: Tracker) -> bool:
    """The latest message replaces a detail, whatever intent the NLU gave it: a negated mention
    with a replacement ("不是广州，是佛山", "是出生公证，不是学历公证", "不是广州，是顺德"), or
    an opening correction word with a detail ("不对，是深圳")."""
    found = [negated for name in DETAIL_ENTITIES for _, negated in mentions(tracker, name)]
    if not any(negated is False for negated in found):
        return False
    return any(found) or bool(CORRECTION_CUE.match(latest_text(tracker)))


def times_asked(tracker: Tracker, slot: str) -> int:
    """How often the current screening has asked for `slot` (its ask action ran)."""
    ask = f"action_ask_{FORM}_{slot}"
    count = 0
    for event in reversed(tracker.events):
        if event.get("event") == "active_loop" and event.get("name") == FORM:
            break
        if event.get("event") == "action" and event.get("name") == ask:
            count += 1
        elif event.get("event") == "bot" and ASK_TEXTS.get(slot) and (event.get("text") or "").endswith(ASK_TEXTS[slot]):
            count += 1  # the form runs its ask action inside its own turn: only the message is logged
    return count


def screening_questions(tracker: Tracker) -> list[str]:
    """The questions still worth asking, in ASK_ORDER, without those the citizen skipped."""
    try:
        missing = set(api.legal_aid_questions(conversation_case(tracker)))
    except Exception:  # noqa: BLE001 - the verdict action apologises if the database is down
        log.exception("legal_aid_questions failed (conversation %s)", pseudonym(tracker.sender_id))
        return []
    skipped = set(slot_list(tracker, "screening_skipped"))
    return [slot for slot in ASK_ORDER if slot in missing and slot not in skipped]


def previous_answer_action(tracker: Tracker) -> str | None:
    """The last answering action before the latest user message (action_restart_topic is
    transparent: it re-ran an earlier answer)."""
    seen_latest_user = False
    for event in reversed(tracker.events):
        if event.get("event") == "user":
            seen_latest_user = True
            continue
        if not seen_latest_user or event.get("event") != "action":
            continue
        name = event.get("name")
        if name in (None, "action_listen", "action_extract_slots", "action_restart_topic",
                    "action_session_start", "action_unlikely_intent"):
            continue
        return name
    return None


def citizen_summary(tracker: Tracker) -> str:
    """A short summary of what the citizen asked: known facts plus their last few sentences."""
    facts = []
    case_type = conversation_case_type(tracker)
    if case_type in CASE_TYPE_NAMES:
        facts.append(f"问题类型：{CASE_TYPE_NAMES[case_type]}")
    category = slot_text(tracker, "case_category")
    if category in CATEGORY_NAMES and case_type != "criminal":
        facts.append(f"案件性质：{CATEGORY_NAMES[category]}")
    place = slot_text(tracker, "district") or slot_text(tracker, "city")
    if place:
        facts.append(f"地点：{redact(place, 20)}")
    groups = [PERSON_GROUP_NAMES[g] for g in slot_list(tracker, "person_group") if g in PERSON_GROUP_NAMES]
    if groups:
        facts.append(f"情况：{'、'.join(groups)}")
    item = slot_text(tracker, "notary_item")
    if item:
        facts.append(f"公证事项：{redact(item, 20)}")
    quotes = []
    for event in reversed(user_events(tracker)):
        text = (event.get("text") or "").strip()
        intent = ((event.get("parse_data") or {}).get("intent") or {}).get("name")
        if not text or text.startswith("/") or intent in CONTROL_INTENTS:
            continue
        quotes.append(f"“{redact(text, MAX_QUOTE_CHARS)}”")
        if len(quotes) == MAX_SUMMARY_QUOTES:
            break
    quotes.reverse()
    if quotes:
        facts.append("您说过：" + "；".join(quotes))
    if not facts:
        return ""
    return SUMMARY_HEAD + "\n【咨询摘要】" + "；".join(facts)


def is_family_violence(tracker: Tracker) -> bool:
    if conversation_case_type(tracker) == "domestic_violence":
        return True
    if "violence_victim" in slot_list(tracker, "person_group"):
        return True
    if any(word in latest_text(tracker) for word in FAMILY_WORDS):
        return True
    # "我怕他放出来又来打我" after a story of family violence: the conversation decides.
    return api.is_family_violence_case(conversation_case(tracker))


# ---------------------------------------------------------------- legal-aid screening form

class ValidateLegalAidForm(FormValidationAction):
    """Asks only what the eligibility engine still needs; accepts corrections, skips,
    "none of these", and special facts said in passing."""

    def name(self) -> str:
        return "validate_legal_aid_form"

    async def required_slots(self, domain_slots, dispatcher, tracker, domain) -> list[str]:
        return list(FORM_SLOTS)  # validate/extract all; next_requested_slot decides what to ask

    async def next_requested_slot(self, dispatcher, tracker, domain) -> EventType | None:
        questions = screening_questions(tracker)
        return SlotSet(REQUESTED_SLOT, questions[0] if questions else None)

    async def run(self, dispatcher, tracker, domain):
        try:
            self._answer_question_in_passing(dispatcher, tracker)
            return await super().run(dispatcher, tracker, domain)
        except Exception:  # noqa: BLE001 - end the form; the verdict action explains or apologises
            log.exception("validate_legal_aid_form failed (conversation %s)", pseudonym(tracker.sender_id))
            return [SlotSet(REQUESTED_SLOT, None)]

    @staticmethod
    def _answer_question_in_passing(dispatcher, tracker) -> None:
        """"3日咁紧，等你哋审批实过咗期啦，点算" while a screening question is open: the form
        takes the turn (no rule runs), so the question is answered here before the next one."""
        text = latest_text(tracker)
        if (tracker.active_loop or {}).get("name") != "legal_aid_form" or text.startswith("/") \
                or latest_intent(tracker) not in ANSWER_INTENTS:
            return
        facets = [f for f in asked_facets(text) if f in STORY_FACETS]
        if facets:
            answer_facets(dispatcher, tracker, "legal_aid", facets)

    # -- custom extractions (facts the NLU contract has no entity for)

    async def extract_screening_skipped(self, dispatcher, tracker, domain) -> dict[str, Any]:
        skipped = slot_list(tracker, "screening_skipped")
        requested = tracker.get_slot(REQUESTED_SLOT)
        if requested is None:  # the form is starting: a new screening forgets old skips
            return {"screening_skipped": []} if skipped else {}
        intent = latest_intent(tracker)
        # "都不是" answers the special-circumstances question; "不是广州，是佛山" (often read as
        # deny) corrects a detail and answers nothing.
        none_of_these = intent == "deny" and requested == "person_group" and not has_negated_detail(tracker)
        if intent == "skip" or none_of_these:
            if intent == "skip":
                dispatcher.utter_message(text="好的，这个问题先跳过。")
            return {"screening_skipped": list(dict.fromkeys(skipped + [requested]))}
        if intent in ANSWER_INTENTS and self._not_answered(tracker, requested):
            # Never ask the same thing again and again: an answer that adds no fact, or a second
            # answer that still does not give this one, moves the screening on without it.
            return {"screening_skipped": list(dict.fromkeys(skipped + [requested]))}
        return {}

    @staticmethod
    def _not_answered(tracker: Tracker, requested: str) -> bool:
        try:
            before, now = case_before_and_after_latest(tracker)
            still_missing = requested in api.legal_aid_questions(now)
        except Exception:  # noqa: BLE001 - without the database the verdict action apologises
            return False
        if not still_missing:
            return False
        new_fact = now != before or bool((tracker.latest_message or {}).get("entities"))
        return not new_fact or times_asked(tracker, requested) >= 2

    async def extract_criminal_role(self, dispatcher, tracker, domain) -> dict[str, Any]:
        role = conversation_case(tracker).role
        if role and role != tracker.get_slot("criminal_role"):
            return {"criminal_role": role}
        return {}

    async def extract_legal_aid_flags(self, dispatcher, tracker, domain) -> dict[str, Any]:
        old = slot_list(tracker, "legal_aid_flags")
        new = [f for f in sorted(conversation_case(tracker).flags) if f not in old]
        return {"legal_aid_flags": old + new} if new else {}

    # -- validation of entity slots

    def validate_case_type(self, value, dispatcher, tracker, domain) -> dict[str, Any]:
        if isinstance(value, list):
            value = value[-1] if value else None
        # The conversation's case type decides: "能不能申请法律援助" (read as other_legal) after a
        # story about a labour relation does not replace it (actions.facts owns the case type).
        decided = conversation_case_type(tracker)
        if decided in CASE_TYPES:
            value = decided
        if value not in CASE_TYPES:
            return {"case_type": None}
        return {"case_type": value}

    def validate_case_category(self, value, dispatcher, tracker, domain) -> dict[str, Any]:
        if isinstance(value, list):
            value = value[-1] if value else None
        return {"case_category": value if value in CASE_CATEGORIES else None}

    def validate_city(self, value, dispatcher, tracker, domain) -> dict[str, Any]:
        mentioned, corrected = corrected_entity(tracker, "city")
        if mentioned:
            value = corrected
        if not isinstance(value, str) or not value.strip():
            return {"city": None}
        try:
            place = api.resolve_place(value)
            if place is None:
                suggestions = api.suggest_places(value)
        except Exception:  # noqa: BLE001 - keep what was said; the verdict resolves it again
            log.exception("resolve_place failed (conversation %s)", pseudonym(tracker.sender_id))
            return {"city": value[:50]}
        if place is None:
            hint = f"您是指{'、'.join(suggestions)}吗？" if suggestions else "目前只能查询广东省21个地级市。"
            dispatcher.utter_message(text=f"没有找到“{redact(value, 20)}”这个地方。{hint}")
            return {"city": None}
        events: dict[str, Any] = {"city": place.city}
        if place.district:
            events["district"] = place.district
        return events

    def validate_district(self, value, dispatcher, tracker, domain) -> dict[str, Any]:
        """A county-level answer ("顺德") to the city question also sets the city."""
        if not isinstance(value, str) or not value.strip():
            return {"district": None}
        try:
            place = api.resolve_place(value)
        except Exception:  # noqa: BLE001
            log.exception("resolve_place failed (conversation %s)", pseudonym(tracker.sender_id))
            return {"district": value[:50]}
        if place is None:
            return {"district": None}
        return {"district": place.district, "city": place.city}

    def validate_person_group(self, value, dispatcher, tracker, domain) -> dict[str, Any]:
        values = value if isinstance(value, list) else [value]
        denied = negated_values(tracker, "person_group")  # "我不是农民工"
        groups = [g for g in dict.fromkeys(values) if g in PERSON_GROUPS and g not in denied]
        return {"person_group": groups or None}

    def validate_criminal_role(self, value, dispatcher, tracker, domain) -> dict[str, Any]:
        return {"criminal_role": value if value in ROLES else None}

    def validate_legal_aid_flags(self, value, dispatcher, tracker, domain) -> dict[str, Any]:
        values = value if isinstance(value, list) else [value]
        return {"legal_aid_flags": [f for f in dict.fromkeys(values) if f in FLAGS] or None}

    def validate_screening_skipped(self, value, dispatcher, tracker, domain) -> dict[str, Any]:
        values = value if isinstance(value, list) else [value]
        return {"screening_skipped": [s for s in dict.fromkeys(values) if s in ASK_ORDER]}

    def validate_economic_status(self, value, dispatcher, tracker, domain) -> dict[str, Any]:
        if isinstance(value, list):
            value = value[-1] if value else None
        return {"economic_status": value if value in ECONOMIC_STATUSES else None}


SKIP_BUTTON = {"title": "跳过", "payload": "/skip"}
ASK_TEXTS = {
    "case_type": "请问您遇到的是什么问题？可以点下面的选项，也可以用一句话说说情况。",
    "city": "请问事情发生在广东哪个城市（或区县）？我好告诉您去哪里申请。",
    "person_group": "您（或当事人）是否属于下面的情况？有些情况申请法律援助时不用审查经济状况。",
    "economic_status": "最后一个问题：您家里的经济状况怎么样？（例如领低保、特困供养，或家庭收入很低，都算经济困难）",
}
# Intents that answer the pending question (or fail to); side questions and stop are not answers.
ANSWER_INTENTS = {"inform", "deny", "affirm", "nlu_fallback", "out_of_scope", "legal_problem",
                  "legal_aid_eligibility"}


class ActionAskCaseType(Action):
    """The screening's first question: what happened (buttons set case_type / case_category)."""

    def name(self) -> str:
        return "action_ask_legal_aid_form_case_type"

    async def run(self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: dict[str, Any]):
        buttons = [button(title, "inform", case_type=code) for title, code in CASE_TYPE_BUTTONS if code != "criminal"]
        buttons.append(button("刑事案件", "inform", case_category="criminal"))
        dispatcher.utter_message(text=ASK_TEXTS["case_type"],
                                 buttons=buttons + [SKIP_BUTTON])
        return []


def say_conclusion_so_far(dispatcher: CollectingDispatcher, tracker: Tracker) -> None:
    """Before a screening question, the conclusion the facts already give (Art. 25/32 need no
    more; a means-tested matter says so), unless that same text was already sent."""
    try:
        verdict = api.assess_legal_aid(conversation_case(tracker))
    except Exception:  # noqa: BLE001 - the question itself still goes out
        log.exception("assess_legal_aid failed before a screening question (%s)", pseudonym(tracker.sender_id))
        return
    if verdict.outcome == "need_more_info":
        return
    text = "根据目前了解的情况，先告诉您结论：\n" + verdict.to_brief_text()
    if text not in bot_texts(tracker):
        dispatcher.utter_message(text=text)


def ask_text(tracker: Tracker, slot: str) -> str:
    """The screening question for `slot`; asked again after a question in between, it says so
    (never the same message three times in a conversation)."""
    asked = sum(1 for e in tracker.events if e.get("event") == "bot"
                and (e.get("text") or "").endswith(ASK_TEXTS[slot]))
    if asked == 0:
        return ASK_TEXTS[slot]
    return FORM_PROMPTS[min(asked, len(FORM_PROMPTS)) - 1] + ASK_TEXTS[slot]


class ActionAskCity(Action):
    """The screening's place question, with the major cities as buttons."""

    def name(self) -> str:
        return "action_ask_legal_aid_form_city"

    async def run(self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: dict[str, Any]):
        try:
            cities = api.major_cities()
        except Exception:  # noqa: BLE001 - the question still works without buttons
            cities = []
        say_conclusion_so_far(dispatcher, tracker)
        dispatcher.utter_message(text=ask_text(tracker, "city"),
                                 buttons=[button(name, "inform", city=name) for name in cities] + [SKIP_BUTTON])
        return []


class ActionAskPersonGroup(Action):
    """Special circumstances; "都不是" (deny) counts as an answer."""

    def name(self) -> str:
        return "action_ask_legal_aid_form_person_group"

    async def run(self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: dict[str, Any]):
        buttons = [button(title, "inform", person_group=code) for code, title in PERSON_GROUP_NAMES.items()]
        say_conclusion_so_far(dispatcher, tracker)
        dispatcher.utter_message(text=ask_text(tracker, "person_group"),
                                 buttons=buttons + [{"title": "都不是", "payload": "/deny"}])
        return []


class ActionAskEconomicStatus(Action):
    """Asked last, and only when the engine says the outcome depends on it."""

    def name(self) -> str:
        return "action_ask_legal_aid_form_economic_status"

    async def run(self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: dict[str, Any]):
        say_conclusion_so_far(dispatcher, tracker)
        dispatcher.utter_message(
            text=ask_text(tracker, "economic_status"),
            buttons=[button("经济困难", "inform", economic_status="hardship"),
                     button("收入还可以", "inform", economic_status="not_hardship"),
                     {"title": "不想说", "payload": "/skip"}])
        return []


# ---------------------------------------------------------------- legal-problem routing

WANTS_NOTARIZATION = re.compile(r"(想|要|准备|打算|需要|点样|怎么|怎样|如何|去)(办|做|申请|搞)(个|一个|一份|份)?[^，。？?]{0,6}公证")


class ActionRouteLegalProblem(Action):
    """The answer to a described problem: the legal-aid conclusion for everything the citizen
    has said (knowledge.api.consult), then the other routes, with buttons that start them."""

    def name(self) -> str:
        return "action_route_legal_problem"

    @safe_run(None)
    async def run(self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: dict[str, Any]):
        if bot_texts(tracker) and not adds_facts(tracker):
            # a follow-up about a term ("佢唔肯赔，我可以去边度投诉" after a purchase); a turn with new
            # facts gets the conclusion first and the term after it (below)
            term_events = term_reply(dispatcher, tracker)
            if term_events is not None:
                return term_events
        named = named_service_reply(dispatcher, tracker)
        if named is not None:  # "…想办继承公证，可唔可以喺珠海办？" asks about the service
            return named
        if WANTS_NOTARIZATION.search(latest_text(tracker)) and latest_entities(tracker, "notary_item"):
            # "阿妈过身留低间屋，想办继承公证" asks how to do that notarization, not for legal aid
            return list(await services.ActionNotaryGuide().run(dispatcher, tracker, domain) or [])
        follow_up_chars = RECENT_TOPIC_CHARS if last_answer_was_a_facet(tracker) else SHORT_FOLLOW_UP
        if len(latest_text(tracker)) <= follow_up_chars and slot_text(tracker, "topic") != "legal_aid":
            # "咁到时佢唔还钱点算" right after a judicial-confirmation answer asks about that service
            # (after a legal-aid answer the consultation tells applying from the matter itself:
            # "国家赔偿有冇时间限制")
            follow_up = facet_followup(dispatcher, tracker)
            if follow_up is not None:
                return follow_up
        case = conversation_case(tracker)
        case_type = case.route_type
        consultation = consultation_of(case)
        verdict = consultation.verdict
        if verdict is None and not consultation.routes:
            dispatcher.utter_message(
                text="请问您遇到的是哪一类问题？点下面的选项，或用一句话说说发生了什么。",
                buttons=[button(title, "legal_problem", case_type=code) for title, code in CASE_TYPE_BUTTONS]
                + [HANDOFF])
            return []
        if verdict is not None and verdict.hardship_check_needed and case.economic_status is None:
            consultation.note = MEANS_INVITE
        text = consultation.to_text()
        asked = asked_facets(latest_text(tracker))
        if text in bot_texts(tracker):
            # Nothing new changed the answer: answer the question in the message, or say
            # briefly that the conclusion stands, instead of repeating it.
            term = asked_term(tracker)
            if term is not None:  # "呢份告诫书係咩嚟㗎" inside a family-violence consultation
                send_term(dispatcher, term)
                return [SlotSet("topic", term.topic)] if term.topic else []
            if asked:
                return case_facet_reply(dispatcher, tracker, case, consultation, asked)
            clause = route_clause(consultation, latest_text(tracker))
            if clause is not None:  # "工友话冇签合同可以要双倍人工，系咪真㗎": the route's own clause
                dispatcher.utter_message(text=clause, buttons=next_step_buttons("legal_aid"))
                return []
            text = unchanged_recap(consultation)
        extra = []
        if verdict is not None and verdict.hardship_check_needed:
            extra.append(button(*ROUTE_BUTTONS["legal_aid"], **({"case_type": case_type} if case_type else {})))
        for route in consultation.routes:
            title_intent = ROUTE_BUTTONS.get(route.service_code)
            if title_intent and route.service_code != "legal_aid":
                title, intent = title_intent
                extra.append(button(title, intent))
        topic = "legal_aid" if verdict is not None and verdict.outcome != "not_covered" \
            else (consultation.routes[0].service_code if consultation.routes else "legal_aid")
        dispatcher.utter_message(text=text, buttons=next_step_buttons(topic, extra=extra))
        term = asked_term(tracker)
        if term is not None and term.text not in text:
            # "…工友话冇签合同可以攞双倍人工，系咪真㗎" at the end of the story: that term too
            send_term(dispatcher, term)
            return [SlotSet("topic", topic)]
        # A question at the end of the story ("…家里人能帮他申请吗？") is answered too, briefly.
        story_question = [f for f in asked if f in STORY_FACETS]
        if story_question and topic == "legal_aid":
            # "…可以去边度告佢攞返啲人工" asks about the labour arbitration, not the legal-aid office
            return answer_facets(dispatcher, tracker, story_topic(case, latest_text(tracker)), story_question)
        return [SlotSet("topic", topic)]


# The service a follow-up is about when it names none, by kind of problem: labour matters
# are argued before the labour arbitration committee, family violence through the protection order.
CASE_FACET_TOPIC = {"labor_pay": "arbitration", "labor_contract": "arbitration", "work_injury": "arbitration",
                    "social_insurance": "arbitration", "domestic_violence": "protection_order",
                    "medical": "mediation"}  # 医疗纠纷人民调解 has its own answers (facets.yml cases)
# "要不要收入证明" is the legal-aid means check, whatever route the problem has.
LEGAL_AID_WORDS = re.compile(r"申请|援助|法援|派.{0,6}律师|律师|收入证明|困难证明|经济困难|收入|"
                             r"批唔批|批不批|批准|批落|批下来|审批")  # arbitration is accepted, legal aid approved


# What one asks about applying: after a favourable legal-aid conclusion these are about legal aid
# when the problem has no service of its own to apply to.
APPLYING_FACETS = ("materials", "proxy")  # "要几耐" may be the matter's own route's time


def story_topic(case, text: str) -> str:
    """The service a question at the end of a story is about: legal aid when it names it or
    asks about applying for a lawyer, else the problem's own route when it has one."""
    question = question_part(text)
    named = detect_topic(question, "legal_aid")
    if named or LEGAL_AID_WORDS.search(question):
        return named or "legal_aid"
    return CASE_FACET_TOPIC.get(case.route_type) or "legal_aid"


def case_facet_reply(dispatcher, tracker: Tracker, case, consultation, facets: list[str]) -> list[EventType]:
    """A follow-up question inside a consultation ("要多久", "去边度告佢", "有没有时间限制"):
    legal aid when the question is about applying, else the problem's own route."""
    text = latest_text(tracker)
    question = question_part(text)
    if "legal_aid" in set_aside_topics(text):  # "除了法援，拿工资要去哪里告": the problem's own route
        named, about_legal_aid = None, False
    else:
        named, about_legal_aid = detect_topic(question, "legal_aid"), bool(LEGAL_AID_WORDS.search(question))
        current = slot_text(tracker, "topic")
        if named is None and objects_to_legal_aid_decision(tracker, facets, question):
            named = "legal_aid"  # "呢个终止决定我唔认" after "法援中心话要终止法律援助"
        if about_legal_aid and not LEGAL_AID_WORDS.search(question.replace("申请", "")) \
                and current in api.TOPIC_NAMES and current != "legal_aid" and last_answer_was_a_facet(tracker):
            # "要俾钱先可以申请咩" right after the arbitration answer: applying for the arbitration
            named, about_legal_aid = current, False
        elif about_legal_aid and named is None and not LEGAL_AID_WORDS.search(question.replace("申请", "")):
            earlier = last_named_topic(tracker)
            if earlier and earlier != "legal_aid":
                # "喺边度申请" after "可唔可以帮阿妈申请保护令": applying for the service named
                named, about_legal_aid = earlier, False
    if named is None and not about_legal_aid:
        topic = CASE_FACET_TOPIC.get(case.route_type)
        if topic is None and facets[0] in APPLYING_FACETS and consultation.verdict is not None \
                and consultation.verdict.outcome in ("eligible", "likely_eligible"):
            # "咁要带啲咩证明过去" after "您可以申请法律援助" (a support claim): applying for it
            topic = "legal_aid"
        if topic is None and case.role in ("accused", "victim"):
            # the defence lawyer the family asks about, or the victim's agent (Art. 29), is the legal-aid lawyer
            topic = "legal_aid"
        if topic is None and consultation.routes:
            # No facet sheet for this route (e.g. state compensation): its own reasons answer it.
            lines = [f"关于“{consultation.problem or '您的问题'}”：", "\n".join(f"· {r.to_text()}" for r in consultation.routes),
                     api.HOTLINE_HINT]
            sources = [src for r in consultation.routes for src in r.sources]
            line = api.citation_line(sources)
            dispatcher.utter_message(text="\n\n".join(lines + ([line] if line else [])),
                                     buttons=next_step_buttons("legal_aid"))
            return [SlotSet("topic", "legal_aid")]
    else:
        topic = named
    return answer_facets(dispatcher, tracker, topic or "legal_aid", facets)


async def continue_consultation(dispatcher, tracker: Tracker, domain) -> list[EventType] | None:
    """A turn the model did not place (fallback, out of scope, a bare detail) inside a legal
    consultation: new facts give the conclusion again; a follow-up question gets its answer.
    None when there is no consultation or nothing to add."""
    before, after = case_before_and_after_latest(tracker)
    if not (after.case_type or after.case_category or after.flags & MATTER_FLAGS):
        return None
    text = latest_text(tracker)
    # New facts give the conclusion again; facts said before again ("他有残疾证" after "他是盲人")
    # get the short "same conclusion" answer, never another service's sheet.
    if before != after or restates_facts(text):
        return list(await ActionRouteLegalProblem().run(dispatcher, tracker, domain) or [])
    asked = asked_facets(text)
    if asked:
        return case_facet_reply(dispatcher, tracker, after, consultation_of(after), asked)
    if detect_topic(question_part(text)) == "legal_aid" or ASKS_FOR_AID.search(text) or (
            after.role in ("accused", "victim") and NEEDS_A_LAWYER.search(text)):
        # "到复核这一步还有没有（指派律师）" asks for the conclusion again
        return list(await ActionRouteLegalProblem().run(dispatcher, tracker, domain) or [])
    return None


ASKS_FOR_AID = re.compile(r"(?:还有没有|仲有冇|有没有|有冇|可唔可以|可不可以|能不能|能唔能|会不会|会唔会)[^，。？?]{0,6}"
                          r"(?:律师|援助|法援|指派|派人)")


# "我哋冇请律师，唔知要唔要请" in a criminal matter: whether the family must hire the lawyer the
# conclusion is about (Art. 25 appointed, Art. 24/29 on application) — the conclusion answers it.
NEEDS_A_LAWYER = re.compile(r"(?:要唔要|要不要|使唔使|使不使|需不需要|需唔需要|用不用|用唔用|应唔应该|应不应该)(?:自己)?(?:去)?(?:请|搵|找)(?:个)?律师|"
                            r"(?:冇|没|未|还没|仲未)(?:有)?(?:请|搵|找)(?:到)?律师|请唔请得起|请不请得起|请唔起律师|请不起律师")


def restates_facts(text: str) -> bool:
    said = extract_one(text)
    return bool(said.flags or said.person_groups or said.role or said.economic_status)


def consultation_of(case) -> api.Consultation:
    """knowledge.api.consult with the display name of the case's kind of problem."""
    return api.consult(case, CASE_TYPE_NAMES.get(case.route_type, ""))


# Facets a problem story may end with that the legal-aid answer does not already cover.
STORY_FACETS = ("proxy", "fee", "time_limit", "where", "materials", "remedy", "after")
MEANS_INVITE = ("是否给予法律援助要看家庭经济状况：您可以告诉我家里的经济情况（例如“家里困难”“收入还可以”），"
                "或者点“做个法律援助初筛”。")


def bot_texts(tracker: Tracker) -> list[str]:
    return [e.get("text") or "" for e in tracker.events if e.get("event") == "bot"]


def route_clause(consultation, text: str) -> str | None:
    """The clause of the consultation's routes that a "is it true / does it count" question is
    about ("冇签合同可以要双倍人工，系咪真㗎" → 劳动合同法第八十二条's double wages), with that
    route's citation; None when the question asks no such thing or no clause matches it well."""
    question = question_part(text)
    if not DOES_IT_COUNT.search(to_simplified(question)):
        return None
    for route in consultation.routes:
        part = focus_on_question(route.reason, question, route.service_name, CLAUSE_MIN_SCORE, whole=True)
        if part is not None:
            line = api.citation_line(route.sources)
            return "\n\n".join([f"关于“{consultation.problem or '您的问题'}”（{route.service_name}）：{part}",
                                 api.HOTLINE_HINT] + ([line] if line else []))
    return None


def unchanged_recap(consultation) -> str:
    """A short answer when the same conclusion would be sent again."""
    verdict = consultation.verdict
    parts = ["根据您补充的情况，结论和上面一样。"]
    if verdict is not None:
        parts.append("法律援助：" + verdict.brief_headline)
    parts.append(api.HOTLINE_HINT)
    line = api.citation_line(verdict.sources if verdict is not None else consultation.sources)
    if line:
        parts.append(line)
    return "\n\n".join(parts)


class ActionAnythingElse(Action):
    """"好的 / 不对 / 跳过" outside a form. Inside a legal consultation such a turn often carries
    a fact or a correction ("不对，他是17岁") or a question ("收入跳过，直接话我知系咪一定要睇收入"):
    those are answered; otherwise "anything else?"."""

    def name(self) -> str:
        return "action_anything_else"

    @safe_run(None)
    async def run(self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: dict[str, Any]):
        # "我唔想再见到佢，有冇办法令佢唔好再接近我" read as deny asks about the protection order
        continued = named_service_reply(dispatcher, tracker) if len(latest_text(tracker)) >= MIN_CONSULTATION_REMARK \
            else None
        if continued is None:
            continued = await continue_consultation(dispatcher, tracker, domain)
        if continued is not None:
            return continued
        case = conversation_case(tracker)
        if len(latest_text(tracker)) >= MIN_CONSULTATION_REMARK and (case.case_type or case.case_category):
            dispatcher.utter_message(text=unchanged_recap(consultation_of(case)), buttons=next_step_buttons("legal_aid"))
            return []
        dispatcher.utter_message(response="utter_anything_else")
        return []


MIN_CONSULTATION_REMARK = 8  # "好的" / "唔使" are not remarks about the case


# ---------------------------------------------------------------- new details → answer again

class ActionRestartTopic(Action):
    """The citizen added or corrected a detail ("佛山", "学历公证", "不是广州，是佛山"):
    answer the previous question again with it, or, with no previous question, answer
    what the detail is about."""

    def name(self) -> str:
        return "action_restart_topic"

    # Which earlier answer uses which details.
    USES = {
        "action_find_office": {"city", "district"},
        "action_notary_guide": {"notary_item"},
        "action_cross_province_guide": {"notary_item"},
        "action_legal_aid_verdict": {"case_type", "case_category", "city", "district", "person_group",
                                     "economic_status"},
        "legal_aid_form": {"case_type", "case_category", "city", "district", "person_group", "economic_status"},
        "action_route_legal_problem": {"case_type", "case_category", "person_group", "economic_status"},
        "action_handoff": {"city", "district"},
        "action_service_guide": {"city", "district"},
    }

    @safe_run(None)
    async def run(self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: dict[str, Any]):
        events: list[EventType] = []
        # action_extract_slots kept the last value said, which may be the negated one
        # ("是佛山，不是广州"): the value meant wins; "不是广州" alone clears the slot.
        for name in SINGLE_VALUE_DETAILS:
            mentioned, value = corrected_entity(tracker, name)
            if mentioned and value != tracker.get_slot(name):
                events.append(SlotSet(name, value))
                tracker.slots[name] = value
        denied = negated_values(tracker, "person_group")
        if denied:
            groups = [g for g in slot_list(tracker, "person_group") if g not in denied] or None
            events.append(SlotSet("person_group", groups))
            tracker.slots["person_group"] = groups
        said = {e.get("entity") for e in (tracker.latest_message or {}).get("entities") or [] if isinstance(e, dict)}
        previous = previous_answer_action(tracker)
        target = previous if previous in self.USES and said & self.USES[previous] else self._by_detail(said)
        if target is None:
            continued = await continue_consultation(dispatcher, tracker, domain)
            if continued is not None:
                return events + continued
            dispatcher.utter_message(text="好的，记下了。请问您想办理什么？", buttons=next_step_buttons(None))
            return events
        if target == "legal_aid_form":
            target = "action_legal_aid_verdict"
        return events + await self._answer(target, dispatcher, tracker, domain)

    @staticmethod
    def _by_detail(said: set) -> str | None:
        if "notary_item" in said:
            return "action_notary_guide"
        if said & {"case_type", "case_category"}:
            return "action_route_legal_problem"
        if said & {"person_group", "economic_status"}:
            return "action_legal_aid_verdict"
        if said & {"city", "district"}:
            return "action_find_office"
        return None

    @staticmethod
    async def _answer(target: str, dispatcher, tracker, domain) -> list[EventType]:
        actions = {
            "action_find_office": services.ActionFindOffice, "action_notary_guide": services.ActionNotaryGuide,
            "action_cross_province_guide": services.ActionCrossProvinceGuide,
            "action_legal_aid_verdict": services.ActionLegalAidVerdict,
            "action_service_guide": services.ActionServiceGuide,
            "action_route_legal_problem": ActionRouteLegalProblem, "action_handoff": ActionHandoff,
        }
        return list(await actions[target]().run(dispatcher, tracker, domain) or [])


# ---------------------------------------------------------------- handoff

def handoff_message(tracker: Tracker, *, urgent: bool, intro: str | None = None) -> str:
    """110 first when urgent, family-violence help when it fits, then 12348, the office
    for the known city and a summary of what the citizen asked."""
    parts = [intro] if intro else []
    if urgent:
        parts.append(DANGER_FIRST)
        if is_family_violence(tracker):
            parts.append(FAMILY_VIOLENCE_ADVICE)
    parts.append(HOTLINE_LINE)
    offices = _offices_for(tracker)
    if offices:
        parts.append("也可以到这里当面咨询：\n" + "\n\n".join(o.to_text() for o in offices))
    summary = citizen_summary(tracker)
    if summary:
        parts.append(summary)
    return "\n\n".join(parts)


def _offices_for(tracker: Tracker) -> list:
    city, district = slot_text(tracker, "city"), slot_text(tracker, "district")
    if not city and not district:
        return []
    try:
        offices = [o for o in api.find_offices(city, district) if o.office_type != "hotline"]
    except Exception:  # noqa: BLE001 - the hotline alone is still a good answer
        log.exception("find_offices failed in handoff (conversation %s)", pseudonym(tracker.sender_id))
        return []
    preferred = TOPIC_OFFICE_TYPE.get(slot_text(tracker, "topic") or "", "legal_aid")
    offices.sort(key=lambda o: o.office_type != preferred)
    return offices[:1]


# The words of someone who wants a person, not an answer.
ASKS_FOR_A_PERSON = re.compile(r"人工|真人|客服|转接|接线|热线|12348|打电话|电话|工作人员|找人|搵人|有冇人|有没有人|活人")


class ActionHandoff(Action):
    """request_human, urgent_danger (110 first) or two fallbacks in a row."""

    def name(self) -> str:
        return "action_handoff"

    @safe_run(None)
    async def run(self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: dict[str, Any]):
        urgent = latest_intent(tracker) == "urgent_danger"
        if latest_intent(tracker) == "request_human" and not ASKS_FOR_A_PERSON.search(latest_text(tracker)):
            # "可唔可以直接拎份协议去法院强制执行佢" read as a request for a person asks a question
            answered = named_service_reply(dispatcher, tracker) or recent_topic_reply(dispatcher, tracker)
            if answered is not None:
                return answered
        buttons = [button("法律援助初筛", "legal_aid_eligibility"), button("查办理地点", "find_office")]
        dispatcher.utter_message(text=handoff_message(tracker, urgent=urgent), buttons=buttons)
        # Inside the screening the rules run action_deactivate_loop first: no more form questions.
        return [SlotSet("fallback_count", 0.0)]
