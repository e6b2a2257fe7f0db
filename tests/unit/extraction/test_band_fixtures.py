"""The confidence-band integration tests (tests/integration/test_confidence_bands.py,
test_admin_ui.py) need three texts (tests/support/band_texts.py) that the shipped model puts in three bands. They take
minutes on the real stack; this checks the same texts in milliseconds, so a retrained model
that moves one of them fails here first, with the confidence it now gives."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.support.band_texts import DOUBTFUL, SURE, UNSURE, message
from triage.domain.bands import DEFAULT_BANDS, confidence_band
from triage.domain.extraction import extract_fields
from triage.domain.pipeline import load_mailbox, normalize_message

MAILBOX = load_mailbox((Path(__file__).parents[3] / "samples" / "mailbox.json").read_text())


@pytest.mark.parametrize(
    ("text", "band"), [(SURE, "auto_write"), (UNSURE, "suggest"), (DOUBTFUL, "review")]
)
def test_each_fixture_text_is_a_lead_in_its_band(text: tuple[str, str], band: str) -> None:
    extraction = extract_fields(normalize_message(message(*text, "band-fixture.com")), MAILBOX).extraction

    assert extraction.intent == "lead"
    assert confidence_band(extraction.confidence, DEFAULT_BANDS) == band, extraction.confidence
