"""Dates and periods a sender states, resolved to months ahead of the email's Date header.

A grammar, not a phrase list: a month-name table per language, season, quarter and
half-year words per language, and "number + unit" spans (``durations``). Every reference
resolves to a month (0 = the sending month) by one convention: a period counts from its
first month ("in Q3", "before the summer"), the end of a period from the month after it
("by the end of Q1", "fin août": the work spans the whole period), the new year as the
year's last month.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterator
from datetime import date, datetime

from triage.domain.extraction.calendar import (
    TRADE_SEASON,
    finnish_months,
    period_ahead,
    period_position,
    week_and_numeric_dates,
)
from triage.domain.extraction.calendar_words import (
    DATE_LEADS,
    EXTRA_HALF_ORDINALS,
    EXTRA_HALF_WORDS,
    EXTRA_NEW_YEAR,
    EXTRA_QUARTER_WORDS,
    EXTRA_SEASON_LEADS,
    INFLECTED_MONTHS,
    INFLECTED_SEASONS,
    MONTH_NAMES,
    ORDINAL_WORDS,
    PERIOD_END,
    PERIOD_MID,
    PERIOD_START,
    SEASON_STARTS,
)
from triage.domain.extraction.durations import MONTH_DAYS, duration_horizons
from triage.domain.extraction.text import alternatives

_MONTH_NAMES = MONTH_NAMES
_SEASONS = SEASON_STARTS
_ORDINALS = ORDINAL_WORDS
_PERIOD_START = PERIOD_START
_PERIOD_MID = PERIOD_MID
_PERIOD_END = PERIOD_END
_LEADS = DATE_LEADS

_PAST = re.compile(
    r"(?:since|seit|depuis|desde|dal|dalla|sinds|ago|last|letzte[nms]?|dernier|pasado|scorso)"
    r"\W+(?:\w+\W+){0,2}$",
    re.IGNORECASE,
)


def _fold(word: str) -> str:
    return "".join(c for c in unicodedata.normalize("NFKD", word) if not unicodedata.combining(c))


def _with_folded(table: dict[str, int]) -> dict[str, int]:
    """Names as written and without their accents ("decembre", "aout": mail typed fast)."""
    return {**table, **{_fold(name): value for name, value in table.items()}}


MONTHS = _with_folded(_MONTH_NAMES)
_INFLECTED = frozenset(_fold(name) for name in INFLECTED_MONTHS)
SEASONS = _with_folded(_SEASONS)
ORDINALS = _with_folded(_ORDINALS)


_MONTH = alternatives(MONTHS)
_MODIFIER = (rf"(?:(?P<start>{alternatives(_PERIOD_START)})|(?P<mid>{alternatives(_PERIOD_MID)})|"
             rf"(?P<end>{alternatives(_PERIOD_END)}))")  # fmt: skip
_YEAR = r"(?:,?\s+(?:de\s+|of\s+)?(?P<year>20\d\d))?"
_DAY = r"(?P<day>[0-3]?\d)(?:st|nd|rd|th|er|\.|º)?\s+(?:de\s+|of\s+|di\s+)?"
_LEAD = rf"(?P<lead>(?<!\w)(?:{alternatives(_LEADS)}|(?-i:i)))\s+(?:(?:the|le|la|el|il|lo|o|a|del?|der|dem|den)\s+)?"
# "luglio al più tardi": a bare month made a deadline by the words after it
_AT_THE_LATEST = (r"at the latest|al più tardi|spätestens|au plus tard|a más tardar|como muy tarde|"
                  r"o mais tardar|no máximo|uiterlijk|senast|senest|seinast|najpóźniej|nejpozději")
_MONTH_REF = re.compile(
    rf"(?:{_LEAD})?(?:(?<!\w){_MODIFIER}\s*(?:(?:of|de|du|del|di|d')\s*)?)?(?:(?<!\w){_DAY})?"
    rf"(?<!\w)(?P<month>{_MONTH})(?!\w)(?:\s+(?P<day2>[0-3]?\d)(?:st|nd|rd|th)?(?!\d))?{_YEAR}"
    rf"(?:,?\s+(?P<latest>{_AT_THE_LATEST})(?!\w))?",
    re.IGNORECASE,
)
_MONTH_RANGE = re.compile(
    rf"(?<!\w)(?:{_MONTH})\s*(?:-|–|to|bis|à|a|al|hasta|até|tot)\s*(?:mi-|mid-|mitte\s+|fin\s+)?(?:{_MONTH})(?!\w)",
    re.IGNORECASE,
)
_JAPANESE_MONTH = re.compile(r"(?:(?P<year>20\d\d)年)?(?P<month>1[0-2]|0?[1-9])月(?P<end>末|中)?")
_SEASON_REF = re.compile(
    rf"(?<!\w)(?:(?:before|by|for|until|in|this|next|avant|pour|d'ici|dès|en|antes\s+del?|para|"
    rf"hasta|vor|bis|zum|im|prima\s+dell?|entro|per|até|antes\s+d[oa]|no|na|voor|tegen|"
    rf"after|right\s+after|depois\s+d[oa]|después\s+del?|après|nach|dopo|na\s+de|"
    rf"{EXTRA_SEASON_LEADS})\s*"
    rf"(?:(?:the|l'|le|la|el|dem|den|der|das|il|lo|o|a|het|em)\s*)?"
    rf"(?:{TRADE_SEASON})?|"
    rf"(?=(?:{alternatives(INFLECTED_SEASONS)})(?!\w)))"
    rf"(?:(?:{_MODIFIER})\s+(?:of\s+(?:the\s+)?|de\s+(?:la\s+|l')?|du\s+|del\s+|des\s+)?)?"
    rf"(?P<season>{alternatives(SEASONS)})(?!\w)(?:\s+(?P<year>20\d\d))?",
    re.IGNORECASE,
)
_NEW_YEAR = re.compile(
    r"(?<!\w)(?:(?:the\s+)?new\s+year|year[- ]end|end\s+of\s+(?:the|this)\s+year|neujahr|"
    r"jahreswechsel|jahresende|ende\s+des\s+jahres|nouvel\s+an|fin\s+d'année|fin\s+de\s+l'année|"
    r"año\s+nuevo|fin\s+de\s+año|finales\s+de\s+año|fine\s+anno|fine\s+dell'anno|capodanno|"
    r"ano\s+novo|fim\s+do\s+ano|jaarwisseling|eind\s+van\s+het\s+jaar|年末|"
    + EXTRA_NEW_YEAR
    + r")(?!\w)",
    re.IGNORECASE,
)
_PERIOD_YEAR = r"(?:\s+(?:del\s+|de\s+|of\s+|do\s+|des\s+|von\s+)?(?P<year2>20\d\d))?"
_QUARTER_WORDS = r"quarter|quartal|trimestre|kwartaal|" + EXTRA_QUARTER_WORDS
_QUARTER_REF = re.compile(
    rf"(?:(?<!\w){_MODIFIER}\s+(?:(?:of\s+)?(?:the\s+)?|(?:du|del|de|do|des)\s+)?)?"
    rf"(?:(?<!\w)Q(?P<q>[1-4])(?:\s*(?:/|')?\s*(?P<year>(?:20)?\d\d))?(?!\w)|"
    rf"(?<!\w)(?:(?:the|le|el|il|o|das|dem)\s+)?(?P<ordinal>{alternatives(ORDINALS)}|"
    rf"(?-i:IV|III|II|I))\s+"
    rf"(?:{_QUARTER_WORDS})(?!\w){_PERIOD_YEAR}|第(?P<jq>[1-4])四半期)",
    re.IGNORECASE,
)
_HALF_WORDS = (
    r"half(?:\s+of\s+(?:the\s+)?year)?|halbjahr|jahreshälfte|semestre|semester|" + EXTRA_HALF_WORDS
)
_HALF_REF = re.compile(
    rf"(?<!\w)(?:H(?P<h>[12])(?:\s*(?P<year>20\d\d))?(?!\w)|"
    rf"(?P<ordinal>first|1st|second|2nd|erste[nsr]?|zweite[nsr]?|premier|second|primer|segundo|"
    rf"primo|secondo|primeiro|{EXTRA_HALF_ORDINALS})\s+(?:{_HALF_WORDS})(?!\w){_PERIOD_YEAR})|"
    rf"(?P<jh>上半期|下半期)",
    re.IGNORECASE,
)


def dated_horizons(
    text: str, sent: datetime | None, southern: bool = False
) -> list[tuple[float, str]]:
    """Months ahead for every date, period and span the text states, and its phrase; a
    ``southern`` sender's seasons are six months from ours."""
    found = duration_horizons(text)
    if sent is not None:
        found += list(_calendar_horizons(text, sent, southern))
    return found


