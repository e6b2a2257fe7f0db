"""Where the signature starts: "--", a sign-off ("Best,"), a device line, or the sender's name."""

from __future__ import annotations

import re

from triage.domain.normalize.quotes import next_non_empty
from triage.domain.normalize.vocabulary import CLOSINGS, DEVICE_LINES

_CLOSING = "(?:" + "|".join(CLOSINGS) + ")"
# Bilingual senders sign off twice: "Beste Grüße / Best regards," or "Thanks & Regards,".
_CLOSING_LINE = re.compile(rf"{_CLOSING}(?:\s*(?:/|&|and)\s*{_CLOSING})*\s*[,.!]*", re.IGNORECASE)
_DEVICE_LINE = re.compile(rf"(?:{'|'.join(DEVICE_LINES)})\.?", re.IGNORECASE)
# "-Jane" or "— Jane Doe": a sign-off by name alone.
_DASH_NAME_LINE = re.compile(r"[-–—]\s?[A-Z][\w.'-]*(?: [A-Z][\w.'-]*){0,3}")
# A closing followed by more than this is a "thanks" inside the message, not a sign-off.
_MAX_SIGNATURE_LINES = 12
# Sign-offs and device lines are short; longer lines are prose (and never reach the regexes).
_MAX_SIGN_OFF_CHARS = 80


def signature_start(lines: list[str], names: frozenset[str] = frozenset()) -> int:
    """Index of the signature's first line, or len(lines) when there is none."""
    first_text = next_non_empty(lines, 0)
    remaining = _non_empty_after(lines)
    for index, line in enumerate(lines):
        stripped = line.strip()[: _MAX_SIGN_OFF_CHARS + 1]
        if line.rstrip() == "--" or _is_device_line(stripped):
            return index
        if (
            index > first_text
            and remaining[index] <= _MAX_SIGNATURE_LINES
            and _is_sign_off(stripped, names)
        ):
            return index
    return len(lines)


def _is_device_line(line: str) -> bool:
    return len(line) <= _MAX_SIGN_OFF_CHARS and bool(_DEVICE_LINE.fullmatch(line))


def _is_sign_off(line: str, names: frozenset[str]) -> bool:
    if len(line) > _MAX_SIGN_OFF_CHARS:
        return False
    if _CLOSING_LINE.fullmatch(line) or _DASH_NAME_LINE.fullmatch(line):
        return True
    return line.strip("-–— ,.").lower() in names


def _non_empty_after(lines: list[str]) -> list[int]:
    """For each line, how many non-empty lines follow it (one pass, not one per line)."""
    counts = [0] * len(lines)
    following = 0
    for index in range(len(lines) - 1, -1, -1):
        counts[index] = following
        following += bool(lines[index].strip())
    return counts


def name_forms(sender_name: str | None) -> frozenset[str]:
    """The forms a sender signs with: "Jane Doe" or "Jane" (also for "Doe, Jane")."""
    if not sender_name or "@" in sender_name:
        return frozenset()
    name = sender_name.strip(" \"'")
    if "," in name:
        last, _, first = name.partition(",")
        name = f"{first.strip()} {last.strip()}"
    words = name.split()
    return frozenset({name.lower(), words[0].lower()}) if words else frozenset()
