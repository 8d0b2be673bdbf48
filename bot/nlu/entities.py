"""Entity post-processing: every entity value leaves the NLU in canonical form.

Two trainable components, both placed after DIETClassifier and EntitySynonymMapper:

* EntityCanonicalizer — for entities with a closed value set (case_type,
  person_group, case_category, economic_status). DIET tags free-text spans such as
  "欠我两个月工资"; the synonym mapper only knows spans seen verbatim in training.
  This component maps an unseen span to the value of the most similar training span
  (character-bigram overlap) and drops spans that resemble nothing it knows.
* KeyPhraseMatcher — deterministic back-up for case_type and person_group: when the
  learned extractor tagged none, the key-phrase patterns of bot/nlu/lexicon.py
  (KEY_PHRASE_PATTERNS) supply one. case_type drives the whole legal-problem routing
  and person_group the Art. 42 exemptions, so a plainly stated problem or group must
  not depend on whether DIET happened to tag it.
* PlaceNotaryGazetteer — for city, district and notary_item: a dictionary matcher
  built from the training data's lookup tables and synonyms (generated from the
  official division list by bot/nlu/gen_dict.py). Place names and notary items are a
  closed, known list, so a deterministic match is more reliable than a learned tagger.
"""
from __future__ import annotations

import json
import re
from typing import Any, Dict, Iterable, List, Optional, Set, Text, Tuple

from rasa.engine.graph import ExecutionContext, GraphComponent
from rasa.engine.recipes.default_recipe import DefaultV1Recipe
from rasa.engine.storage.resource import Resource
from rasa.engine.storage.storage import ModelStorage
from rasa.nlu.extractors.extractor import EntityExtractorMixin
from rasa.nlu.constants import TOKENS_NAMES
from rasa.shared.nlu.constants import ENTITIES, TEXT
from rasa.shared.nlu.training_data.message import Message
from rasa.shared.nlu.training_data.training_data import TrainingData

from bot.nlu.lexicon import CLOSED_VALUES, KEY_PHRASE_PATTERNS
from knowledge.text import parse_chinese_number

STATE_FILE = "state.json"


def _bigrams(text: str) -> Set[str]:
    text = text.replace(" ", "")
    if len(text) < 2:
        return {text} if text else set()
    return {text[i : i + 2] for i in range(len(text) - 1)}


def similarity(a: str, b: str) -> float:
    """Dice coefficient over character bigrams."""
    x, y = _bigrams(a), _bigrams(b)
    return 2 * len(x & y) / (len(x) + len(y)) if x and y else 0.0


class _PersistedComponent(GraphComponent):
    """Shared create / persist / load for components whose state is one JSON file."""

    def __init__(self, config: Dict[Text, Any], model_storage: ModelStorage, resource: Resource,
                 state: Optional[Dict[Text, Any]] = None) -> None:
        self._config = config
        self._model_storage = model_storage
        self._resource = resource
        self._state = state or {}

    @classmethod
    def create(cls, config, model_storage, resource, execution_context: ExecutionContext):
        return cls(config, model_storage, resource)

    def _persist(self) -> None:
        with self._model_storage.write_to(self._resource) as directory:
            (directory / STATE_FILE).write_text(json.dumps(self._state, ensure_ascii=False), encoding="utf-8")

    @classmethod
    def load(cls, config, model_storage, resource, execution_context, **kwargs):
        try:
            with model_storage.read_from(resource) as directory:
                state = json.loads((directory / STATE_FILE).read_text(encoding="utf-8"))
        except (ValueError, FileNotFoundError):
            state = {}
        return cls(config, model_storage, resource, state)


# An age the span states decides an age group: DIET tags "三十五岁" as minor because it has
# seen "十五岁" tagged so (法律援助法第二十五条第一款第一项 is for under-18s only).
AGE = re.compile(r"([0-9]{1,3}|[一二三四五六七八九十两廿卅百零]{1,6})(?:多|几|来)?岁")
AGE_GROUPS = {"minor": lambda age: age < 18, "elderly": lambda age: age >= 60}


def age_agrees(entity: str, value: str, surface: str) -> bool:
    """False when the span states an age outside the group ("三十五岁" is no minor)."""
    check = AGE_GROUPS.get(value) if entity == "person_group" else None
    found = AGE.search(surface) if check else None
    age = parse_chinese_number(found.group(1)) if found else None
    return age is None or check(age)


