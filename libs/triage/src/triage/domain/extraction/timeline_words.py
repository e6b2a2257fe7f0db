"""Timing and buying phrases for the languages beyond the core lists of ``timeline``: Nordic,
Finnish and Polish cue words, fiscal years, and the words that make a sentence about buying
or about a meeting. Regex fragments, matched whole-word and case-insensitively."""

from __future__ import annotations

# fmt: off
NOW_PHRASES = (
    r"snarest(?: mulig)?", r"så snart som mulig", r"så fort som mulig", r"så raskt som mulig",
    r"hurtigst muligt", r"snarest muligt", r"så hurtigt som muligt", r"så snart som möjligt",
    r"så fort som möjligt", r"snarast(?: möjligt)?", r"omgående", r"umiddelbart",
    r"med en gang", r"(?:i )?denne uk(?:a|en)", r"(?:i )?denne uge", r"(?:i )?den här veckan",
    r"denna vecka", r"i veckan", r"(?:i )?denne måned(?:en)?", r"(?:i )?denna månad",
    r"den här månaden", r"neste uke", r"neste uka", r"næste uge", r"nästa vecka",
    r"i løpet av uk(?:a|en)", r"i løbet af ugen", r"innen utgangen av måneden",
    r"i slutten av måneden", r"i slutet av månaden", r"inden udgangen af måneden",
    r"mahdollisimman pian", r"pikaisesti", r"tällä viikolla", r"tässä kuussa", r"ensi viikolla",
    r"jak najszybciej", r"niezwłocznie", r"w tym tygodniu", r"w tym miesiącu",
    r"w przyszłym tygodniu", r"do końca miesiąca",
)
QUARTER_PHRASES = (
    r"neste kvartal", r"næste kvartal", r"nästa kvartal", r"dette kvartalet", r"detta kvartal",
    r"neste måned", r"næste måned", r"nästa månad", r"i løpet av de (?:neste|kommende) ukene",
    r"de kommende uger", r"de närmaste veckorna", r"ensi kuussa", r"ensi neljänneksellä",
    r"tällä neljänneksellä", r"w przyszłym miesiącu", r"w przyszłym kwartale",
    r"w tym kwartale", r"w najbliższych tygodniach",
)
SIX_MONTH_PHRASES = (
    r"seks måneder", r"sex månader", r"et halvt år", r"ett halvår", r"puoli vuotta",
    r"kuusi kuukautta", r"sześć miesięcy", r"pół roku",
)
# Later than six months, or a year whose start is not stated ("next fiscal year").
LATER_PHRASES = (
    r"neste år", r"næste år", r"nästa år", r"ensi vuonna", r"w przyszłym roku",
    r"next (?:fiscal|financial|budget) year", r"nächste[ns]? (?:geschäfts|haushalts)jahr",
    r"(?:le )?prochain exercice", r"(?:el )?próximo (?:año|ejercicio) fiscal",
    r"(?:o )?próximo ano fiscal", r"(?:il )?prossimo (?:esercizio|anno fiscale)",
    r"volgend boekjaar", r"neste regnskapsår", r"nästa räkenskapsår", r"来年度", r"来期",
)
# A horizon in a sentence about going live or signing is the buying timeline.
BUYING_PHRASES = (
    r"i drift", r"på plass", r"i gang", r"i gång", r"beslut\w*", r"avtal\w*", r"kontrakt\w*",
    r"innkjøp\w*", r"indkøb\w*", r"signer\w*", r"underteg\w*", r"implementer\w*", r"oppstart",
    r"starte?", r"käyttöön", r"päätös\w*", r"sopimu\w*", r"decyzj\w*", r"wdroż\w*", r"umow\w*",
    r"overstappen", r"mudar", r"cambiar", r"changer", r"wechseln",
)
# Sentences that set up a meeting name when to talk, not when to buy.
MEETING_PHRASES = (
    r"demo\w*", r"møte\w*", r"möte\w*", r"esittely\w*", r"spotkani\w*", r"prezentacj\w*",
    r"\w*(?:デモ|ミーティング|説明会|打ち合わせ|面談)\w*",  # no spaces around Japanese words
    r"mandag", r"tirsdag", r"onsdag", r"torsdag", r"fredag", r"måndag", r"tisdag",
    r"maanantai\w*", r"tiistai\w*", r"keskiviikko\w*", r"torstai\w*", r"perjantai\w*",
    r"poniedziałek", r"wtorek", r"środa", r"czwartek", r"piątek",
)
# "..., men ...": a contrasting clause is a sentence of its own.
CONTRAST_WORDS = r"men|mutta|ale"
# fmt: on
