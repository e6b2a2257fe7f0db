"""The MIME tree walked, bounded: text parts, HTML parts, attachments (metadata only)."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from email.message import Message
from typing import TypeVar

from triage.domain.models import Attachment
from triage.domain.normalize.charset import decode_payload
from triage.domain.normalize.headers import decode_header_value
from triage.domain.normalize.html import html_text
from triage.domain.normalize.limits import MAX_PARTS

T = TypeVar("T")


@dataclass
class Body:
    #: The readable text of each inline text part, in order (HTML already as text).
    pieces: list[str] = field(default_factory=list)
    attachments: list[Attachment] = field(default_factory=list)
    attached_messages: list[Message] = field(default_factory=list)
    defects: list[str] = field(default_factory=list)
    truncated: bool = False

    def text(self) -> str:
        return "\n\n".join(piece.lstrip("\r\n").rstrip() for piece in self.pieces if piece.strip())


def walk(message: Message) -> Body:
    body = Body()
    stack, seen = [message], 0
    while stack:
        part = stack.pop()
        seen += 1
        if seen > MAX_PARTS:
            body.truncated = True
            body.defects.append(f"TooManyParts: only the first {MAX_PARTS} parts were read")
            break
        body.defects.extend(_defects(part))
        kind = content_type(part)
        children = _children(part, kind, is_root=part is message)
        if children is None:
            _collect_leaf(part, kind, body)
        else:
            stack.extend(reversed(children))
    return body


def _children(part: Message, kind: str, *, is_root: bool) -> list[Message] | None:
    """Sub-parts to walk, or None for a leaf (attached messages are leaves: forwards)."""
    if kind == "message/rfc822" and not is_root:
        return None
    payload = part.get_payload() if part.is_multipart() else None
    children = [child for child in payload if isinstance(child, Message)] if payload else None
    if kind == "multipart/alternative" and children:
        return [_preferred_alternative(children)]
    return children


def _preferred_alternative(children: list[Message]) -> Message:
    """The plain-text version when it says something, else the richest (the last) one."""
    for child in children:
        if content_type(child) == "text/plain" and part_payload(child).strip():
            return child
    return children[-1]


def _collect_leaf(part: Message, kind: str, body: Body) -> None:
    is_attachment = safe(part.get_content_disposition, None) == "attachment"
    # A multipart whose boundary is missing arrives as one string: its text is still the body.
    if kind in ("text/plain", "multipart/mixed", "multipart/alternative") and not is_attachment:
        body.pieces.append(_part_text(part, body))
    elif kind == "text/html" and not is_attachment:
        text, cut = html_text(_part_text(part, body))
        body.pieces.append(text)
        if cut:
            body.truncated = True
            body.defects.append("HtmlTruncated: the HTML passed a size, tag or nesting cap")
    else:
        if kind == "message/rfc822":
            body.attached_messages.append(part)
        body.attachments.append(_attachment(part, kind))


def _part_text(part: Message, body: Body) -> str:
    charset = safe(part.get_content_charset, None)
    text, used = decode_payload(part_payload(part), charset)
    if used:
        body.defects.append(f"CharsetMismatch: declared {charset!r}, decoded as {used!r}")
    return text


def part_payload(part: Message) -> bytes:
    try:
        payload = part.get_payload(decode=True)
    except Exception:  # noqa: BLE001 - a broken transfer encoding is a defect, not a crash
        return b""
    return payload if isinstance(payload, bytes) else b""


def _attachment(part: Message, kind: str) -> Attachment:
    filename = safe(part.get_filename, None)
    return Attachment(
        filename=decode_header_value(filename) if filename else None,
        content_type=kind,
        size_bytes=_size(part, kind),
    )


def _size(part: Message, kind: str) -> int:
    if kind == "message/rfc822" or part.is_multipart():
        return _tree_size(part)
    encoding = str(part.get("Content-Transfer-Encoding", "")).strip().lower()
    raw = part.get_payload()
    if encoding == "base64" and isinstance(raw, str):
        # Decoding megabytes only to count them is wasted work: base64 is 4 chars per 3 bytes.
        padding = raw.rstrip()[-3:].count("=")
        return (len(raw) - raw.count("\n") - raw.count("\r") - raw.count(" ")) * 3 // 4 - padding
    return len(part_payload(part))


def _tree_size(message: Message) -> int:
    """Bytes of an attached message, from its parts as parsed (re-serialising costs more)."""
    size, stack, seen = 0, [message], 0
    while stack and seen < MAX_PARTS:
        part, seen = stack.pop(), seen + 1
        size += sum(len(name) + len(str(value)) + 4 for name, value in part.raw_items())
        payload = part.get_payload()
        if isinstance(payload, list):
            stack.extend(child for child in payload if isinstance(child, Message))
        else:
            size += len(payload) if isinstance(payload, str | bytes) else 0
    return size


def content_type(part: Message) -> str:
    return safe(part.get_content_type, "application/octet-stream")


def _defects(part: Message) -> list[str]:
    return [f"{type(defect).__name__}: {defect}".rstrip(": ") for defect in part.defects]


def safe(call: Callable[[], T], default: T) -> T:
    try:
        return call()
    except Exception:  # noqa: BLE001 - header parameters can be arbitrarily malformed
        return default
