"""The fictional world the gold set is written in: places, people, companies, money, time.

Nothing here is copied from tests/support/corpus.py. Name pools are split by
parity between the tuning and held-out parts, so the held-out part meets
people, companies and places the tuning part never saw.
"""

from __future__ import annotations

import random
import unicodedata
from dataclasses import dataclass
from datetime import datetime


@dataclass(frozen=True)
class Locale:
    country: str  # ISO 3166-1 alpha-2
    lang: str
    country_name: str  # as written in a signature
    cities: tuple[tuple[str, str], ...]  # (address line, phone after the prefix)
    phone_prefix: str
    tld: str | None  # country-code domain, or None for .com
    first: tuple[str, ...]
    last: tuple[str, ...]
    legal: tuple[str, ...]


LOCALES: dict[str, Locale] = {
    "US": Locale(
        "US",
        "en",
        "USA",
        (
            ("1420 Congress Ave, Austin, TX 78701", "512 555 0143"),
            ("88 Kearny St, Floor 4, San Francisco, CA 94108", "415 555 0182"),
            ("310 Peachtree St NE, Atlanta, GA 30308", "404 555 0117"),
            ("55 W Monroe St, Chicago, IL 60603", "312 555 0164"),
            ("1900 Blake St, Denver, CO 80202", "303 555 0126"),
            ("200 Clarendon St, Boston, MA 02116", "617 555 0191"),
        ),
        "1",
        None,
        (
            "Megan",
            "Tyler",
            "Brianna",
            "Marcus",
            "Dana",
            "Kevin",
            "Rachel",
            "Jordan",
            "Heather",
            "Curtis",
            "Alyssa",
            "Derek",
            "Monica",
            "Trevor",
            "Shana",
            "Grant",
        ),
        (
            "Whitfield",
            "Calloway",
            "Pruitt",
            "Delgado",
            "Hanley",
            "Osborne",
            "Keller",
            "Vance",
            "Redmond",
            "Castellano",
            "Briggs",
            "Lindqvist",
            "Yoder",
            "Tate",
            "Merriweather",
            "Dunbar",
        ),
        ("Inc.", "LLC", "", "Corp."),
    ),
    "GB": Locale(
        "GB",
        "en",
        "United Kingdom",
        (
            ("14 Bridge Street, Manchester M3 3BZ", "161 496 0732"),
            ("3 Lanyard Place, London EC2A 4NE", "20 7946 0815"),
            ("22 Rose Street, Edinburgh EH2 2PR", "131 496 0458"),
        ),
        "44",
        "co.uk",
        (
            "Oliver",
            "Harriet",
            "Callum",
            "Imogen",
            "Rhys",
            "Freya",
            "Alfie",
            "Poppy",
            "Jasper",
            "Eleanor",
        ),
        (
            "Pemberton",
            "Ashworth",
            "Fairbairn",
            "Nuttall",
            "Greaves",
            "Holloway",
            "Kershaw",
            "Tennant",
            "Blythe",
            "Marchbank",
        ),
        ("Ltd", "Limited", "plc", ""),
    ),
    "DE": Locale(
        "DE",
        "de",
        "Deutschland",
        (
            ("Rosenthaler Str. 40, 10178 Berlin", "30 901820 41"),
            ("Speicherstadt 12, 20457 Hamburg", "40 3344 5170"),
            ("Leopoldstr. 71, 80802 München", "89 2180 3326"),
        ),
        "49",
        "de",
        (
            "Katrin",
            "Jonas",
            "Anja",
            "Lukas",
            "Sabine",
            "Felix",
            "Miriam",
            "Tobias",
            "Ulrike",
            "Moritz",
        ),
        (
            "Brandt",
            "Vogelsang",
            "Hartmann",
            "Kessler",
            "Lindemann",
            "Wagner",
            "Eberhardt",
            "Pohl",
            "Sommer",
            "Reinholz",
        ),
        ("GmbH", "AG", "GmbH & Co. KG"),
    ),
    "FR": Locale(
        "FR",
        "fr",
        "France",
        (
            ("18 rue de la République, 69002 Lyon", "4 72 40 18 95"),
            ("7 avenue Trudaine, 75009 Paris", "1 53 20 44 17"),
            ("40 allées Jean Jaurès, 31000 Toulouse", "5 61 22 73 08"),
        ),
        "33",
        "fr",
        (
            "Camille",
            "Julien",
            "Élodie",
            "Mathieu",
            "Aurélie",
            "Thibault",
            "Manon",
            "Bastien",
            "Sandrine",
            "Rémi",
        ),
        (
            "Lefèvre",
            "Marchand",
            "Rousseau",
            "Garnier",
            "Chevalier",
            "Fontaine",
            "Perrin",
            "Gauthier",
            "Barbier",
            "Moulin",
        ),
        ("SAS", "SARL", "SA"),
    ),
    "ES": Locale(
        "ES",
        "es",
        "España",
        (
            ("Calle de Alcalá 95, 28009 Madrid", "91 432 18 07"),
            ("Carrer de Pallars 193, 08005 Barcelona", "93 221 47 60"),
            ("Calle Colón 12, 46004 Valencia", "96 351 02 44"),
        ),
        "34",
        "es",
        (
            "Lucía",
            "Javier",
            "Marta",
            "Álvaro",
            "Nuria",
            "Sergio",
            "Irene",
            "Pablo",
            "Carmen",
            "Diego",
        ),
        (
            "Serrano",
            "Ibáñez",
            "Castaño",
            "Morales",
            "Vidal",
            "Herrera",
            "Roldán",
            "Prieto",
            "Navarro",
            "Cuesta",
        ),
        ("S.L.", "S.A.", "SL"),
    ),
    "MX": Locale(
        "MX",
        "es",
        "México",
        (
            ("Av. Paseo de la Reforma 250, Juárez, 06600 Ciudad de México, CDMX", "55 5208 4412"),
            ("Av. Vallarta 3233, 44690 Guadalajara, Jal.", "33 3615 2290"),
        ),
        "52",
        "com.mx",
        ("Fernanda", "Rodrigo", "Ximena", "Emiliano", "Valeria", "Santiago"),
        ("Treviño", "Zamora", "Villaseñor", "Orozco", "Cárdenas", "Bautista"),
        ("S.A. de C.V.", ""),
    ),
    "BR": Locale(
        "BR",
        "pt",
        "Brasil",
        (
            ("Av. Paulista 1842, Bela Vista, São Paulo - SP, 01310-200", "11 3251 7780"),
            ("Rua da Assembleia 10, Centro, Rio de Janeiro - RJ, 20011-000", "21 2533 9014"),
        ),
        "55",
        "com.br",
        ("Thiago", "Larissa", "Gustavo", "Beatriz", "Rafael", "Camila", "Vinícius", "Juliana"),
        (
            "Albuquerque",
            "Cavalcanti",
            "Siqueira",
            "Moreira",
            "Tavares",
            "Figueiredo",
            "Peixoto",
            "Rezende",
        ),
        ("Ltda.", "S.A.", ""),
    ),
    "PT": Locale(
        "PT",
        "pt",
        "Portugal",
        (
            ("Rua Augusta 120, 1100-053 Lisboa", "21 342 8817"),
            ("Rua de Santa Catarina 312, 4000-443 Porto", "22 205 6631"),
        ),
        "351",
        "pt",
        ("Inês", "Duarte", "Mariana", "Tiago", "Catarina", "Nuno"),
        ("Magalhães", "Pimentel", "Vasconcelos", "Quintela", "Brandão", "Sequeira"),
        ("Lda.", "S.A."),
    ),
    "IT": Locale(
        "IT",
        "it",
        "Italia",
        (
            ("Via Tortona 31, 20144 Milano", "02 8942 6610"),
            ("Via dei Serragli 48, 50124 Firenze", "055 228 4107"),
        ),
        "39",
        "it",
        ("Giulia", "Matteo", "Chiara", "Lorenzo", "Francesca", "Davide"),
        ("Bianchi", "Colombo", "Ferraresi", "Marchetti", "Galli", "Santoro"),
        ("S.r.l.", "S.p.A.", ""),
    ),
    "NL": Locale(
        "NL",
        "nl",
        "Nederland",
        (
            ("Keizersgracht 221, 1016 DV Amsterdam", "20 624 8815"),
            ("Wilhelminakade 91, 3072 AP Rotterdam", "10 307 6642"),
        ),
        "31",
        "nl",
        ("Sanne", "Bram", "Lotte", "Joost", "Femke", "Wouter"),
        ("de Vries", "van Dijk", "Bakker", "Vermeulen", "Smit", "van der Berg"),
        ("B.V.", ""),
    ),
    "CA": Locale(
        "CA",
        "en",
        "Canada",
        (
            ("130 King St W, Toronto, ON M5X 1E3", "416 555 0176"),
            ("1055 W Georgia St, Vancouver, BC V6E 3P3", "604 555 0138"),
        ),
        "1",
        "ca",
        ("Avery", "Nolan", "Brooke", "Liam", "Chantal", "Owen"),
        ("MacLeod", "Tremblay", "Fraser", "Gagnon", "Sinclair", "Boucher"),
        ("Inc.", "Ltd.", ""),
    ),
    "AU": Locale(
        "AU",
        "en",
        "Australia",
        (
            ("Level 9, 60 Margaret St, Sydney NSW 2000", "2 5550 1934"),
            ("101 Collins St, Melbourne VIC 3000", "3 7010 2285"),
        ),
        "61",
        "com.au",
        ("Lachlan", "Matilda", "Cooper", "Isla", "Hamish", "Tahlia"),
        ("Kerrigan", "Whitlam", "Baxter", "O'Loughlin", "Murdoch", "Pryce"),
        ("Pty Ltd", ""),
    ),
    "IN": Locale(
        "IN",
        "en",
        "India",
        (
            ("4th Floor, Prestige Tower, MG Road, Bengaluru 560001", "80 4718 2290"),
            ("Baner Road, Pune 411045", "20 6710 4431"),
        ),
        "91",
        "in",
        ("Ananya", "Rohan", "Priyanka", "Vikram", "Sneha", "Arjun"),
        ("Raghavan", "Kulkarni", "Iyer", "Deshpande", "Bhattacharya", "Menon"),
        ("Pvt Ltd", "Private Limited", ""),
    ),
    "SE": Locale(
        "SE",
        "en",
        "Sweden",
        (("Sveavägen 44, 111 34 Stockholm", "8 508 114 70"),),
        "46",
        "se",
        ("Linnea", "Oskar", "Ebba", "Viktor"),
        ("Lindgren", "Sjöberg", "Nyström", "Ekholm"),
        ("AB",),
    ),
    "IE": Locale(
        "IE",
        "en",
        "Ireland",
        (("Grand Canal Quay 5, Dublin 2, D02 R294", "1 669 4820"),),
        "353",
        "ie",
        ("Aoife", "Cian", "Siobhan", "Declan"),
        ("Ó Briain", "Gallagher", "Doherty", "Kavanagh"),
        ("Ltd", "DAC", ""),
    ),
}

