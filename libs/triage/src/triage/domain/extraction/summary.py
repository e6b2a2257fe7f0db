"""The one-line summary: the subject, then the first sentence after the greeting.
"""

from __future__ import annotations

import re

from triage.domain.extraction.about import About, strip_reply_prefixes

_GREETING = re.compile(
    r"(hi|hello|hey|dear|good (morning|afternoon|evening)|hallo|guten tag|liebe[rs]?|"
    r"sehr geehrte[rs]?|bonjour|bonsoir|cher|chère|hola|buenos días|buenas tardes|"
    r"estimad[oa]s?)\b[^.!?\n]{0,60}",
    re.IGNORECASE,
)
_SENTENCE_END = re.compile(r"(?<=[.!?])\s")
_SUMMARY_CHARS = 280


def summarize(about: About) -> str:
    """The subject, then the first sentence after the greeting."""
    title = strip_reply_prefixes(about.subject).strip()
    # A form's own preamble ("You have a new submission") says nothing; its message does.
    sentence = first_sentence(about.form.get("message") or about.text)
    parts = [part.rstrip(".:!? ") for part in (title, sentence) if part]
    summary = ". ".join(part for part in parts if part)
    return (summary + "." if summary else "")[:_SUMMARY_CHARS]


def first_sentence(text: str) -> str:
    """The first sentence of the first paragraph that is not a greeting, at most ~200 chars."""
    for paragraph in re.split(r"\n\s*\n", text):
        lines = [line.strip() for line in paragraph.split("\n") if line.strip()]
        body = " ".join(line for line in lines if not _GREETING.fullmatch(line.rstrip(",:!")))
        if body:
            return _shorten(_SENTENCE_END.split(body, maxsplit=1)[0].strip())
    return ""


def _shorten(sentence: str, limit: int = 200) -> str:
    return sentence if len(sentence) <= limit else sentence[:limit].rsplit(" ", 1)[0] + "…"
