"""A message that states a legal matter is a legal problem, whatever greeting or phrasing
wraps it.

"在吗，我老公是聋人，被派出所带走了…" is classified `greet`; a long death-penalty-review
story lands on `lawyer_service`; an unusual compulsory-medical question falls below the
fallback threshold. The legal facts in the message itself (knowledge.facts: the citizen's
side in a criminal matter, or a matter the law names — 强制医疗, 见义勇为, 再审改判无罪,
家暴 …) or a case-type key phrase are evidence enough: the intent becomes legal_problem,
the model's own ranking is kept for the operators (`intent_ranking`, and `routed_from` in
the intent), and the case_type / person_group key phrases are matched for the new intent.

Place it last in the pipeline (after FallbackClassifier).
"""
from __future__ import annotations

import re
from typing import Any, Dict, List, Text

from rasa.engine.graph import ExecutionContext, GraphComponent
from rasa.engine.recipes.default_recipe import DefaultV1Recipe
from rasa.shared.nlu.constants import ENTITIES, INTENT, TEXT
from rasa.shared.nlu.training_data.message import Message

from bot.nlu.case_type import none_probability, ranking_of, set_case_type, top_case_type
from bot.nlu.entities import KeyPhraseMatcher
from bot.nlu.lexicon import KEY_PHRASE_PATTERNS
from knowledge.eligibility import MATTER_FLAGS
from knowledge.facts import ACCUSED_FLAGS, extract_one
from knowledge.questions import ALREADY_AIDED, detect_facets, detect_topic

TARGET = "legal_problem"
# Intents a stated matter overrides; with `lawyer_service`, `arbitration` or `legal_aid_apply`
# only a criminal matter or a named matter does ("想找律师打离婚官司" is a request for a lawyer,
# "老板欠我工资两个月了，仲裁时效快过了，能不能法律援助" is a consultation).
WEAK_INTENTS = ("greet", "nlu_fallback", "out_of_scope")
FACT_ONLY_INTENTS = ("lawyer_service", "arbitration", "legal_aid_apply", "judicial_appraisal")
MIN_CHARS = 8  # "在吗" / "你好" never carry a matter
# The case-type classifier's probability that makes a weakly classified message a legal problem
# ("前几年借给表哥五万块到现在一分没还…" may look like chit-chat to the intent models), and the
# one it needs to set the case type of a message routed here (as CaseTypeClassifier's threshold).
ROUTE_PROBABILITY = 0.6
CASE_TYPE_PROBABILITY, NONE_CEILING = 0.15, 0.6
# Built once: each compiles its entity's key phrases.
CASE_TYPE_MATCHER = KeyPhraseMatcher({"entity": "case_type", "intents": [TARGET]})
PERSON_GROUP_MATCHER = KeyPhraseMatcher({"entity": "person_group", "intents": [TARGET]})


def stated_matter(text: str) -> tuple[bool, bool]:
    """(by facts, by key phrase): does the message state a legal matter?"""
    facts = extract_one(text)
    by_facts = facts.role is not None or bool(facts.flags & (MATTER_FLAGS | ACCUSED_FLAGS))
    return by_facts, CASE_TYPE_MATCHER.match(text) is not None


def classified_matter(message: Message) -> bool:
    """Is the case-type classifier sure the message states a legal problem?"""
    ranking = ranking_of(message)
    _value, probability = top_case_type(ranking)
    return probability >= ROUTE_PROBABILITY and probability > none_probability(ranking)


@DefaultV1Recipe.register([DefaultV1Recipe.ComponentType.INTENT_CLASSIFIER], is_trainable=False)
class LegalMatterRouter(GraphComponent):
    @staticmethod
    def get_default_config() -> Dict[Text, Any]:
        return {"weak_intents": list(WEAK_INTENTS), "fact_only_intents": list(FACT_ONLY_INTENTS)}

    def __init__(self, config: Dict[Text, Any]) -> None:
        self._config = config
        self._matchers = [CASE_TYPE_MATCHER, PERSON_GROUP_MATCHER]

    @classmethod
    def create(cls, config, model_storage, resource, execution_context: ExecutionContext):
        return cls(config)

    def process(self, messages: List[Message]) -> List[Message]:
        for message in messages:
            route_question_from_closing(message)
            if not route_objection(message) and not route_follow_up(message):
                self._route(message)
            resolve_family_violence(message)
        return messages

    def _route(self, message: Message) -> None:
        text = message.get(TEXT) or ""
        name = (message.get(INTENT) or {}).get("name")
        if len(text.strip()) < MIN_CHARS or name == TARGET:
            return
        weak, fact_only = name in self._config["weak_intents"], name in self._config["fact_only_intents"]
        if not (weak or fact_only):
            return
        by_facts, by_phrase = stated_matter(text)
        if by_facts or (weak and (by_phrase or classified_matter(message))):
            message.set(INTENT, {"name": TARGET, "confidence": 1.0, "routed_from": name}, add_to_output=True)
            set_case_type(message, CASE_TYPE_PROBABILITY, NONE_CEILING)
            for matcher in self._matchers:
                matcher.process([message])


