"""A linear n-gram intent classifier blended with DIET's intent ranking.

DIET learns its own features from ~2,000 short messages; on intents it has few or
unusual examples of (out-of-scope chit-chat, one-word answers) it overfits and sends
unfamiliar text to a confident wrong intent. A regularised logistic regression over
TF-IDF character n-grams and jieba word n-grams makes different mistakes, so a
weighted average of the two probability distributions is more accurate than either
(bench/nlu_cv.py measures both, and the blend, on the same folds: docs/nlu_cv.md).

Place it after DIETClassifier and before FallbackClassifier: it replaces `intent`
and `intent_ranking` with the blend, and the fallback thresholds apply to the blend.
Without a DIET ranking (DIET not in the pipeline) the linear model decides alone.
"""
from __future__ import annotations

import logging
from typing import Any, Dict, List, Optional, Text

import joblib
from rasa.engine.graph import ExecutionContext, GraphComponent
from rasa.engine.recipes.default_recipe import DefaultV1Recipe
from rasa.engine.storage.resource import Resource
from rasa.engine.storage.storage import ModelStorage
from rasa.nlu.classifiers.classifier import IntentClassifier
from rasa.nlu.constants import TOKENS_NAMES
from rasa.shared.nlu.constants import INTENT, INTENT_RANKING_KEY, TEXT
from rasa.shared.nlu.training_data.message import Message
from rasa.shared.nlu.training_data.training_data import TrainingData
from scipy.sparse import hstack
from sklearn.feature_extraction.text import TfidfVectorizer
from sklearn.linear_model import LogisticRegression

logger = logging.getLogger(__name__)

MODEL_FILE = "linear_intent.joblib"


def token_ngrams(tokens: List[str]) -> List[str]:
    """Word unigrams and bigrams. Module-level so the fitted vectorizer pickles."""
    words = [t.lower() for t in tokens if t.strip()]
    return words + [f"{a} {b}" for a, b in zip(words, words[1:])]


def blend(diet: Dict[str, float], linear: Dict[str, float], weight: float) -> List[tuple]:
    """(intent, confidence) sorted best first: weight·linear + (1 − weight)·DIET.

    An intent missing from DIET's truncated ranking counts as 0 there. With no DIET
    ranking at all the linear model's distribution is used as it is.
    """
    if not diet:
        weight = 1.0
    names = set(diet) | set(linear)
    scores = {n: weight * linear.get(n, 0.0) + (1.0 - weight) * diet.get(n, 0.0) for n in names}
    return sorted(scores.items(), key=lambda item: (-item[1], item[0]))


@DefaultV1Recipe.register([DefaultV1Recipe.ComponentType.INTENT_CLASSIFIER], is_trainable=True)
class LinearIntentBlender(GraphComponent, IntentClassifier):
    @staticmethod
    def get_default_config() -> Dict[Text, Any]:
        return {
            "weight": 0.7,          # share of the linear model in the blend
            "C": 10.0,              # inverse L2 regularisation of the logistic regression
            "max_char_ngram": 3,
            "ranking_length": 10,   # as DIET's default
        }

    @staticmethod
    def required_packages() -> Optional[List[Text]]:
        return ["sklearn"]

    def __init__(self, config: Dict[Text, Any], model_storage: ModelStorage, resource: Resource,
                 model: Optional[Dict[str, Any]] = None) -> None:
        self._config = config
        self._model_storage = model_storage
        self._resource = resource
        self._model = model

    @classmethod
    def create(cls, config: Dict[Text, Any], model_storage: ModelStorage, resource: Resource,
               execution_context: ExecutionContext) -> "LinearIntentBlender":
        return cls(config, model_storage, resource)

    @staticmethod
    def _tokens(message: Message) -> List[str]:
        tokens = message.get(TOKENS_NAMES[TEXT])
        if tokens is None:  # no tokenizer before this component: characters stand in for words
            return list(message.get(TEXT) or "")
        return [t.text for t in tokens]

    def _features(self, messages: List[Message], fit: bool = False):
        texts = [message.get(TEXT) or "" for message in messages]
        tokens = [self._tokens(message) for message in messages]
        char, word = self._model["char"], self._model["word"]
        if fit:
            return hstack([char.fit_transform(texts), word.fit_transform(tokens)]).tocsr()
        return hstack([char.transform(texts), word.transform(tokens)]).tocsr()

    def train(self, training_data: TrainingData) -> Resource:
        examples = [e for e in training_data.intent_examples if e.get(TEXT)]
        intents = {e.get(INTENT) for e in examples}
        if len(intents) < 2:
            logger.warning("LinearIntentBlender needs at least two intents; it will pass DIET through.")
            return self._resource
        self._model = {
            "char": TfidfVectorizer(analyzer="char", ngram_range=(1, self._config["max_char_ngram"]),
                                    sublinear_tf=True),
            "word": TfidfVectorizer(analyzer=token_ngrams, sublinear_tf=True),
        }
        features = self._features(examples, fit=True)
        classifier = LogisticRegression(C=self._config["C"], max_iter=3000)
        classifier.fit(features, [e.get(INTENT) for e in examples])
        self._model["classifier"] = classifier
        with self._model_storage.write_to(self._resource) as directory:
            joblib.dump(self._model, directory / MODEL_FILE)
        return self._resource

    @classmethod
    def load(cls, config: Dict[Text, Any], model_storage: ModelStorage, resource: Resource,
             execution_context: ExecutionContext, **kwargs: Any) -> "LinearIntentBlender":
        model = None
        try:
            with model_storage.read_from(resource) as directory:
                model = joblib.load(directory / MODEL_FILE)
        except (ValueError, FileNotFoundError):
            logger.debug("No trained LinearIntentBlender in the model; DIET's ranking is kept.")
        return cls(config, model_storage, resource, model)

    def linear_distribution(self, message: Message) -> Dict[str, float]:
        classifier = self._model["classifier"]
        probabilities = classifier.predict_proba(self._features([message]))[0]
        return {str(name): float(p) for name, p in zip(classifier.classes_, probabilities)}

    def process(self, messages: List[Message]) -> List[Message]:
        if not self._model:
            return messages
        for message in messages:
            if not message.get(TEXT):
                continue
            diet = {r["name"]: float(r["confidence"]) for r in message.get(INTENT_RANKING_KEY) or []}
            ranking = blend(diet, self.linear_distribution(message), self._config["weight"])
            ranking = ranking[: self._config["ranking_length"]]
            name, confidence = ranking[0]
            message.set(INTENT, {"name": name, "confidence": round(confidence, 6)},
                        add_to_output=True)
            message.set(INTENT_RANKING_KEY, [{"name": n, "confidence": c} for n, c in ranking],
                        add_to_output=True)
        return messages
