"""The words of the calendar grammar, per language: month names, season starts, ordinals,
number words, the prepositions and period parts ("end of", "utgangen av") dates come with.
Tables only; ``dates`` and ``calendar`` hold the grammar."""

from __future__ import annotations


def _hungarian_months() -> dict[str, int]:
    """Hungarian months and the case endings they take ("szeptemberre" by September,
    "márciusban" in March, "júniusig" until June), by the vowel harmony of the last vowel."""
    names = ("január", "február", "március", "április", "május", "június", "július",
             "augusztus", "szeptember", "október", "november", "december")  # fmt: skip
    forms: dict[str, int] = {}
    for month, name in enumerate(names, 1):
        front = [c for c in name if c in "aáoóuúeéií"][-1] in "eéií"
        endings = ("ben", "re", "től", "ig", "i") if front else ("ban", "ra", "tól", "ig", "i")
        forms |= {name: month, **{name + ending: month for ending in endings}}
    return forms


HUNGARIAN_MONTHS = _hungarian_months()
# Month forms whose ending is the preposition ("szeptemberre": by September): a date alone.
INFLECTED_MONTHS = frozenset(name for name in HUNGARIAN_MONTHS if name[-1] not in "rsi")

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
    # Czech: nominative, genitive ("do konce března") and locative ("v březnu")
    "leden": 1, "ledna": 1, "lednu": 1, "únor": 2, "února": 2, "únoru": 2,
    "březen": 3, "března": 3, "březnu": 3, "duben": 4, "dubna": 4, "dubnu": 4,
    "květen": 5, "května": 5, "květnu": 5, "červen": 6, "června": 6, "červnu": 6,
    "červenec": 7, "července": 7, "červenci": 7, "srpen": 8, "srpna": 8, "srpnu": 8,
    "září": 9, "říjen": 10, "října": 10, "říjnu": 10, "listopadu": 11,
    "prosinec": 12, "prosince": 12, "prosinci": 12,
    # Slovak (what Czech and the others do not already spell), with the genitive
    "január": 1, "januára": 1, "február": 2, "februára": 2, "marec": 3, "apríl": 4,
    "apríla": 4, "máj": 5, "mája": 5, "jún": 6, "júna": 6, "júl": 7, "júla": 7,
    "augusta": 8, "septembra": 9, "október": 10, "októbra": 10, "novembra": 11,
    "decembra": 12, "januári": 1, "februári": 2, "marci": 3, "apríli": 4, "máji": 5, "júni": 6,
    "júli": 7, "auguste": 8, "septembri": 9, "októbri": 10, "novembri": 11, "decembri": 12,
    **HUNGARIAN_MONTHS,
}
EXTRA_SEASONS = {
    "sommeren": 6, "sommaren": 6, "sommar": 6, "sommerferien": 6, "høst": 9, "høsten": 9,
    "höst": 9, "hösten": 9, "efterår": 9, "efteråret": 9, "hausten": 9, "våren": 3,
    "foråret": 3, "forår": 3, "vinteren": 12, "vintern": 12, "vinter": 12,
    "kesällä": 6, "kesään": 6, "kesää": 6, "syksyllä": 9, "syksyyn": 9, "syksyä": 9,
    "keväällä": 3, "kevääseen": 3, "kevättä": 3, "talvella": 12, "talveen": 12,
    "latem": 6, "lata": 6, "jesienią": 9, "jesieni": 9, "wiosną": 3, "wiosny": 3, "zimą": 12,
    "zimy": 12, "wakacjach": 6, "wakacji": 6,
    # Czech and Slovak ("do léta", "na podzim", "v lete", "do jesene")
    "léto": 6, "léta": 6, "létě": 6, "jaro": 3, "jara": 3, "jaře": 3, "podzim": 9, "podzimu": 9,
    "zimě": 12, "létem": 6, "jarem": 3, "podzimem": 9, "zimou": 12, "leto": 6, "leta": 6, "lete": 6, "jari": 3, "jeseň": 9, "jesene": 9,
    # Hungarian: the ending is the preposition ("nyárig" until summer, "ősszel" in autumn)
    "nyáron": 6, "nyárig": 6, "nyárra": 6, "ősszel": 9, "őszig": 9, "őszre": 9,
    "tavasszal": 3, "tavaszig": 3, "tavaszra": 3, "télen": 12, "télig": 12, "télre": 12,
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
    r"fram till|inden for|indenfor|ennen|do|przed|od|na|w|v|ve|k|ke|pred|před|före"
)  # fmt: skip
EXTRA_STARTS = r"begynnelsen av|starten av|början av|begyndelsen af|starten af|początku|alussa"
EXTRA_MIDS = r"midten av|mitten av|midten af|połowie"
EXTRA_ENDS = (r"utgangen av|slutten av|slutet av|slutningen af|udgangen af|końca|koniec|"
              r"końcem|lopussa|loppuun|konce|koncem|konci|konca|koncom")  # fmt: skip
