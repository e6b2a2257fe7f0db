"""How raw bytes from any door (a file, Gmail, a webhook) become an ``email.raw`` record."""

from __future__ import annotations

import json
import re
from datetime import datetime
from email.parser import BytesHeaderParser
from email.policy import default as default_policy
from email.utils import getaddresses

from triage.domain.identity import HEADER_SCAN_LIMIT, identify
from triage.domain.models import RawEmail

#: Header fields of which an RFC 5322 message has at least one (From and Date are required by
#: the RFC; real mail sometimes lacks one, never all of these).
CORE_HEADERS = frozenset({"from", "sender", "date", "message-id", "subject", "to", "received",
                          "return-path"})
#: Where the defect that flags a kept non-message starts (CleanEmail.defects).
NOT_AN_EMAIL = "not_an_email"
_FIELD = re.compile(rb"([!-9;-~]+)[ \t]*:")
_CONTROL = frozenset(range(0, 32)) - {9, 10, 13}

#: Headers a mail system stamps with the mailbox that received the message, most specific first.
DELIVERY_HEADERS = ("Delivered-To", "X-Original-To", "To")


def receiving_mailbox(raw: bytes) -> str | None:
    """The inbox a message was delivered to, read from its headers (None when absent)."""
    try:
        headers = BytesHeaderParser(policy=default_policy).parsebytes(raw[:HEADER_SCAN_LIMIT])
        for name in DELIVERY_HEADERS:
            addresses = [addr for _, addr in getaddresses([str(headers.get(name, ""))]) if "@" in addr]
            if addresses:
                return addresses[0].lower()
    except Exception:  # a hostile header block must not stop intake; the mailbox is then unknown
        return None
    return None


def raw_email(
    raw: bytes,
    *,
    source: str,
    received_at: datetime,
    max_bytes: int,
    mailbox: str | None = None,
    gmail_id: str | None = None,
    thread_id: str | None = None,
) -> RawEmail:
    """An ``email.raw`` record: oversized messages are kept, cut at ``max_bytes`` and flagged."""
    identity = identify(raw)
    return RawEmail(
        email_id=identity.email_id,
        thread_id=thread_id or identity.thread_id,
        mailbox=mailbox or receiving_mailbox(raw) or "unknown",
        received_at=received_at,
        message_id=identity.message_id,
        source=source,
        gmail_id=gmail_id,
        raw=raw[:max_bytes],
        size_bytes=len(raw),
        truncated=len(raw) > max_bytes,
    )


def not_a_message(raw: bytes) -> str | None:
    """Why these bytes are no RFC 5322 message (binary, JSON, empty, no header block), else None.

    Only the first ``HEADER_SCAN_LIMIT`` bytes are read, so the check costs the same on any input.
    """
    head = raw[:HEADER_SCAN_LIMIT]
    if not head.strip():
        return "empty input"
    if _looks_binary(head):
        return "binary data"
    if head.lstrip()[:1] in (b"{", b"[") and _is_json(raw):
        return "a JSON document"
    fields = _header_fields(head)
    if not fields:
        return "no header block (the first line is not a header field)"
    if not fields & CORE_HEADERS:
        return "no From, Date, Subject, To or Message-ID header"
    return None


def _looks_binary(head: bytes) -> bool:
    control = sum(1 for byte in head[:4096] if byte in _CONTROL)
    return b"\x00" in head or control * 20 > min(len(head), 4096)


def _is_json(raw: bytes) -> bool:
    try:
        json.loads(raw)
    except ValueError:
        return False
    return True


def _header_fields(head: bytes) -> set[str]:
    """The field names of the leading header block; empty when its first line is no field."""
    lines = head.replace(b"\r\n", b"\n").split(b"\n\n", 1)[0].split(b"\n")
    if lines[0].startswith(b"From "):  # an mbox separator line
        lines = lines[1:]
    if not lines or not _FIELD.match(lines[0]):
        return set()
    return {m.group(1).decode("ascii").lower() for line in lines if (m := _FIELD.match(line))}