def _calendar_horizons(text: str, sent: datetime, southern: bool) -> Iterator[tuple[float, str]]:
    ranges = [m.span() for m in _MONTH_RANGE.finditer(text)]  # "April-June": a period, no deadline
    for match in _MONTH_REF.finditer(text):
        if (
            _anchored(match)
            and not _inside(match.start("month"), ranges)
            and not _PAST.search(text[: match.start()])
        ):
            yield _to_month(sent, MONTHS[match.group("month").lower()], match), match.group(0)
    for match in _JAPANESE_MONTH.finditer(text):
        end = 1 if match.group("end") == "末" else 0
        yield (
            _ahead(sent, int(match.group("month")), _year(match.group("year")), end),
            match.group(0),
        )
    for match in _SEASON_REF.finditer(text):
        yield _to_season(sent, match, text, southern), match.group(0)
    for match in _NEW_YEAR.finditer(text):
        yield _ahead(sent, 12, None, 1), match.group(0)
    for match in _QUARTER_REF.finditer(text):
        yield _to_quarter(sent, match, text), match.group(0)
    for match in _HALF_REF.finditer(text):
        yield _to_half(sent, match, text), match.group(0)
    yield from week_and_numeric_dates(text, sent)
    yield from finnish_months(text, sent)


def _anchored(match: re.Match[str]) -> bool:
    """A month name is a date when a preposition, a part of the month or a day comes with it."""
    named = ("lead", "start", "mid", "end", "day", "day2", "latest")
    inflected = "month" in match.re.groupindex and _fold(match.group("month").lower()) in _INFLECTED
    return inflected or any(match.group(name) for name in named)


