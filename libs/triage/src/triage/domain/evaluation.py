"""Scoring an extractor against a gold set (gold-format.md): pure functions over labels.

Reading the set's files is the caller's job (``triage eval``); here a gold label
and a prediction are plain data, so the metrics can be checked by hand.
"""

from __future__ import annotations

import math
import re
import unicodedata
from collections.abc import Callable, Iterable, Sequence

from pydantic import BaseModel, ConfigDict, Field

from triage.domain.models import INTENTS, Budget, Company, Extraction, Interest, Person

# gold-format.md: trailing legal suffixes that company-name equality ignores.
# fmt: off
LEGAL_SUFFIXES = frozenset({
    "inc", "incorporated", "corp", "corporation", "co", "company", "llc", "llp", "lp", "ltd",
    "limited", "pty", "pte", "pvt", "private", "plc", "gmbh", "ag", "kg", "sa", "sas", "sarl",
    "sl", "srl", "spa", "bv", "nv", "ab", "as", "oy", "kk",
})
# fmt: on
# Dotted suffixes ("S.r.l.", "B.V.") lose their dots before the comparison, not their letters.
_DOTTED = re.compile(r"\b(?:\w\.){1,3}\w?\.?(?=\s|$)")
_PUNCTUATION = re.compile(r"[^\w\s]|_")


class GoldLabel(BaseModel):
    """One line of labels.jsonl."""

    model_config = ConfigDict(frozen=True, extra="ignore")

    id: str
    intent: str
    person: Person = Field(default_factory=Person)
    company: Company = Field(default_factory=Company)
    interest: Interest = Field(default_factory=Interest)
    budget: Budget = Field(default_factory=Budget)
    timeline: str = "unknown"
    region: str | None = None
    required_action: str
    notes: str = ""


class Miss(BaseModel):
    model_config = ConfigDict(frozen=True)

    id: str
    field: str
    gold: str | float | None
    predicted: str | float | None


class EvalReport(BaseModel):
    """``triage eval --json``: the architecture's contract, plus counts."""

    model_config = ConfigDict(frozen=True)

    n: int
    n_leads: int
    intent_accuracy: float
    person_email_f1: float
    company_name_f1: float
    lead_budget_exact: float | None
    lead_timeline_exact: float | None
    region_accuracy: float
    required_action_accuracy: float
    confusion: dict[str, dict[str, int]]
    misses: list[Miss]


def parse_labels(lines: Iterable[str]) -> list[GoldLabel]:
    """labels.jsonl, blank lines skipped; raises ValueError naming the line."""
    labels = []
    for number, line in enumerate(lines, start=1):
        if line.strip():
            try:
                labels.append(GoldLabel.model_validate_json(line))
            except ValueError as exc:
                raise ValueError(f"labels.jsonl line {number}: {exc}") from exc
    return labels


# ---------------------------------------------------------------- equality


def normalize_text(value: str | None) -> str | None:
    """Trimmed and case-folded; empty is missing."""
    if value is None:
        return None
    folded = unicodedata.normalize("NFC", value).strip().casefold()
    return folded or None


def normalize_company(value: str | None) -> str | None:
    """Case-folded, punctuation ignored, trailing legal suffixes dropped: "Acme Pty Ltd." → "acme"."""
    text = normalize_text(value)
    if text is None:
        return None
    text = _DOTTED.sub(lambda match: match.group(0).replace(".", ""), text)
    words = _PUNCTUATION.sub(" ", text).split()
    while len(words) > 1 and words[-1] in LEGAL_SUFFIXES:
        words.pop()
    return " ".join(words) or None


def f1(pairs: Sequence[tuple[str | None, str | None]]) -> float:
    """Field F1 over (gold, predicted) pairs of normalised values (gold-format.md).

    A wrong non-null prediction is both a false positive and a false negative.
    With nothing to find and nothing predicted the score is 1.
    """
    tp = sum(1 for gold, pred in pairs if pred is not None and pred == gold)
    fp = sum(1 for gold, pred in pairs if pred is not None and pred != gold)
    fn = sum(1 for gold, pred in pairs if gold is not None and pred != gold)
    return 1.0 if tp + fp + fn == 0 else 2 * tp / (2 * tp + fp + fn)


def same_amount(gold: float | None, predicted: float | None) -> bool:
    if gold is None or predicted is None:
        return gold is None and predicted is None
    return math.isclose(gold, predicted, abs_tol=0.5)


def _ratio(hits: int, total: int) -> float | None:
    return None if total == 0 else hits / total


# ---------------------------------------------------------------- the report


