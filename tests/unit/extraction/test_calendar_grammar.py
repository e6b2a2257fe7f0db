"""The calendar grammar beyond the core languages: Nordic, Finnish and Polish dates and
periods, week numbers, numeric dates, where in a period a phrase points (ADR 0032), and the
timing cue words of those languages. Made-up sentences, each resolved against a Date."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from triage.domain.extraction.calendar import period_ahead, period_position
from triage.domain.extraction.sentences import sentences_of
from triage.domain.extraction.timeline import buying_timeline, stated_timeline


def on(year: int, month: int, day: int = 10) -> datetime:
    return datetime(year, month, day, 9, 0, tzinfo=UTC)


@pytest.mark.parametrize(
    ("text", "sent", "expected"),
    [
        # Nordic month names and prepositions
        ("Vi ønsker å ta systemet i bruk og starte i desember.", on(2026, 9), "quarter"),
        ("Vi vill ha ett avtal påskrivet senast i maj.", on(2026, 1), "six_months"),
        ("Kontrakten skal være på plass innen utgangen av mars.", on(2026, 1), "quarter"),
        # Polish: genitive and locative month forms, "do końca", Roman-numeral quarters
        ("Chcemy podjąć decyzję do końca lutego.", on(2026, 1), "quarter"),
        ("Wdrożenie planujemy w czerwcu.", on(2026, 1), "six_months"),
        ("Umowę chcemy podpisać do końca II kwartału.", on(2026, 1), "six_months"),
        ("Umowę chcemy podpisać do końca I kwartału.", on(2026, 1), "quarter"),
        # Czech and Slovak month forms ("do konce března", "od 1. července", "v máji")
        ("Potřebovali bychom systém nasadit do konce března.", on(2026, 2), "quarter"),
        ("Od 1. července otevíráme nový provoz.", on(2026, 5, 12), "quarter"),
        ("Chceli by sme začať v októbri.", on(2026, 5), "six_months"),
        ("Zmluvu chceme podpísať do konca februára.", on(2026, 1), "quarter"),
        # Czech, Slovak and Hungarian seasons; Swedish "före"
        ("Systém chceme spustit před létem.", on(2026, 2), "six_months"),
        ("Chceli by sme to spustiť na jeseň.", on(2026, 5), "six_months"),
        ("Ősszel szeretnénk bevezetni az új rendszert.", on(2026, 5), "six_months"),
        ("Vi vill ha systemet i drift före sommaren.", on(2026, 3), "quarter"),
        # Hungarian months take case endings: "by September", "in March"
        ("Szeptemberre kellene egy működő rendszer.", on(2026, 4, 2), "six_months"),
        ("Márciusban szeretnénk indulni.", on(2026, 1), "quarter"),
        # a bare month made a deadline by "at the latest"; Swiss German "vor em" for "vor dem"
        ("Vorremmo partire nel secondo semestre – luglio al più tardi.", on(2026, 1, 20), "six_months"),
        ("Wir wollen im Juli spätestens live sein.", on(2026, 4), "quarter"),
        ("möchted vor em summer umstelle.", on(2025, 3, 4), "quarter"),
        # a season named through its trade season: "before the summer season" is its start
        ("Queremos cambiar antes de la temporada de verano.", on(2025, 3, 18), "quarter"),
        # Finnish inflected months: "in February", "at the end of May"
        ("Päätös tehdään maaliskuussa.", on(2026, 1), "quarter"),
        (
            "Sopimus päättyy kesäkuun lopussa, joten päätös on tehtävä silloin.",
            on(2026, 1),
            "six_months",
        ),
        # week numbers, ISO weeks of the sending year (or the next one once past)
        ("Vi vil starte i uke 7.", on(2026, 1, 12), "now"),
        ("Vi vill ha beslut senast vecka 12.", on(2026, 1, 12), "quarter"),
        ("Wir wollen in KW 24 starten.", on(2026, 1, 12), "six_months"),
        ("We'd like to go live in week 3.", on(2026, 11, 2), "quarter"),
        ("Haluamme ottaa järjestelmän käyttöön viikolla 6.", on(2026, 1, 12), "now"),
        # numeric dates after a preposition, day first
        ("Queremos começar a partir de 20/02.", on(2026, 1, 12), "quarter"),
        ("Wir möchten bis 15.01. unterschreiben.", on(2026, 1, 12), "now"),
        ("We must sign by 30/06/2026.", on(2026, 1, 12), "six_months"),
        # seasons in the Nordic languages, Finnish and Polish; "after the summer"
        ("Vi ønsker å være i drift før sommeren.", on(2026, 3), "quarter"),
        ("Vi vil gerne i gang i efteråret.", on(2026, 8), "quarter"),
        ("Käyttöönotto on tarkoitus tehdä syksyllä.", on(2026, 4), "six_months"),
        ("Wdrożenie chcemy zacząć jesienią.", on(2026, 7), "quarter"),
        ("Gostaríamos de começar depois do verão.", on(2026, 5), "six_months"),
        ("We'd like to start right after the summer.", on(2026, 3), "six_months"),
        # halves: in one is its middle, within one its end
        ("Innføringen skjer i andre halvår.", on(2026, 6), "six_months"),
        ("Wdrożenie w drugim półroczu.", on(2026, 1), "unknown"),
        ("We need to decide within the first half of 2027.", on(2027, 1), "six_months"),
        # a period's year may follow its name ("del 2027", "2027 r.")
        ("Wdrożenie planujemy w drugim półroczu 2027 r.", on(2026, 11), "unknown"),
        ("Vorremmo partire nel primo semestre del 2027.", on(2026, 11), "six_months"),
        ("Wir planen die Einführung im dritten Quartal 2027.", on(2026, 11), "unknown"),
        # the year's end in the Nordic languages
        ("Vi vil gerne have det på plads inden årsskiftet.", on(2026, 10), "quarter"),
        ("Vi vil ha det på plass innen utgangen av året.", on(2026, 8), "six_months"),
        # cue words
        ("Vi trenger det snarest, helst denne uka.", on(2026, 3), "now"),
        ("Potrzebujemy wdrożenia jak najszybciej.", on(2026, 3), "now"),
        ("Vi vil gjerne signere neste kvartal.", on(2026, 3), "quarter"),
        ("Decyzję podejmiemy w przyszłym kwartale.", on(2026, 3), "quarter"),
        ("Vi regner med å kjøpe om seks måneder.", on(2026, 3), "six_months"),
        ("We will buy in the next fiscal year.", on(2026, 3), "unknown"),
        ("Wij beslissen in het volgend boekjaar.", on(2026, 3), "unknown"),
        # within N units
        ("Vi må bestemme oss innen to uker.", on(2026, 3), "now"),
        ("Vi vill fatta beslut inom 60 dagar.", on(2026, 3), "quarter"),
        ("Decyzję podejmiemy w ciągu 3 miesięcy.", on(2026, 3), "quarter"),
    ],
)
def test_a_period_or_date_in_more_languages_resolves_against_the_date(
    text: str, sent: datetime, expected: str
) -> None:
    assert buying_timeline(text, sent) == expected


def test_from_today_is_a_start_not_a_deadline() -> None:
    assert (
        buying_timeline("We want to choose a vendor within 8 weeks from today.", on(2026, 3))
        == "quarter"
    )


def test_a_meeting_sentence_in_japanese_or_norwegian_sets_no_timeline() -> None:
    assert buying_timeline("12月中にデモをお願いできますか。", on(2025, 11)) == "unknown"
    assert buying_timeline("Kan vi ta et møte i uke 12?", on(2026, 3)) == "unknown"


def test_a_period_negated_right_after_it_is_no_deadline() -> None:
    text = "Antes do verão não vamos conseguir mudar. Depois do verão seria ideal."
    assert buying_timeline(text, on(2026, 5)) == "six_months"
    assert buying_timeline("Before the summer we cannot decide.", on(2026, 3)) == "unknown"
    assert buying_timeline("We must decide by March, not later.", on(2026, 1)) == "quarter"


def test_a_bare_fraction_or_amount_is_not_a_date() -> None:
    assert (
        buying_timeline("We need 1.5 people and 30.000 licences to start.", on(2026, 3))
        == "unknown"
    )


def test_a_short_abbreviation_does_not_end_the_sentence() -> None:
    assert list(sentences_of("Vi har ca. 40 brukere. Firma X sp. z o.o. planuje start.")) == [
        "Vi har ca. 40 brukere",
        "Firma X sp. z o.o. planuje start",
    ]


def test_a_contrast_in_the_nordic_languages_is_a_clause_of_its_own() -> None:
    text = "Vi vil gjerne ha en demo i juni, men vi vil i gang i september."
    assert buying_timeline(text, on(2026, 5)) == "six_months"


@pytest.mark.parametrize(
    ("before", "position"),
    [
        ("before the ", "start"),
        ("within the ", "end"),
        ("right after the ", "after"),
        ("depois do ", "after"),
        ("entro il ", "end"),
        ("in the ", "mid"),
    ],
)
def test_the_words_before_a_period_say_where_in_it_they_point(before: str, position: str) -> None:
    text = before + "summer"
    assert period_position(text, len(before), len(text), None) == position


def test_a_period_is_counted_to_its_start_middle_or_end() -> None:
    sent = on(2026, 4)
    assert period_ahead(sent, 7, 3, "start", None) == 3
    assert period_ahead(sent, 7, 3, "mid", None) == 4
    assert period_ahead(sent, 7, 3, "end", None) == 6
    assert period_ahead(sent, 1, 3, "mid", None) == 10  # Q1 is past: the next one
    assert period_ahead(sent, 4, 3, "mid", None) == 1  # under way
    assert period_ahead(sent, 1, 3, "mid", 2026) == 99  # past, with its year


def test_a_short_sentence_after_a_meeting_request_says_when_to_talk_not_to_buy() -> None:
    text = "Wären Sie bereit, uns vorab eine Online-Präsentation zu geben? Gerne im Juni."
    assert buying_timeline(text, on(2026, 5, 12)) == "unknown"
    assert buying_timeline("Wir suchen ein neues System. Gerne im Juni.", on(2026, 5, 12)) == "quarter"


def test_the_day_of_sending_written_as_a_date_is_a_timestamp_not_a_deadline() -> None:
    form = "Mensaje: Queremos precios de FrotaTrack.\nFecha: 18/03/2025 16:04"
    assert buying_timeline(form, on(2025, 3, 18)) == "unknown"
    assert buying_timeline("Queremos firmar antes del 28/03/2025.", on(2025, 3, 18)) == "now"


def test_a_southern_senders_seasons_are_six_months_from_ours() -> None:
    summer = "Queremos tenerlo andando para la temporada de verano."
    winter = "Queremos tenerlo andando antes del invierno."
    # written in April: the northern summer is a quarter away, the southern one eight months
    assert buying_timeline(summer, on(2026, 4, 9)) == "quarter"
    assert stated_timeline(summer, on(2026, 4, 9), southern=True) is None
    found = stated_timeline(winter, on(2026, 4, 9), southern=True)
    assert found is not None and found.value == "quarter"
    assert buying_timeline(winter, on(2026, 4, 9)) == "unknown"
