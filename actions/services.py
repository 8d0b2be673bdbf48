"""Service actions: thin wrappers that read slots, ask knowledge.api and answer.

Every answer ends with next-step buttons (actions.common.next_step_buttons) and sets
slot `topic`. Database failures are logged and answered politely with 12348.
"""
from __future__ import annotations

import logging
import re
from typing import Any

from rasa_sdk import Action, Tracker
from rasa_sdk.events import SlotSet
from rasa_sdk.executor import CollectingDispatcher

from actions.common import (
    button, latest_intent, next_step_buttons, safe_run, slot_list, slot_text, typed_text,
)
from actions.facets import (
    SHORT_FOLLOW_UP, adds_facts, answer_facets, facet_followup, facet_reply, facets_in, recent_topic_reply,
    route_clause_reply,
)
from actions.facts import CORRECTION_CUE, conversation_case, typed_user_texts
from actions.terms import term_reply
from knowledge import api
from knowledge.questions import ALREADY_AIDED, AIDED_LAWYER_COMPLAINT, asks_if_mediation_comes_first, set_aside_topics

log = logging.getLogger(__name__)

CASE_TYPE_BUTTONS = [("欠薪", "labor_pay"), ("工伤", "work_injury"), ("交通事故", "traffic_accident"),
                     ("家庭暴力", "domestic_violence"), ("赡养/抚养费", "support"), ("借钱不还", "debt")]
# Which office types to show first when the citizen asks "where" after talking about a service.
TOPIC_OFFICE_TYPE = {"legal_aid": "legal_aid", "notarization": "notary", "cross_province": "notary",
                     "mediation": "mediation", "judicial_appraisal": "judicial_appraisal",
                     "arbitration": "labor_arbitration"}
MAX_OFFICES_SHOWN = 4
LABOUR_CASE_TYPES = ("labor_pay", "labor_contract", "work_injury", "social_insurance")


class ActionLegalAidVerdict(Action):
    def name(self) -> str:
        return "action_legal_aid_verdict"

    @safe_run("legal_aid")
    async def run(self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: dict[str, Any]):
        case = conversation_case(tracker)  # slots + the legal facts of everything the citizen typed
        verdict = api.assess_legal_aid(case)
        extra = []
        if verdict.outcome == "need_more_info":
            extra = [button(title, "legal_aid_eligibility", case_type=code) for title, code in CASE_TYPE_BUTTONS]
        dispatcher.utter_message(text=verdict.to_text(), buttons=next_step_buttons("legal_aid", extra=extra))
        return [SlotSet("topic", "legal_aid")]


class ActionNotaryGuide(Action):
    def name(self) -> str:
        return "action_notary_guide"

    @safe_run("notarization")
    async def run(self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: dict[str, Any]):
        item = slot_text(tracker, "notary_item")
        facet_events = term_reply(dispatcher, tracker) or facet_reply(dispatcher, tracker, "notarization")
        if facet_events is not None:
            return facet_events
        choices = [button(name, "notarization", notary_item=name) for name in api.common_notary_items()]
        if not item:
            dispatcher.utter_message(text="请问您要办理哪一项公证？可以点下面的选项，或直接告诉我（例如“学历公证”）。",
                                     buttons=choices + next_step_buttons("notarization", exclude={"notarization"}))
            return [SlotSet("topic", "notarization")]
        guide = api.notary_guide(item)
        if not guide.found:
            dispatcher.utter_message(
                text=f"暂时没有找到“{item}”的办理指南。请从下面选一项，或拨打12348咨询。",
                buttons=choices + next_step_buttons("notarization", exclude={"notarization"}))
            return [SlotSet("topic", "notarization"), SlotSet("notary_item", None)]
        code = guide.code
        dispatcher.utter_message(text=guide.to_text(), buttons=next_step_buttons("notarization", notary_item=code))
        return [SlotSet("topic", "notarization"), SlotSet("notary_item", code)]


class ActionMediationGuide(Action):
    def name(self) -> str:
        return "action_mediation_guide"

    @safe_run("mediation")
    async def run(self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: dict[str, Any]):
        if asks_if_mediation_comes_first(typed_text(tracker)) \
                and conversation_case(tracker).route_type in LABOUR_CASE_TYPES:
            # a labour dispute: mediation may be skipped, arbitration is the route (LDMAL Art. 5)
            return answer_facets(dispatcher, tracker, "arbitration", ["what"])
        if CORRECTION_CUE.match(typed_text(tracker)):
            # "唔系，系调解离婚嘅，唔系判决" corrects the story of a consultation
            from actions.dialogue import continue_consultation
            continued = await continue_consultation(dispatcher, tracker, domain)
            if continued is not None:
                return continued
        facet_events = term_reply(dispatcher, tracker) or facet_reply(dispatcher, tracker, "mediation")
        if facet_events is not None:
            return facet_events
        guide = api.mediation_guide()
        dispatcher.utter_message(text=guide.to_text(), buttons=next_step_buttons("mediation"))
        return [SlotSet("topic", "mediation")]


