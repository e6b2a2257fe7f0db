"""HMAC-SHA256 signatures of inbound-mail webhooks: timestamp + body, a replay window, constant time."""

from __future__ import annotations

import hashlib
import hmac

REPLAY_WINDOW_S = 300


class SignatureError(ValueError):
    """Why a webhook call was refused (safe to return to the caller: it reveals no secret)."""


def sign(secret: bytes, timestamp: str, body: bytes) -> str:
    return "sha256=" + hmac.new(secret, timestamp.encode() + b"." + body, hashlib.sha256).hexdigest()


def verify(secret: bytes, timestamp: str | None, signature: str | None, body: bytes, now: float) -> None:
    if not timestamp or not signature:
        raise SignatureError("missing X-Triage-Timestamp or X-Triage-Signature")
    try:
        sent_at = int(timestamp)
    except ValueError:
        raise SignatureError("X-Triage-Timestamp is not a Unix time") from None
    if abs(now - sent_at) > REPLAY_WINDOW_S:
        raise SignatureError("timestamp outside the 5-minute replay window")
    if not hmac.compare_digest(sign(secret, timestamp, body), signature):
        raise SignatureError("signature does not match")
