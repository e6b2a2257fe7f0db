"""Stable ids for a message and its thread, computed from the raw bytes alone.

The ids key every Kafka topic (thread id) and make replays idempotent (email
id), so they must not depend on anything but the message itself, and computing
them must never fail: a message we cannot identify is a message we lose.
"""

from __future__ import annotations

import hashlib
import re
from dataclasses import dataclass

# Headers live at the top; a message whose header block is longer than this is
# malformed or hostile, and reading further would make the cost unbounded.
HEADER_SCAN_LIMIT = 64 * 1024

_BRACKETED_ID = re.compile(r"<([^<>\s]+)>")
_HEADER_LINE = re.compile(r"([!-9;-~]+)[ \t]*:(.*)")
_ID_HEADERS = ("message-id", "in-reply-to", "references")


@dataclass(frozen=True)
class Identity:
    email_id: str
    thread_id: str
    message_id: str | None


def identify(raw: bytes) -> Identity:
    headers = read_id_headers(raw)
    message_id = first_message_id(headers.get("message-id", ""))
    email_id = _email_id(message_id, raw)
    root = _thread_root(headers) or normalize_message_id(email_id)
    return Identity(email_id=email_id, thread_id=_thread_id(root), message_id=message_id)


def message_ids(value: str) -> list[str]:
    """The ids in an In-Reply-To/References value, without angle brackets, in order."""
    bracketed = _BRACKETED_ID.findall(value)
    if bracketed:
        return bracketed
    # Some clients omit the brackets; a single bare token is still an id.
    bare = value.split()
    return [bare[0]] if len(bare) == 1 and "@" in bare[0] else []


def first_message_id(value: str) -> str | None:
    ids = message_ids(value)
    return ids[0] if ids else None


def normalize_message_id(message_id: str) -> str:
    """Case and brackets differ between clients quoting the same id; compare without them."""
    return message_id.strip().strip("<>").strip().lower()


def read_id_headers(raw: bytes) -> dict[str, str]:
    """Message-ID, In-Reply-To and References (first occurrence each), unfolded."""
    found: dict[str, str] = {}
    for name, value in _header_fields(_header_block(raw)):
        if name in _ID_HEADERS and name not in found:
            found[name] = value
    return found


def _header_block(raw: bytes) -> str:
    head = raw[:HEADER_SCAN_LIMIT].decode("latin-1").replace("\r\n", "\n")
    end = head.find("\n\n")
    return head if end < 0 else head[:end]


def _header_fields(block: str) -> list[tuple[str, str]]:
    fields: list[tuple[str, str]] = []
    for line in block.split("\n"):
        if line[:1] in (" ", "\t") and fields:
            name, value = fields[-1]
            fields[-1] = (name, f"{value} {line.strip()}")
            continue
        match = _HEADER_LINE.fullmatch(line)
        if match:
            fields.append((match.group(1).lower(), match.group(2).strip()))
    return fields


def _thread_root(headers: dict[str, str]) -> str | None:
    for name in ("references", "in-reply-to", "message-id"):
        found = first_message_id(headers.get(name, ""))
        if found:
            return normalize_message_id(found)
    return None


def _email_id(message_id: str | None, raw: bytes) -> str:
    basis = normalize_message_id(message_id).encode() if message_id else raw
    return hashlib.sha256(basis).hexdigest()[:32]


def _thread_id(root: str) -> str:
    return "t" + hashlib.sha256(root.encode()).hexdigest()[:24]
