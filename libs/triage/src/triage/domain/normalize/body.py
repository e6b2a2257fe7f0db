"""A body cut into the newest text, its signature, the legal footer and the quoted history."""

from __future__ import annotations

import re
from dataclasses import dataclass

from triage.domain.normalize.footer import footer_start
from triage.domain.normalize.html import html_to_text
from triage.domain.normalize.limits import MAX_TEXT_CHARS
from triage.domain.normalize.quotes import (
    FORWARD_SEPARATOR,
    SEPARATOR_LINE,
    field_of,
    header_lines,
    is_header_block,
    next_non_empty,
    quote_start,
    split_inline_header,
)
from triage.domain.normalize.signature import name_forms, signature_start

# A bare HTML body (a reply pasted as markup, a text part that is really HTML).
_HTML_START = re.compile(
    r"\s*(?:<\?xml\b[^>]*>\s*)?(?:<!doctype\s+html|<html\b|<head\b|<body\b|<meta\b|<div\b|<p\b|<table\b|<span\b)",
    re.IGNORECASE,
)
_HTML_END = re.compile(r"</(?:html|body|div|p|table|span)\s*>", re.IGNORECASE)
_QUOTE_MARK = re.compile(r"^\s*> ?")
_ADDRESS_LINE = re.compile(r"[<(\[]?(?:mailto:)?[\w.+'-]+@[\w-]+(?:\.[\w-]+)+[>)\]]*")
# A quoted line this long was probably re-wrapped by a client: the line under it goes on.
_WRAPPED_QUOTE_CHARS = 60


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
    if looks_like_html(text):
        text = html_to_text(text)
    lines = _split_inline_headers(body_lines(text))
    head, quoted = _reply_and_history(lines)
    if not _has_text(head) and _only_quote_marks(quoted):
        # A mail that is nothing but a quote: the quote is what there is to read.
        head, quoted = [_QUOTE_MARK.sub("", line) for line in quoted], []
    elif not _has_text(head):
        head, quoted = _first_message(quoted)
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


def looks_like_html(text: str) -> bool:
    return bool(_HTML_START.match(text[:2000]) and _HTML_END.search(text))


def _split_inline_headers(lines: list[str]) -> list[str]:
    """"Thanks! On Mon, … Jane <j@x> wrote:" → the reply's line, then the header's."""
    out: list[str] = []
    for line in lines:
        split = split_inline_header(line) if " wrote" in line or ":" in line[-3:] else None
        out.extend(split if split else (line,))
    return out


def _reply_and_history(lines: list[str]) -> tuple[list[str], list[str]]:
    """The reply's lines (above, between and below quotes) and the quoted history.

    A header over ">" lines quotes only those lines: what follows them is the
    reply again (bottom-posting, interleaved answers, a "Regards" below the
    quote). A header over unquoted text (Outlook) makes the rest history. A
    forward with nothing written above it keeps the original as its text.
    """
    start = quote_start(lines)
    reply, quoted = lines[:start], []
    index, last_quoted = start, False
    while index < len(lines):
        line = lines[index].strip()
        if line.startswith(">"):
            quoted.append(lines[index])
            index, last_quoted = index + 1, True
            continue
        if not line:
            (quoted if last_quoted else reply).append(lines[index])
            index += 1
            continue
        if last_quoted and lines[index - 1].strip() and (_has_text(reply) or _wraps_quote(lines, index)):
            # Lazy quoting: a line right under a quoted one (no blank between) wraps it.
            quoted.append(lines[index])
            index += 1
            continue
        if FORWARD_SEPARATOR.fullmatch(line) and not _has_text(reply):
            # Forwarded without a word: the original is what the mail says.
            end = _forward_end(lines, index)
            reply.extend(lines[index:end])
            index, last_quoted = end, False
            continue
        span = header_lines(lines, index)
        if span:
            after = next_non_empty(lines, index + span)
            if after < len(lines) and lines[after].lstrip().startswith(">"):
                quoted.extend(lines[index:after])
                index, last_quoted = after, True
                continue
        if span or quote_start(lines[index : index + 6]) == 0:
            quoted.extend(lines[index:])
            break
        if last_quoted and reply and reply[-1].strip():
            reply.append("")
        reply.append(lines[index])
        index, last_quoted = index + 1, False
    return reply, quoted


def _first_message(lines: list[str]) -> tuple[list[str], list[str]]:
    """A mail that opens with a header ("From:/Sent:", "On … wrote:") over unquoted text.

    Nothing is written above the header, so the message under it is what the
    mail says: its text (up to its own history) is the text, the header and the
    rest stay history. Over ">" lines (a reply that added nothing), the quoted
    message is the text in the same way: its first level, unmarked, up to its
    own history.
    """
    start = next_non_empty(lines, 0)
    if start >= len(lines):
        return [], lines
    if SEPARATOR_LINE.fullmatch(lines[start].strip()):
        start = next_non_empty(lines, start + 1)
    if start < len(lines) and is_header_block(lines, start):
        body = _header_block_end(lines, start)
    elif start < len(lines) and (span := header_lines(lines, start)):
        body = next_non_empty(lines, start + span)
    else:
        return [], lines
    if body >= len(lines):
        return [], lines
    if lines[body].lstrip().startswith(">"):
        inner = [_QUOTE_MARK.sub("", line) for line in lines[body:]]
        end = quote_start(inner)
        return inner[:end], lines[:body] + lines[body + end :]
    end = body + quote_start(lines[body:])
    return lines[body:end], lines[:body] + lines[end:]


def _header_block_end(lines: list[str], index: int) -> int:
    """The first line after a header block's fields (and their wrapped addresses)."""
    while index < len(lines) and (
        not lines[index].strip()
        or field_of(lines[index])
        or _ADDRESS_LINE.fullmatch(lines[index].strip())
    ):
        index += 1
    return index


def _wraps_quote(lines: list[str], index: int) -> bool:
    """Whether the unquoted line right under a quoted one continues it (a re-wrapped quote).

    Asked when nothing is written above the quote (a mail that says something
    below it). It does when the quoted line is long (a client re-wrapped it), when
    it does not open like a sentence ("_id=3)", "(https://…"), or when the quote
    goes on below it; "> Thanks\nSee you Monday" is an answer written right under
    a short quoted line.
    """
    above = lines[index - 1].strip()
    if not above:
        return False
    line = lines[index].strip()
    below = lines[index + 1].lstrip() if index + 1 < len(lines) else ""
    return len(above) >= _WRAPPED_QUOTE_CHARS or not line[:1].isupper() or below.startswith(">")


def _forward_end(lines: list[str], index: int) -> int:
    """Where a forwarded message's own quoted history starts (its header block skipped)."""
    body = _header_block_end(lines, index + 1)
    return body + quote_start(lines[body:])


def _has_text(lines: list[str]) -> bool:
    return any(line.strip() for line in lines)


def _only_quote_marks(lines: list[str]) -> bool:
    non_empty = [line for line in lines if line.strip()]
    return bool(non_empty) and all(line.lstrip().startswith(">") for line in non_empty)


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
