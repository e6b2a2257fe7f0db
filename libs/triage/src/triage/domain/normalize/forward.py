"""The original message inside a forward: its sender, date, subject and body."""

from __future__ import annotations

import re

from triage.domain.models import ForwardedMessage
from triage.domain.normalize.body import body_lines, split_body
from triage.domain.normalize.quotes import FORWARD_SEPARATOR, RULE_LINE, SEPARATOR_LINE, quote_start
from triage.domain.normalize.vocabulary import FORWARD_SUBJECT_PREFIXES, HEADER_FIELDS

_FORWARD_SUBJECT = re.compile(rf"\s*(?:{'|'.join(FORWARD_SUBJECT_PREFIXES)})\s*:", re.IGNORECASE)
_FORWARD_HEADER = re.compile(r"\*?([^\W\d_][^\W\d_ ]*(?: [^\W\d_]+)?)\s?:\*?\s*(.*)")
_EMAIL_ADDRESS = re.compile(r"[\w.+'-]+@[\w-]+(?:\.[\w-]+)+")
_QUOTE_MARKS = re.compile(r"^\s*(?:> ?)+")
# A display name and address fit in this; searching longer text for an address is quadratic.
_MAX_ADDRESS_CHARS = 320


def is_forward_subject(subject: str) -> bool:
    return bool(_FORWARD_SUBJECT.match(subject))


def find_forwarded(body: str, subject: str) -> ForwardedMessage | None:
    """The original inside a forward: after a forward separator, or any quoted block of a Fwd:."""
    lines = body_lines(body)
    start = _forward_start(lines)
    if start is None and is_forward_subject(subject):
        quoted_at = quote_start(lines)
        start = quoted_at if quoted_at < len(lines) else None
    return None if start is None else _parse_forward_block(lines[start:])


def forwarded_message(sender: str, date: str, subject: str, body: str) -> ForwardedMessage:
    """A forward's original from its header values and its body (the body's signature kept)."""
    name, address = parse_address(sender)
    parts = split_body(body, name)
    return ForwardedMessage(
        from_name=name,
        from_email=address,
        date=date or None,
        subject=subject or None,
        text="\n\n".join(part for part in (parts.text, parts.signature) if part),
    )


def _forward_start(lines: list[str]) -> int | None:
    for index, line in enumerate(lines):
        # Gmail puts the separator inside its quote block, which HTML turns into "> ".
        if FORWARD_SEPARATOR.fullmatch(_QUOTE_MARKS.sub("", line).strip()):
            return index
    return None


def _parse_forward_block(lines: list[str]) -> ForwardedMessage | None:
    lines = _unquote(lines)
    index = _skip_separators(lines, 0)
    fields, index = _read_forward_headers(lines, index)
    if "from" not in fields and "subject" not in fields:
        return None
    return forwarded_message(
        fields.get("from", ""),
        fields.get("date", ""),
        fields.get("subject", ""),
        "\n".join(lines[index:]),
    )


def _skip_separators(lines: list[str], index: int) -> int:
    while index < len(lines) and _is_separator(lines[index].strip()):
        index += 1
    return index


def _is_separator(line: str) -> bool:
    return not line or bool(SEPARATOR_LINE.fullmatch(line) or RULE_LINE.fullmatch(line))


def _read_forward_headers(lines: list[str], index: int) -> tuple[dict[str, str], int]:
    fields: dict[str, str] = {}
    while index < len(lines):
        match = _FORWARD_HEADER.fullmatch(lines[index].strip())
        if match is None:
            break
        field = HEADER_FIELDS.get(match.group(1).lower())
        if field is None:
            break
        fields.setdefault(field, match.group(2).replace("*", "").strip())
        index += 1
    return fields, index


def _unquote(lines: list[str]) -> list[str]:
    # A forward that was itself quoted with ">" still has a readable original inside.
    non_empty = [line for line in lines if line.strip()]
    if non_empty and all(line.lstrip().startswith(">") for line in non_empty):
        return [_QUOTE_MARKS.sub("", line) for line in lines]
    return lines


def parse_address(value: str) -> tuple[str | None, str | None]:
    """(display name, email) from 'Jane <j@x>', 'Jane [mailto:j@x]' or a bare address."""
    value = value[:_MAX_ADDRESS_CHARS]
    found = _EMAIL_ADDRESS.search(value)
    if not found:
        return (value.strip(" \"'") or None), None
    name = value[: found.start()].replace("mailto:", "").strip(" \"'<[(")
    return (name.strip(" \"'") or None), found.group(0).lower()
