"""Consistency checks for NLU data, used by tests and by hand:

    .venv/bin/python -m bot.nlu.datacheck data/nlu tests/nlu_holdout

* every entity span starts and ends on a jieba token boundary (after normalisation),
  otherwise DIET silently drops the annotation during training;
* every place or notary item the gazetteer finds in an example is annotated, so the
  training data never teaches DIET that a place name is not an entity.
"""
from __future__ import annotations

import sys
from pathlib import Path
from typing import Iterable, List

from bot.nlu.normalizer import normalize_text
from bot.paths import USER_DICT_DIR

_JIEBA_READY = False


def _jieba():
    global _JIEBA_READY
    import jieba

    if not _JIEBA_READY:
        jieba.setLogLevel(60)
        for path in sorted(USER_DICT_DIR.glob("*.txt")):
            jieba.load_userdict(str(path))
        _JIEBA_READY = True
    return jieba


def load_examples(paths: Iterable[Path]):
    """Rasa Message objects of every intent example in the given files or directories."""
    from rasa.shared.nlu.training_data.loading import load_data

    files: List[Path] = []
    for path in paths:
        path = Path(path)
        files.extend(sorted(path.glob("*.yml")) if path.is_dir() else [path])
    examples = []
    for file in files:
        examples.extend(m for m in load_data(str(file)).training_examples if m.get("intent"))
    return examples


def token_bounds(text: str):
    starts, ends = set(), set()
    for word, start, end in _jieba().tokenize(text):
        if word.strip():
            starts.add(start)
            ends.add(end)
    return starts, ends


def misaligned_entities(examples) -> List[str]:
    problems = []
    for message in examples:
        text = normalize_text(message.get("text"))
        starts, ends = token_bounds(text)
        for entity in message.get("entities") or []:
            if entity["start"] not in starts or entity["end"] not in ends:
                problems.append(f"{text!r}: {entity['entity']} {text[entity['start']:entity['end']]!r}")
    return problems


def unannotated_mentions(examples, surfaces: dict) -> List[str]:
    """surfaces: text → (entity, value) for unambiguous place / notary names (≥2 chars)."""
    problems = []
    for message in examples:
        text = normalize_text(message.get("text"))
        annotated = {i for e in message.get("entities") or [] for i in range(e["start"], e["end"])}
        tokens = [(w, s, e) for w, s, e in _jieba().tokenize(text)]
        for word, start, end in tokens:
            if word in surfaces and not annotated.intersection(range(start, end)):
                problems.append(f"{text!r}: {word!r} looks like {surfaces[word][0]}")
    return problems


def gazetteer_surfaces() -> dict:
    from bot.nlu.gen_dict import DIVISIONS, place_surfaces
    import json

    cities, districts = place_surfaces(json.loads(DIVISIONS.read_text(encoding="utf-8")))
    surfaces = {}
    for entity, table in (("city", cities), ("district", districts)):
        for canonical, forms in table.items():
            for form in forms:
                if len(form) >= 2:
                    surfaces[form] = (entity, canonical)
    from bot.nlu.lexicon import NOTARY_ITEMS

    for canonical, forms in NOTARY_ITEMS.items():
        for form in forms:
            surfaces[form] = ("notary_item", canonical)
    return surfaces


def main(argv: List[str]) -> int:
    examples = load_examples([Path(a) for a in argv] or [Path("data/nlu")])
    problems = misaligned_entities(examples) + unannotated_mentions(examples, gazetteer_surfaces())
    for problem in problems:
        print(problem)
    print(f"{len(examples)} examples, {len(problems)} problems")
    return 1 if problems else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
