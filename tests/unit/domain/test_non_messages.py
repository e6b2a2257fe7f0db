"""Input that is no RFC 5322 message is said so, and where kept never classified (issue: hostile input)."""

from __future__ import annotations

import json
import random
from pathlib import Path

import pytest

from tests.unit.domain.conftest import build_message
from triage.domain.bands import DEFAULT_BANDS, email_band
from triage.domain.intake import not_a_message
from triage.domain.pipeline import (
    extract_or_flag,
    flag_non_message,
    normalize_message,
    process_message,
)

ROOT = Path(__file__).resolve().parents[3]
SAMPLES = sorted((ROOT / "samples" / "emails").glob("*.eml"))


def random_bytes(n: int) -> bytes:
    return random.Random(5322).randbytes(n)


@pytest.mark.parametrize(("raw", "why"), [
    (b"", "empty input"),
    (b" \r\n\t\n", "empty input"),
    (b"\x7fELF\x02\x01\x01\x00" + bytes(200), "binary data"),
    (random_bytes(2000), "binary data"),
    (json.dumps({"company": "Lumora", "inboxes": ["sales@lumora.io"]}).encode(), "a JSON document"),
    (b'[{"from": "a@b.c"}]', "a JSON document"),
    (b"Hi team,\nwe would like 500 seats of Revenue Radar, budget $1M.\n", "no header block"),
    (b"Content-Type: text/plain\n\nonly a MIME part\n", "no From, Date, Subject"),
], ids=["empty", "blank", "elf", "random", "json-object", "json-array", "no-headers", "mime-part"])
def test_what_is_no_message_is_named(raw: bytes, why: str) -> None:
    problem = not_a_message(raw)

    assert problem is not None and problem.startswith(why)


@pytest.mark.parametrize("path", SAMPLES, ids=lambda p: p.name)
def test_every_sample_email_is_a_message(path: Path) -> None:
    assert not_a_message(path.read_bytes()) is None


def test_a_minimal_message_and_an_mbox_separator_are_messages() -> None:
    assert not_a_message(b"Subject: hi\r\n\r\nbody\r\n") is None
    assert not_a_message(b"From jane@x.io Mon Jan 12 09:30:00 2026\nFrom: jane@x.io\n\nhi\n") is None


def test_a_kept_non_message_is_never_classified_and_plans_no_crm_write(lumora) -> None:
    text = b"Hi team,\nwe want to buy 500 seats of Revenue Radar now, budget $100,000.\nJane, Acme\n"

    result = process_message(text, lumora)

    assert result.extraction.confidence == 0.0
    assert result.crm_actions == []
    assert (result.route.queue, result.route.rule) == ("human_review", "not_an_email")
    assert "not an RFC 5322 message: no header block" in result.route.reason
    assert any(d.startswith("not_an_email: no header block") for d in result.clean.defects)


def test_the_same_words_as_an_email_are_classified(lumora) -> None:
    """Guard for the guard: with headers, the text above is a lead with a deal."""
    msg = build_message("Hi team,\nwe want to buy 500 seats of Revenue Radar now, budget $100,000.\n"
                        "Jane\nAcme Robotics", subject="Revenue Radar")

    result = process_message(msg.as_bytes(), lumora)

    assert result.extraction.intent == "lead" and result.extraction.confidence > 0
    assert "create_deal" in [a.action for a in result.crm_actions]


def test_a_flagged_extraction_is_in_the_review_band_whatever_its_confidence(lumora) -> None:
    clean = flag_non_message(normalize_message(b'{"a": 1}'), b'{"a": 1}')
    extracted = extract_or_flag(clean, lumora)
    lifted = extracted.model_copy(update={"extraction": extracted.extraction.model_copy(update={"confidence": 1.0})})

    assert extracted.decided_by == "not_an_email" and extracted.band_cap == "review"
    assert email_band(lifted, DEFAULT_BANDS) == "review"
