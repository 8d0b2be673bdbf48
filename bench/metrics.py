"""NLU scoring on a held-out set. Pure Python, shared by bench.nlu_eval and the tests.

Definitions (also printed in docs/benchmarks.md):
* An out_of_scope example is handled correctly when the model says out_of_scope or
  falls back (nlu_fallback): both keep the citizen out of a service flow.
* An in-scope example that ends in out_of_scope or nlu_fallback is a false fallback.
* Entity scores compare (entity, canonical value) pairs per message — what the
  dialogue receives as slot values — not character spans.
"""
from __future__ import annotations

from collections import Counter, defaultdict
from dataclasses import dataclass, field
from typing import Dict, Iterable, List, Optional, Sequence, Set, Tuple

OUT_OF_SCOPE = "out_of_scope"
FALLBACK = "nlu_fallback"
NOT_A_SERVICE = {OUT_OF_SCOPE, FALLBACK}


@dataclass
class Case:
    text: str
    intent: str
    entities: Set[Tuple[str, str]]


@dataclass
class Prediction:
    intent: str
    confidence: float
    entities: Set[Tuple[str, str]]
    latency_ms: float = 0.0


def prediction_from_parse(result: dict, latency_ms: float = 0.0) -> Prediction:
    intent = result.get("intent") or {}
    entities = {(e.get("entity"), str(e.get("value"))) for e in result.get("entities") or []}
    return Prediction(intent.get("name") or FALLBACK, float(intent.get("confidence") or 0.0),
                      entities, latency_ms)


def intent_correct(expected: str, predicted: str) -> bool:
    if expected == OUT_OF_SCOPE:
        return predicted in NOT_A_SERVICE
    return predicted == expected


def prf(tp: int, fp: int, fn: int) -> Tuple[float, float, float]:
    precision = tp / (tp + fp) if tp + fp else 0.0
    recall = tp / (tp + fn) if tp + fn else 0.0
    f1 = 2 * precision * recall / (precision + recall) if precision + recall else 0.0
    return precision, recall, f1


def percentile(values: Sequence[float], q: float) -> float:
    if not values:
        return 0.0
    ordered = sorted(values)
    index = min(len(ordered) - 1, max(0, round(q / 100 * (len(ordered) - 1))))
    return ordered[index]


@dataclass
class Report:
    n: int
    intent_accuracy: float
    per_intent: Dict[str, Tuple[float, float, float, int]]  # P, R, F1, support
    entity_prf: Tuple[float, float, float]
    per_entity: Dict[str, Tuple[float, float, float, int]]
    oos_recall: float
    false_fallback_rate: float
    latency_p50: float
    latency_p95: float
    errors: List[Tuple[str, str, str, float]] = field(default_factory=list)
    entity_errors: List[Tuple[str, str, str]] = field(default_factory=list)


def score(cases: Sequence[Case], predictions: Sequence[Prediction]) -> Report:
    assert len(cases) == len(predictions)
    labels = sorted({c.intent for c in cases})
    tp, fp, fn = Counter(), Counter(), Counter()
    errors = []
    for case, pred in zip(cases, predictions):
        predicted = OUT_OF_SCOPE if case.intent == OUT_OF_SCOPE and pred.intent in NOT_A_SERVICE else pred.intent
        if predicted == case.intent:
            tp[case.intent] += 1
        else:
            fn[case.intent] += 1
            fp[predicted] += 1
            errors.append((case.text, case.intent, pred.intent, pred.confidence))
    per_intent = {label: (*prf(tp[label], fp[label], fn[label]), tp[label] + fn[label]) for label in labels}
    accuracy = sum(tp.values()) / len(cases) if cases else 0.0

    etp, efp, efn = Counter(), Counter(), Counter()
    entity_errors = []
    for case, pred in zip(cases, predictions):
        for name, _ in case.entities & pred.entities:
            etp[name] += 1
        for name, _ in pred.entities - case.entities:
            efp[name] += 1
        for name, _ in case.entities - pred.entities:
            efn[name] += 1
        if case.entities != pred.entities:
            entity_errors.append((case.text, _fmt(case.entities), _fmt(pred.entities)))
    names = sorted(set(etp) | set(efp) | set(efn))
    per_entity = {n: (*prf(etp[n], efp[n], efn[n]), etp[n] + efn[n]) for n in names}
    entity_prf = prf(sum(etp.values()), sum(efp.values()), sum(efn.values()))

    oos = [p for c, p in zip(cases, predictions) if c.intent == OUT_OF_SCOPE]
    inscope = [p for c, p in zip(cases, predictions) if c.intent != OUT_OF_SCOPE]
    oos_recall = sum(p.intent in NOT_A_SERVICE for p in oos) / len(oos) if oos else 0.0
    false_fallback = sum(p.intent in NOT_A_SERVICE for p in inscope) / len(inscope) if inscope else 0.0
    latencies = [p.latency_ms for p in predictions]
    return Report(len(cases), accuracy, per_intent, entity_prf, per_entity, oos_recall, false_fallback,
                  percentile(latencies, 50), percentile(latencies, 95), errors, entity_errors)


