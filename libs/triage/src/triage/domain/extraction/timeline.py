"""The buying timeline a lead states: the soonest horizon of the sentences about buying,
then of the others (never one that only sets up a meeting), relative to the Date header.
"""

from __future__ import annotations

import math
import re
from collections.abc import Iterator
from datetime import datetime

from triage.domain.extraction.dates import dated_horizons
from triage.domain.extraction.quotes import Found
from triage.domain.extraction.sentences import sentences_of
from triage.domain.extraction.text import cue
from triage.domain.extraction.timeline_words import (
    BUYING_PHRASES,
    LATER_PHRASES,
    MEETING_PHRASES,
    NOW_PHRASES,
    QUARTER_PHRASES,
    SIX_MONTH_PHRASES,
)
from triage.domain.models import Timeline


def _timing_cue(*phrases: str) -> re.Pattern[str]:
    """Like ``cue``, but a space also matches a line break: mail is hard-wrapped."""
    return cue(*(phrase.replace(" ", r"\s+") for phrase in phrases))


_NOW = _timing_cue(
    r"asap", r"as soon as possible", r"immediately", r"right away", r"urgently", r"this week",
    r"this month", r"(?<!from.)(?<!of.)today", r"end of (?:the|this) month",
    r"within (?:a|one|1|two|2) weeks?",
    r"next week", r"by next week", r"right now", r"starting now",
    r"sofort", r"umgehend", r"so schnell wie möglich", r"schnellstmöglich", r"diese woche",
    r"diesen monat", r"ende des monats", r"nächste woche", r"nächsten woche", r"ab sofort",
    r"dès que possible", r"au plus vite", r"immédiatement", r"cette semaine", r"ce mois-ci",
    r"(?:la )?semaine prochaine", r"fin du mois", r"fin de mois", r"d[èe]s maintenant",
    r"lo antes posible", r"cuanto antes", r"inmediatamente", r"esta semana", r"este mes",
    r"(?:la )?(?:próxima|proxima) semana", r"la semana que viene", r"fin(?:ales)? de mes",
    r"desde ya", r"da subito", r"desde já",
    r"il prima possibile", r"entro questo mese", r"questo mese", r"(?:la )?prossima settimana",
    r"(?:entro )?fine mese", r"o quanto antes", r"este m[eê]s", r"ainda este m[eê]s",
    r"(?:na )?próxima semana", r"fim do m[eê]s", r"zo snel mogelijk", r"deze maand",
    r"volgende week", r"今月中?", r"来週", r"至急", *NOW_PHRASES,
)
_QUARTER = _timing_cue(
    r"this quarter", r"next quarter", r"next month", r"end of (?:the|this) quarter",
    r"(?:within|in|over) the (?:next|coming) (?:few |couple of )?(?:weeks|months)",
    r"in (?:a|the) (?:few|couple of) (?:weeks|months)", r"in the coming weeks",
    r"dieses quartal", r"nächste[nms]? quartal", r"nächsten monat",
    r"in den (?:nächsten|kommenden) wochen", r"ce trimestre", r"(?:le )?trimestre prochain",
    r"prochain trimestre", r"le mois prochain", r"dans les prochaines semaines",
    r"este trimestre", r"(?:el )?próximo trimestre", r"el mes que viene", r"el próximo mes",
    r"en las próximas semanas", r"(?:nel )?prossimo trimestre", r"(?:no )?próximo trimestre",
    r"volgend kwartaal", r"(?:the )?next (?:two|2|three|3) months", r"今四半期", r"来月",
    *QUARTER_PHRASES,
)
_SIX_MONTHS = _timing_cue(
    r"half a year", r"six months", r"6 months", r"next two quarters", r"halbes jahr",
    r"sechs monaten?", r"6 monaten?", r"six mois", r"6 mois", r"seis meses", r"6 meses",
    r"medio año", r"half[- ]year", r"sei mesi", r"seis meses", r"zes maanden",
    *SIX_MONTH_PHRASES,
)
_LATER = _timing_cue(
    r"next year", r"nächstes jahr", r"im nächsten jahr", r"l'année prochaine", r"el próximo año",
    r"el año que viene", r"l'anno prossimo", r"(?:no )?ano que vem", r"volgend jaar",
    *LATER_PHRASES,
)
# "No rush" is a timeline too: unless a buying sentence names a date, nothing is pressing.
_NO_RUSH = _timing_cue(
    r"no rush", r"no hurry", r"not in a hurry", r"keine eile", r"nicht eilig", r"pas press[ée]s?",
    r"rien ne presse", r"pas d'urgence", r"sin prisa", r"no hay prisa", r"non c'è fretta",
    r"nessuna fretta", r"sem pressa", r"geen haast", r"急ぎません",
)
# A horizon in a sentence about going live or signing is the buying timeline; one about
# a demo next week or a pipeline review is not.
_BUYING_WORDS = cue(
    r"live", r"roll(?:ing)?[ -]?out", r"in place", r"sign(?:ed|ing)?", r"decision", r"decide",
    r"implement\w*", r"launch", r"start(?:ing)?", r"go[- ]live", r"timeline", r"purchase", r"buy",
    r"migrat\w*", r"switch(?:ed)? over", r"install\w*", r"choose", r"open(?:ing)?",
    r"einführen", r"entscheid\w*", r"vertrag\w*", r"umstellen", r"installiert",
    r"décision", r"décider", r"déployer", r"migrer", r"installée?s?", r"ouverture", r"ouvr\w+",
    r"repartir", r"funcionando", r"implementar", r"decisión", r"contratar", r"firmar",
    r"abrir", r"partire", r"decideremo", r"chiudere", r"implantar", r"assinar", r"abertura",
    r"trial", r"test(?:er|en)", r"probar", r"provare", r"testar", r"稼働", r"導入",
    r"稟議", r"live gaan", r"beslissen", *BUYING_PHRASES,
)
# Sentences that set up a meeting name when to talk, not when to buy.
_MEETING_WORDS = cue(
    r"demo\w*", r"démo\w*", r"demostraci[óo]n", r"demonstra\w+", r"walkthrough", r"call",
    r"meeting", r"intro", r"visio", r"presentazione", r"presentación", r"reuni[óo]n", r"reunião",
    r"termin", r"gespräch", r"chiamata", r"llamada", r"rendez-vous", r"horarios", r"times",
    r"calendar", r"vorführung", r"zeit für", r"slot", r"créneau\w*", r"打ち合わせ", r"面談",
    r"präsentation", r"apresentação", r"présentation", r"prezentare", r"videollamada",
    r"videochamada", r"video ?call", r"videoconferen\w*",
    # a weekday names when to talk
    r"monday", r"tuesday", r"wednesday", r"thursday", r"friday", r"montag", r"dienstag",
    r"mittwoch", r"donnerstag", r"freitag", r"lundi", r"mardi", r"mercredi", r"jeudi",
    r"vendredi", r"lunes", r"martes", r"miércoles", r"jueves", r"viernes", r"lunedì",
    r"martedì", r"mercoledì", r"giovedì", r"venerdì", r"segunda-feira", r"terça-feira",
    r"quarta-feira", r"quinta-feira", r"sexta-feira", *MEETING_PHRASES,
)
# "not before our budget round in the autumn", "erst nach ... im Herbst": a lower bound,
# the earliest they might buy, says nothing about when they will.
_LOWER_BOUND = re.compile(
    r"(?:(?:won't|will not|not|nothing|no|nicht|nichts|kein\w*|pas|rien|nada|non|niente|não|"
    r"niet)\b[^.]{0,60}\b(?:before|until|vor|avant|antes|prima|até|voor)\b|"
    r"\b(?:not until|only after|after|erst|nach|après|después|dopo|após|depois|na afloop|efter|etter|"
    r"dopiero po|až po|teprve po)\b)"
    r"[^.]{0,60}$",
    re.IGNORECASE,
)
_HORIZONS: tuple[tuple[int, Timeline], ...] = ((0, "now"), (3, "quarter"), (6, "six_months"))


