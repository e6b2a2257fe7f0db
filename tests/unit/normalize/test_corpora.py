"""Scores on fixtures written by others: github/email_reply_parser and CPython's test_email.

Each score is a share of fixtures; it must reach the issue's target (visible
text ≥ 0.95) and never fall below the level already reached, kept in
corpus_ratchet.json (raise it when a change scores higher).
"""

from __future__ import annotations

import time
from datetime import UTC, datetime

import pytest

from tests.unit.normalize.conftest import SCORES
from tests.unit.normalize.corpora import (
    MIME,
    REPLY,
    Fixture,
    fixtures,
    fold,
    ratchet,
    require_corpora,
)
from triage.domain.intake import raw_email
from triage.domain.models import CleanEmail
from triage.domain.normalize import clean_email, decode_text, split_body

TARGET_VISIBLE_TEXT = 0.95


@pytest.fixture(scope="module", autouse=True)
def corpora_present() -> None:
    require_corpora()  # raises: a missing corpus fails the test, it does not skip it


def normalise(fixture: Fixture) -> CleanEmail:
    received = datetime(2026, 1, 1, tzinfo=UTC)
    return clean_email(raw_email(fixture.raw, source="test", received_at=received, max_bytes=10**8))


def reply_parts(fixture: Fixture):
    return split_body(decode_text(fixture.raw, "utf-8"))


def score(name: str, results: list[bool]) -> float:
    SCORES[name] = (sum(results), len(results))
    return sum(results) / len(results)


def test_visible_text_matches_the_reply_parsers_expectations() -> None:
    expected = [f for f in fixtures(REPLY) if f.expected["visible_text"] is not None]
    results = [fold(reply_parts(f).text) == fold(f.expected["visible_text"]) for f in expected]

    share = score("reply_visible_text", results)

    misses = [f.name for f, ok in zip(expected, results, strict=True) if not ok]
    assert share >= TARGET_VISIBLE_TEXT, f"visible text {share:.3f}; misses: {misses}"
    assert share >= ratchet()["reply_visible_text"], f"regressed; misses: {misses}"


def test_signatures_match_the_reply_parsers_expectations() -> None:
    # Their "signature" also covers mailing-list footers, which we keep apart.
    expected = [f for f in fixtures(REPLY) if f.expected["signature"] is not None]
    results = []
    for fixture in expected:
        parts = reply_parts(fixture)
        ours = " ".join(part for part in (parts.signature, parts.footer) if part)
        results.append(fold(ours) == fold(fixture.expected["signature"]))

    assert score("reply_signature", results) >= ratchet()["reply_signature"]


def test_every_reply_fixture_splits_within_its_time_limit() -> None:
    for fixture in fixtures(REPLY):
        limit = next((c["value"] for c in fixture.checks("parse_time_under_seconds")), 1.0)
        started = time.perf_counter()
        reply_parts(fixture)
        assert time.perf_counter() - started < limit, fixture.name


def test_every_cpython_fixture_normalises_without_an_exception() -> None:
    for fixture in fixtures(MIME):
        normalise(fixture)  # an exception fails the test and names nothing else needed


def test_mime_expectations_hold_for_text_and_attachments() -> None:
    results = [ok for fixture in fixtures(MIME) for ok in mime_checks(fixture)]

    assert score("mime_expectations", results) >= ratchet()["mime_expectations"]


def mime_checks(fixture: Fixture) -> list[bool]:
    """The cpython assertions that speak about what a reader sees: text and file names."""
    clean = normalise(fixture)
    visible = fold(" ".join(filter(None, (clean.text, clean.signature, clean.quoted))))
    names = [attachment.filename for attachment in clean.attachments]
    texts = [c["value"] for c in fixture.checks("decoded_payload") if c["value"] is not None]
    texts += [c["value"] for c in fixture.checks("text_parts_payload_concat")]
    results = [fold(text) in visible for text in texts]
    results += [c["value"] in names for c in fixture.checks("filename")]
    return results