@DefaultV1Recipe.register([DefaultV1Recipe.ComponentType.ENTITY_EXTRACTOR], is_trainable=True)
class EntityCanonicalizer(_PersistedComponent, EntityExtractorMixin):
    """Map closed-set entity spans to their canonical code, or drop them."""

    @staticmethod
    def get_default_config() -> Dict[Text, Any]:
        return {"min_similarity": 0.6}

    def train(self, training_data: TrainingData) -> Resource:
        spans: Dict[str, Dict[str, str]] = {name: {} for name in CLOSED_VALUES}
        for example in training_data.entity_examples:
            text = example.get(TEXT) or ""
            for entity in example.get(ENTITIES) or []:
                name, value = entity.get("entity"), entity.get("value")
                if name in spans and value in CLOSED_VALUES[name]:
                    spans[name][text[entity["start"] : entity["end"]]] = value
        self._state = {"spans": spans}
        self._persist()
        return self._resource

    def canonical(self, entity_name: str, surface: str, value: Any) -> Optional[str]:
        allowed = CLOSED_VALUES[entity_name]
        if value in allowed:
            return value
        known = self._state.get("spans", {}).get(entity_name, {})
        if surface in known:
            return known[surface]
        best_value, best_score = None, 0.0
        for span, span_value in known.items():
            score = similarity(surface, span)
            if score > best_score:
                best_value, best_score = span_value, score
        return best_value if best_score >= self._config["min_similarity"] else None

    def process(self, messages: List[Message]) -> List[Message]:
        for message in messages:
            text = message.get(TEXT) or ""
            kept = []
            for entity in message.get(ENTITIES) or []:
                name = entity.get("entity")
                if name not in CLOSED_VALUES:
                    kept.append(entity)
                    continue
                surface = text[entity.get("start", 0) : entity.get("end", 0)] or str(entity.get("value"))
                value = self.canonical(name, surface, entity.get("value"))
                if value is None or not age_agrees(name, value, surface):
                    continue  # looks like nothing we know: better no slot than a wrong one
                if value != entity.get("value"):
                    entity = dict(entity, value=value)
                    self.add_processor_name(entity)
                kept.append(entity)
            message.set(ENTITIES, kept, add_to_output=True)
        return messages


@DefaultV1Recipe.register([DefaultV1Recipe.ComponentType.ENTITY_EXTRACTOR], is_trainable=False)
class KeyPhraseMatcher(GraphComponent, EntityExtractorMixin):
    """Add a closed-set entity (case_type, person_group) from key-phrase patterns when
    no extractor found one.

    Runs after EntityCanonicalizer (so a learned, canonical value wins) and before
    PlaceNotaryGazetteer (so 继承公证 / 遗嘱公证 stay notary items, not case types).
    Only messages of the configured intents get one, and never on a span that another
    entity already covers (家暴受害者 is a person_group). One instance per entity.
    """

    @staticmethod
    def get_default_config() -> Dict[Text, Any]:
        return {
            "entity": "case_type",
            # Intents whose training examples carry these entities: a problem description,
            # a legal-aid question, or a bare answer to a form question. Service questions
            # ("交通事故伤残鉴定在哪做") mention a problem without stating one.
            "intents": ["legal_problem", "legal_aid_eligibility", "legal_aid_apply", "inform", "urgent_danger"],
        }

    def __init__(self, config: Dict[Text, Any]) -> None:
        self._config = config
        if config["entity"] not in KEY_PHRASE_PATTERNS:
            raise ValueError(f"KeyPhraseMatcher: no key phrases for entity {config['entity']!r}; "
                             f"known: {sorted(KEY_PHRASE_PATTERNS)}")
        # Priority order is the dict order of the entity's patterns.
        self._patterns = [(value, re.compile("|".join(f"(?:{p})" for p in patterns)))
                          for value, patterns in KEY_PHRASE_PATTERNS[config["entity"]].items()]

    @classmethod
    def create(cls, config, model_storage, resource, execution_context: ExecutionContext):
        return cls(config)

    def match(self, text: str, covered: Set[int] = frozenset()) -> Optional[Dict[str, Any]]:
        """The highest-priority value whose pattern occurs in text outside `covered` positions
        ("低保户" tagged as a person group must not hide "俾车撞咗"), with its span."""
        for value, pattern in self._patterns:
            for found in pattern.finditer(text):
                if not covered.intersection(range(found.start(), found.end())):
                    return {"entity": self._config["entity"], "start": found.start(), "end": found.end(),
                            "value": value, "confidence_entity": 1.0}
        return None

    def process(self, messages: List[Message]) -> List[Message]:
        name = self._config["entity"]
        for message in messages:
            entities = list(message.get(ENTITIES) or [])
            if any(e.get("entity") == name for e in entities):
                continue
            intent = (message.get("intent") or {}).get("name")
            if intent not in self._config["intents"]:
                continue
            covered = {i for e in entities for i in range(e.get("start", 0), e.get("end", 0))}
            found = self.match(message.get(TEXT) or "", covered)
            if found:
                message.set(ENTITIES, entities + [self.add_extractor_name([found])[0]], add_to_output=True)
        return messages