def _fmt(entities: Iterable[Tuple[str, str]]) -> str:
    return ", ".join(f"{n}={v}" for n, v in sorted(entities)) or "—"


def training_synonyms(nlu_dir) -> Dict[str, str]:
    """Synonym table of the training data (surface → canonical), e.g. 惠州 → 惠州市."""
    from rasa.shared.nlu.training_data.loading import load_data

    return dict(load_data(str(nlu_dir)).entity_synonyms)


def load_cases(path, synonyms: Optional[Dict[str, str]] = None) -> List[Case]:
    """Held-out examples with canonical entity values (the training synonyms applied)."""
    from rasa.shared.nlu.training_data.loading import load_data

    data = load_data(str(path))
    return cases_from_messages(data.training_examples, {**(synonyms or {}), **data.entity_synonyms})


def cases_from_messages(messages: Iterable, synonyms: Dict[str, str]) -> List[Case]:
    """Annotated Rasa messages → Cases whose entity values are canonical."""
    from bot.nlu.normalizer import normalize_text

    cases = []
    for message in messages:
        if not message.get("intent"):
            continue
        entities = set()
        for entity in message.get("entities") or []:
            value = entity.get("value")
            value = normalize_text(value) if isinstance(value, str) else value
            value = synonyms.get(value, value)
            entities.add((entity["entity"], str(value)))
        cases.append(Case(message.get("text"), message.get("intent"), entities))
    return cases


# ---------------------------------------------------------------- real consultations

# Intents that give the citizen a legal answer or service: a consultation "routed" to any of
# them reached the legal part of the bot (not a fallback, out_of_scope or a control intent).
LEGAL_INTENTS = frozenset({
    "legal_problem", "legal_aid_eligibility", "legal_aid_apply", "notarization", "mediation",
    "cross_province", "find_office", "lawyer_service", "judicial_appraisal", "arbitration",
    "administrative_reconsideration", "legal_qualification", "urgent_danger",
})
NO_CASE_TYPE = "none"


@dataclass
class ConsultationReport:
    n: int
    routed: float                  # share routed to a legal intent
    intent_accuracy: float         # exact intent
    case_type_accuracy: float      # over messages labelled with a case type
    none_kept: float               # messages with no problem that got no case type
    per_case_type: Dict[str, Tuple[float, float, float, int]]  # precision, recall, F1, support
    latency_p95: float
    unrouted: List[Tuple[str, str]] = field(default_factory=list)   # (text, predicted intent)
    confusions: Counter = field(default_factory=Counter)            # (expected, predicted) case types


def predicted_case_type(result: dict) -> str:
    """The message's case type as the dialogue receives it: its (last) case_type entity."""
    values = [str(e.get("value")) for e in result.get("entities") or [] if e.get("entity") == "case_type"]
    return values[-1] if values else NO_CASE_TYPE


def score_consultations(items: Sequence, results: Sequence[Tuple[dict, float]]) -> ConsultationReport:
    """items: objects with .text, .intent, .case_type (bot.nlu.consultations.Consultation);
    results: (parse result, latency ms) in the same order."""
    routed = exact = typed = typed_right = untyped = untyped_right = 0
    tp, fp, fn, support = Counter(), Counter(), Counter(), Counter()
    unrouted, confusions = [], Counter()
    for item, (result, _ms) in zip(items, results):
        intent = (result.get("intent") or {}).get("name") or FALLBACK
        routed += intent in LEGAL_INTENTS
        exact += intent == item.intent
        if intent not in LEGAL_INTENTS:
            unrouted.append((item.text, intent))
        predicted = predicted_case_type(result)
        if item.case_type == NO_CASE_TYPE:
            untyped += 1
            untyped_right += predicted == NO_CASE_TYPE
        else:
            typed += 1
            typed_right += predicted == item.case_type
            support[item.case_type] += 1
        if predicted == item.case_type:
            if predicted != NO_CASE_TYPE:
                tp[predicted] += 1
        else:
            confusions[(item.case_type, predicted)] += 1
            if predicted != NO_CASE_TYPE:
                fp[predicted] += 1
            if item.case_type != NO_CASE_TYPE:
                fn[item.case_type] += 1
    n = len(items)
    per = {}
    for value in sorted(set(support) | set(fp)):
        p, r, f = prf(tp[value], fp[value], fn[value])
        per[value] = (p, r, f, support[value])
    return ConsultationReport(
        n=n, routed=routed / n if n else 0.0, intent_accuracy=exact / n if n else 0.0,
        case_type_accuracy=typed_right / typed if typed else 0.0,
        none_kept=untyped_right / untyped if untyped else 0.0, per_case_type=per,
        latency_p95=percentile([ms for _, ms in results], 95), unrouted=unrouted, confusions=confusions)