def _inside(position: int, ranges: list[tuple[int, int]]) -> bool:
    return any(start <= position < end for start, end in ranges)


def _year(text: str | None) -> int | None:
    if not text:
        return None
    return int(text) + (2000 if len(text) == 2 else 0)


def _to_month(sent: datetime, month: int, match: re.Match[str]) -> float:
    year = _year(match.group("year"))
    day = _group(match, "day") or _group(match, "day2")
    if day and 1 <= int(day) <= 31:
        return _to_day(sent, date_or_none(year or sent.year, month, int(day)), year is None)
    return _ahead(sent, month, year, 1 if match.group("end") else 0)


def _group(match: re.Match[str], name: str) -> str | None:
    return match.group(name) if name in match.re.groupindex else None


def date_or_none(year: int, month: int, day: int) -> date | None:
    try:
        return date(year, month, day)
    except ValueError:
        return None


def _to_day(sent: datetime, target: date | None, bare: bool) -> float:
    """A dated deadline ("30 June", "1 de junho"): up to a month away is now."""
    if target is None:
        return 99
    if bare and target < sent.date():  # a date without a year is its next occurrence
        target = date_or_none(target.year + 1, target.month, target.day) or target
    days = (target - sent.date()).days
    if days < 0:
        return 99
    return 0 if days <= 31 else round(days / MONTH_DAYS, 1)


_ROMAN = {"i": 1, "ii": 2, "iii": 3, "iv": 4}


def _position(text: str, match: re.Match[str], at: int | None = None) -> str:
    """Where the phrase points in its period, by its modifier or the words before ``at``."""
    named = next((name for name in ("start", "mid", "end") if _group(match, name)), None)
    return period_position(text, match.start() if at is None else at, match.end(), named)


def _to_quarter(sent: datetime, match: re.Match[str], text: str) -> float:
    number = match.group("q") or match.group("jq")
    ordinal = (match.group("ordinal") or "").lower()
    quarter = int(number) if number else ORDINALS.get(ordinal) or _ROMAN[ordinal]
    year = _year(match.group("year") or match.group("year2"))
    return period_ahead(sent, 3 * quarter - 2, 3, _position(text, match), year)


def _to_half(sent: datetime, match: re.Match[str], text: str) -> float:
    if match.group("jh"):
        half = 1 if match.group("jh") == "上半期" else 2
    elif match.group("h"):
        half = int(match.group("h"))
    else:
        half = 1 if ORDINALS.get(match.group("ordinal").lower(), 2) == 1 else 2
    year = _year(match.group("year") or match.group("year2"))
    return period_ahead(sent, 6 * half - 5, 6, _position(text, match), year)


def _to_season(sent: datetime, match: re.Match[str], text: str, southern: bool = False) -> float:
    """A season is a three-month period; one that spans the new year (winter, or a southern
    summer) is read from its first month."""
    first = SEASONS[match.group("season").lower()]
    if southern:  # "el verano, que acá arranca en diciembre"
        first = (first + 5) % 12 + 1
    length = 3 if first <= 10 else 1
    position = _position(text, match, match.start("season"))
    return period_ahead(sent, first, length, position, _year(match.group("year")))


def _ahead(
    sent: datetime, month: int, year: int | None, after: int, last: int | None = None
) -> float:
    """Months from the sending month to ``month`` (+ ``after``); a bare month or period is its
    next occurrence (still running if its ``last`` month is not past); a past one says nothing."""
    if year is None:
        year = sent.year if (last or month) >= sent.month else sent.year + 1
    months = (year - sent.year) * 12 + month - sent.month
    if months < 0 and last is not None and (year - sent.year) * 12 + last - sent.month >= 0:
        months = 0  # the period is under way
    if months < 0:
        return 99
    if months == 0:
        return 0  # the end of this month is this month
    # The end of a month is counted from the day of sending, not the first of its month.
    return months + after - (sent.day - 1) / MONTH_DAYS if after else months
