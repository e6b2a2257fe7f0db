"""Calendar grammar beyond the core of ``dates``: week numbers ("uke 12", "KW 12",
"viikolla 12"), numeric dates ("15/03", "1.6."), Finnish inflected months ("helmikuussa") and
where inside a period a phrase points (its start, middle or end: ADR 0032). The words per
language are in ``calendar_words``.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from datetime import date, datetime, timedelta

# "antes de la temporada de verano": the season named through its trade season
TRADE_SEASON = r"(?:temporada|época|saison|stagione|sezonul)\s+(?:de\s+|d'|di\s+|do\s+|da\s+)?"
# Where a phrase points inside a period: "before the summer" at its start, "within the first
# half" or "by the end of Q1" at its end, "after the summer" just after it; otherwise its middle.
_BEFORE = re.compile(
    r"(?<!\w)(?:before|prior to|avant|antes|vor|prima|voor|før|innan|före|inden|przed|ennen|před|pred)"
    r"(?:\s+(?:the|l'|le|la|el|de|del|do|da|das|dem|der|dell'|del|het|em)\s*){0,2}"
    rf"(?:\s*{TRADE_SEASON})?\s*$",
    re.IGNORECASE,
)
_WITHIN = re.compile(
    r"(?<!\w)(?:within|entro|dentro|innerhalb|binnen|inom|innen|inden for|w ciągu|by|"
    r"until|till|bis|hasta|até|tot|d'ici|senest|senast|do|během|počas|v průběhu)"
    r"(?:\s+(?:the|l'|le|la|el|il|de|del|do|da|das|dem|der|dell'|het|o|a|ao)\s*)?\s*$",
    re.IGNORECASE,
)
_AFTER = re.compile(
    r"(?<!\w)(?:right after|just after|straight after|depois|después|dopo|após|etter|efter|"
    r"heti|zaraz po|tuż po|po|nach|après|after)(?:\s+(?:the|do|da|del|de|l'|dell'|dem|der)\s*)?\s*$",
    re.IGNORECASE,
)
_BY_SUFFIX = re.compile(r"^\s*mennessä(?!\w)", re.IGNORECASE)  # Finnish "kesään mennessä"


def period_position(text: str, start: int, end: int, modifier: str | None) -> str:
    """ "start", "mid", "end" or "after": where the phrase at text[start:end] points."""
    if modifier:
        return modifier
    before = text[max(0, start - 30) : start]
    if _AFTER.search(before):
        return "after"
    if _BEFORE.search(before):
        return "start"
    if _WITHIN.search(before) or _BY_SUFFIX.match(text[end:]):
        return "end"
    return "mid"


def period_ahead(sent: datetime, first: int, length: int, position: str, year: int | None) -> float:
    """Months from the sending month to a point of the period that starts in month ``first``
    and lasts ``length`` months: its first month, its middle, or the month after it ("end",
    "after"). A bare period is its next occurrence (or the one under way); a past one says
    nothing (99)."""
    last = first + length - 1
    if year is None:
        year = sent.year if last >= sent.month else sent.year + 1
    offset = (year - sent.year) * 12 + first - sent.month
    if offset + length - 1 < 0:
        return 99
    point = {"start": 0.0, "mid": (length - 1) / 2, "end": float(length), "after": float(length)}
    return max(offset + point[position], 0.0)


# "uke 12", "vecka 40", "KW 12", "week 12", "viikolla 12", "semaine 12", "tydzień 12".
_WEEK = re.compile(
    r"(?<!\w)(?:week|wk|kw|kalenderwoche|uke|uka|uge|ugen|vecka|veckan|viikolla|viikko|"
    r"viikon|tydzień|tygodniu|semaine|semana|settimana)\s*(?P<week>[1-5]?\d)(?!\d)"
    r"(?:\s*(?:/|,)?\s*(?P<year>20\d\d))?",
    re.IGNORECASE,
)
# "15/03", "15.03.", "15-03-2026", "03/15" (day first unless it cannot be): a lead or a year
# makes digits a date, not a ratio or an amount.
_NUMERIC_DATE = re.compile(
    r"(?<![\w/.,-])(?P<a>[0-3]?\d)(?P<sep>[/.])(?P<b>[01]?\d)(?:(?P=sep)(?P<year>(?:20)?\d\d))?"
    r"\.?(?![\w/.,-]*\d)",
)
_DATE_LEAD = re.compile(
    r"(?<!\w)(?:by|before|from|until|on|bis|vor|ab|zum|am|avant|le|dès|à partir du|antes de|"
    r"desde|hasta|el|a partir de|a partir del|até|entro|il|dal|voor|per|vanaf|op|før|innen|"
    r"senest|senast|fra|från|innan|till|do|przed|od|ennen|alkaen|mennessä)\s*$",
    re.IGNORECASE,
)


def week_and_numeric_dates(text: str, sent: datetime) -> Iterator[tuple[float, str]]:
    """Week numbers and numeric dates, in months ahead (by days: up to a month is now)."""
    for match in _WEEK.finditer(text):
        week, year = int(match.group("week")), _year(match.group("year"))
        target = _monday(year or sent.year, week)
        if target and year is None and target + timedelta(days=6) < sent.date():
            target = _monday(sent.year + 1, week)
        if target:
            yield days_ahead(sent, max(target, sent.date())), match.group(0)
    for match in _NUMERIC_DATE.finditer(text):
        year = _year(match.group("year"))
        if year is None and not _DATE_LEAD.search(text[max(0, match.start() - 20) : match.start()]):
            continue
        a, b = int(match.group("a")), int(match.group("b"))
        day, month = (a, b) if b <= 12 else (b, a)
        target = _date(year or sent.year, month, day)
        if target and year is None and target < sent.date():
            target = _date(sent.year + 1, month, day)
        # the day of sending written out is a timestamp ("Fecha: 18/03/2025 16:04"), no deadline
        if target and target > sent.date():
            yield days_ahead(sent, target), match.group(0)


def days_ahead(sent: datetime, target: date) -> float:
    days = (target - sent.date()).days
    if days < 0:
        return 99
    return 0 if days <= 31 else round(days / 30, 1)


def _monday(year: int, week: int) -> date | None:
    try:
        return date.fromisocalendar(year, week, 1)
    except ValueError:
        return None


def _date(year: int, month: int, day: int) -> date | None:
    try:
        return date(year, month, day)
    except ValueError:
        return None


def _year(text: str | None) -> int | None:
    if not text:
        return None
    return int(text) + (2000 if len(text) == 2 else 0)


# Finnish months inflect: "helmikuussa" (in February), "toukokuun lopussa" (at the end of May).
_FINNISH_STEMS = {
    "tammi": 1, "helmi": 2, "maalis": 3, "huhti": 4, "touko": 5, "kesä": 6, "heinä": 7,
    "elo": 8, "syys": 9, "loka": 10, "marras": 11, "joulu": 12,
}  # fmt: skip
_FINNISH_MONTH = re.compile(
    rf"(?<!\w)(?P<stem>{'|'.join(_FINNISH_STEMS)})kuu(?:ssa|hun|n|ta|lla|sta)?(?!\w)"
    rf"(?:\s+(?P<year>20\d\d))?(?:\s+(?P<pos>lopussa|loppuun|lopulla|alussa|alkupuolella|"
    rf"puolivälissä))?",
    re.IGNORECASE,
)
_FINNISH_POSITIONS = {"lopussa": "end", "loppuun": "end", "lopulla": "end", "alussa": "start",
                      "alkupuolella": "start", "puolivälissä": "mid"}  # fmt: skip


def finnish_months(text: str, sent: datetime) -> Iterator[tuple[float, str]]:
    for match in _FINNISH_MONTH.finditer(text):
        month = _FINNISH_STEMS[match.group("stem").lower()]
        position = _FINNISH_POSITIONS.get((match.group("pos") or "").lower(), "start")
        yield period_ahead(sent, month, 1, position, _year(match.group("year"))), match.group(0)