class ActionCrossProvinceGuide(Action):
    def name(self) -> str:
        return "action_cross_province_guide"

    @safe_run("cross_province")
    async def run(self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: dict[str, Any]):
        if "公证" not in typed_text(tracker) and not slot_text(tracker, "notary_item"):
            # "我们现在人在广西，能不能在广西这边申请" inside a consultation: applying for legal aid
            from actions.dialogue import continue_consultation
            continued = await continue_consultation(dispatcher, tracker, domain)
            if continued is not None:
                return continued
        facet_events = facet_reply(dispatcher, tracker, "cross_province")
        if facet_events is not None:
            return facet_events
        item = slot_text(tracker, "notary_item")
        guide = api.cross_province_guide(item)
        code = api.notary_item_code(item) if item else None
        dispatcher.utter_message(text=guide.to_text(),
                                 buttons=next_step_buttons("cross_province", notary_item=code))
        return [SlotSet("topic", "cross_province")]


# "系咪一定要返湛江做", "系咪去龙华嗰度": a yes/no question about which office the law names.
WHERE_RULE = re.compile(r"(?:系咪|系唔系|是不是|是否|一定|要唔要|要不要|使唔使|必须|只能|可唔可以|可不可以|能不能|能唔能)(?:要)?[^，。？?]{0,4}(?:去|返|回|喺|在|到)")
WHERE_RULE_TOPICS = ("notarization", "cross_province", "arbitration", "protection_order", "judicial_confirmation")
# Services applied for at a court, which the office directory does not list.
COURT_TOPICS = ("protection_order", "judicial_confirmation")


class ActionFindOffice(Action):
    def name(self) -> str:
        return "action_find_office"

    @safe_run("find_office")
    async def run(self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: dict[str, Any]):
        asked = facets_in(typed_text(tracker))
        if (len(typed_text(tracker)) <= SHORT_FOLLOW_UP and asked != ["where"]) or (asked and "where" not in asked):
            # "如果司法局也说维持呢" right after the objection answer names an office, not a visit
            follow_up = facet_followup(dispatcher, tracker) or recent_topic_reply(dispatcher, tracker)
            if follow_up is not None:
                return follow_up
        topic = slot_text(tracker, "topic")
        if topic in COURT_TOPICS and "where" in asked:
            # "我住广州白云区 喺边度申请" about the protection order: the court the law names (the
            # directory holds no courts)
            return answer_facets(dispatcher, tracker, topic, ["where"])
        if topic in WHERE_RULE_TOPICS and WHERE_RULE.search(typed_text(tracker)):
            # "间铺系喺江门新会，系咪要去江门嗰边嘅公证处" asks which office the law says, not a list
            return answer_facets(dispatcher, tracker, topic, ["where"])
        city, district = slot_text(tracker, "city"), slot_text(tracker, "district")
        if not city and not district:
            buttons = [button(name, "find_office", city=name) for name in api.major_cities()]
            dispatcher.utter_message(text="请问您在广东哪个城市（或哪个区县）？可以点下面的城市，或直接告诉我。",
                                     buttons=buttons + next_step_buttons("find_office"))
            return []
        place = self._place(city, district, self._latest_entities(tracker))
        if place is None:
            typed = district or city
            suggestions = api.suggest_places(typed)
            buttons = [button(name, "find_office", **self._entities(name)) for name in suggestions]
            if not buttons:
                buttons = [button(name, "find_office", city=name) for name in api.major_cities()]
                text = (f"没有找到“{typed}”。目前只收录广东省21个地级市及其区县的信息，"
                        "请告诉我您在广东哪个城市，或点下面的城市。")
            else:
                text = f"没有找到“{typed}”，您是指下面哪个地方？"
            dispatcher.utter_message(text=text, buttons=buttons + next_step_buttons("find_office"))
            return [SlotSet("city", None), SlotSet("district", None)]
        topic = slot_text(tracker, "topic")
        offices = api.find_offices(place.city, place.district)
        preferred = TOPIC_OFFICE_TYPE.get(topic or "")
        if preferred:
            offices.sort(key=lambda o: o.office_type != preferred)  # stable: keeps the ranking otherwise
        shown = api.OfficeList(offices[:MAX_OFFICES_SHOWN], place.name)
        text = shown.to_text()
        if district and place.district is None and api.resolve_place(district) is None:
            text = f"没有找到“{district}”这个区县，先为您列出{place.city}的信息。\n\n" + text
        dispatcher.utter_message(text=text,
                                 buttons=next_step_buttons(topic or "find_office", exclude={"find_office"}))
        return [SlotSet("city", place.city), SlotSet("district", place.district)]

    @staticmethod
    def _latest_entities(tracker: Tracker) -> set[str]:
        entities = (tracker.latest_message or {}).get("entities") or []
        return {e.get("entity") for e in entities if isinstance(e, dict)}

    @staticmethod
    def _place(city: str | None, district: str | None, just_said: set[str]):
        """The place meant. When city and district disagree (a correction), the one the citizen
        just said wins; otherwise the city (a district left over from an earlier turn is stale)."""
        district_place = api.resolve_place(district) if district else None
        city_place = api.resolve_place(city) if city else None
        if district_place and city_place and district_place.city != city_place.city:
            return district_place if "district" in just_said and "city" not in just_said else city_place
        return district_place or city_place

    @staticmethod
    def _entities(name: str) -> dict:
        place = api.resolve_place(name)
        if place and place.district:
            return {"city": place.city, "district": place.district}
        return {"city": name}


