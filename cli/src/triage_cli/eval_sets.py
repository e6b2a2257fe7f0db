"""Every labelled set at once: per-set scores, leave-one-source-out, band quality.

A *source* is one labelled set of the repository (gold-format.md): each folder of
``gold/`` holding a ``labels.jsonl``, and ``samples/``. The shipped intent model is
trained on all of them, so its per-set scores measure fit; the leave-one-source-out
scores (each source scored by a model trained on every other source only) measure how
the extractor does on mail it has not seen — the figure to quote.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Literal

from triage.domain.bands import DEFAULT_BANDS, ConfidenceBands, confidence_band
from triage.domain.evaluation import (
    BandQuality,
    EvalReport,
    GoldLabel,
    band_quality,
    parse_labels,
    score,
)
from triage.domain.extraction import SHIPPED_MODEL, extract_fields
from triage.domain.extraction.intent_model import IntentWeights
from triage.domain.models import Extraction
from triage.domain.pipeline import load_mailbox, normalize_message


def sources(root: Path) -> list[Path]:
    """Every labelled set of the repository, in a fixed order."""
    gold = sorted(p.parent for p in (root / "gold").glob("*/labels.jsonl"))
    return [*gold, root / "samples"]


@dataclass(frozen=True)
class SetResult:
    name: str
    report: EvalReport
    bands: dict[str, BandQuality]

    def as_json(self) -> dict[str, object]:
        return {
            **self.report.model_dump(mode="json"),
            "bands": {band: q.model_dump(mode="json") for band, q in self.bands.items()},
        }


def read_labels(folder: Path) -> list[GoldLabel]:
    return parse_labels((folder / "labels.jsonl").read_text(encoding="utf-8").splitlines())


def score_folder(
    folder: Path,
    weights: IntentWeights | Literal["shipped"] | None = SHIPPED_MODEL,
    bands: ConfidenceBands = DEFAULT_BANDS,
) -> SetResult:
    """The local extractor with ``weights`` over one set."""
    mailbox = load_mailbox((folder / "mailbox.json").read_text(encoding="utf-8"))
    labels = read_labels(folder)
    predicted: dict[str, Extraction] = {
        label.id: extract_fields(
            normalize_message((folder / "emails" / f"{label.id}.eml").read_bytes()), mailbox, weights
        ).extraction
        for label in labels
    }
    return SetResult(
        folder.name,
        score(labels, predicted),
        band_quality(labels, predicted, lambda c: confidence_band(c, bands)),
    )


def score_sources(root: Path, folders: Sequence[Path] | None = None) -> list[SetResult]:
    """Each set with the shipped model (trained on all of them: fit, not accuracy)."""
    return [score_folder(folder) for folder in folders or sources(root)]


def score_left_out(root: Path, folders: Sequence[Path] | None = None) -> list[SetResult]:
    """Each set with a model trained and calibrated on every other set only."""
    from triage_cli.intent_training import labelled_rows, loso_models  # scikit-learn: only here

    chosen = list(folders or sources(root))
    models = loso_models(labelled_rows(root, chosen))
    return [score_folder(folder, models[folder.name]) for folder in chosen]


def pooled_bands(results: Sequence[SetResult]) -> dict[str, BandQuality]:
    """The bands over every set's emails together."""
    total = sum(r.report.n for r in results) or 1
    pooled = {}
    for band in ("auto_write", "suggest", "review"):
        n = sum(r.bands[band].n for r in results)
        right = sum(round((r.bands[band].intent_precision or 0) * r.bands[band].n) for r in results)
        pooled[band] = BandQuality(n=n, coverage=n / total, intent_precision=right / n if n else None)
    return pooled


def pooled_confusion(results: Sequence[SetResult]) -> dict[str, dict[str, int]]:
    confusion: dict[str, dict[str, int]] = {}
    for result in results:
        for gold, row in result.report.confusion.items():
            for predicted, count in row.items():
                cell = confusion.setdefault(gold, {})
                cell[predicted] = cell.get(predicted, 0) + count
    return confusion
