"""Text helpers the extraction modules share: whole-word cue patterns, and names squashed
for comparison (lower case, no accents, letters and digits only).
"""

from __future__ import annotations

import re
import unicodedata


def cue(*phrases: str) -> re.Pattern[str]:
    """Whole-word, case-insensitive alternatives (phrases are regex fragments)."""
    return re.compile(r"(?<!\w)(?:" + "|".join(phrases) + r")(?!\w)", re.IGNORECASE)


def squash(text: str) -> str:
    folded = unicodedata.normalize("NFKD", text.lower())
    return "".join(char for char in folded if char.isalnum() and not unicodedata.combining(char))


def alternatives(words: dict[str, int] | tuple[str, ...] | str) -> str:
    """Names as a regex alternation, longest first; a space matches any whitespace."""
    names = words.split("|") if isinstance(words, str) else list(words)
    return "|".join(
        re.escape(name).replace(r"\ ", r"\s+") for name in sorted(names, key=len, reverse=True)
    )
