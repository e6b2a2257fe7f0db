"""Where the signature starts: "--", a sign-off ("Best,"), a device line, or the sender's name."""

from __future__ import annotations

import re

from triage.domain.normalize.quotes import next_non_empty
from triage.domain.normalize.vocabulary import (
    CLOSINGS,
    DEVICE_LINES,
    DEVICE_PREPOSITIONS,
    DEVICE_VERBS,
    NAME_PARTICLES,
)

_CLOSING = "(?:" + "|".join(CLOSINGS) + ")"
# Bilingual senders sign off twice: "Beste Grüße / Best regards," or "Thanks & Regards,".
_CLOSING_LINE = re.compile(rf"{_CLOSING}(?:\s*(?:/|&|and)\s*{_CLOSING})*\s*[,.!]*", re.IGNORECASE)
_DEVICE_LINE = re.compile(rf"(?:{'|'.join(DEVICE_LINES)})\.?", re.IGNORECASE)
# The grammar behind them: "Envoyé à partir de Outlook pour iOS<https://…>", "Sent from
# TypeApp", "Gesendet von Outlook für Android": a verb of sending, one or two prepositions
# or possessives, an app or device name of at most five words, maybe its link.
_PREPOSITION = "|".join(DEVICE_PREPOSITIONS)
_DEVICE_GRAMMAR = re.compile(
    rf"(?:{'|'.join(DEVICE_VERBS)})(?:\s+(?:{_PREPOSITION})){{1,2}}"
    rf"(?:\s+[\w®™'’.+-]+){{1,5}}\.?",
    re.IGNORECASE,
)
_TRAILING_LINK = re.compile(r"\s*[<(\[]\s*https?://[^\s>)\]]*\s*[>)\]]$")
# "---" above the name: a dash rule of two to four characters opens a signature near the end.
_DASH_RULE = re.compile(r"[-–—_]{2,4}\s*")
# "-jane": a lowercase name after a dash, no space (a list item has one), at the very end.
_LOWER_DASH_NAME = re.compile(r"[-–—][a-z][\w.'-]{1,30}")
# "-Jane", "— Jane Doe", "-Łukasz": a sign-off by name alone (capitalised words).
_DASH_NAME_LINE = re.compile(r"[-–—]\s?[A-ZÀ-ÞĀ-ſ][\w.'-]*(?: [A-ZÀ-ÞĀ-ſ][\w.'-]*){0,3}")
# "-Maarten de Jong", "—Ana da Silva" (a name particle between capitalised words, no space
# after the dash) and the Nordic "/Sven": only among the last lines, because a German list
# item ("- Anbindung von SAP") or a newsletter's "- Maya at Tidewater" has a similar shape.
_PARTICLE = "|".join(NAME_PARTICLES)
_LATE_NAME_LINE = re.compile(
    rf"[-–—][A-ZÀ-ÞĀ-ſ][\w.'-]*(?: (?:{_PARTICLE}) [A-ZÀ-ÞĀ-ſ][\w.'-]*){{1,2}}"
)
# "/Sven" only as the last line or over one more ("/Applications" higher up is a path).
_SLASH_NAME_LINE = re.compile(r"/[A-ZÀ-ÞĀ-ſ][\w.'-]*(?: [A-ZÀ-ÞĀ-ſ][\w.'-]*)?")
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
        if index > first_text and remaining[index] <= 4 and (
            _LOWER_DASH_NAME.fullmatch(stripped)
            or _LATE_NAME_LINE.fullmatch(stripped)
            or (remaining[index] <= 1 and _SLASH_NAME_LINE.fullmatch(stripped))
            or (_DASH_RULE.fullmatch(stripped) and _names_below(lines, index))
        ):
            return index
        if (
            index > first_text
            and remaining[index] <= _MAX_SIGNATURE_LINES
            and _is_sign_off(stripped, names)
        ):
            return index
    return _contact_block_start(lines, first_text)


# The last paragraph as a signature without a sign-off: a name line (one to four
# capitalised words), then at most two short lines of title, company and contacts,
# at least one of them a phone number, an address or a web site — or the name alone.
_NAME_LINE = re.compile(r"[A-ZÀ-ÞĀ-ſА-Я][\w.'’-]*(?: [A-ZÀ-ÞĀ-ſА-Я][\w.'’-]*){1,3}")
_NAME_WORDS = re.compile(r"[A-ZÀ-ÞĀ-ſА-Я][\w.'’-]*(?: [A-ZÀ-ÞĀ-ſА-Я][\w.'’-]*){0,3}")
_CONTACT = re.compile(
    r"\+?\d[\d ()./-]{6,}\d|[\w.+-]+@[\w-]+\.[\w.]+|\bwww\.|https?://|\b(?:tel|phone|mobile|fax)\b",
    re.IGNORECASE,
)
# Longer blocks are left to the sign-off rules: moving five-line blocks of the gold sets
# out of the text flipped a leave-one-out intent decision (docs/normalization.md).
_MAX_CONTACT_LINES = 3
_MAX_CONTACT_CHARS = 60


def _names_below(lines: list[str], index: int) -> bool:
    # "---" over a name is a signature; over "Sent from a contact form on …" it is a footer.
    below = next_non_empty(lines, index + 1)
    return below < len(lines) and bool(_NAME_WORDS.fullmatch(lines[below].strip()))


def _contact_block_start(lines: list[str], first_text: int) -> int:
    end = len(lines)
    while end > 0 and not lines[end - 1].strip():
        end -= 1
    start = end
    while start > 0 and lines[start - 1].strip():
        start -= 1
    block = [line.strip() for line in lines[start:end]]
    if start <= first_text or not block or len(block) > _MAX_CONTACT_LINES:
        return len(lines)
    if not _NAME_LINE.fullmatch(block[0]) or any(len(line) > _MAX_CONTACT_CHARS for line in block):
        return len(lines)
    if len(block) == 1 or any(_CONTACT.search(line) for line in block[1:]):
        return start
    return len(lines)


def _is_device_line(line: str) -> bool:
    if len(line) > _MAX_SIGN_OFF_CHARS:
        return False
    line = _TRAILING_LINK.sub("", line)
    return bool(_DEVICE_LINE.fullmatch(line) or _DEVICE_GRAMMAR.fullmatch(line))


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