FREE_MAIL = (
    "gmail.com",
    "outlook.com",
    "yahoo.com",
    "hotmail.com",
    "proton.me",
    "icloud.com",
    "gmx.de",
    "web.de",
    "orange.fr",
    "yahoo.es",
    "uol.com.br",
    "libero.it",
)
# Free-mail domains a labeller knows are not companies, beyond the obvious ones.
FREE_MAIL_LABELLED = frozenset(FREE_MAIL)

_PREFIXES = (
    "Alder",
    "Brindle",
    "Copperfield",
    "Dunmore",
    "Everline",
    "Foxglove",
    "Granite",
    "Halden",
    "Ironbark",
    "Juniper",
    "Kestrel",
    "Larkspur",
    "Meridian",
    "Northwind",
    "Oakhurst",
    "Pinecrest",
    "Quarrystone",
    "Redfern",
    "Saltmarsh",
    "Thornbury",
    "Upland",
    "Vantage",
    "Willowby",
    "Yarrow",
    "Zephyrine",
    "Ashgrove",
    "Bluecrest",
    "Cobalt",
    "Driftwood",
    "Emberly",
    "Fairhaven",
    "Glenmoor",
    "Harbourline",
    "Inkwell",
    "Jadeport",
    "Kingsmere",
    "Lumen",
    "Marlstone",
    "Nettlefield",
    "Orchardine",
    "Palisade",
    "Quillon",
    "Rivermark",
    "Silverbirch",
    "Tidewater",
    "Umberfield",
    "Valewood",
    "Westbrook",
    "Wrenfield",
    "Yellowpine",
    "Ambergate",
    "Birchwood",
    "Calderon",
    "Deepwell",
    "Elmstead",
    "Fernleigh",
    "Goldcrest",
    "Hollowell",
    "Ivybridge",
    "Jasperline",
    "Kelpie",
    "Lindenhall",
    "Mosswood",
    "Norland",
)
_SECTORS = (
    ("Logistics", "logistics"),
    ("Health", "health"),
    ("Insurance Brokers", "insurance"),
    ("Software", "software"),
    ("Manufacturing", "mfg"),
    ("Foods", "foods"),
    ("Energy", "energy"),
    ("Freight", "freight"),
    ("Robotics", "robotics"),
    ("Dental Partners", "dental"),
    ("Capital", "capital"),
    ("Labs", "labs"),
    ("Hospitality Group", "hospitality"),
    ("Packaging", "packaging"),
    ("Telecom", "telecom"),
    ("Media", "media"),
    ("Facility Services", "fs"),
    ("Biotech", "bio"),
)
# The same sectors in the languages of the non-English locales.
_LOCAL_SECTORS = {
    "de": ("Logistik", "Maschinenbau", "Versicherungsmakler", "Medizintechnik", "Handel"),
    "fr": ("Logistique", "Conseil", "Assurances", "Distribution", "Énergie"),
    "es": ("Logística", "Consultores", "Seguros", "Distribución", "Energía"),
    "pt": ("Logística", "Consultoria", "Seguros", "Distribuidora", "Energia"),
    "it": ("Logistica", "Consulenza", "Assicurazioni", "Distribuzione", "Energia"),
    "nl": ("Logistiek", "Advies", "Verzekeringen", "Distributie", "Energie"),
}


