"""Case type as a decision about the whole message, with a confidence.

"朋友欠我二十万一直拖着" has no span that says "debt", and a long story names several
matters before the one it asks about. A regularised logistic regression over character
and word n-grams of the whole message — plus one feature per case type whose key phrase
(bot/nlu/lexicon.py) occurs — gives a distribution over the contract's case types and
"none" (no legal problem stated). It is trained on every annotated example in data/nlu
(the message's case_type entity is its label; service and control examples without one
are "none") and on the consultation corpus (bot/nlu/consultations.py).

Output, one value per turn: the message's `case_type_ranking` (for operators and the
router), and at most one `case_type` entity — the classifier's choice when it is confident
enough, else the key-phrase / DIET span found before it. The entity keeps a key span as its
evidence (start/end) when one names the chosen type; otherwise it covers the whole message.

Place it after PlaceNotaryGazetteer (so 继承公证 is already a notary item) and before
FallbackClassifier; LegalMatterRouter uses the ranking for messages it routes.
"""
from __future__ import annotations

import logging
import re
from typing import Any, Dict, List, Optional, Text

import numpy as np
from rasa.engine.recipes.default_recipe import DefaultV1Recipe
from rasa.engine.storage.resource import Resource
from rasa.nlu.constants import TOKENS_NAMES
from rasa.nlu.extractors.extractor import EntityExtractorMixin
from rasa.shared.nlu.constants import ENTITIES, INTENT, TEXT
from rasa.shared.nlu.training_data.message import Message
from rasa.shared.nlu.training_data.training_data import TrainingData
from scipy.sparse import csr_matrix, hstack
from sklearn.linear_model import LogisticRegression

from bot.nlu import consultations
from bot.nlu.lexicon import CASE_TYPE_PATTERNS, CASE_TYPES
from bot.nlu.linear_intent import CorpusLinearModel, fit_vectorizers, jieba_tokens, probabilities

logger = logging.getLogger(__name__)

NONE = consultations.NO_CASE_TYPE
RANKING_KEY = "case_type_ranking"
ENTITY = "case_type"
# Intents whose examples without a case_type entity are ambiguous (a problem the annotator
# did not tag): left out of the "none" class.
PROBLEM_INTENTS = ("legal_problem", "legal_aid_eligibility", "legal_aid_apply", "inform", "urgent_danger")
KEY_PHRASES = [(value, re.compile("|".join(f"(?:{p})" for p in patterns)))
               for value, patterns in CASE_TYPE_PATTERNS.items()]


def key_phrase_hits(text: str) -> Dict[str, tuple[int, int]]:
    """Each case type whose key phrase occurs in text → the span of its last occurrence
    (the matter named last is usually the one asked about)."""
    hits: Dict[str, tuple[int, int]] = {}
    for value, pattern in KEY_PHRASES:
        for found in pattern.finditer(text):
            hits[value] = (found.start(), found.end())
    return hits


def ranking_of(message: Message) -> List[Dict[str, Any]]:
    return list(message.get(RANKING_KEY) or [])


def top_case_type(ranking: List[Dict[str, Any]]) -> tuple[Optional[str], float]:
    """The best case type that is not "none", with its probability."""
    for item in ranking:
        if item["name"] != NONE:
            return item["name"], float(item["confidence"])
    return None, 0.0


def none_probability(ranking: List[Dict[str, Any]]) -> float:
    return next((float(r["confidence"]) for r in ranking if r["name"] == NONE), 0.0)


def set_case_type(message: Message, threshold: float, none_ceiling: Optional[float] = None) -> Optional[str]:
    """Keep one case_type entity on the message: the classifier's when its probability
    reaches `threshold` and "none" (no problem stated) is less likely — or, for a message
    already judged a legal problem, below `none_ceiling` — else the span an extractor found
    before (the last one). Returns the value kept."""
    text = message.get(TEXT) or ""
    entities = list(message.get(ENTITIES) or [])
    found = [e for e in entities if e.get("entity") == ENTITY]
    others = [e for e in entities if e.get("entity") != ENTITY]
    ranking = ranking_of(message)
    value, probability = top_case_type(ranking)
    chosen: Optional[Dict[str, Any]] = None
    no_problem = none_probability(ranking)
    plausible = no_problem < none_ceiling if none_ceiling is not None else probability > no_problem
    if value is not None and probability >= threshold and plausible:
        span = next(((e["start"], e["end"]) for e in found if e.get("value") == value), None)
        span = span or key_phrase_hits(text).get(value) or (0, len(text))
        chosen = {"entity": ENTITY, "value": value, "start": span[0], "end": span[1],
                  "confidence_entity": round(probability, 4), "extractor": CaseTypeClassifier.__name__}
    elif found:
        chosen = found[-1]
    if chosen is None and not found:
        return None
    message.set(ENTITIES, others + ([chosen] if chosen else []), add_to_output=True)
    return chosen["value"] if chosen else None


