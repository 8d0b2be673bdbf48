"""Put every message into one script and one character width before tokenizing.

Citizens write traditional characters (Hong Kong / Macau relatives, older users),
full-width Latin letters and digits from Chinese IMEs, and odd spaces. Jieba, the
featurizers and the entity synonyms all expect Simplified Chinese with half-width
ASCII, so this component rewrites the text first. The rewrite keeps the text
length, so entity offsets in the training data stay valid.
"""
from __future__ import annotations

import functools
import unicodedata
from typing import Any, Dict, List, Optional, Text

from rasa.engine.graph import ExecutionContext, GraphComponent
from rasa.engine.recipes.default_recipe import DefaultV1Recipe
from rasa.engine.storage.resource import Resource
from rasa.engine.storage.storage import ModelStorage
from rasa.shared.nlu.constants import ENTITIES, TEXT
from rasa.shared.nlu.training_data.message import Message
from rasa.shared.nlu.training_data.training_data import TrainingData

from bot import logsafe
from knowledge.text import KEEP_CANTONESE

# The Rasa server imports this module when it loads the model: from then on no log record
# carries a citizen's text or WeChat id (the channel modules install it at start-up too).
logsafe.install()


@functools.lru_cache(maxsize=1)
def _converter():
    import opencc  # the maintained OpenCC binding; its t2s tables ship in the wheel

    return opencc.OpenCC("t2s")


def _to_half_width(char: str) -> str:
    code = ord(char)
    if code == 0x3000:
        return " "
    if 0xFF01 <= code <= 0xFF5E:
        return chr(code - 0xFEE0)
    if char.isspace():  # tabs, no-break spaces, newlines: one plain space each
        return " "
    if unicodedata.category(char) in ("Cc", "Cf"):  # control and zero-width characters
        return " "
    return char


# Homophone typos that only ever mean the legal term (公正 alone can mean "fair", so
# only its unambiguous compounds are fixed). Each pair keeps the text length.
TYPOS = {
    "公正处": "公证处", "公正书": "公证书", "公正员": "公证员", "公正费": "公证费",
    "做公正": "做公证", "办公正": "办公证", "去公正": "去公证", "公正一下": "公证一下",
    "法律援住": "法律援助", "法律缓助": "法律援助", "法律原助": "法律援助",
    "仲栽": "仲裁", "复义": "复议", "法阮": "法院", "医阮": "医院",
}
assert all(len(k) == len(v) for k, v in TYPOS.items())


def fix_typos(text: str) -> str:
    for wrong, right in TYPOS.items():
        if wrong in text:
            text = text.replace(wrong, right)
    return text


def normalize_text(text: str) -> str:
    """Traditional → Simplified, full-width → half-width; same length as the input."""
    if not text:
        return text
    converted = _converter().convert(text)
    if len(converted) != len(text):
        # Phrase-level conversion changed the length: convert char by char so
        # that offsets (entity annotations) still line up.
        converted = "".join(_converter().convert(c) if len(_converter().convert(c)) == 1 else c for c in text)
    return fix_typos("".join(_to_half_width(c) for c in converted.translate(KEEP_CANTONESE)))


@DefaultV1Recipe.register(
    [DefaultV1Recipe.ComponentType.MESSAGE_TOKENIZER], is_trainable=False
)
class ChineseNormalizer(GraphComponent):
    """Rewrites the message text (and training entity values) into normalized form."""

    @staticmethod
    def get_default_config() -> Dict[Text, Any]:
        return {}

    @classmethod
    def create(
        cls,
        config: Dict[Text, Any],
        model_storage: ModelStorage,
        resource: Resource,
        execution_context: ExecutionContext,
    ) -> "ChineseNormalizer":
        return cls()

    @staticmethod
    def required_packages() -> Optional[List[Text]]:
        return ["opencc"]

    def _normalize(self, message: Message) -> None:
        text = message.get(TEXT)
        if not isinstance(text, str) or not text:
            return
        normalized = normalize_text(text)
        if normalized == text:
            return
        message.set(TEXT, normalized)
        for entity in message.get(ENTITIES) or []:
            start, end = entity.get("start"), entity.get("end")
            if start is None or end is None:
                continue
            # Keep mapped values (synonyms); re-read values that were the raw span.
            if entity.get("value") == text[start:end]:
                entity["value"] = normalized[start:end]

    def process_training_data(self, training_data: TrainingData) -> TrainingData:
        for example in training_data.training_examples:
            self._normalize(example)
        return training_data

    def process(self, messages: List[Message]) -> List[Message]:
        for message in messages:
            self._normalize(message)
        return messages