EXTRA_SPAN_LEADS = (r"innen|innan|inom|inden|inden for|indenfor|i løpet av|i løbet af|"
                    r"under de närmaste|om|w ciągu|w przeciągu|za|w ciągu najbliższych")  # fmt: skip
EXTRA_UNITS = (r"dager|dage|dagar|dni|uker|uke|uger|uge|veckor|vecka|tygodni|tygodnie|"
               r"måneder|måneders|månader|mnd|miesięcy|miesiące")  # fmt: skip

EXTRA_SEASON_LEADS = (r"før|innen|innan|inden|senest|senast|till|til|i|i\s+løpet\s+av|"
                      r"i\s+løbet\s+af|under|etter|efter|lige\s+efter|rett\s+etter|direkt\s+efter|"
                      r"ennen|przed|po|do|na|w|v|ve|před|pred|före|this\s+coming")  # fmt: skip
# Season forms that carry their own preposition (Finnish "kesällä", Polish "jesienią").
INFLECTED_SEASONS = ("kesällä", "syksyllä", "keväällä", "talvella", "latem", "jesienią",
                     "wiosną", "zimą", "nyáron", "nyárig", "nyárra", "ősszel", "őszig", "őszre",
                     "tavasszal", "tavaszig", "tavaszra", "télen", "télig", "télre")  # fmt: skip
EXTRA_NEW_YEAR = (r"årsskiftet|nyttår|nyår|nytår|utgangen\s+av\s+året|slutten\s+av\s+året|"
                  r"udgangen\s+af\s+året|slutningen\s+af\s+året|slutet\s+av\s+året|"
                  r"årets\s+slut|vuodenvaihde\w*|vuoden\s+loppuun|vuoden\s+lopussa|"
                  r"końca\s+roku|koniec\s+roku|nowego\s+roku")  # fmt: skip
EXTRA_QUARTER_WORDS = r"kvartal(?:et)?|kwarta(?:łu|le|ł)|(?:vuosi)?neljännes\w*"
EXTRA_HALF_WORDS = r"halvår(?:et)?|halvdel(?:en)?|vuosipuolisko\w*|półrocz\w*|połowie\s+roku"
EXTRA_HALF_ORDINALS = (r"første|andre|första|andra|1\.|2\.|pierwsz\w*|drugi\w*|"
                       r"ensimmäi\w*|toise\w*|toinen")  # fmt: skip