def buying_timeline(text: str, sent: datetime | None) -> Timeline:
    """The soonest buying horizon the email states, relative to when it was sent."""
    found = stated_timeline(text, sent)
    return "unknown" if found is None else found.value


def stated_timeline(
    text: str, sent: datetime | None, southern: bool = False
) -> Found[Timeline] | None:
    """The soonest horizon of the first tier that states one (sentences about buying, then
    others; never one that only sets up a meeting), and the phrase that states it."""
    sentences = list(sentences_of(text))
    buying = [sentence for sentence in sentences if _BUYING_WORDS.search(sentence)]
    meeting = _about_a_meeting(sentences)
    others = [s for s in sentences if s not in buying and s not in meeting]
    for tier, candidates in enumerate((buying, others)):
        horizons = [h for sentence in candidates for h in stated_horizons(sentence, sent, southern)]
        if horizons:
            if tier > 0 and _NO_RUSH.search(text):
                return None
            months, phrase = min(horizons, key=lambda found: found[0])
            timeline = horizon(months)
            return None if timeline == "unknown" else Found(timeline, (phrase,))
    return None


def _about_a_meeting(sentences: list[str]) -> set[str]:
    """Sentences that set up a meeting, and a short one right after such a sentence ("Could
    you give us a presentation first? Ideally in June."): it says when to talk, not to buy."""
    meeting: set[str] = set()
    for index, sentence in enumerate(sentences):
        follows = index > 0 and sentences[index - 1] in meeting and len(sentence.split()) <= 4
        if _MEETING_WORDS.search(sentence) or follows:
            meeting.add(sentence)
    return meeting


