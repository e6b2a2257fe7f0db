"""Train the intent model with scikit-learn and write it as the package's data file.

    triage train [--corrections DIR | --from-db]              # writes intent_model.json (triage_cli.retraining)
    python -m triage_cli.intent_training --loso [REPO_ROOT]   # leave-one-source-out accuracy

Trains on every labelled source in the repository — each folder of ``gold/`` that holds a
``labels.jsonl`` and ``samples/`` — so that a mailbox it was never written against still
looks like something it has seen. Deterministic (lbfgs, fixed data order and folds,
coefficients rounded), so rebuilding writes the same weights; tests/eval/test_intent_model.py
rebuilds it and compares (the file's clock, code version and scores are ``triage train``'s).

Calibration: the scores are divided by a temperature fitted on out-of-fold predictions
(stratified 5-fold over the training rows: every row scored by a model that never saw it),
the value minimising the log loss; the band thresholds then mean what they say.

Leave-one-source-out (``loso_models``): for each source, a model trained (and calibrated)
on all the others only; ``triage eval --all --loso`` scores each source with its own.
"""

from __future__ import annotations

import hashlib
import math
import sys
from collections import Counter
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path

from sklearn.feature_extraction import DictVectorizer
from sklearn.linear_model import LogisticRegression
from sklearn.model_selection import StratifiedKFold

from triage.domain.evaluation import parse_labels
from triage.domain.extraction.intent_model import (
    IntentWeights,
    intent_features,
    intent_probabilities,
    weights_to_json,
)
from triage.domain.extraction.signals import intent_signals
from triage.domain.models import Mailbox
from triage.domain.pipeline import load_mailbox, normalize_message
from triage_cli.eval_sets import sources

MODEL_FILE = "libs/triage/src/triage/domain/extraction/intent_model.json"
MIN_EMAILS = 2  # a feature seen in one email only is noise, and bloats the file
REGULARISATION = 1.0  # C of the logistic regression (no better C on the visible sets' left-out scores: 0.3 and 3 tried)
DECIMALS = 4
CALIBRATION_FOLDS = 5
TEMPERATURES = tuple(round(0.3 + 0.05 * i, 2) for i in range(55))  # 0.3 … 3.0


@dataclass(frozen=True)
class Row:
    """One labelled email as the model sees it."""

    source: str
    id: str
    features: tuple[str, ...]
    intent: str


def source_name(folder: Path) -> str:
    return folder.name


def labelled_rows(root: Path, folders: Iterable[Path] | None = None) -> list[Row]:
    rows = []
    for folder in folders if folders is not None else sources(root):
        mailbox = load_mailbox((folder / "mailbox.json").read_text(encoding="utf-8"))
        labels = parse_labels((folder / "labels.jsonl").read_text(encoding="utf-8").splitlines())
        for label in labels:
            raw = (folder / "emails" / f"{label.id}.eml").read_bytes()
            rows.append(row_of(source_name(folder), label.id, raw, mailbox, label.intent))
    return rows


def row_of(source: str, email_id: str, raw: bytes, mailbox: Mailbox, intent: str) -> Row:
    """One message as a training row: its features as the extractor computes them."""
    clean = normalize_message(raw)
    return Row(source, email_id, tuple(intent_features(clean, intent_signals(clean, mailbox), mailbox)), intent)


def _fit(rows: Sequence[Row], temperature: float = 1.0) -> IntentWeights:
    seen = Counter(feature for row in rows for feature in row.features)
    kept = [{f: 1 for f in row.features if seen[f] >= MIN_EMAILS} for row in rows]
    vectorizer = DictVectorizer(sort=True)
    matrix = vectorizer.fit_transform(kept)
    model = LogisticRegression(C=REGULARISATION, max_iter=5000)
    model.fit(matrix, [row.intent for row in rows])
    names = vectorizer.get_feature_names_out()
    coefficients = {
        str(name): tuple(round(float(v), DECIMALS) for v in model.coef_[:, column])
        for column, name in enumerate(names)
    }
    return IntentWeights(
        classes=tuple(str(c) for c in model.classes_),
        intercepts=tuple(round(float(v), DECIMALS) for v in model.intercept_),
        coefficients={k: v for k, v in coefficients.items() if any(abs(x) >= 0.005 for x in v)},
        temperature=temperature,
    )


def out_of_fold_scores(rows: Sequence[Row]) -> list[IntentWeights | None]:
    """For each row, the (untempered) model of the fold that held it out."""
    held_by: list[IntentWeights | None] = [None] * len(rows)
    intents = [row.intent for row in rows]
    folds = StratifiedKFold(CALIBRATION_FOLDS, shuffle=True, random_state=0)
    for train_rows, test_rows in folds.split(intents, intents):
        weights = _fit([rows[i] for i in train_rows])
        for i in test_rows:
            held_by[i] = weights
    return held_by


def fit_temperature(rows: Sequence[Row]) -> float:
    """The temperature with the lowest out-of-fold log loss."""
    held_by = out_of_fold_scores(rows)

    def log_loss(temperature: float) -> float:
        total = 0.0
        for row, weights in zip(rows, held_by, strict=True):
            assert weights is not None
            tempered = IntentWeights(weights.classes, weights.intercepts, weights.coefficients, temperature)
            total -= math.log(max(intent_probabilities(tempered, row.features).get(row.intent, 0.0), 1e-12))
        return total

    return min(TEMPERATURES, key=log_loss)


def train(rows: Sequence[Row]) -> IntentWeights:
    """The calibrated model: fitted on every row, tempered by the out-of-fold temperature."""
    return _fit(rows, fit_temperature(rows))


def about(rows: Sequence[Row]) -> dict[str, object]:
    counts = Counter(row.source for row in rows)
    return {
        "trainer": f"scikit-learn LogisticRegression(C={REGULARISATION}), triage_cli.intent_training",
        "rows": len(rows),
        "sources": dict(sorted(counts.items())),
    }


def model_version(weights: IntentWeights) -> str:
    """A digest of the weights alone: equal models, equal versions, whatever their metadata."""
    return hashlib.sha256(weights_to_json(weights, {}).encode("utf-8")).hexdigest()[:16]


def model_text(weights: IntentWeights, rows: Sequence[Row], extra: Mapping[str, object]) -> str:
    """The model file: the weights, what they were trained on, and ``extra`` (``triage train``'s
    clock, code version and scores)."""
    return weights_to_json(weights, {**about(rows), **extra, "model_version": model_version(weights)})


def build(root: Path, extra: Mapping[str, object] | None = None) -> str:
    rows = labelled_rows(root)
    return model_text(train(rows), rows, extra or {})


def loso_models(rows: Sequence[Row]) -> dict[str, IntentWeights]:
    """Per source, the model trained and calibrated on every other source only."""
    return {
        name: train([row for row in rows if row.source != name])
        for name in sorted({row.source for row in rows})
    }


def main(argv: list[str]) -> None:
    args = [arg for arg in argv[1:] if not arg.startswith("--")]
    root = Path(args[0]) if args else Path.cwd()
    if "--loso" in argv:
        rows = labelled_rows(root)
        for name, weights in loso_models(rows).items():
            held = [row for row in rows if row.source == name]
            right = sum(
                max(weights.classes, key=intent_probabilities(weights, row.features).__getitem__)
                == row.intent
                for row in held
            )
            print(f"{name:<20} {right}/{len(held)} = {right / len(held):.3f}  (T={weights.temperature})")
        return
    print("the model is written by `triage train` (scored, checked against gold/ratchet.json)")


if __name__ == "__main__":
    main(sys.argv)
