"""The inbound webhook's HMAC-SHA256 signature over "<timestamp>." + body, with a 5-minute window."""

from __future__ import annotations

import hashlib
import hmac
import secrets

import pytest

from triage_ingest.signature import REPLAY_WINDOW_S, SignatureError, sign, verify

SECRET = secrets.token_bytes(32)
BODY = b"From: jane@acme.com\r\nSubject: hi\r\n\r\nHello"
SENT_AT = 1_767_600_000


def test_sign_is_hex_hmac_sha256_of_timestamp_dot_body() -> None:
    expected = hmac.new(SECRET, f"{SENT_AT}.".encode() + BODY, hashlib.sha256).hexdigest()
    assert sign(SECRET, str(SENT_AT), BODY) == f"sha256={expected}"


def test_a_valid_signature_passes() -> None:
    verify(SECRET, str(SENT_AT), sign(SECRET, str(SENT_AT), BODY), BODY, now=SENT_AT + 1)


def test_a_signature_made_with_another_secret_is_refused() -> None:
    forged = sign(secrets.token_bytes(32), str(SENT_AT), BODY)
    with pytest.raises(SignatureError, match="does not match"):
        verify(SECRET, str(SENT_AT), forged, BODY, now=SENT_AT)


def test_a_tampered_body_is_refused() -> None:
    signature = sign(SECRET, str(SENT_AT), BODY)
    with pytest.raises(SignatureError, match="does not match"):
        verify(SECRET, str(SENT_AT), signature, BODY + b"!", now=SENT_AT)


def test_a_signature_replayed_with_another_timestamp_is_refused() -> None:
    signature = sign(SECRET, str(SENT_AT), BODY)
    with pytest.raises(SignatureError, match="does not match"):
        verify(SECRET, str(SENT_AT + 10), signature, BODY, now=SENT_AT + 10)


@pytest.mark.parametrize("skew", [REPLAY_WINDOW_S + 1, -(REPLAY_WINDOW_S + 1), 3600, -3600],
                         ids=["just-too-old", "just-too-new", "an-hour-old", "an-hour-ahead"])
def test_a_timestamp_outside_the_5_minute_window_is_refused_both_ways(skew: int) -> None:
    signature = sign(SECRET, str(SENT_AT), BODY)
    with pytest.raises(SignatureError, match="replay window"):
        verify(SECRET, str(SENT_AT), signature, BODY, now=SENT_AT + skew)


@pytest.mark.parametrize("skew", [REPLAY_WINDOW_S, -REPLAY_WINDOW_S, REPLAY_WINDOW_S - 1])
def test_a_timestamp_at_the_edge_of_the_window_passes(skew: int) -> None:
    verify(SECRET, str(SENT_AT), sign(SECRET, str(SENT_AT), BODY), BODY, now=SENT_AT + skew)


def test_the_window_is_five_minutes() -> None:
    assert REPLAY_WINDOW_S == 300


@pytest.mark.parametrize(("timestamp", "signature"), [
    (None, "sha256=00"), ("", "sha256=00"), (str(SENT_AT), None), (str(SENT_AT), ""), (None, None),
])
def test_missing_headers_are_refused(timestamp, signature) -> None:
    with pytest.raises(SignatureError, match="missing"):
        verify(SECRET, timestamp, signature, BODY, now=SENT_AT)


@pytest.mark.parametrize("timestamp", ["yesterday", "1767600000.5", "0x69"])
def test_a_non_numeric_timestamp_is_refused(timestamp: str) -> None:
    signature = sign(SECRET, timestamp, BODY)  # correctly signed: the format alone is wrong
    with pytest.raises(SignatureError, match="not a Unix time"):
        verify(SECRET, timestamp, signature, BODY, now=SENT_AT)


def test_a_signature_error_never_reveals_the_secret() -> None:
    with pytest.raises(SignatureError) as caught:
        verify(SECRET, str(SENT_AT), "sha256=00", BODY, now=SENT_AT)
    assert SECRET.hex() not in str(caught.value)
    assert sign(SECRET, str(SENT_AT), BODY) not in str(caught.value)
