"""Every labelled set is well formed, and the local extractor never scores below the ratchet —
on each set with the shipped model, and on each set left out of the model's training.

gold/ratchet.json records the levels reached (key: the set's folder name, and
``loso:<name>`` for the leave-one-source-out score); `triage eval --all --loso --ratchet
gold/ratchet.json --raise-ratchet` raises them after an improvement. CI runs this file with
the rest of the suite, so a change that lowers a score fails the build.
"""

from __future__ import annotations

import json
from email import policy
from email.parser import BytesParser
from pathlib import Path

import pytest

from triage.domain.evaluation import below_ratchet
from triage.domain.models import INTENTS
from triage_cli.eval_sets import read_labels, score_left_out, score_sources, sources

ROOT = Path(__file__).resolve().parents[2]
SETS = sources(ROOT)
LEVELS = json.loads((ROOT / "gold" / "ratchet.json").read_text(encoding="utf-8"))


@pytest.mark.parametrize("folder", SETS, ids=lambda f: f.name)
def test_every_label_has_a_parseable_email_and_every_email_a_label(folder: Path) -> None:
    labels = read_labels(folder)
    emails = {path.stem for path in (folder / "emails").glob("*.eml")}

    assert emails == {label.id for label in labels}
    for label in labels:
        raw = (folder / "emails" / f"{label.id}.eml").read_bytes()
        message = BytesParser(policy=policy.default).parsebytes(raw)
        assert message["From"] and message["Date"], label.id
        assert label.intent in INTENTS


def test_the_sets_are_large_cover_every_intent_and_several_independent_sources() -> None:
    labels = [label for folder in SETS for label in read_labels(folder)]
    independent = [f for f in SETS if f.name.startswith("indie-")]

    assert len(labels) >= 400
    assert {label.intent for label in labels} == set(INTENTS)
    assert len(independent) >= 2
    assert sum(len(read_labels(f)) for f in independent) >= 120


def test_every_set_is_in_the_ratchet() -> None:
    for folder in SETS:
        assert folder.name in LEVELS and f"loso:{folder.name}" in LEVELS, folder.name


@pytest.mark.parametrize("result", score_sources(ROOT, SETS), ids=lambda r: r.name)
def test_the_local_extractor_holds_the_ratchet_on_every_set(result) -> None:  # noqa: ANN001
    assert below_ratchet(result.report, LEVELS[result.name]) == {}


def test_each_set_left_out_of_training_holds_its_ratchet() -> None:
    for result in score_left_out(ROOT, SETS):
        assert below_ratchet(result.report, LEVELS[f"loso:{result.name}"]) == {}, result.name
