"""A text's sentences, each a substring of it, for the timeline: hard-wrapped lines joined,
abbreviations and ordinals not taken for ends, contrasting clauses split off.
"""

from __future__ import annotations

import re
from collections.abc import Iterator

from triage.domain.extraction.timeline_words import CONTRAST_WORDS

# Sentence ends. A dot after a one- or two-digit number is an ordinal ("20. April"), not an end.
_SENTENCE_END = re.compile(
    r"(?:(?<!(?<!\d)\d)(?<!(?<!\d)\d\d)\.|[!?。！？])[.!?。！？]*(?=\s|$)"
)
# "..., but I'd like a demo next month": a contrasting clause is a sentence of its own.
_CLAUSE_END = re.compile(
    rf"{_SENTENCE_END.pattern}|[,;]\s+(?=(?:but|aber|mais|pero|ma|mas|maar|{CONTRAST_WORDS})\b)",
    re.IGNORECASE,
)
# A line this long runs on to the next: mail is hard-wrapped. (Whatever its last mark: the
# end-mark check beside this in extract.py read the summary's pattern, which never matches
# one character; ADR 0036 keeps that behaviour until a model version changes it.)
_WRAPPED = 60


def sentences_of(text: str) -> Iterator[str]:
    """The sentences of a text, each a substring of it (wrapped lines joined as written)."""
    block: list[str] = []
    for line in text.split("\n"):
        block.append(line)
        if len(line.rstrip()) < _WRAPPED:
            yield from _split_sentences("\n".join(block))
            block = []
    yield from _split_sentences("\n".join(block))


# "ca. 40", "sp. z o.o. zwracam": a short lower-case word's dot before a lower-case word or a
# number abbreviates; it does not end the sentence.
_ABBREVIATED = re.compile(r"(?<![^\W\d_])(?:[a-zà-ÿ]{1,3}\.)*[a-zà-ÿ]{1,3}$")
_RUNS_ON = re.compile(r"\s+[a-zà-ÿ0-9]")


def _split_sentences(block: str) -> Iterator[str]:
    start = 0
    for end in _CLAUSE_END.finditer(block):
        if block[end.start() : end.start() + 1] == "." and _abbreviation(block, end):
            continue
        if block[start : end.start()].strip():
            yield block[start : end.start()].strip()
        start = end.end()
    if block[start:].strip():
        yield block[start:].strip()


def _abbreviation(block: str, end: re.Match[str]) -> bool:
    before = block[max(0, end.start() - 12) : end.start()].split()
    return bool(before and _ABBREVIATED.fullmatch(before[-1]) and _RUNS_ON.match(block, end.end()))