# fmt: off
MONTH_NAMES = {
    "january": 1, "february": 2, "march": 3, "april": 4, "may": 5, "june": 6, "july": 7,
    "august": 8, "september": 9, "sept": 9, "october": 10, "november": 11, "december": 12,
    "januar": 1, "jänner": 1, "februar": 2, "märz": 3, "mai": 5, "juni": 6, "juli": 7,
    "oktober": 10, "dezember": 12,
    "janvier": 1, "février": 2, "mars": 3, "avril": 4, "juin": 6, "juillet": 7, "août": 8,
    "septembre": 9, "octobre": 10, "novembre": 11, "décembre": 12,
    "enero": 1, "febrero": 2, "marzo": 3, "abril": 4, "mayo": 5, "junio": 6, "julio": 7,
    "agosto": 8, "septiembre": 9, "setiembre": 9, "octubre": 10, "noviembre": 11, "diciembre": 12,
    "gennaio": 1, "febbraio": 2, "aprile": 4, "maggio": 5, "giugno": 6, "luglio": 7,
    "settembre": 9, "ottobre": 10, "dicembre": 12,
    "janeiro": 1, "fevereiro": 2, "março": 3, "maio": 5, "junho": 6, "julho": 7,
    "setembro": 9, "outubro": 10, "dezembro": 12,
    "januari": 1, "februari": 2, "maart": 3, "mei": 5, "augustus": 8,
    **EXTRA_MONTHS,
}
SEASON_STARTS = {  # the month a season starts (northern hemisphere)
    "spring": 3, "frühling": 3, "frühjahr": 3, "printemps": 3, "primavera": 3, "voorjaar": 3,
    "summer": 6, "sommer": 6, "été": 6, "verano": 6, "estate": 6, "verão": 6, "zomer": 6,
    "autumn": 9, "fall": 9, "herbst": 9, "automne": 9, "otoño": 9, "autunno": 9, "outono": 9,
    "najaar": 9,
    "winter": 12, "hiver": 12, "invierno": 12, "inverno": 12,
    **EXTRA_SEASONS,
}
ORDINAL_WORDS = {
    "first": 1, "1st": 1, "second": 2, "2nd": 2, "third": 3, "3rd": 3, "fourth": 4, "4th": 4,
    "erste": 1, "ersten": 1, "erstes": 1, "zweite": 2, "zweiten": 2, "zweites": 2,
    "dritte": 3, "dritten": 3, "drittes": 3, "vierte": 4, "vierten": 4, "viertes": 4,
    "1.": 1, "2.": 2, "3.": 3, "4.": 4,
    "premier": 1, "1er": 1, "deuxième": 2, "troisième": 3, "quatrième": 4,
    "primer": 1, "primero": 1, "segundo": 2, "tercer": 3, "tercero": 3, "cuarto": 4,
    "primo": 1, "secondo": 2, "terzo": 3, "quarto": 4,
    "primeiro": 1, "terceiro": 3,
    **EXTRA_ORDINALS,
}
NUMBER_WORDS = {
    "a": 1, "an": 1, "one": 1, "two": 2, "three": 3, "four": 4, "five": 5, "six": 6,
    "seven": 7, "eight": 8, "nine": 9, "ten": 10, "twelve": 12, "thirty": 30, "sixty": 60,
    "ninety": 90,
    "ein": 1, "einem": 1, "einer": 1, "zwei": 2, "drei": 3, "vier": 4, "fünf": 5, "sechs": 6,
    "acht": 8, "zehn": 10, "zwölf": 12,
    "un": 1, "une": 1, "deux": 2, "trois": 3, "quatre": 4, "cinq": 5, "huit": 8, "dix": 10,
    "uno": 1, "una": 1, "dos": 2, "tres": 3, "cuatro": 4, "cinco": 5, "seis": 6, "ocho": 8,
    "diez": 10, "due": 2, "tre": 3, "quattro": 4, "sei": 6, "otto": 8, "dieci": 10,
    "dois": 2, "duas": 2, "três": 3, "quatro": 4,
    "twee": 2, "drie": 3, "zes": 6,
    **EXTRA_NUMBERS,
}
# fmt: on

PERIOD_START = (r"early|beginning of|start of|anfang|beginn|début|debut|début de|principios de|"
                 r"primeros de|inicios de|comienzos de|inizio|inizio di|início de|inicio de|"
                 r"começo de|begin|" + EXTRA_STARTS)  # fmt: skip
PERIOD_MID = r"mid|mid-|mi-|mitte|mediados de|metà|meados de|half|" + EXTRA_MIDS
PERIOD_END = (r"end of|late|the end of|ende|fin|fin de|fin du|fine|fine di|finales de|final de|"
               r"fim de|fim do|eind|ultimo|últimos de|" + EXTRA_ENDS)  # fmt: skip
DATE_LEADS = (r"by|before|in|until|till|for|around|from|by the|bis|bis zum|bis spätestens|im|vor|zum|"
          r"avant|avant le|avant la|d'ici|d'ici le|d'ici la|pour|pour le|en|dès|para|para el|"
          r"antes de|antes del|hasta|hasta el|a|ad|entro|entro il|entro la|per|prima di|prima del|"
          r"até|até o|até a|em|no|na|voor|tegen|uiterlijk|" + EXTRA_LEADS)  # fmt: skip