def score(gold: Sequence[GoldLabel], predicted: dict[str, Extraction]) -> EvalReport:
    """Every gold email must have a prediction (a missing one is a KeyError: a harness bug)."""
    pairs = [(label, predicted[label.id]) for label in gold]
    leads = [(label, pred) for label, pred in pairs if label.intent == "lead"]
    n = len(pairs)
    return EvalReport(
        n=n,
        n_leads=len(leads),
        intent_accuracy=_ratio(sum(g.intent == p.intent for g, p in pairs), n) or 0.0,
        person_email_f1=f1(
            [(normalize_text(g.person.email), normalize_text(p.person.email)) for g, p in pairs]
        ),
        company_name_f1=f1(
            [
                (normalize_company(g.company.name), normalize_company(p.company.name))
                for g, p in pairs
            ]
        ),
        lead_budget_exact=_ratio(
            sum(
                same_amount(g.budget.annual_amount_usd, p.budget.annual_amount_usd)
                for g, p in leads
            ),
            len(leads),
        ),
        lead_timeline_exact=_ratio(sum(g.timeline == p.timeline for g, p in leads), len(leads)),
        region_accuracy=_ratio(sum(_region_matches(g, p) for g, p in pairs), n) or 0.0,
        required_action_accuracy=_ratio(
            sum(g.required_action == p.required_action for g, p in pairs), n
        )
        or 0.0,
        confusion=confusion(pairs),
        misses=[miss for g, p in pairs for miss in misses_of(g, p)],
    )


def _region_matches(gold: GoldLabel, pred: Extraction) -> bool:
    return normalize_text(gold.region) == normalize_text(pred.region)


def confusion(pairs: Sequence[tuple[GoldLabel, Extraction]]) -> dict[str, dict[str, int]]:
    """gold intent → predicted intent → count, every intent present."""
    matrix = {gold: dict.fromkeys(INTENTS, 0) for gold in INTENTS}
    for gold, pred in pairs:
        matrix.setdefault(gold.intent, dict.fromkeys(INTENTS, 0))[pred.intent] += 1
    return matrix


def misses_of(gold: GoldLabel, pred: Extraction) -> list[Miss]:
    """Every scored field that differs, named as in the schema."""
    checks: list[tuple[str, str | float | None, str | float | None, bool]] = [
        ("intent", gold.intent, pred.intent, gold.intent == pred.intent),
        (
            "person.email",
            gold.person.email,
            pred.person.email,
            normalize_text(gold.person.email) == normalize_text(pred.person.email),
        ),
        (
            "company.name",
            gold.company.name,
            pred.company.name,
            normalize_company(gold.company.name) == normalize_company(pred.company.name),
        ),
        ("region", gold.region, pred.region, _region_matches(gold, pred)),
        (
            "required_action",
            gold.required_action,
            pred.required_action,
            gold.required_action == pred.required_action,
        ),
    ]
    if gold.intent == "lead":
        checks += [
            (
                "budget.annual_amount_usd",
                gold.budget.annual_amount_usd,
                pred.budget.annual_amount_usd,
                same_amount(gold.budget.annual_amount_usd, pred.budget.annual_amount_usd),
            ),
            ("timeline", gold.timeline, pred.timeline, gold.timeline == pred.timeline),
        ]
    return [
        Miss(id=gold.id, field=name, gold=want, predicted=got)
        for name, want, got, ok in checks
        if not ok
    ]


# Scores a ratchet keeps: each may only go up.
RATCHETED = (
    "intent_accuracy",
    "person_email_f1",
    "company_name_f1",
    "lead_budget_exact",
    "lead_timeline_exact",
    "region_accuracy",
    "required_action_accuracy",
)


def below_ratchet(report: EvalReport, levels: dict[str, float]) -> dict[str, tuple[float, float]]:
    """The ratcheted scores that fell below their recorded level: name → (level, now)."""
    now = report.model_dump()
    return {
        name: (level, now[name] or 0.0)
        for name, level in levels.items()
        if name in RATCHETED and (now[name] or 0.0) + 1e-9 < level
    }


# ---------------------------------------------------------------- confidence bands


class BandQuality(BaseModel):
    """One confidence band on a gold set: how much mail lands there and how often it is right."""

    model_config = ConfigDict(frozen=True)

    n: int
    coverage: float  # share of all the set's emails in this band
    intent_precision: float | None  # right intents / emails in the band (None: band empty)


def band_quality(
    labels: Sequence[GoldLabel], predicted: dict[str, Extraction], band_of: Callable[[float], str]
) -> dict[str, BandQuality]:
    """Per band (``band_of`` maps a confidence to its band name): coverage and intent precision."""
    counts: dict[str, list[int]] = {"auto_write": [0, 0], "suggest": [0, 0], "review": [0, 0]}
    for label in labels:
        extraction = predicted[label.id]
        counts[band_of(extraction.confidence)][extraction.intent != label.intent] += 1
    total = len(labels) or 1
    return {
        band: BandQuality(
            n=right + wrong,
            coverage=(right + wrong) / total,
            intent_precision=right / (right + wrong) if right + wrong else None,
        )
        for band, (right, wrong) in counts.items()
    }
