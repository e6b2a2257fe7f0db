"""The gold set is well formed, and the local extractor never scores below the ratchet.

gold/ratchet.json records the levels reached on each part; `triage eval --ratchet
gold/ratchet.json --raise-ratchet` raises them after an improvement. CI runs this
file with the rest of the suite, so a change that lowers a score fails the build.
"""

from __future__ import annotations

import json
from email import policy
from email.parser import BytesParser
from pathlib import Path

import pytest

from triage.domain.evaluation import GoldLabel, below_ratchet, parse_labels, score
from triage.domain.models import INTENTS, Mailbox
from triage.domain.pipeline import load_mailbox, process_message

GOLD = Path(__file__).resolve().parents[2] / "gold"
PARTS = ("tuning", "heldout")


def read_part(part: str) -> tuple[Mailbox, list[GoldLabel]]:
    folder = GOLD / part
    mailbox = load_mailbox((folder / "mailbox.json").read_text(encoding="utf-8"))
    labels = parse_labels((folder / "labels.jsonl").read_text(encoding="utf-8").splitlines())
    return mailbox, labels


@pytest.mark.parametrize("part", PARTS)
def test_every_label_has_a_parseable_email_and_every_email_a_label(part: str) -> None:
    _, labels = read_part(part)
    emails = {path.stem for path in (GOLD / part / "emails").glob("*.eml")}

    assert emails == {label.id for label in labels}
    for label in labels:
        raw = (GOLD / part / "emails" / f"{label.id}.eml").read_bytes()
        message = BytesParser(policy=policy.default).parsebytes(raw)
        assert message["From"] and message["Date"], label.id
        assert label.intent in INTENTS


def test_the_set_is_large_and_covers_every_intent() -> None:
    labels = [label for part in PARTS for label in read_part(part)[1]]

    assert len(labels) >= 240
    assert {label.intent for label in labels} == set(INTENTS)


@pytest.mark.parametrize("part", PARTS)
def test_the_local_extractor_holds_the_ratchet(part: str) -> None:
    mailbox, labels = read_part(part)
    levels = json.loads((GOLD / "ratchet.json").read_text(encoding="utf-8"))[part]
    predicted = {
        label.id: process_message(
            (GOLD / part / "emails" / f"{label.id}.eml").read_bytes(), mailbox
        ).extraction
        for label in labels
    }

    assert below_ratchet(score(labels, predicted), levels) == {}
