"""The consultation corpus: long, colloquial messages labelled with an intent and a case type.

Citizens write several sentences of story before their question. Those messages are kept
out of `data/nlu` (Rasa's DIET would read every untagged place or problem word in them as
"not an entity") and live in `data/consultations/*.yml`, in this project's own format:

    consultations:
      - case_type: debt          # a code of docs/contract.md, or none
        intent: legal_problem
        examples: |
          - 前年借给表哥五万块钱…我能起诉他吗

The two linear models read them: LinearIntentBlender (intent) and CaseTypeClassifier
(case type). `bench/consultations_dev.yml` has the same format and is never trained on.
"""
from __future__ import annotations

import hashlib
import re
from dataclasses import dataclass
from pathlib import Path
from typing import Iterable

import yaml

from bot import paths
from bot.nlu.lexicon import CASE_TYPES
from bot.nlu.normalizer import normalize_text

CORPUS_DIR = paths.DATA / "consultations"
DEV_SET = paths.ROOT / "bench" / "consultations_dev.yml"
NO_CASE_TYPE = "none"


@dataclass(frozen=True)
class Consultation:
    text: str          # normalised (Simplified, half-width)
    intent: str
    case_type: str     # a contract code or NO_CASE_TYPE


class CorpusError(ValueError):
    pass


def corpus_files(path: Path | str | None = None) -> list[Path]:
    path = Path(path) if path else CORPUS_DIR
    if not path.is_absolute():
        path = paths.ROOT / path
    if path.is_file():
        return [path]
    return sorted(p for p in path.glob("*.yml") if p.is_file()) if path.is_dir() else []


def fingerprint(path: Path | str | None = None) -> str:
    """Content hash of the corpus (Rasa's cache must retrain when it changes)."""
    digest = hashlib.sha256()
    for file in corpus_files(path):
        digest.update(file.name.encode() + b"\0" + file.read_bytes() + b"\0")
    return digest.hexdigest()


def _examples(block: str) -> Iterable[str]:
    for line in (block or "").splitlines():
        line = line.strip()
        if line.startswith("- "):
            text = line[2:].strip()
            if text:
                yield text


def load(path: Path | str | None = None, intents: Iterable[str] | None = None) -> list[Consultation]:
    """Every message of the corpus (a directory of .yml files, or one file), normalised.
    Unknown case types or intents raise CorpusError: a typo must not train a new label."""
    allowed_intents = set(intents) if intents is not None else None
    found: list[Consultation] = []
    for file in corpus_files(path):
        doc = yaml.safe_load(file.read_text(encoding="utf-8")) or {}
        for group in doc.get("consultations") or []:
            case_type = str(group.get("case_type") or NO_CASE_TYPE)
            intent = str(group.get("intent") or "")
            if case_type != NO_CASE_TYPE and case_type not in CASE_TYPES:
                raise CorpusError(f"{file.name}: unknown case_type {case_type!r}")
            if allowed_intents is not None and intent not in allowed_intents:
                raise CorpusError(f"{file.name}: unknown intent {intent!r}")
            for text in _examples(group.get("examples")):
                found.append(Consultation(normalize_text(text), intent, case_type))
    return found


# A greeting or a call for attention that opens a message ("您好，在吗？", "律师你好", "急！！"):
# what follows is the question. Applied repeatedly ("你好 请问一下 …").
_DELIMS = r"[\s,，.。!！?？~～、…:：;；]"
_GREETING = re.compile(
    r"^" + _DELIMS + r"*(?:"
    # Greetings that end where they end, punctuation or not ("您好在吗我想离婚").
    r"(?:您好|你好|你们好|大家好|哈喽|哈啰|早上好|上午好|中午好|下午好|晚上好|早晨|早安|"
    r"在吗|在不在|在么|有人在吗|有人吗|有冇人|请问一下|请问|想问一下|想问下|问一下|问下|咨询一下|"
    r"打扰了|打扰一下|打扰|唔该|麻烦问一下|麻烦问下|求助|求救|救命|喂+|急急+)"
    r"(?:呀|啊|哈|呢|吖|喔|哦|哇|啦)?"
    # Forms of address and short words that are only a greeting when a delimiter follows
    # ("律师你好，" yes; "律师费怎么算" no).
    r"|(?:律师|老师|小助手|助手|工作人员|客服|同志|领导|hello|hi|hey|嗨|急|紧急|麻烦你|麻烦)"
    r"(?:你好|您好|好)?(?:呀|啊|哈|呢|吖|喔|哦|哇|啦)?(?=" + _DELIMS + r"|$)"
    r")",
    re.IGNORECASE)
MIN_QUESTION_CHARS = 4  # "你好，在吗" has no question after its greetings


def strip_greeting(text: str) -> str:
    """The message without the greetings it opens with; "" when it is only greetings."""
    rest = text or ""
    while True:
        found = _GREETING.match(rest)
        if not found:
            break
        rest = rest[found.end():]
    return rest.lstrip(" ,，.。!！?？~～、…:：;；")


def question_after_greeting(text: str) -> str | None:
    """The rest of a message that opens with a greeting and goes on to say something
    (at least MIN_QUESTION_CHARS characters that are not punctuation), else None."""
    rest = strip_greeting(text)
    if rest == (text or "").strip() or len(re.sub(r"\W", "", rest)) < MIN_QUESTION_CHARS:
        return None
    return rest
