"""Choose NLU settings (DIET, the linear blend, fallback thresholds) by cross-validation on the training data.

    .venv/bin/python -m bench.nlu_cv                  # writes docs/nlu_cv.md
    .venv/bin/python -m bench.nlu_cv --folds 3 --variants current,epochs100

The held-out sets in tests/nlu_holdout/ must stay a measure, not a target: settings are
compared here on k stratified folds of data/nlu only. Each variant is `config.yml`'s
pipeline with some components' parameters overridden (or a component left out); it is
trained once per fold, and every fallback threshold pair is applied afterwards to the intent
ranking (what Rasa's FallbackClassifier does: fall back when the top confidence is below `threshold` or within
`ambiguity_threshold` of the second), so one training scores the whole grid.

Cross-validation folds share the training data's style, so it also trains each variant on all
of data/nlu and scores it on bench/nlu_dev.yml, a development set written blind (its author saw
neither the training data nor any model output). Settings are chosen on both; the final
measure remains tests/nlu_holdout/fresh.yml, which is never used to choose anything.
"""
from __future__ import annotations

import argparse
import datetime as dt
import os
import random
import sys
import tempfile
import time
from collections import defaultdict
from pathlib import Path
from typing import Dict, List, Optional, Tuple

os.environ.setdefault("RASA_TELEMETRY_ENABLED", "false")
os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")
os.environ.setdefault("RASA_MAX_CACHE_SIZE", "0")  # every fold trains from scratch

from bench.metrics import FALLBACK, Case, Prediction, cases_from_messages, prediction_from_parse, score  # noqa: E402
from bench.nlu_eval import NLU_DATA, our_pipeline, parse_all, train, write_config  # noqa: E402
from bot import paths  # noqa: E402

OUTPUT = paths.ROOT / "docs" / "nlu_cv.md"
DEV = paths.ROOT / "bench" / "nlu_dev.yml"  # written blind; for choosing settings, not for reporting
# Each variant: component name → parameter overrides, or None to leave the component out.
VARIANTS = {
    "current": {},
    "diet-only": {"LinearIntentBlender": None},
    "blend-0.5": {"LinearIntentBlender": {"weight": 0.5}},
    "linear-only": {"LinearIntentBlender": {"weight": 1.0}},
    "epochs100": {"DIETClassifier": {"epochs": 100}},
}
THRESHOLDS = [0.2, 0.3, 0.4, 0.5]
AMBIGUITIES = [0.0, 0.05, 0.08]
# One ranked guess per example: (top intent, top confidence, second confidence, entities).
Ranked = Tuple[str, float, float, set]


def short_name(component: dict) -> str:
    """"bot.nlu.linear_intent.LinearIntentBlender" → "LinearIntentBlender"."""
    return component["name"].rsplit(".", 1)[-1]


def pipeline_for(overrides: Dict[str, Optional[Dict]]) -> list:
    """config.yml's pipeline with each named component's parameters overridden (None drops it)."""
    pipeline = []
    for component in our_pipeline():
        name = short_name(component)
        if name in overrides and overrides[name] is None:
            continue
        pipeline.append({**component, **(overrides.get(name) or {})})
    return pipeline


def stratified_folds(examples: list, k: int, seed: int = 7) -> List[list]:
    by_intent = defaultdict(list)
    for message in examples:
        by_intent[message.get("intent")].append(message)
    folds: List[list] = [[] for _ in range(k)]
    rng = random.Random(seed)
    for intent in sorted(by_intent):
        group = sorted(by_intent[intent], key=lambda m: m.get("text"))
        rng.shuffle(group)
        for i, message in enumerate(group):
            folds[i % k].append(message)
    return folds


def ranked(result: dict) -> Ranked:
    """The classifier's own top two, with the FallbackClassifier's verdict taken out."""
    ranking = [r for r in result.get("intent_ranking") or [] if r.get("name") != FALLBACK]
    top = ranking[0] if ranking else {"name": FALLBACK, "confidence": 0.0}
    second = ranking[1]["confidence"] if len(ranking) > 1 else 0.0
    return top["name"], float(top["confidence"]), float(second), prediction_from_parse(result).entities


def with_fallback(guess: Ranked, threshold: float, ambiguity: float) -> Prediction:
    intent, confidence, second, entities = guess
    if confidence < threshold or confidence - second < ambiguity:
        intent = FALLBACK
    return Prediction(intent, confidence, entities)


def run_fold(tmp: Path, name: str, pipeline: list, train_part: list, test_part: list, data) -> List[Ranked]:
    from rasa.shared.nlu.training_data.training_data import TrainingData

    subset = TrainingData(training_examples=train_part, entity_synonyms=data.entity_synonyms,
                          regex_features=data.regex_features, lookup_tables=data.lookup_tables)
    nlu_file = tmp / f"{name}.yml"
    nlu_file.write_text(subset.nlu_as_yaml(), encoding="utf-8")
    return train_and_rank(tmp, name, pipeline, test_part, nlu_data=nlu_file)


def train_and_rank(tmp: Path, name: str, pipeline: list, test_part: list, nlu_data: Path = NLU_DATA) -> List[Ranked]:
    model, _ = train(write_config(tmp, name, pipeline), tmp, name, nlu_data=nlu_data)
    return [ranked(result) for result, _ in parse_all(model, [m.get("text") for m in test_part], warm_up=0)]


TABLE_HEAD = [
    "| variant | overrides | threshold | ambiguity | intent accuracy | false fallbacks | OOS recall | entity F1 |",
    "|---|---|---|---|---|---|---|---|",
]


