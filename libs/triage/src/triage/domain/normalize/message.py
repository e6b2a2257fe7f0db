"""RFC 5322 bytes → CleanEmail: the parse, bounded, and the record put together."""

from __future__ import annotations

from email import message_from_bytes
from email.message import Message
from email.parser import BytesParser
from email.policy import compat32
from typing import Any

from triage.domain.identity import message_ids
from triage.domain.models import CleanEmail, ForwardedMessage, RawEmail
from triage.domain.normalize.body import split_body
from triage.domain.normalize.forward import find_forwarded, forwarded_message, is_forward_subject
from triage.domain.normalize.headers import (
    Headers,
    addresses,
    auth_verdicts,
    header_map,
    header_text,
    parse_date,
)
from triage.domain.normalize.language import detect_language
from triage.domain.normalize.limits import MAX_BOUNDARY_LINES, MAX_DEFECTS, MAX_TEXT_CHARS
from triage.domain.normalize.mime import Body, walk


def clean_email(raw: RawEmail) -> CleanEmail:
    message, cut = parse_message(raw.raw)
    body = walk(message)
    if cut:
        body.truncated = True
        body.defects.insert(0, cut)
    text = body.text()
    headers = header_map(message)
    subject = header_text(headers, "Subject")
    sender = (addresses(headers, "From") or [("", "")])[0]
    parts = split_body(text, sender[0])
    forwarded = _forwarded(text, subject, body)
    return CleanEmail(
        **_envelope(raw),
        date=parse_date(header_text(headers, "Date")),
        in_reply_to=next(iter(message_ids(header_text(headers, "In-Reply-To"))), None),
        references=message_ids(header_text(headers, "References")),
        from_name=sender[0].strip() or None,
        from_email=sender[1] or None,
        reply_to=next((address for _, address in addresses(headers, "Reply-To")), None),
        to=[address for _, address in addresses(headers, "To")],
        cc=[address for _, address in addresses(headers, "Cc")],
        subject=subject,
        text=parts.text,
        signature=parts.signature,
        quoted=parts.quoted,
        footer=parts.footer,
        forwarded=forwarded,
        language=detect_language(parts.text, forwarded.text if forwarded else None, subject),
        attachments=body.attachments,
        auth=auth_verdicts(headers),
        list_unsubscribe="list-unsubscribe" in headers,
        precedence=_lowered(headers, "Precedence"),
        auto_submitted=_lowered(headers, "Auto-Submitted"),
        truncated=raw.truncated or body.truncated or len(text) > MAX_TEXT_CHARS,
        defects=body.defects[:MAX_DEFECTS],
    )


def parse_message(raw: bytes) -> tuple[Message, str | None]:
    """The parsed message, and why it was cut (None when it was parsed whole).

    compat32 is the lenient parser (headers stay text until we decode them).
    A MIME bomb is cut before the parser sees it, and the stdlib parser
    recurses once per nesting level, so a message too deep for the stack keeps
    only its headers.
    """
    cut_at = _bomb_cut(raw)
    reason = None
    if cut_at is not None:
        raw = raw[:cut_at]
        reason = f"TooManyParts: cut after {MAX_BOUNDARY_LINES} boundary lines"
    try:
        return message_from_bytes(raw, policy=compat32), reason
    except RecursionError:
        headers = BytesParser(policy=compat32).parsebytes(raw, headersonly=True)
        return headers, "RecursionError: MIME nesting too deep; body left unparsed"


def _bomb_cut(raw: bytes) -> int | None:
    """Where the boundary line after the allowed number starts, if there are more."""
    if raw.count(b"\n--") <= MAX_BOUNDARY_LINES:
        return None
    position = -1
    for _ in range(MAX_BOUNDARY_LINES):
        position = raw.find(b"\n--", position + 1)
    return position


def _envelope(raw: RawEmail) -> dict[str, Any]:
    return {
        "email_id": raw.email_id,
        "thread_id": raw.thread_id,
        "mailbox": raw.mailbox,
        "received_at": raw.received_at,
        "message_id": raw.message_id,
    }


def _forwarded(text: str, subject: str, body: Body) -> ForwardedMessage | None:
    found = find_forwarded(text, subject)
    if found is None and body.attached_messages and (is_forward_subject(subject) or not text):
        found = _forward_from_attachment(body.attached_messages[0])
    return found


def _forward_from_attachment(part: Message) -> ForwardedMessage | None:
    payload = part.get_payload()
    inner = payload[0] if isinstance(payload, list) and payload else None
    if not isinstance(inner, Message):
        return None
    headers = header_map(inner)
    return forwarded_message(
        header_text(headers, "From"),
        header_text(headers, "Date"),
        header_text(headers, "Subject"),
        walk(inner).text(),
    )


def _lowered(headers: Headers, name: str) -> str | None:
    return header_text(headers, name).lower() or None
