"""Calendar grammar beyond the core tables of ``extraction_dates``: Nordic, Finnish and Polish
month names and seasons, week numbers ("uke 12", "KW 12", "viikolla 12"), numeric dates
("15/03", "1.6."), Roman-numeral quarters ("I kwartał") and where inside a period a phrase
points (its start, middle or end). Tables per language, not phrases from one email.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from datetime import date, datetime, timedelta

# fmt: off
EXTRA_MONTHS = {
    # Norwegian, Danish, Swedish (what German and Dutch do not already spell)
    "desember": 12, "maj": 5, "augusti": 8,
    # Polish: nominative, genitive ("do końca marca") and locative ("w marcu")
    "styczeń": 1, "stycznia": 1, "styczniu": 1, "luty": 2, "lutego": 2, "lutym": 2,
    "marzec": 3, "marca": 3, "marcu": 3, "kwiecień": 4, "kwietnia": 4, "kwietniu": 4,
    "maja": 5, "maju": 5, "czerwiec": 6, "czerwca": 6, "czerwcu": 6,
    "lipiec": 7, "lipca": 7, "lipcu": 7, "sierpień": 8, "sierpnia": 8, "sierpniu": 8,
    "wrzesień": 9, "września": 9, "wrześniu": 9, "październik": 10, "października": 10,
    "październiku": 10, "listopad": 11, "listopada": 11, "listopadzie": 11,
    "grudzień": 12, "grudnia": 12, "grudniu": 12,
}
EXTRA_SEASONS = {
    "sommeren": 6, "sommaren": 6, "sommar": 6, "sommerferien": 6, "høst": 9, "høsten": 9,
    "höst": 9, "hösten": 9, "efterår": 9, "efteråret": 9, "hausten": 9, "våren": 3,
    "foråret": 3, "forår": 3, "vinteren": 12, "vintern": 12, "vinter": 12,
    "kesällä": 6, "kesään": 6, "kesää": 6, "syksyllä": 9, "syksyyn": 9, "syksyä": 9,
    "keväällä": 3, "kevääseen": 3, "kevättä": 3, "talvella": 12, "talveen": 12,
    "latem": 6, "lata": 6, "jesienią": 9, "jesieni": 9, "wiosną": 3, "wiosny": 3, "zimą": 12,
    "zimy": 12, "wakacjach": 6, "wakacji": 6,
}
EXTRA_ORDINALS = {
    "første": 1, "andre": 2, "tredje": 3, "fjerde": 4, "första": 1, "andra": 2, "fjärde": 4,
    "ensimmäinen": 1, "ensimmäisellä": 1, "toinen": 2, "toisella": 2, "kolmas": 3,
    "kolmannella": 3, "neljäs": 4, "neljännellä": 4,
    "pierwszy": 1, "pierwszym": 1, "pierwszego": 1, "drugi": 2, "drugim": 2, "drugiego": 2,
    "trzeci": 3, "trzecim": 3, "trzeciego": 3, "czwarty": 4, "czwartym": 4, "czwartego": 4,
}
EXTRA_NUMBERS = {
    "to": 2, "två": 2, "tre": 3, "fire": 4, "fyra": 4, "fem": 5, "seks": 6, "sex": 6,
    "åtte": 8, "åtta": 8, "otte": 8, "ti": 10, "tio": 10, "kaksi": 2, "kahden": 2, "kolme": 3,
    "kolmen": 3, "neljä": 4, "viisi": 5, "kuusi": 6, "kuuden": 6, "dwa": 2, "dwóch": 2,
    "trzy": 3, "trzech": 3, "cztery": 4, "pięć": 5, "sześć": 6, "sześciu": 6,
}
# fmt: on
# Prepositions that put a date before the period they name, or its whole span first.
EXTRA_LEADS = (
    r"før|innen|innan|inden|senest|senast|seinast|til|till|på|fra|från|frem til|"
    r"fram till|inden for|indenfor|ennen|do|przed|od|na|w"
)  # fmt: skip
EXTRA_STARTS = r"begynnelsen av|starten av|början av|begyndelsen af|starten af|początku|alussa"
EXTRA_MIDS = r"midten av|mitten av|midten af|połowie"
EXTRA_ENDS = (r"utgangen av|slutten av|slutet av|slutningen af|udgangen af|końca|koniec|"
              r"końcem|lopussa|loppuun")  # fmt: skip
EXTRA_SPAN_LEADS = (r"innen|innan|inom|inden|inden for|indenfor|i løpet av|i løbet af|"
                    r"under de närmaste|om|w ciągu|w przeciągu|za|w ciągu najbliższych")  # fmt: skip
EXTRA_UNITS = (r"dager|dage|dagar|dni|uker|uke|uger|uge|veckor|vecka|tygodni|tygodnie|"
               r"måneder|måneders|månader|mnd|miesięcy|miesiące")  # fmt: skip

EXTRA_SEASON_LEADS = (r"før|innen|innan|inden|senest|senast|till|til|i|i\s+løpet\s+av|"
                      r"i\s+løbet\s+af|under|etter|efter|lige\s+efter|rett\s+etter|direkt\s+efter|"
                      r"ennen|przed|po|do|na|w|this\s+coming")  # fmt: skip
# Season forms that carry their own preposition (Finnish "kesällä", Polish "jesienią").
INFLECTED_SEASONS = ("kesällä", "syksyllä", "keväällä", "talvella", "latem", "jesienią",
                     "wiosną", "zimą")  # fmt: skip
EXTRA_NEW_YEAR = (r"årsskiftet|nyttår|nyår|nytår|utgangen\s+av\s+året|slutten\s+av\s+året|"
                  r"udgangen\s+af\s+året|slutningen\s+af\s+året|slutet\s+av\s+året|"
                  r"årets\s+slut|vuodenvaihde\w*|vuoden\s+loppuun|vuoden\s+lopussa|"
                  r"końca\s+roku|koniec\s+roku|nowego\s+roku")  # fmt: skip
EXTRA_QUARTER_WORDS = r"kvartal(?:et)?|kwarta(?:łu|le|ł)|(?:vuosi)?neljännes\w*"
EXTRA_HALF_WORDS = r"halvår(?:et)?|halvdel(?:en)?|vuosipuolisko\w*|półrocz\w*|połowie\s+roku"
EXTRA_HALF_ORDINALS = (r"første|andre|första|andra|1\.|2\.|pierwsz\w*|drugi\w*|"
                       r"ensimmäi\w*|toise\w*|toinen")  # fmt: skip

# Where a phrase points inside a period: "before the summer" at its start, "within the first
# half" or "by the end of Q1" at its end, "after the summer" just after it; otherwise its middle.
_BEFORE = re.compile(
    r"(?<!\w)(?:before|prior to|avant|antes|vor|prima|voor|før|innan|före|inden|przed|ennen)"
    r"(?:\s+(?:the|l'|le|la|el|de|del|do|da|das|dem|der|dell'|del|het)\s*)?\s*$",
    re.IGNORECASE,
)
_WITHIN = re.compile(
    r"(?<!\w)(?:within|entro|dentro|innerhalb|binnen|inom|innen|inden for|w ciągu|by|"
    r"until|till|bis|hasta|até|tot|d'ici|senest|senast|do)"
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
        if target:
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
