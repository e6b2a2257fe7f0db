"""Spans a sender states as "number + unit" ("within 60 days", "in 6 Wochen", "tre mesi",
"30日以内"), in months ahead; up to a month is now."""

from __future__ import annotations

import re

from triage.domain.extraction.calendar_words import EXTRA_SPAN_LEADS, EXTRA_UNITS, NUMBER_WORDS
from triage.domain.extraction.text import alternatives

_SPAN_LEADS = (r"within|in|in the next|within the next|over the next|in the coming|next|"
               r"innerhalb von|innerhalb der nächsten|innerhalb|in den nächsten|binnen|"
               r"dans|dans les|d'ici|sous|en los próximos|en las próximas|dentro de|"
               r"dentro de los próximos|dentro de las próximas|en|entro|nei prossimi|"
               r"nelle prossime|tra|fra|nos próximos|nas próximas|em|binnen|over|uiterlijk|"
               + EXTRA_SPAN_LEADS)  # fmt: skip
_SPAN = re.compile(
    rf"(?<!\w)(?:{alternatives(_SPAN_LEADS)})\s+(?:about\s+|around\s+|roughly\s+|the\s+next\s+|"
    rf"(?:los|las|les|i|le)\s+)?"
    rf"(?P<n>\d{{1,3}}|{alternatives(NUMBER_WORDS)})\s+"
    r"(?P<unit>days?|weeks?|months?|tagen?|wochen|monaten?|jours?|semaines?|mois|días|dias|"
    r"semanas?|meses|mes|giorni|settimane|mesi|dagen|weken|maanden|werktagen|business\s+days|"
    rf"{EXTRA_UNITS})(?!\w)",
    re.IGNORECASE,
)
_JAPANESE_SPAN = re.compile(r"(?P<n>\d{1,3})\s*(?P<unit>日|週間|ヶ月|か月|カ月)以内")
MONTH_DAYS = 30


def duration_horizons(text: str) -> list[tuple[float, str]]:
    """Months ahead for every span the text states, and its phrase."""
    found = [(span_months(m.group("n"), m.group("unit")), m.group(0)) for m in _SPAN.finditer(text)]
    found += [(_japanese_span(m), m.group(0)) for m in _JAPANESE_SPAN.finditer(text)]
    return found


def span_months(count: str, unit: str) -> float:
    """ "60 days", "6 Wochen", "three months" in months; up to a month is now."""
    number = int(count) if count.isdigit() else NUMBER_WORDS[count.lower()]
    unit = unit.lower()
    if unit.startswith(
        ("day", "tag", "jour", "día", "dia", "giorn", "dag", "werktag", "business", "dni")
    ):
        days = number
    elif unit.startswith(
        ("week", "woche", "semaine", "semana", "settiman", "wek", "uke", "uge", "veck", "tygod")
    ):
        days = 7 * number
    else:
        return number
    return 0 if days <= 31 else round(days / MONTH_DAYS, 1)


def _japanese_span(match: re.Match[str]) -> float:
    unit = {"日": "days", "週間": "weeks"}.get(match.group("unit"), "months")
    return span_months(match.group("n"), unit)