@DefaultV1Recipe.register([DefaultV1Recipe.ComponentType.ENTITY_EXTRACTOR], is_trainable=True)
class PlaceNotaryGazetteer(_PersistedComponent, EntityExtractorMixin):
    """Dictionary matcher for city / district / notary_item with canonical values."""

    @staticmethod
    def get_default_config() -> Dict[Text, Any]:
        return {
            "entities": ["city", "district", "notary_item"],
            # Lookup table of bare item words (学历, 驾照) that only count as a notary
            # item when the message is about notarization or is a short answer.
            "keyword_lookup": "notary_keyword",
            "keyword_entity": "notary_item",
            "keyword_triggers": ["公证", "公正", "notary", "notar"],
            "short_answer_chars": 8,
            "max_tokens": 4,
        }

    def train(self, training_data: TrainingData) -> Resource:
        synonyms = training_data.entity_synonyms or {}
        surfaces: Dict[str, Tuple[str, str]] = {}
        keywords: Dict[str, str] = {}
        for table in training_data.lookup_tables or []:
            name, elements = table.get("name"), table.get("elements") or []
            if isinstance(elements, str):
                elements = [e.strip() for e in elements.splitlines() if e.strip()]
            if name in self._config["entities"]:
                for element in elements:
                    surfaces[element] = (name, synonyms.get(element, element))
            elif name == self._config["keyword_lookup"]:
                for element in elements:
                    keywords[element] = synonyms.get(element, element)
        # Aliases that are only synonyms (e.g. the one-character 穗) still count.
        canonical_of = {canon: entity for entity, canon in surfaces.values()}
        for surface, canon in synonyms.items():
            if canon in canonical_of and surface not in surfaces and surface not in keywords:
                surfaces[surface] = (canonical_of[canon], canon)
        self._state = {"surfaces": surfaces, "keywords": keywords}
        self._persist()
        return self._resource

    def _matches(self, text: str, tokens: list) -> List[Dict[str, Any]]:
        surfaces = {k: tuple(v) for k, v in self._state.get("surfaces", {}).items()}
        found: List[Dict[str, Any]] = []
        taken = [False] * len(text)

        def add(start: int, end: int, entity: str, value: str) -> None:
            if any(taken[start:end]):
                return
            for i in range(start, end):
                taken[i] = True
            found.append({"entity": entity, "start": start, "end": end, "value": value,
                          "confidence_entity": 1.0})

        # 1. Whole tokens or runs of tokens (safe for short forms such as 穗, 中山).
        max_n = self._config["max_tokens"]
        for i in range(len(tokens)):
            for n in range(min(max_n, len(tokens) - i), 0, -1):
                run = tokens[i : i + n]
                if any(run[k].end != run[k + 1].start for k in range(n - 1)):
                    continue
                hit = surfaces.get(text[run[0].start : run[-1].end])
                if hit:
                    add(run[0].start, run[-1].end, *hit)
                    break
        # 2. Longer surfaces inside a token (jieba sometimes glues "去广州市"): ≥3 chars only.
        for surface in sorted((s for s in surfaces if len(s) >= 3), key=len, reverse=True):
            start = text.find(surface)
            while start != -1:
                add(start, start + len(surface), *surfaces[surface])
                start = text.find(surface, start + 1)
        # 3. Bare notary item words, only in a notarization context or a short answer.
        keywords = self._state.get("keywords", {})
        lowered = text.lower()
        if keywords and (len(text.strip()) <= self._config["short_answer_chars"]
                         or any(t in lowered for t in self._config["keyword_triggers"])):
            for word in sorted(keywords, key=len, reverse=True):
                start = text.find(word)
                while start != -1:
                    add(start, start + len(word), self._config["keyword_entity"], keywords[word])
                    start = text.find(word, start + 1)
        return sorted(found, key=lambda e: e["start"])

    def process(self, messages: List[Message]) -> List[Message]:
        managed = set(self._config["entities"]) | {self._config["keyword_entity"]}
        canonical = {tuple(v)[1] for v in self._state.get("surfaces", {}).values()}
        for message in messages:
            text = message.get(TEXT) or ""
            matches = self._matches(text, message.get(TOKENS_NAMES[TEXT]) or [])
            for match in matches:
                match["extractor"] = self.__class__.__name__
            covered = {i for m in matches for i in range(m["start"], m["end"])}
            # A span that names a place or notary item is nothing else (继承公证 is not
            # a case_type); learned place / item values survive only when canonical.
            kept = [
                e for e in message.get(ENTITIES) or []
                if not covered.intersection(range(e.get("start", 0), e.get("end", 0)))
                and (e.get("entity") not in managed or e.get("value") in canonical)
            ]
            message.set(ENTITIES, kept + matches, add_to_output=True)
        return messages