def table(rows: List[tuple]) -> List[str]:
    lines = list(TABLE_HEAD)
    for variant, overrides, threshold, ambiguity, report in rows:
        lines.append(f"| {variant} | {overrides or '—'} | {threshold} | {ambiguity} | "
                     f"{report.intent_accuracy * 100:.1f} % | {report.false_fallback_rate * 100:.1f} % | "
                     f"{report.oos_recall * 100:.1f} % | {report.entity_prf[2] * 100:.1f} % |")
    return lines


def render(rows: List[tuple], dev_rows: List[tuple], n: int, n_dev: int, k: int,
           seconds: Dict[str, float], current: Tuple[float, float, float]) -> str:
    lines = [
        "# NLU settings chosen by cross-validation",
        "",
        f"Generated by `.venv/bin/python -m bench.nlu_cv` on "
        f"{dt.datetime.now(dt.timezone.utc).strftime('%Y-%m-%d %H:%M')} UTC. Do not edit by hand.",
        "",
        f"{k}-fold stratified cross-validation on the {n} examples of `data/nlu/` (the held-out sets are "
        "not used). Each variant is `config.yml`'s pipeline with the component parameters shown (None: "
        "component left out); each fallback pair is applied to the same trained folds. Out-of-scope "
        "examples count as correct when they end in `out_of_scope` or a fallback; *false fallbacks* are "
        "in-scope examples that do. "
        f"`config.yml` now uses blend weight {current[2]}, threshold {current[0]}, ambiguity {current[1]}.",
        "",
    ] + table(rows)
    if dev_rows:
        lines += [
            "",
            "## Development set",
            "",
            f"Each variant trained on all of `data/nlu/` and scored on the {n_dev} examples of "
            f"`{DEV.relative_to(paths.ROOT)}`, written blind by an author who saw neither the training "
            "data nor any model output. It measures how the settings carry over to text written "
            "independently of the training data. It is used to choose settings, and its error "
            "categories (not its examples) decided which intents got more training data on "
            "2026-11-26, so its scores are optimistic; the final measure stays "
            "`tests/nlu_holdout/fresh.yml` (docs/benchmarks.md).",
            "",
        ] + table(dev_rows)
    lines += ["", "Training time per fold: "
              + ", ".join(f"{v} {s:.0f} s" for v, s in seconds.items()) + "."]
    return "\n".join(lines) + "\n"


def grid(variant: str, overrides: Dict, cases: List[Case], guesses: List[Ranked], label: str) -> List[tuple]:
    rows = []
    for threshold in THRESHOLDS:
        for ambiguity in AMBIGUITIES:
            report = score(cases, [with_fallback(g, threshold, ambiguity) for g in guesses])
            rows.append((variant, overrides, threshold, ambiguity, report))
            print(f"    {label} {variant} t={threshold} a={ambiguity}: intent {report.intent_accuracy:.3f}, "
                  f"false fallbacks {report.false_fallback_rate:.3f}, OOS {report.oos_recall:.3f}", flush=True)
    return rows


def main(argv: List[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--folds", type=int, default=3)
    parser.add_argument("--variants", default=",".join(VARIANTS))
    parser.add_argument("--out", type=Path, default=OUTPUT)
    parser.add_argument("--no-dev", action="store_true", help="skip the development set")
    args = parser.parse_args(argv)

    from rasa.shared.nlu.training_data.loading import load_data

    os.chdir(paths.ROOT)
    data = load_data(str(NLU_DATA))
    examples = [m for m in data.training_examples if m.get("intent")]
    folds = stratified_folds(examples, args.folds)
    current = {short_name(c): c for c in our_pipeline()}
    fallback = current["FallbackClassifier"]
    blend_weight = current.get("LinearIntentBlender", {}).get("weight")
    rows, dev_rows, seconds = [], [], {}
    dev_examples = [] if args.no_dev else [m for m in load_data(str(DEV)).training_examples if m.get("intent")]
    dev_cases = cases_from_messages(dev_examples, data.entity_synonyms)
    with tempfile.TemporaryDirectory(prefix="yuefa-cv-") as tmp:
        for variant in args.variants.split(","):
            overrides = VARIANTS[variant]
            cases: List[Case] = []
            guesses: List[Ranked] = []
            started = time.perf_counter()
            for index, test_part in enumerate(folds):
                train_part = [m for j, fold in enumerate(folds) if j != index for m in fold]
                print(f"==> {variant}: fold {index + 1}/{args.folds}", flush=True)
                guesses += run_fold(Path(tmp), f"{variant}-{index}", pipeline_for(overrides),
                                    train_part, test_part, data)
                cases += cases_from_messages(test_part, data.entity_synonyms)
            seconds[variant] = (time.perf_counter() - started) / args.folds
            rows += grid(variant, overrides, cases, guesses, "cv")
            if dev_examples:
                print(f"==> {variant}: all training data, scored on the development set", flush=True)
                dev_guesses = train_and_rank(Path(tmp), f"{variant}-all", pipeline_for(overrides), dev_examples)
                dev_rows += grid(variant, overrides, dev_cases, dev_guesses, "dev")
    args.out.write_text(render(rows, dev_rows, len(examples), len(dev_examples), args.folds, seconds,
                               (fallback.get("threshold"), fallback.get("ambiguity_threshold"), blend_weight)),
                        encoding="utf-8")
    print(f"wrote {args.out}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
