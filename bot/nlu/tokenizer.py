"""Jieba tokenizer that never emits whitespace tokens.

Rasa 3.6's JiebaTokenizer returns the spaces of mixed Chinese/English text
("我想问 legal aid") as tokens; they carry no meaning and break the alignment
between sparse and dense features. This subclass drops them.
"""
from __future__ import annotations

from typing import List, Text

from rasa.engine.recipes.default_recipe import DefaultV1Recipe
from rasa.nlu.tokenizers.jieba_tokenizer import JiebaTokenizer
from rasa.nlu.tokenizers.tokenizer import Token
from rasa.shared.nlu.training_data.message import Message


@DefaultV1Recipe.register(
    DefaultV1Recipe.ComponentType.MESSAGE_TOKENIZER, is_trainable=True
)
class CleanJiebaTokenizer(JiebaTokenizer):
    def tokenize(self, message: Message, attribute: Text) -> List[Token]:
        import jieba

        text = message.get(attribute) or ""
        tokens = [
            Token(word, start)
            for word, start, _end in jieba.tokenize(text)
            if word.strip()
        ]
        return self._apply_token_pattern(tokens)