def squash(text: str) -> str:
    folded = unicodedata.normalize("NFKD", text.lower())
    return "".join(c for c in folded if c.isalnum() and not unicodedata.combining(c))


@dataclass(frozen=True)
class Firm:
    name: str  # as written in a signature, with its legal suffix
    domain: str
    locale: Locale


@dataclass(frozen=True)
class Human:
    first: str
    last: str
    locale: Locale

    @property
    def name(self) -> str:
        return f"{self.first} {self.last}"


class World:
    """Draws people and firms for one split; parity keeps the splits' pools disjoint."""

    def __init__(self, rng: random.Random, parity: int) -> None:
        self.rng = rng
        self.parity = parity
        self.used_firms: set[str] = set()
        self.used_people: set[str] = set()

    def _half(self, pool: tuple[str, ...]) -> tuple[str, ...]:
        half = pool[self.parity :: 2]
        return half or pool

    def human(self, country: str) -> Human:
        loc = LOCALES[country]
        for _ in range(50):
            person = Human(
                self.rng.choice(self._half(loc.first)), self.rng.choice(self._half(loc.last)), loc
            )
            if person.name not in self.used_people:
                break
        self.used_people.add(person.name)
        return person

    def firm(self, country: str, local_name: bool = False) -> Firm:
        loc = LOCALES[country]
        for _ in range(100):
            prefix = self.rng.choice(self._half(_PREFIXES))
            if local_name and loc.lang in _LOCAL_SECTORS:
                sector = self.rng.choice(_LOCAL_SECTORS[loc.lang])
                short = squash(sector)[:6]
            else:
                sector, short = self.rng.choice(_SECTORS)
            if prefix not in self.used_firms:
                break
        self.used_firms.add(prefix)
        legal = self.rng.choice(loc.legal)
        name = f"{prefix} {sector} {legal}".strip()
        style = self.rng.random()
        if style < 0.45:
            label = squash(prefix + sector)
        elif style < 0.75:
            label = squash(prefix) + "-" + short
        else:
            label = squash(prefix) + short
        return Firm(name, f"{label}.{loc.tld or 'com'}", loc)

    def address(self, human: Human, firm: Firm | None) -> str:
        local = squash(human.first) + "." + squash(human.last)
        if firm is None:
            return f"{local}{self.rng.randint(1, 99)}@{self.rng.choice(FREE_MAIL[:6])}"
        style = self.rng.random()
        if style < 0.5:
            return f"{local}@{firm.domain}"
        if style < 0.8:
            return f"{squash(human.first)}@{firm.domain}"
        return f"{squash(human.first)[0]}{squash(human.last)}@{firm.domain}"


