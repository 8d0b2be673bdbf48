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
import numpy as np
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

from bot.nlu import consultations

logger = logging.getLogger(__name__)



def token_ngrams(tokens: List[str]) -> List[str]:
    """Word unigrams and bigrams. Module-level so the fitted vectorizer pickles."""
    words = [t.lower() for t in tokens if t.strip()]
    return words + [f"{a} {b}" for a, b in zip(words, words[1:])]


def jieba_tokens(text: str) -> List[str]:
    """The tokens CleanJiebaTokenizer gives (same jieba state), for texts that never went
    through the pipeline (the consultation corpus)."""
    import jieba

    return [word for word, _start, _end in jieba.tokenize(text or "") if word.strip()]


def fit_vectorizers(texts: List[str], tokens: List[List[str]], n_base: int, max_char_ngram: int):
    """TF-IDF vectorizers (character n-grams, word n-grams) fitted on all texts, with the
    vocabulary of the first `n_base` (the short data/nlu examples: every n-gram) and of the
    rest (the long consultation messages: n-grams seen in at least two of them — one-off
    n-grams of long stories are noise, and would triple the features and training time)."""
    from sklearn.feature_extraction.text import CountVectorizer

    def vocabulary(docs: list, **kwargs) -> List[str]:
        base = CountVectorizer(**kwargs).fit(docs[:n_base]).vocabulary_ if n_base else {}
        rest = docs[n_base:]
        extra = CountVectorizer(min_df=2, **kwargs).fit(rest).vocabulary_ if len(rest) >= 2 else {}
        return sorted(set(base) | set(extra))

    char_args = {"analyzer": "char", "ngram_range": (1, max_char_ngram)}
    char = TfidfVectorizer(sublinear_tf=True, vocabulary=vocabulary(texts, **char_args), **char_args)
    word = TfidfVectorizer(analyzer=token_ngrams, sublinear_tf=True,
                           vocabulary=vocabulary(tokens, analyzer=token_ngrams))
    return char.fit(texts), word.fit(tokens)


def probabilities(classifier: LogisticRegression, features) -> "np.ndarray":
    """classifier.predict_proba for one sparse row, without sklearn's per-call validation
    (≈ 3 ms of a 3 µs computation: the product with the coefficients and a softmax)."""
    weights = getattr(classifier, "_yuefa_coef_t", None)
    if weights is None:
        weights = np.ascontiguousarray(classifier.coef_.T)
        classifier._yuefa_coef_t = weights
    scores = np.asarray(features @ weights).ravel() + classifier.intercept_
    if len(classifier.classes_) == 2:  # binary: one score for the second class
        second = 1.0 / (1.0 + np.exp(-scores[0]))
        return np.array([1.0 - second, second])
    scores = np.exp(scores - scores.max())
    return scores / scores.sum()


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


class CorpusLinearModel(GraphComponent):
    """Shared plumbing of the n-gram logistic-regression components (LinearIntentBlender,
    CaseTypeClassifier): the model is one joblib file; the consultation corpus they read
    (config `corpus`) is part of the fingerprint, so Rasa's cache retrains them when it changes."""

    MODEL_FILE = "model.joblib"

    @classmethod
    def fingerprint_addon(cls, config: Dict[str, Any]) -> Optional[str]:
        return consultations.fingerprint(config["corpus"]) if config.get("corpus") else None

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
               execution_context: ExecutionContext):
        return cls(config, model_storage, resource)

    def corpus(self) -> List[consultations.Consultation]:
        return consultations.load(self._config["corpus"]) if self._config.get("corpus") else []

    def _save(self) -> Resource:
        with self._model_storage.write_to(self._resource) as directory:
            joblib.dump(self._model, directory / self.MODEL_FILE)
        return self._resource

    @classmethod
    def load(cls, config: Dict[Text, Any], model_storage: ModelStorage, resource: Resource,
             execution_context: ExecutionContext, **kwargs: Any):
        model = None
        try:
            with model_storage.read_from(resource) as directory:
                model = joblib.load(directory / cls.MODEL_FILE)
        except (ValueError, FileNotFoundError):
            logger.debug("No trained %s in the model; it passes messages through.", cls.__name__)
        return cls(config, model_storage, resource, model)


