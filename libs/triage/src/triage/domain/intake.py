"""How raw bytes from any door (a file, Gmail, a webhook) become an ``email.raw`` record."""

from __future__ import annotations

from datetime import datetime
from email.parser import BytesHeaderParser
from email.policy import default as default_policy
from email.utils import getaddresses

from triage.domain.identity import HEADER_SCAN_LIMIT, identify
from triage.domain.models import RawEmail

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
