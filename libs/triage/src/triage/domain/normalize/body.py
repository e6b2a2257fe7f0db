"""A body cut into the newest text, its signature, the legal footer and the quoted history."""

from __future__ import annotations

from dataclasses import dataclass

from triage.domain.normalize.footer import footer_start
from triage.domain.normalize.limits import MAX_TEXT_CHARS
from triage.domain.normalize.quotes import quote_start
from triage.domain.normalize.signature import name_forms, signature_start


@dataclass(frozen=True)
class BodyParts:
    """A message body cut into the newest visible text and what surrounds it."""

    text: str
    signature: str | None = None
    quoted: str | None = None
    footer: str | None = None


def split_body(text: str, sender_name: str | None = None) -> BodyParts:
    """Newest message first: cut quoted history, then the legal footer, then the signature.

    ``sender_name`` (the From display name) finds signatures that have no
    sign-off: a block starting with the sender's own name.
    """
    lines = body_lines(text)
    quote_at = quote_start(lines)
    head, quoted = lines[:quote_at], lines[quote_at:]
    footer_at = footer_start(head)
    head, footer = head[:footer_at], head[footer_at:]
    signature_at = signature_start(head, name_forms(sender_name))
    head, signature = head[:signature_at], head[signature_at:]
    if not signature:
        quoted, signature = _bottom_signature(quoted)
    return BodyParts(
        text=join_lines(head) or "",
        signature=join_lines(signature),
        quoted=join_lines(quoted),
        footer=join_lines(footer),
    )


def _bottom_signature(quoted: list[str]) -> tuple[list[str], list[str]]:
    """A bottom-poster's "--" signature below the last quoted line is not history."""
    last_quoted = max(
        (i for i, line in enumerate(quoted) if line.lstrip().startswith(">")), default=-1
    )
    tail = quoted[last_quoted + 1 :]
    at = next((i for i, line in enumerate(tail) if line.rstrip() == "--"), None)
    if last_quoted < 0 or at is None:
        return quoted, []
    return quoted[: last_quoted + 1 + at], tail[at:]


def body_lines(text: str) -> list[str]:
    return text[:MAX_TEXT_CHARS].replace("\r\n", "\n").replace("\r", "\n").split("\n")


def join_lines(lines: list[str]) -> str | None:
    return "\n".join(line.rstrip() for line in lines).strip() or None
