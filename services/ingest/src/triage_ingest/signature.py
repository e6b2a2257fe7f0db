"""HMAC-SHA256 signatures of inbound-mail webhooks: timestamp + body, a replay window, constant time.

The headers are checked before the body is read (``check_headers``): a call without them,
with a malformed one or outside the window costs no body. A signature is accepted once:
``SeenSignatures`` remembers each one published until its window has passed.
"""

from __future__ import annotations

import hashlib
import hmac
import re
from collections import OrderedDict
from dataclasses import dataclass

REPLAY_WINDOW_S = 300
_TIMESTAMP = re.compile(r"[0-9]{1,12}")
_SIGNATURE = re.compile(r"sha256=[0-9a-fA-F]{64}")


class SignatureError(ValueError):
    """Why a webhook call was refused (safe to return to the caller: it reveals no secret)."""

    status = 401


class MalformedHeader(SignatureError):
    """A header that cannot be what the protocol says (a bad request, not a bad signature)."""

    status = 400


def sign(secret: bytes, timestamp: str, body: bytes) -> str:
    return "sha256=" + hmac.new(secret, timestamp.encode() + b"." + body, hashlib.sha256).hexdigest()


def check_headers(timestamp: str | None, signature: str | None, now: float) -> int:
    """The send time, when both headers are present, well formed and inside the window."""
    if not timestamp or not signature:
        raise SignatureError("missing X-Triage-Timestamp or X-Triage-Signature")
    if not _TIMESTAMP.fullmatch(timestamp):
        raise MalformedHeader("X-Triage-Timestamp is not a Unix time")
    if not _SIGNATURE.fullmatch(signature):
        raise MalformedHeader("X-Triage-Signature is not sha256=<64 hex digits>")
    sent_at = int(timestamp)
    if abs(now - sent_at) > REPLAY_WINDOW_S:
        raise SignatureError("timestamp outside the 5-minute replay window")
    return sent_at


def check_body(secret: bytes, timestamp: str, signature: str, body: bytes) -> None:
    if not hmac.compare_digest(sign(secret, timestamp, body), signature.lower()):
        raise SignatureError("signature does not match")


def verify(secret: bytes, timestamp: str | None, signature: str | None, body: bytes, now: float) -> None:
    check_headers(timestamp, signature, now)
    check_body(secret, timestamp or "", signature or "", body)


@dataclass(frozen=True)
class Accepted:
    email_id: str
    thread_id: str


class SeenSignatures:
    """Signatures already published, until their window has passed (bounded: oldest go first).

    Per process: a replay that reaches another replica is published again, and the email id
    makes it a no-op downstream (route's dedupe, crm-sink's idempotency keys).
    """

    def __init__(self, max_entries: int = 100_000) -> None:
        self.max_entries = max_entries
        self._seen: OrderedDict[str, tuple[float, Accepted]] = OrderedDict()

    def get(self, signature: str, now: float) -> Accepted | None:
        self._expire(now)
        found = self._seen.get(signature.lower())
        return found[1] if found is not None and found[0] >= now else None

    def add(self, signature: str, sent_at: int, accepted: Accepted) -> None:
        self._seen[signature.lower()] = (sent_at + REPLAY_WINDOW_S, accepted)
        while len(self._seen) > self.max_entries:
            self._seen.popitem(last=False)

    def _expire(self, now: float) -> None:
        """Oldest first, stopping at the first live one: O(expired) per call, not O(all)."""
        while self._seen and next(iter(self._seen.values()))[0] < now:
            self._seen.popitem(last=False)

    def __len__(self) -> int:
        return len(self._seen)