@DefaultV1Recipe.register([DefaultV1Recipe.ComponentType.INTENT_CLASSIFIER], is_trainable=True)
class LinearIntentBlender(CorpusLinearModel, IntentClassifier):
    @staticmethod
    def get_default_config() -> Dict[Text, Any]:
        return {
            "weight": 0.7,          # share of the linear model in the blend
            "C": 10.0,              # inverse L2 regularisation of the logistic regression
            "max_char_ngram": 3,
            "ranking_length": 10,   # as DIET's default
            # Long consultation messages (bot/nlu/consultations.py), trained on with the
            # data/nlu examples; DIET does not see them.
            "corpus": "data/consultations",
            # Each corpus message counts this much against one data/nlu example: the long
            # stories teach what a consultation is without outvoting the short questions.
            "corpus_weight": 0.5,
            # "您好，在吗？我想离婚…": a greeting + question is the question's intent.
            "greeting_intent": "greet",
        }

    MODEL_FILE = "linear_intent.joblib"

    @staticmethod
    def _tokens(message: Message) -> List[str]:
        tokens = message.get(TOKENS_NAMES[TEXT])
        if tokens is None:  # no tokenizer before this component: characters stand in for words
            return list(message.get(TEXT) or "")
        return [t.text for t in tokens]

    def _features(self, messages: List[Message], fit: bool = False, extra=()):
        texts = [message.get(TEXT) or "" for message in messages] + [text for text, _ in extra]
        tokens = [self._tokens(message) for message in messages] + [tokens for _, tokens in extra]
        if fit:
            self._model["char"], self._model["word"] = fit_vectorizers(
                texts, tokens, len(messages), self._config["max_char_ngram"])
        return self._vectorize(texts, tokens)

    def _vectorize(self, texts: List[str], tokens: List[List[str]]):
        char, word = self._model["char"], self._model["word"]
        return hstack([char.transform(texts), word.transform(tokens)]).tocsr()

    def train(self, training_data: TrainingData) -> Resource:
        examples = [e for e in training_data.intent_examples if e.get(TEXT)]
        known = {e.get(INTENT) for e in examples}
        corpus = [item for item in self.corpus() if item.intent in known]
        intents = known
        if len(intents) < 2:
            logger.warning("LinearIntentBlender needs at least two intents; it will pass DIET through.")
            return self._resource
        self._model = {}
        features = self._features(examples, fit=True,
                                  extra=[(item.text, jieba_tokens(item.text)) for item in corpus])
        classifier = LogisticRegression(C=self._config["C"], max_iter=3000)
        weights = [1.0] * len(examples) + [float(self._config.get("corpus_weight", 1.0))] * len(corpus)
        classifier.fit(features, [e.get(INTENT) for e in examples] + [item.intent for item in corpus],
                       sample_weight=weights)
        self._model["classifier"] = classifier
        return self._save()

    def linear_distribution(self, message: Message) -> Dict[str, float]:
        return self._distribution(message.get(TEXT) or "", self._tokens(message))

    def _distribution(self, text: str, tokens: List[str]) -> Dict[str, float]:
        classifier = self._model["classifier"]
        found = probabilities(classifier, self._vectorize([text], [tokens]))
        return {str(name): float(p) for name, p in zip(classifier.classes_, found)}

    def _question_after_greeting(self, message: Message) -> Optional[List[tuple]]:
        """The ranking of what follows a greeting ("您好，在吗？我想跟老公离婚…"), by the linear
        model alone (DIET saw the greeting); None when nothing but greetings follow or the
        rest is itself a greeting."""
        text = message.get(TEXT) or ""
        rest = consultations.question_after_greeting(text)
        if rest is None:
            return None
        offset = len(text) - len(rest)
        tokens = message.get(TOKENS_NAMES[TEXT])
        rest_tokens = [t.text for t in tokens if t.start >= offset] if tokens is not None else list(rest)
        ranking = blend({}, self._distribution(rest, rest_tokens), 1.0)
        return None if ranking[0][0] == self._config["greeting_intent"] else ranking

    def process(self, messages: List[Message]) -> List[Message]:
        if not self._model:
            return messages
        for message in messages:
            if not message.get(TEXT):
                continue
            diet = {r["name"]: float(r["confidence"]) for r in message.get(INTENT_RANKING_KEY) or []}
            ranking = blend(diet, self.linear_distribution(message), self._config["weight"])
            routed_from = None
            if ranking[0][0] == self._config["greeting_intent"]:
                question = self._question_after_greeting(message)
                if question is not None:
                    ranking, routed_from = question, ranking[0][0]
            ranking = ranking[: self._config["ranking_length"]]
            name, confidence = ranking[0]
            intent = {"name": name, "confidence": round(confidence, 6)}
            if routed_from:
                intent["routed_from"] = routed_from
            message.set(INTENT, intent, add_to_output=True)
            message.set(INTENT_RANKING_KEY, [{"name": n, "confidence": c} for n, c in ranking],
                        add_to_output=True)
        return messages
