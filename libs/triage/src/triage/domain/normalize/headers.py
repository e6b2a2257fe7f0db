"""Header values decoded (8-bit bytes, RFC 2047 encoded words), addresses, dates, auth verdicts.

Messages are parsed with the lenient compat32 policy (fast, never raises on a
header), so decoding happens here, bounded in length, with the same charset
fallback as bodies.
"""

from __future__ import annotations

import re
from datetime import UTC, datetime
from email.header import decode_header, make_header
from email.message import Message
from email.utils import getaddresses, parsedate_to_datetime

from triage.domain.models import AuthVerdicts
from triage.domain.normalize.charset import decode_text
from triage.domain.normalize.limits import MAX_HEADER_CHARS

_AUTH_RESULT = re.compile(r"\b(dkim|spf|dmarc)\s*=\s*([a-z]+)", re.IGNORECASE)


Headers = dict[str, str]


def header_map(message: Message) -> Headers:
    """The first occurrence of each header by lowercased name, read once per message."""
    headers: Headers = {}
    for key, value in message.raw_items():
        headers.setdefault(key.lower(), value)
    return headers


def header_text(headers: Headers, name: str) -> str:
    """A header decoded and unfolded; "" when absent."""
    return decode_header_value(raw_header(headers, name))


def raw_header(headers: Headers, name: str) -> str:
    """The header's text as received (8-bit bytes decoded), still RFC 2047 encoded."""
    value = headers.get(name.lower())
    return "" if value is None else _unescape_8bit(str(value)[:MAX_HEADER_CHARS])


def decode_header_value(value: str) -> str:
    if "=?" in value:
        value = _decode_encoded_words(value)
    return " ".join(value.split())


def _unescape_8bit(value: str) -> str:
    # The bytes parser keeps raw 8-bit header bytes as surrogate escapes.
    try:
        value.encode("utf-8")
    except UnicodeEncodeError:
        return decode_text(value.encode("utf-8", "surrogateescape"), "utf-8")
    return value


def _decode_encoded_words(value: str) -> str:
    try:
        return str(make_header(decode_header(value)))
    except Exception:  # noqa: BLE001 - malformed words or unknown charsets: decode word by word
        pass
    try:
        chunks = decode_header(value)
    except Exception:  # noqa: BLE001 - not even splittable: keep the text as sent
        return value
    return "".join(
        chunk if isinstance(chunk, str) else decode_text(chunk, charset)
        for chunk, charset in chunks
    )


def addresses(headers: Headers, name: str) -> list[tuple[str, str]]:
    """(display name, lowercased address) pairs; names decoded after the list is split."""
    raw = raw_header(headers, name)
    if not raw:
        return []
    try:
        pairs = getaddresses([raw])
    except Exception:  # noqa: BLE001 - hostile address lists must not stop the message
        return []
    return [
        (decode_header_value(display), address.lower())
        for display, address in pairs
        if "@" in address
    ]


def parse_date(value: str) -> datetime | None:
    try:
        parsed = parsedate_to_datetime(value)
    except (TypeError, ValueError, IndexError, OverflowError):
        return None
    return parsed if parsed.tzinfo else parsed.replace(tzinfo=UTC)


def parse_auth_results(value: str) -> AuthVerdicts:
    """The first verdict per method in an Authentication-Results value."""
    verdicts: dict[str, str] = {}
    for method, verdict in _AUTH_RESULT.findall(value):
        verdicts.setdefault(method.lower(), verdict.lower())
    return AuthVerdicts(**verdicts)


def auth_verdicts(headers: Headers) -> AuthVerdicts:
    """The receiving server's verdicts: its Authentication-Results is the topmost one."""
    verdicts = parse_auth_results(header_text(headers, "Authentication-Results"))
    if verdicts.spf is None:
        received_spf = header_text(headers, "Received-SPF").split(" ", 1)[0].lower()
        verdicts = verdicts.model_copy(update={"spf": received_spf or None})
    return verdicts