# ---------------------------------------------------------------- money and time

MONTHS = {
    "en": (
        "January",
        "February",
        "March",
        "April",
        "May",
        "June",
        "July",
        "August",
        "September",
        "October",
        "November",
        "December",
    ),
    "de": (
        "Januar",
        "Februar",
        "März",
        "April",
        "Mai",
        "Juni",
        "Juli",
        "August",
        "September",
        "Oktober",
        "November",
        "Dezember",
    ),
    "fr": (
        "janvier",
        "février",
        "mars",
        "avril",
        "mai",
        "juin",
        "juillet",
        "août",
        "septembre",
        "octobre",
        "novembre",
        "décembre",
    ),
    "es": (
        "enero",
        "febrero",
        "marzo",
        "abril",
        "mayo",
        "junio",
        "julio",
        "agosto",
        "septiembre",
        "octubre",
        "noviembre",
        "diciembre",
    ),
    "pt": (
        "janeiro",
        "fevereiro",
        "março",
        "abril",
        "maio",
        "junho",
        "julho",
        "agosto",
        "setembro",
        "outubro",
        "novembro",
        "dezembro",
    ),
    "it": (
        "gennaio",
        "febbraio",
        "marzo",
        "aprile",
        "maggio",
        "giugno",
        "luglio",
        "agosto",
        "settembre",
        "ottobre",
        "novembre",
        "dicembre",
    ),
    "nl": (
        "januari",
        "februari",
        "maart",
        "april",
        "mei",
        "juni",
        "juli",
        "augustus",
        "september",
        "oktober",
        "november",
        "december",
    ),
}