def horizon_phrases(text: str, sent: datetime | None) -> Iterator[tuple[Timeline, str]]:
    """Every horizon phrase of a text and the timeline it states (grounds an LLM's timeline)."""
    for sentence in sentences_of(text):
        for months, phrase in stated_horizons(sentence, sent):
            yield horizon(months), phrase


def horizon(months_ahead: float) -> Timeline:
    # "Within about three months": counted in whole months, a half rounding up, so a deadline
    # 3.4 months off (the end of December, written on 20 September) is a quarter away and the
    # middle of a half-year 3.5 months off is not.
    whole = math.floor(months_ahead + 0.5)
    for limit, timeline in _HORIZONS:
        if whole <= limit:
            return timeline
    return "unknown"


def stated_horizons(
    text: str, sent: datetime | None, southern: bool = False
) -> list[tuple[float, str]]:
    """Months until each buying horizon the text names (0 = this month), and its phrase."""
    found: list[tuple[float, str]] = []
    for pattern, months in ((_NOW, 0), (_QUARTER, 2), (_SIX_MONTHS, 5), (_LATER, 12)):
        if said := pattern.search(text):
            found.append((months, said.group(0)))
    found += dated_horizons(text, sent, southern)
    return [(months, phrase) for months, phrase in found if not _bounded_below(text, phrase)]


def _bounded_below(text: str, phrase: str) -> bool:
    """A lower bound before the phrase, or a negation right after it ("Antes do verão não
    vamos conseguir", "Before the summer we can't")."""
    at = max(text.find(phrase), 0)
    return bool(_LOWER_BOUND.search(text[:at]) or _NEGATED_AFTER.match(text, at + len(phrase)))


_NEGATED_AFTER = re.compile(
    r"\s+(?:[^\W\d]+\s+){0,2}?(?:not|won't|can't|cannot|nicht|kein\w*|ne|pas|não|non|niet|"
    r"ikke|inte|ei|nie)(?!\w)",
    re.IGNORECASE,
)