@DefaultV1Recipe.register([DefaultV1Recipe.ComponentType.ENTITY_EXTRACTOR], is_trainable=True)
class CaseTypeClassifier(CorpusLinearModel, EntityExtractorMixin):
    MODEL_FILE = "case_type.joblib"

    @staticmethod
    def get_default_config() -> Dict[Text, Any]:
        return {
            "corpus": "data/consultations",
            "C": 10.0,
            "max_char_ngram": 3,
            "key_phrase_weight": 1.0,
            # A message the intent models call a legal problem states one: the best case type
            # is taken when it reaches `threshold`, unless "none" is at least `none_ceiling`.
            "problem_intents": ["legal_problem", "legal_aid_eligibility", "legal_aid_apply"],
            "threshold": 0.15,
            "none_ceiling": 0.6,
            # Other intents whose messages may name a problem: the classifier speaks only when it
            # is this sure and "none" is less likely. The rest keep whatever extractor found
            # (a notarization question about 继承 is not a dispute).
            "intents": ["inform", "mediation", "lawyer_service", "arbitration", "judicial_appraisal",
                        "administrative_reconsideration"],
            "service_threshold": 0.6,
            "ranking_length": 5,
        }


    # ------------------------------------------------------------ features

    def _key_phrase_features(self, texts: List[str]) -> csr_matrix:
        columns = {value: i for i, value in enumerate(CASE_TYPE_PATTERNS)}
        rows, cols = [], []
        for row, text in enumerate(texts):
            for value in key_phrase_hits(text):
                rows.append(row)
                cols.append(columns[value])
        data = np.full(len(rows), self._config["key_phrase_weight"], dtype=float)
        return csr_matrix((data, (rows, cols)), shape=(len(texts), len(columns)))

    def _features(self, texts: List[str], tokens: List[List[str]], n_base: Optional[int] = None):
        """Features of the texts; with n_base, fit the vectorizers first (the first n_base
        texts are the data/nlu examples, the rest the corpus: see fit_vectorizers)."""
        if n_base is not None:
            self._model["char"], self._model["word"] = fit_vectorizers(
                texts, tokens, n_base, self._config["max_char_ngram"])
        char, word = self._model["char"], self._model["word"]
        parts = [char.transform(texts), word.transform(tokens)]
        return hstack(parts + [self._key_phrase_features(texts)]).tocsr()

    @staticmethod
    def _message_tokens(message: Message) -> List[str]:
        tokens = message.get(TOKENS_NAMES[TEXT])
        return [t.text for t in tokens] if tokens is not None else jieba_tokens(message.get(TEXT) or "")

    # ------------------------------------------------------------ training

    @staticmethod
    def label_of(example: Message) -> Optional[str]:
        values = [e.get("value") for e in example.get(ENTITIES) or [] if e.get("entity") == ENTITY]
        values = [v for v in values if v in CASE_TYPES]
        if values:
            return values[0]
        return None if example.get(INTENT) in PROBLEM_INTENTS else NONE

    def train(self, training_data: TrainingData) -> Resource:
        texts, tokens, labels = [], [], []
        for example in training_data.intent_examples:
            text, label = example.get(TEXT), self.label_of(example)
            if text and label:
                texts.append(text)
                tokens.append(self._message_tokens(example))
                labels.append(label)
        n_base = len(texts)
        for item in self.corpus():
            texts.append(item.text)
            tokens.append(jieba_tokens(item.text))
            labels.append(item.case_type)
        if len(set(labels)) < 2:
            logger.warning("CaseTypeClassifier needs at least two labels; it stays off.")
            return self._resource
        self._model = {}
        features = self._features(texts, tokens, n_base=n_base)
        classifier = LogisticRegression(C=self._config["C"], max_iter=3000)
        classifier.fit(features, labels)
        self._model["classifier"] = classifier
        return self._save()

    # ------------------------------------------------------------ inference

    def distribution(self, text: str, tokens: List[str]) -> List[tuple[str, float]]:
        classifier = self._model["classifier"]
        found = probabilities(classifier, self._features([text], [tokens]))
        ranked = sorted(zip(classifier.classes_, found), key=lambda item: -item[1])
        return [(str(name), float(p)) for name, p in ranked]

    def process(self, messages: List[Message]) -> List[Message]:
        if not self._model:
            return messages
        for message in messages:
            text = message.get(TEXT) or ""
            if not text.strip() or text.startswith("/"):
                continue
            ranked = self.distribution(text, self._message_tokens(message))[: self._config["ranking_length"]]
            message.set(RANKING_KEY, [{"name": n, "confidence": round(p, 4)} for n, p in ranked],
                        add_to_output=True)
            intent = (message.get(INTENT) or {}).get("name")
            if intent in self._config["problem_intents"]:
                set_case_type(message, self._config["threshold"], self._config["none_ceiling"])
            elif intent in self._config["intents"]:
                set_case_type(message, self._config["service_threshold"])
        return messages