# (phrase, annual USD or None). None: not a US-dollar amount.
BUDGETS = {
    "en": (
        ("$60,000 a year", 60000),
        ("$4,500 per month", 54000),
        ("about $8k a month", 96000),
        ("USD 25,000 annually", 25000),
        ("$120k per year", 120000),
        ("£2,000 a month", None),
        ("€40,000 per year", None),
        ("$1,500/mo", 18000),
        ("US$36,000 for the year", 36000),
        ("roughly $3,200 monthly", 38400),
        ("$90,000 annual", 90000),
        ("AUD 5,000 per month", None),
        ("CA$30,000 a year", None),
        ("$750 a month", 9000),
    ),
    "de": (
        ("5.000 USD pro Monat", 60000),
        ("30.000 € im Jahr", None),
        ("rund 48.000 US-Dollar jährlich", 48000),
        ("2.500 Euro monatlich", None),
    ),
    "fr": (
        ("3 000 USD par mois", 36000),
        ("20 000 € par an", None),
        ("environ 45 000 dollars US par an", 45000),
    ),
    "es": (
        ("1.500 USD al mes", 18000),
        ("40.000 euros al año", None),
        ("USD 24.000 anuales", 24000),
        ("200.000 pesos mexicanos al año", None),
    ),
    "pt": (
        ("US$ 2.000 por mês", 24000),
        ("R$ 10.000 por mês", None),
        ("cerca de 30 mil dólares por ano", 30000),
    ),
    "it": (("3.000 USD al mese", 36000), ("25.000 euro l'anno", None)),
    "nl": (("$2.500 per maand", 30000), ("€30.000 per jaar", None)),
}