# "要去长沙办咩" after a notarization answer: a question about a facet (where, how long, fees…)
# that states no problem — the case-type classifier's "none" is likely and no fact or key phrase
# names a matter — is a follow-up about the service being discussed, not a new legal problem.
FOLLOW_UP_NONE = 0.5


def route_follow_up(message: Message) -> bool:
    text = message.get(TEXT) or ""
    if (message.get(INTENT) or {}).get("name") != TARGET or not detect_facets(text):
        return False
    if any(e.get("entity") == "case_type" for e in message.get(ENTITIES) or []):
        return False
    if none_probability(ranking_of(message)) < FOLLOW_UP_NONE or any(stated_matter(text)):
        return False
    message.set(INTENT, {"name": "ask_detail", "confidence": 1.0, "routed_from": TARGET}, add_to_output=True)
    return True


# "佢下次再嚟我可以即刻打110吗" read as goodbye ("下次再嚟"): a question never closes or stops
# the conversation. A question about a facet is a follow-up; any other question goes to the
# fallback, where the consultation (if any) answers it.
CLOSING_INTENTS = ("goodbye", "thank", "stop")
QUESTION = re.compile(r"[？?]|吗|嘛|有冇|有没有|(会|可|能|系|得|使|要|理|管)[唔不没冇](会|可|能|系|得|使|要|有|理|管)|"
                      r"点(样|算|办|做)|怎么|怎样|如何|几时|几耐|多久|边度|哪里|呢\s*$")


def route_question_from_closing(message: Message) -> bool:
    text = message.get(TEXT) or ""
    name = (message.get(INTENT) or {}).get("name")
    if name not in CLOSING_INTENTS or len(text.strip()) < MIN_CHARS or not QUESTION.search(text):
        return False
    # "我唔想再见到佢，有冇办法令佢唔好再接近我" read as stop names the protection order
    target = "ask_detail" if detect_facets(text) else TARGET if detect_topic(text) else "nlu_fallback"
    message.set(INTENT, {"name": target, "confidence": 1.0, "routed_from": name}, add_to_output=True)
    return True


# An objection to a service's decision ("法援中心给了我不予法律援助的通知书，我能怎么办") is a
# question about that service's remedy, whichever of these the model chose.
OBJECTION_FROM = ("legal_aid_eligibility", "legal_aid_apply", "legal_problem", "nlu_fallback", "out_of_scope",
                  "notarization", "judicial_appraisal",
                  "find_office")  # "要是法律援助中心也说不给呢，我还能找谁" is the objection, not an office


def route_objection(message: Message) -> bool:
    text = message.get(TEXT) or ""
    name = (message.get(INTENT) or {}).get("name")
    if name not in OBJECTION_FROM or len(text) < MIN_CHARS:
        return False
    topic, facets = detect_topic(text), detect_facets(text)
    ended = topic == "legal_aid" and "refusal" in facets and ALREADY_AIDED.search(text)  # Art. 48 asked
    if topic in (None, "lawyer_service") or not ("remedy" in facets or ended):
        return False
    message.set(INTENT, {"name": "ask_detail", "confidence": 1.0, "routed_from": name}, add_to_output=True)
    return True


# Case types that are a matter of their own even when family violence is mentioned too
# ("被老公家暴过…现在想问另一件事：朋友借钱不还"): the violence stays a fact (knowledge.facts
# reads it as abuse_victim, so Art. 32(4) still covers related rights such as divorce), but the
# matter asked about is the other one. Criminal is not one of them (the violence may be the crime).
DV = "domestic_violence"
# Case types that describe the violence itself (an injury, an insult, the police's detention
# of the abuser), not another matter.
VIOLENCE_SIDES = (DV, "criminal", "personal_injury", "tort", "administrative")


# The question of a long message is at its end.
QUESTION_CHARS = 24


def other_matter(text: str) -> str | None:
    """The non-violence matter named last in the message (the one asked about), if any; none
    when the question is the protection order ("我同老公分居紧…会唔会唔批保护令")."""
    if "保护令" in text[-QUESTION_CHARS:]:
        return None  # the question is the protection order
    best: tuple[int, str] | None = None
    for value, patterns in KEY_PHRASE_PATTERNS["case_type"].items():
        if value in VIOLENCE_SIDES:
            continue
        for pattern in patterns:
            for found in re.finditer(pattern, text):
                if best is None or found.start() > best[0]:
                    best = (found.start(), value)
    return best[1] if best else None


def resolve_family_violence(message: Message) -> None:
    entities = list(message.get(ENTITIES) or [])
    case_types = [e for e in entities if e.get("entity") == "case_type"]
    if not any(e.get("value") == DV for e in case_types):
        return
    other = other_matter(message.get(TEXT) or "")
    if other:
        keep = next((e for e in case_types if e.get("value") == other), case_types[-1])
        keep["value"] = other
        message.set(ENTITIES, [e for e in entities if e.get("entity") != "case_type" or e is keep], add_to_output=True)