def aided_lawyer_complaint(tracker: Tracker) -> bool:
    """A complaint about a lawyer in a conversation where legal aid assigned one."""
    texts = typed_user_texts(tracker)[-AIDED_TURNS:]
    return bool(texts) and bool(AIDED_LAWYER_COMPLAINT.search(texts[-1])) and any(ALREADY_AIDED.search(t) for t in texts)


AIDED_TURNS = 4  # the assignment told this many turns ago is still the lawyer complained about


class ActionServiceGuide(Action):
    """lawyer_service / judicial_appraisal / arbitration / administrative_reconsideration /
    legal_qualification / legal_aid_apply: chosen by the latest intent, else by slot topic."""

    def name(self) -> str:
        return "action_service_guide"

    @safe_run(None)
    async def run(self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: dict[str, Any]):
        intent = latest_intent(tracker)
        code = api.SERVICE_CODES.get(intent or "") or api.SERVICE_CODES.get(slot_text(tracker, "topic") or "")
        if code is None:
            dispatcher.utter_message(
                text="请问您想了解哪项服务？",
                buttons=[button("法律援助", "legal_aid_apply"), button("律师服务", "lawyer_service"),
                         button("司法鉴定", "judicial_appraisal"), button("仲裁", "arbitration"),
                         button("行政复议", "administrative_reconsideration"),
                         button("法律职业资格", "legal_qualification")] + next_step_buttons(None))
            return []
        term_events = term_reply(dispatcher, tracker)
        if term_events is not None:  # "可唔可以去劳动局投诉佢": the term, not the service sheet
            return term_events
        if code == "lawyer_service" and aided_lawyer_complaint(tracker):
            # "呢个律师成个月都唔覆我" after "申请咗法律援助，派咗个律师": complain, ask for another (Art. 55)
            return answer_facets(dispatcher, tracker, "legal_aid", ["remedy"])
        if code == "lawyer_service" or adds_facts(tracker) or code in set_aside_topics(typed_text(tracker)):
            # "他有残疾证，还没请律师" inside a consultation adds a fact; it is not a lawyer request.
            # "他要把机器卖了跑路，法援来得及吗" changes the conclusion (Art. 44), not just asks a facet.
            from actions.dialogue import continue_consultation
            continued = await continue_consultation(dispatcher, tracker, domain)
            if continued is not None:
                return continued
        facet_events = route_clause_reply(dispatcher, tracker, code) or facet_reply(dispatcher, tracker, code)
        if facet_events is not None:
            return facet_events
        guide = api.service_guide(code)
        text = guide.to_text()
        city = slot_text(tracker, "city")
        if code == "legal_aid" and city:
            offices = api.find_offices(city, office_type="legal_aid")
            if offices:
                text += "\n\n" + api.OfficeList(offices[:2], api.resolve_place(city).name).to_text()
        dispatcher.utter_message(text=text, buttons=next_step_buttons(code))
        return [SlotSet("topic", code)]