_FIXED_TIMELINES = {
    "en": (
        ("as soon as possible", "now"),
        ("this month", "now"),
        ("this week if we can", "now"),
        ("next quarter", "quarter"),
        ("within the next two months", "quarter"),
        ("in about six months", "six_months"),
        ("sometime next year", "unknown"),
        ("no fixed date yet", "unknown"),
        ("over the next half year", "six_months"),
    ),
    "de": (
        ("so schnell wie möglich", "now"),
        ("noch diesen Monat", "now"),
        ("im nächsten Quartal", "quarter"),
        ("in den nächsten zwei Monaten", "quarter"),
        ("in etwa sechs Monaten", "six_months"),
        ("nächstes Jahr", "unknown"),
    ),
    "fr": (
        ("dès que possible", "now"),
        ("ce mois-ci", "now"),
        ("le trimestre prochain", "quarter"),
        ("dans les deux prochains mois", "quarter"),
        ("d'ici six mois", "six_months"),
        ("l'année prochaine", "unknown"),
    ),
    "es": (
        ("cuanto antes", "now"),
        ("este mes", "now"),
        ("el próximo trimestre", "quarter"),
        ("en los próximos dos meses", "quarter"),
        ("dentro de seis meses", "six_months"),
        ("el año que viene", "unknown"),
    ),
    "pt": (
        ("o quanto antes", "now"),
        ("ainda este mês", "now"),
        ("no próximo trimestre", "quarter"),
        ("dentro de seis meses", "six_months"),
        ("no ano que vem", "unknown"),
    ),
    "it": (
        ("il prima possibile", "now"),
        ("entro questo mese", "now"),
        ("nel prossimo trimestre", "quarter"),
        ("entro sei mesi", "six_months"),
        ("l'anno prossimo", "unknown"),
    ),
    "nl": (
        ("zo snel mogelijk", "now"),
        ("deze maand nog", "now"),
        ("volgend kwartaal", "quarter"),
        ("over zes maanden", "six_months"),
        ("volgend jaar", "unknown"),
    ),
}
_BY_MONTH = {
    "en": "by {m}",
    "de": "bis {m}",
    "fr": "d'ici {m}",
    "es": "para {m}",
    "pt": "até {m}",
    "it": "entro {m}",
    "nl": "voor {m}",
}


def timeline_phrase(rng: random.Random, lang: str, sent: datetime) -> tuple[str, str]:
    """A buying horizon in words, and its label relative to the Date header."""
    if rng.random() < 0.3:
        ahead, label = rng.choice(((1, "quarter"), (2, "quarter"), (5, "six_months")))
        month = (sent.month - 1 + ahead) % 12
        name = MONTHS[lang][month]
        if lang == "en" and sent.month + ahead > 12:
            name += f" {sent.year + 1}"
        return _BY_MONTH[lang].format(m=name), label
    return rng.choice(_FIXED_TIMELINES[lang])


def budget_phrase(rng: random.Random, lang: str) -> tuple[str, float | None]:
    return rng.choice(BUDGETS[lang])
