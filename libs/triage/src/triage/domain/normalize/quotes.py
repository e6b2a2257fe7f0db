"""Where the quoted history starts: attributions, separators, Outlook header blocks, ">"."""

from __future__ import annotations

import re

from triage.domain.normalize.vocabulary import (
    ATTRIBUTIONS,
    FORWARD_INTROS,
    FORWARD_TITLES,
    HEADER_FIELDS,
    REPLY_TITLES,
)

_ATTRIBUTION_LINES = tuple(
    re.compile(rf"{opening}\b.{{0,250}}\b{verb}\s?:", re.IGNORECASE)
    for opening, verb in ATTRIBUTIONS
)
_FORWARD_TITLE = "|".join(FORWARD_TITLES)
_INTRO = "|".join(rf"{intro}\s?:" for intro in FORWARD_INTROS)
#: "---------- Forwarded message ---------" or "Begin forwarded message:".
FORWARD_SEPARATOR = re.compile(rf"-{{2,}}\s*(?:{_FORWARD_TITLE})\s*-{{2,}}|{_INTRO}", re.IGNORECASE)
#: The same, or "-----Original Message-----" and its translations.
SEPARATOR_LINE = re.compile(
    rf"-{{2,}}\s*(?:{_FORWARD_TITLE}|{'|'.join(REPLY_TITLES)})\s*-{{2,}}|{_INTRO}", re.IGNORECASE
)
_FROM_LABELS = "|".join(label for label, field in HEADER_FIELDS.items() if field == "from")
# Only date and subject confirm a block: "To:"-like labels ("A:", "An:") are too common in prose.
_OTHER_LABELS = "|".join(
    label for label, field in HEADER_FIELDS.items() if field in ("date", "subject")
)
# Outlook quotes the previous message under a header block rather than with ">".
_FROM_HEADER = re.compile(rf"\*?(?:{_FROM_LABELS})\s?:\*?\s*\S.*", re.IGNORECASE)
_OTHER_HEADER = re.compile(rf"\*?(?:{_OTHER_LABELS})\s?:\*?.*", re.IGNORECASE)
RULE_LINE = re.compile(r"_{8,}|-{8,}")


def quote_start(lines: list[str]) -> int:
    """Index of the first line of quoted history, or len(lines) when there is none."""
    for index in range(len(lines)):
        if _starts_quote(lines, index):
            return index
    return len(lines)


def _starts_quote(lines: list[str], index: int) -> bool:
    line = lines[index].strip()
    if line.startswith(">") or SEPARATOR_LINE.fullmatch(line):
        return True
    if _is_attribution(line, lines[index + 1].strip() if index + 1 < len(lines) else ""):
        return True
    if RULE_LINE.fullmatch(line):
        return _is_header_block(lines, next_non_empty(lines, index + 1))
    return _is_header_block(lines, index)


def _is_attribution(line: str, next_line: str) -> bool:
    # Gmail wraps long attributions: "On Mon, ... Jane Doe <\njane@x.com> wrote:".
    if not line or len(line) > 400:
        return False
    candidates = (line, f"{line} {next_line}") if next_line else (line,)
    return any(
        pattern.fullmatch(candidate) for candidate in candidates for pattern in _ATTRIBUTION_LINES
    )


def _is_header_block(lines: list[str], index: int) -> bool:
    if index >= len(lines) or not _FROM_HEADER.fullmatch(lines[index].strip()):
        return False
    following = lines[index + 1 : index + 5]
    return any(_OTHER_HEADER.fullmatch(line.strip()) for line in following)


def next_non_empty(lines: list[str], index: int) -> int:
    while index < len(lines) and not lines[index].strip():
        index += 1
    return index
