"""``triage train``'s work: the gold sets plus people's corrections make a model, scored on every set.

Corrections (``eval_labels`` rows, exported by ``triage labels export`` or read from the
database) are extra training rows only. None of them is ever scored: a correction whose
message is one of a labelled set's emails (same email id, Message-ID or bytes) is dropped
and counted, so no set's score — least of all a left-out one — has seen its own label through
a correction. Each set is scored twice: by the new model (fit) and by a model trained, with
the same corrections, on every other set only (left out, ``loso:<set>``): the keys of
gold/ratchet.json. A model below any recorded level is not written (``below``).
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path

from triage.domain.evaluation import RATCHETED, EvalReport, below_ratchet, parse_labels
from triage.domain.extraction.intent_model import IntentWeights
from triage.domain.identity import identify, normalize_message_id
from triage.domain.models import Mailbox
from triage.domain.pipeline import load_mailbox
from triage_cli.eval_sets import SetResult, score_folder, sources
from triage_cli.intent_training import Row, labelled_rows, model_text, row_of, train

CORRECTIONS = "corrections"  # the training rows' source name; never a scored set
Step = Callable[[str], None]


@dataclass(frozen=True)
class Correction:
    """A label a person gave, with the message as it was received and its mailbox."""

    email_id: str
    raw: bytes
    intent: str
    mailbox: Mailbox


@dataclass(frozen=True)
class Sorted:
    kept: list[Correction]
    dropped_held_out: list[str]  # email ids of corrections whose message is in a labelled set


def message_keys(raw: bytes) -> set[str]:
    """What makes two messages the same one: the pipeline's email id, the Message-ID, the bytes."""
    who = identify(raw)
    keys = {f"id:{who.email_id}", f"sha:{hashlib.sha256(raw).hexdigest()}"}
    if who.message_id:
        keys.add(f"mid:{normalize_message_id(who.message_id)}")
    return keys


def held_out_keys(folders: Iterable[Path]) -> set[str]:
    return {key for folder in folders for path in (folder / "emails").glob("*.eml")
            for key in message_keys(path.read_bytes())}


def sort_out(corrections: Iterable[Correction], held_out: set[str]) -> Sorted:
    """Corrections of a labelled set's own emails dropped; the rest once each, by email id."""
    kept: dict[str, Correction] = {}
    dropped: list[str] = []
    for correction in corrections:
        if message_keys(correction.raw) & held_out:
            dropped.append(correction.email_id)
        else:
            kept[correction.email_id] = correction  # the last label given wins
    return Sorted([kept[k] for k in sorted(kept)], sorted(dropped))


def read_exported(path: Path) -> list[Correction]:
    """A set written by ``triage labels export``: its folder or its labels.jsonl (emails/ and
    mailbox.json beside it). Raises OSError or ValueError naming what is wrong."""
    folder = path if path.is_dir() else path.parent
    labels_file = path if path.is_file() else folder / "labels.jsonl"
    mailbox = load_mailbox((folder / "mailbox.json").read_text(encoding="utf-8"))
    labels = parse_labels(labels_file.read_text(encoding="utf-8").splitlines())
    return [Correction(label.id, (folder / "emails" / f"{label.id}.eml").read_bytes(), label.intent, mailbox)
            for label in labels]


def correction_rows(corrections: Sequence[Correction]) -> list[Row]:
    return [row_of(CORRECTIONS, c.email_id, c.raw, c.mailbox, c.intent) for c in corrections]


@dataclass(frozen=True)
class Trained:
    weights: IntentWeights
    rows: list[Row]  # gold rows, then correction rows
    fit: list[SetResult]
    left_out: list[SetResult]

    def reports(self) -> dict[str, EvalReport]:
        """Keyed as gold/ratchet.json keys them."""
        return {r.name: r.report for r in self.fit} | {f"loso:{r.name}": r.report for r in self.left_out}

    def scores(self) -> dict[str, dict[str, float | None]]:
        return {key: {name: _rounded(getattr(report, name)) for name in RATCHETED}
                for key, report in self.reports().items()}


def train_and_score(root: Path, corrections: Sequence[Correction], loso: bool, step: Step) -> Trained:
    folders = sources(root)
    gold = labelled_rows(root, folders)
    extra = correction_rows(corrections)
    step("trained on every set")
    weights = train([*gold, *extra])
    fit = []
    for folder in folders:
        fit.append(score_folder(folder, weights))
        step(f"scored {folder.name}")
    left_out = []
    for folder in folders if loso else ():
        others = [row for row in gold if row.source != folder.name]
        left_out.append(score_folder(folder, train([*others, *extra])))
        step(f"left out {folder.name}")
    return Trained(weights, [*gold, *extra], fit, left_out)


def steps(root: Path, loso: bool) -> int:
    return 1 + len(sources(root)) * (2 if loso else 1)


@dataclass(frozen=True)
class Fallen:
    key: str  # a ratchet key: the set's name, or loso:<set>
    metric: str
    level: float
    now: float

    def __str__(self) -> str:
        return f"{self.key} {self.metric} {self.now:.4f} < {self.level:.4f}"


def below(reports: Mapping[str, EvalReport], ratchet: Mapping[str, Mapping[str, float]]) -> list[Fallen]:
    return [Fallen(key, metric, level, now) for key, report in reports.items()
            for metric, (level, now) in below_ratchet(report, dict(ratchet.get(key, {}))).items()]


def unchecked(reports: Mapping[str, EvalReport], ratchet: Mapping[str, object]) -> list[str]:
    """Ratchet keys no score was computed for (a set that is gone, or --no-loso)."""
    return sorted(set(ratchet) - set(reports))


def metadata(trained: Trained, n_dropped: int, trained_at: str, code_version: str | None) -> dict[str, object]:
    n_corrections = sum(row.source == CORRECTIONS for row in trained.rows)
    return {"trained_at": trained_at, "n_training": len(trained.rows), "n_corrections": n_corrections,
            "corrections_dropped_held_out": n_dropped, "code_version": code_version, "scores": trained.scores()}


def model_file(trained: Trained, meta: Mapping[str, object]) -> str:
    return model_text(trained.weights, trained.rows, meta)


def read_about(path: Path) -> dict[str, object]:
    """The ``about`` block of a model file; empty when there is none or it is unreadable."""
    try:
        return dict(json.loads(path.read_text(encoding="utf-8")).get("about", {}))
    except (OSError, ValueError, AttributeError):
        return {}


def _rounded(value: float | None) -> float | None:
    return None if value is None else round(value, 4)
