"""Synthetic inbound mail for tests: realistic, varied, deterministic (standard library only).

``make_corpus(n, seed)`` writes ``n`` distinct RFC 5322 messages addressed to the
fictional Lumora Analytics mailbox (``samples/mailbox.json``), spread over the six
intents. Each message is built with ``email.message.EmailMessage`` and serialised
with ``policy.SMTP`` (CRLF), with the trace and authentication headers Gmail adds.

The intended intent of every message is in the test-only header
``X-Triage-Test-Intent``. Message ids embed the seed and the message's index, so
corpora made with different seeds never share a Message-ID. Some leads and support
emails are replies in a thread (``In-Reply-To``/``References``) to an earlier
message of the same corpus.

Every person, company, address and phone number is invented.

    python -m tests.support.corpus OUT_DIR [N] [SEED] [DOMAIN_SUFFIX]
"""

from __future__ import annotations

import hashlib
import random
import sys
import unicodedata
from dataclasses import dataclass, replace
from datetime import UTC, datetime, timedelta, timezone
from email import policy
from email.headerregistry import Address
from email.message import EmailMessage
from email.utils import format_datetime
from pathlib import Path

INTENTS = ("lead", "support", "vendor", "job_applicant", "newsletter", "spam")
INTENT_WEIGHTS = (30, 20, 15, 10, 10, 15)
INBOXES = ("sales@lumora.io", "info@lumora.io", "partnerships@lumora.io")
PRODUCTS = ("Pipeline Forecaster", "Revenue Radar", "Churn Sentinel")
CUSTOMERS = {
    "globex.com": "Globex Corporation",
    "initech.com": "Initech",
    "hooli.com": "Hooli",
    "umbrella-corp.com": "Umbrella Corporation",
    "vandelay.com": "Vandelay Industries",
}
FREE_MAIL = ("gmail.com", "outlook.com", "yahoo.com", "proton.me")
CRMS = ("Salesforce", "HubSpot", "Microsoft Dynamics 365", "Pipedrive")
START = datetime(2026, 1, 5, 8, 0, tzinfo=UTC)
PST = timezone(timedelta(hours=-8), "PST")


@dataclass(frozen=True)
class City:
    name: str
    postal: str  # the address line after the street, e.g. "Austin, TX 78701"
    streets: tuple[str, ...]
    area: str  # dialling area, as written after the country code


@dataclass(frozen=True)
class Country:
    code: str
    name: str
    tld: str
    legal: str
    utc_offset: float
    cities: tuple[City, ...]
    phone: str  # pattern over {area} and random digits {a3}, {a4}, {b}, {c}
    first: tuple[str, ...]
    last: tuple[str, ...]
    language: str = "en"
    number_first: bool = True  # "12 Main Street" rather than "Hauptstraße 12"

    def address(self, rng: random.Random, city: City) -> str:
        number, street = rng.randrange(2, 480), rng.choice(city.streets)
        line = f"{number} {street}" if self.number_first else f"{street} {number}"
        return f"{line}, {city.postal}, {self.name}"


def _names(text: str) -> tuple[str, ...]:
    return tuple(text.split(", "))


def _cities(*rows: tuple[str, str, str, str]) -> tuple[City, ...]:
    return tuple(
        City(name, postal, tuple(streets.split("; ")), area) for name, postal, streets, area in rows
    )


# Phone numbers use ranges set aside for fiction where the country has them (US/CA 555-01xx,
# UK Ofcom drama ranges, French ARCEP ranges, Australian ACMA ranges).
# fmt: off
COUNTRIES = (
    Country("US", "USA", ".com", "Inc.", -6, _cities(
        ("Austin", "Austin, TX 78701", "Congress Avenue; W 6th Street", "512"),
        ("Chicago", "Chicago, IL 60601", "N LaSalle Street; W Monroe Street", "312"),
        ("Denver", "Denver, CO 80202", "Wewatta Street; 17th Street", "720"),
        ("Boston", "Boston, MA 02110", "Atlantic Avenue; Summer Street", "617"),
        ("Atlanta", "Atlanta, GA 30303", "Peachtree Street NE; Marietta Street NW", "404"),
        ("Seattle", "Seattle, WA 98101", "Pine Street; 2nd Avenue", "206")),
        "+1 {area} 555 01{b:02d}",
        _names("Jessica, Ryan, Tanya, Marcus, Emily, Carlos, Hannah, Derek, Priscilla, Nathan"),
        _names("Holloway, Reyes, Whitaker, Brennan, Castillo, Donovan, Kim, Sutherland, Perry, Abbott")),
    Country("GB", "United Kingdom", ".co.uk", "Ltd", 0, _cities(
        ("London", "London EC2A 4NE", "Bishopsgate; Finsbury Square", "20 7946 0"),
        ("Manchester", "Manchester M3 3HF", "Deansgate; Hardman Street", "161 496 0"),
        ("Bristol", "Bristol BS1 4DJ", "Queen Square; Victoria Street", "117 496 0"),
        ("Leeds", "Leeds LS1 5AB", "Wellington Street; Park Row", "113 496 0")),
        "+44 {area}{a3:03d}",
        _names("Oliver, Amelia, Harry, Isla, George, Poppy, Alfie, Freya"),
        _names("Thornton, Ashworth, Pemberton, Hargreaves, Fairfax, Lowther, Quayle, Rowntree")),
    Country("DE", "Deutschland", ".de", "GmbH", 1, _cities(
        ("Berlin", "10117 Berlin", "Friedrichstraße; Rosenthaler Straße", "30"),
        ("München", "80331 München", "Leopoldstraße; Sendlinger Straße", "89"),
        ("Hamburg", "20095 Hamburg", "Mönckebergstraße; Ballindamm", "40"),
        ("Köln", "50667 Köln", "Hohenzollernring; Breite Straße", "221")),
        "+49 {area} {a4} {b:02d}{c:02d}",
        _names("Jonas, Lea, Felix, Anna, Lukas, Mia, Maximilian, Sophie"),
        _names("Schröder, Becker, Hoffmann, Krüger, Neumann, Zimmermann, Wagner, Lehmann"), "de", False),
    Country("FR", "France", ".fr", "SAS", 1, _cities(
        ("Paris", "75002 Paris", "rue de Richelieu; rue du Sentier", "1 99 00"),
        ("Lyon", "69002 Lyon", "rue de la République; quai Saint-Antoine", "4 65 71"),
        ("Nantes", "44000 Nantes", "quai de la Fosse; rue Crébillon", "2 61 91"),
        ("Bordeaux", "33000 Bordeaux", "cours de l'Intendance; rue Sainte-Catherine", "5 36 49")),
        "+33 {area} {b:02d} {c:02d}",
        _names("Camille, Louis, Chloé, Hugo, Léa, Arthur, Manon, Théo"),
        _names("Girard, Lefebvre, Moreau, Rousseau, Fontaine, Chevalier, Mercier, Dupuis"), "fr"),
    Country("ES", "España", ".es", "S.L.", 1, _cities(
        ("Madrid", "28009 Madrid", "Calle de Alcalá; Calle de Serrano", "91"),
        ("Barcelona", "08008 Barcelona", "Passeig de Gràcia; Carrer de Balmes", "93"),
        ("Valencia", "46004 Valencia", "Calle de Colón; Gran Vía Marqués del Turia", "96"),
        ("Sevilla", "41001 Sevilla", "Avenida de la Constitución; Calle Sierpes", "95")),
        "+34 {area} {a3} {b:02d} {c:02d}",
        _names("Lucía, Javier, Marta, Pablo, Elena, Sergio, Carmen, Álvaro"),
        _names("García Ruiz, Navarro, Ortega Vidal, Romero, Serrano, Molina, Castro, Herrera"), "es", False),
    Country("CA", "Canada", ".ca", "Inc.", -5, _cities(
        ("Toronto", "Toronto, ON M5H 2N2", "Bay Street; King Street West", "416"),
        ("Vancouver", "Vancouver, BC V6C 1T2", "West Georgia Street; Burrard Street", "604"),
        ("Calgary", "Calgary, AB T2P 1J9", "8 Avenue SW; Centre Street S", "403")),
        "+1 {area} 555 01{b:02d}",
        _names("Liam, Chloe, Ethan, Maya, Owen, Avery, Noah, Zoe"),
        _names("Tremblay, MacLeod, Okafor, Singh, Chen, Gagnon, Fraser, Lindqvist")),
    Country("AU", "Australia", ".com.au", "Pty Ltd", 11, _cities(
        ("Sydney", "Sydney NSW 2000", "George Street; Pitt Street", "2 5550"),
        ("Melbourne", "Melbourne VIC 3000", "Collins Street; Flinders Lane", "3 7010"),
        ("Brisbane", "Brisbane QLD 4000", "Eagle Street; Adelaide Street", "7 5550")),
        "+61 {area} {a4}",
        _names("Jack, Charlotte, Cooper, Matilda, Harrison, Ruby, Lachlan, Sienna"),
        _names("Mitchell, Nguyen, O'Connell, Harding, Whitlam, Kovac, Bishop, Langley")),
    Country("IN", "India", ".in", "Pvt. Ltd.", 5.5, _cities(
        ("Bengaluru", "Bengaluru 560025", "Residency Road; MG Road", "80"),
        ("Pune", "Pune 411045", "Baner Road; Senapati Bapat Road", "20"),
        ("Mumbai", "Mumbai 400051", "Bandra Kurla Complex; Linking Road", "22"),
        ("Hyderabad", "Hyderabad 500081", "HITEC City Main Road; Road No. 36, Jubilee Hills", "40")),
        "+91 {area} {a4} {b:02d}{c:02d}",
        _names("Aarav, Priya, Rohan, Ananya, Vikram, Sneha, Karthik, Meera"),
        _names("Sharma, Iyer, Reddy, Menon, Kulkarni, Bhat, Chatterjee, Nair")),
    Country("BR", "Brazil", ".com.br", "Ltda.", -3, _cities(
        ("São Paulo", "São Paulo - SP, 01310-100", "Avenida Paulista; Rua Augusta", "11"),
        ("Rio de Janeiro", "Rio de Janeiro - RJ, 22410-002", "Rua Visconde de Pirajá; Avenida Rio Branco", "21"),
        ("Belo Horizonte", "Belo Horizonte - MG, 30130-110", "Avenida Afonso Pena; Rua da Bahia", "31")),
        "+55 {area} {a4}-{b:02d}{c:02d}",
        _names("Rafael, Beatriz, Thiago, Larissa, Gustavo, Camila, Diego, Júlia"),
        _names("Costa, Almeida, Ribeiro, Carvalho, Barbosa, Rocha, Teixeira, Moraes"), "en", False),
    Country("NL", "The Netherlands", ".nl", "B.V.", 1, _cities(
        ("Amsterdam", "1017 EK Amsterdam", "Keizersgracht; Herengracht", "20"),
        ("Rotterdam", "3011 AD Rotterdam", "Coolsingel; Blaak", "10"),
        ("Utrecht", "3511 LX Utrecht", "Oudegracht; Catharijnesingel", "30")),
        "+31 {area} {a3} {b:02d}{c:02d}",
        _names("Sanne, Daan, Fleur, Bram, Lotte, Jesse, Noor, Thijs"),
        _names("de Vries, van Dijk, Bakker, Visser, Smit, de Boer, Mulder, Jansen"), "en", False),
)
NAME_HEADS = _names(
    "Amber, Basalt, Cobalt, Driftwood, Ember, Fjord, Granite, Harbor, Indigo, Juniper, Kestrel, "
    "Lantern, Meridian, Nimbus, Orchard, Pinecrest, Quarry, Redwood, Saltmarsh, Tidewater, "
    "Upland, Vantage, Willow, Yarrow, Zephyr, Copperline, Bluefin, Stonebridge")
INDUSTRIES = (  # (company name word, what such a company does)
    ("Logistics", "freight brokerage and warehousing"), ("Health", "subscription primary care"),
    ("Payments", "merchant payments"), ("Software", "B2B workflow software"), ("Foods", "meal-kit subscriptions"),
    ("Energy", "maintenance contracts for energy operators"), ("Insurance", "commercial insurance broking"),
    ("Robotics", "warehouse automation"), ("Learning", "online corporate training"), ("Travel", "corporate travel"),
    ("Media", "B2B trade publishing"), ("Security", "managed security services"), ("Fitness", "gym memberships"),
    ("Telecom", "business broadband"), ("Staffing", "contract staffing"), ("Facilities", "facility services"),
)
# fmt: on


def _token(*parts: object, size: int = 12) -> str:
    return hashlib.sha256(":".join(map(str, parts)).encode()).hexdigest()[:size]


def _slug(text: str) -> str:
    return "".join(c for c in text.lower() if c.isalnum())


@dataclass(frozen=True)
class Company:
    name: str
    legal_name: str
    domain: str
    industry: str
    country: Country
    city: City
    address: str


@dataclass(frozen=True)
class Person:
    first: str
    last: str
    email: str
    title: str
    phone: str
    country: Country
    city: City

    @property
    def name(self) -> str:
        return f"{self.first} {self.last}"


@dataclass
class Draft:
    """One message before it is serialised."""

    intent: str
    inbox: str
    sender: Address
    subject: str
    text: str | None
    html: str | None = None
    to: str | None = None
    cc: str | None = None
    reply_to: Address | None = None
    extra_headers: tuple[tuple[str, str], ...] = ()
    attachments: tuple[tuple[str, str, bytes], ...] = ()
    auth: tuple[str, str, str] = ("pass", "pass", "pass")
    return_path: str | None = None
    in_reply_to: str | None = None
    references: tuple[str, ...] = ()
    utc_offset: float = 0


@dataclass(frozen=True)
class Thread:
    """A message a later one of the corpus can reply to."""

    intent: str
    person: Person
    subject: str
    message_id: str
    inbox: str


class CorpusBuilder:
    def __init__(self, seed: int, domain_suffix: str) -> None:
        self.seed = seed
        self.suffix = domain_suffix
        self.rng = random.Random(f"triage-corpus:{seed}")
        self.used_emails: set[str] = set()
        self.used_companies: set[str] = set()
        self.threads: list[Thread] = []

    # ---- people and companies -------------------------------------------------
    def domain(self, label: str, tld: str) -> str:
        return f"{label}{self.suffix}{tld}"

    def country(self, *codes: str) -> Country:
        pool = [c for c in COUNTRIES if not codes or c.code in codes]
        return self.rng.choice(pool)

    def phone(self, country: Country, city: City) -> str:
        rng = self.rng
        return country.phone.format(
            area=city.area,
            a3=rng.randrange(100, 999),
            a4=rng.randrange(1000, 9999),
            b=rng.randrange(0, 99),
            c=rng.randrange(0, 99),
        )

    def company(self, country: Country) -> Company:
        for _ in range(200):
            head, (kind, industry) = self.rng.choice(NAME_HEADS), self.rng.choice(INDUSTRIES)
            if f"{head} {kind}" not in self.used_companies:
                break
        else:
            head = f"{head} {self.rng.randrange(2, 99)}"
        name = f"{head} {kind}"
        self.used_companies.add(name)
        city = self.rng.choice(country.cities)
        return Company(
            name,
            f"{name} {country.legal}",
            self.domain(_slug(name), country.tld),
            industry,
            country,
            city,
            country.address(self.rng, city),
        )

    def person(
        self,
        country: Country,
        domain: str,
        title: str,
        city: City | None = None,
        free_mail: bool = False,
    ) -> Person:
        for attempt in range(500):
            first, last = self.rng.choice(country.first), self.rng.choice(country.last)
            local = self.rng.choice((f"{first}.{last}", f"{first[0]}{last}", f"{first}"))
            local = _ascii(local.lower())
            if free_mail:
                local = f"{local}{self.rng.randrange(7, 99)}"
                domain = self.rng.choice(FREE_MAIL)
            if attempt > 100:
                local = f"{local}.{attempt}"
            email = f"{local}@{domain}"
            if email not in self.used_emails:
                break
        self.used_emails.add(email)
        city = city or self.rng.choice(country.cities)
        return Person(first, last, email, title, self.phone(country, city), country, city)

    def signature(self, person: Person, company: Company | None) -> str:
        lines = [person.name, person.title]
        if company:
            lines += [company.legal_name, company.address]
        lines.append(person.phone)
        if company and self.rng.random() < 0.5:
            lines.append(company.domain)
        return "\n".join(lines)

    # ---- shared phrasing -------------------------------------------------------
    def products(self, most: int = 2) -> list[str]:
        return self.rng.sample(PRODUCTS, self.rng.randint(1, most))

    def pick(self, *options: str) -> str:
        return self.rng.choice(options)

    def message_id(self, index: int, domain: str, kind: str = "m") -> str:
        return f"<{kind}{index:05d}.s{self.seed}.{_token(self.seed, index, kind)}@{domain}>"


def _ascii(text: str) -> str:
    """'Schröder' -> 'Schroder', for mailbox local parts and file names."""
    decomposed = unicodedata.normalize("NFKD", text.replace("ß", "ss"))
    return "".join(c for c in decomposed if c.isascii() and (c.isalnum() or c in ".-_"))


def _join(products: list[str], conjunction: str = "and") -> str:
    return (
        products[0]
        if len(products) == 1
        else f"{', '.join(products[:-1])} {conjunction} {products[-1]}"
    )


def _html(text: str) -> str:
    paragraphs = text.strip().split("\n\n")
    escaped = [
        p.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;").replace("\n", "<br>")
        for p in paragraphs
    ]
    body = "".join(f"<p>{p}</p>\n" for p in escaped)
    return (
        '<html><head><meta charset="utf-8"></head>'
        f'<body style="font-family:Arial,sans-serif;font-size:14px;">\n{body}</body></html>\n'
    )


# ---- leads ---------------------------------------------------------------------
BUDGETS_EN = {
    "annual": (
        "We've budgeted around ${amount:,} a year for this.",
        "Our budget is ${amount:,} per year.",
        "Finance has approved up to ${amount:,} annually.",
    ),
    "monthly": (
        "We have roughly ${amount:,} per month to spend.",
        "Budget-wise we're at about ${amount:,}/month.",
        "We've set aside ${amount:,} a month for the tool.",
    ),
    "eur": ("Our budget is €{amount:,} per year.", "We have about EUR {amount:,} a year for this."),
    "none": ("", "Budget is still to be confirmed."),
}
TIMELINES_EN = {
    "now": (
        "We'd like to get started this month.",
        "We need something in place as soon as possible.",
        "Ideally we'd sign this week.",
    ),
    "quarter": (
        "We're aiming to be live next quarter.",
        "We want this running within the next three months.",
    ),
    "six_months": (
        "We'd like to roll it out in about six months.",
        "The plan is to go live in the next six months.",
    ),
    "unknown": ("There's no rush on our side; we're just starting to look.", ""),
}
LEAD_OPENINGS = (
    "I run {dept} at {company} ({industry}); we have a {size}-person sales team.",
    "I'm {title} at {company} ({industry}, about {size} reps).",
    "We're {company} ({industry}), and I'm looking at tools for our {size}-person revenue team.",
)
LEAD_PAINS = (
    "Our forecast is still a spreadsheet built from {crm} exports and we missed our number by {miss}% last quarter.",
    "Renewals are about {share}% of our revenue and we have no forward view of them.",
    "Monthly churn sits around {churn}% and we only find out when customers cancel.",
    "Leadership wants one view of pipeline, bookings and retention instead of three dashboards.",
)
LEAD_ASKS_DEMO = (
    "Could we set up a demo next week?",
    "Would someone be able to walk us through {products} on a call?",
    "Can you show us how {products} {works} with {crm}?",
)
LEAD_ASKS_PRICE = (
    "Could you send us pricing for {seats} users?",
    "Please send a quote for {products}, {seats} seats, annual contract.",
)
LEAD_LOCAL = {
    "de": (
        "Sehr geehrte Damen und Herren,\n\nwir sind {company} ({size} Vertriebsmitarbeitende) und interessieren uns "
        "für {products}. Unsere Planung erstellen wir bisher in Excel auf Basis von {crm}-Exporten. "
        "{timeline}\n\nKönnten Sie uns eine Online-Demo anbieten?\n\nMit freundlichen Grüßen",
        {
            "now": "Wir möchten noch in diesem Monat entscheiden.",
            "quarter": "Die Einführung ist für das nächste Quartal geplant.",
            "six_months": "Wir planen die Einführung in etwa sechs Monaten.",
            "unknown": "Es eilt nicht.",
        },
    ),
    "fr": (
        "Bonjour,\n\nje travaille chez {company} ({size} commerciaux) et nous étudions {products} pour mieux suivre "
        "notre chiffre d'affaires. Aujourd'hui tout passe par des exports {crm}. {timeline}\n\n"
        "Pourriez-vous nous proposer une démonstration ?\n\nBien cordialement,",
        {
            "now": "Nous souhaitons décider ce mois-ci.",
            "quarter": "Nous visons un déploiement au prochain trimestre.",
            "six_months": "Nous prévoyons un déploiement d'ici six mois.",
            "unknown": "Rien ne presse de notre côté.",
        },
    ),
    "es": (
        "Hola:\n\nsoy de {company} ({size} comerciales) y nos interesa {products}. Ahora mismo trabajamos con "
        "exportaciones de {crm} y hojas de cálculo. {timeline}\n\n¿Podríamos agendar una demo?\n\nUn saludo,",
        {
            "now": "Queremos decidir este mes.",
            "quarter": "Queremos tenerlo funcionando el próximo trimestre.",
            "six_months": "Nos gustaría tenerlo en los próximos seis meses.",
            "unknown": "No tenemos prisa.",
        },
    ),
}


def lead(b: CorpusBuilder, index: int) -> Draft:
    country = b.country()
    company = b.company(country)
    title = b.pick(
        "VP Revenue Operations",
        "Head of Sales",
        "Director of Sales Operations",
        "Chief Revenue Officer",
        "Head of Customer Success",
        "Finance Director",
        "Founder & CEO",
    )
    person = b.person(country, company.domain, title, company.city, free_mail=b.rng.random() < 0.08)
    products, crm = b.products(3), b.pick(*CRMS)
    timeline = b.pick(*TIMELINES_EN)
    if country.language != "en" and b.rng.random() < 0.4:
        template, phrases = LEAD_LOCAL[country.language]
        conjunction = {"de": "und", "fr": "et", "es": "y"}[country.language]
        body = template.format(
            company=company.name,
            size=b.rng.randrange(8, 120),
            products=_join(products, conjunction),
            crm=crm,
            timeline=phrases[timeline],
        )
        subject = {
            "de": "Anfrage: Demo {p}",
            "fr": "Demande de démo {p}",
            "es": "Consulta sobre {p}",
        }[country.language]
        subject = subject.format(p=products[0])
    else:
        body, subject = _lead_english(b, company, person, products, crm, timeline)
    text = f"{body}\n\n{b.signature(person, company)}\n"
    return _with_thread(
        b,
        index,
        "lead",
        person,
        subject,
        text,
        inbox=b.pick("sales@lumora.io", "sales@lumora.io", "info@lumora.io"),
        country=country,
    )


def _lead_english(
    b: CorpusBuilder, company: Company, person: Person, products: list[str], crm: str, timeline: str
) -> tuple[str, str]:
    kind = b.pick("annual", "monthly", "monthly", "eur", "none")
    amount = {
        "annual": b.rng.randrange(12, 180) * 1000,
        "monthly": b.rng.randrange(3, 90) * 100,
        "eur": b.rng.randrange(15, 90) * 1000,
        "none": 0,
    }[kind]
    values = dict(
        dept=b.pick("revenue operations", "sales", "customer success", "finance"),
        company=company.name,
        industry=company.industry,
        size=b.rng.randrange(6, 150),
        title=person.title,
        crm=crm,
        miss=b.rng.randrange(8, 30),
        share=b.rng.randrange(30, 80),
        churn=b.rng.randrange(2, 7),
        products=_join(products),
        seats=b.rng.randrange(5, 80),
        works="works" if len(products) == 1 else "work",
    )
    pricing = b.rng.random() < 0.2
    ask = b.pick(*(LEAD_ASKS_PRICE if pricing else LEAD_ASKS_DEMO))
    parts = [
        b.pick("Hi Lumora team,", "Hello,", "Hi there,"),
        b.pick(*LEAD_OPENINGS).format(**values) + " " + b.pick(*LEAD_PAINS).format(**values),
        " ".join(
            sentence
            for sentence in (
                f"We're interested in {_join(products)}.",
                b.pick(*BUDGETS_EN[kind]).format(amount=amount),
                b.pick(*TIMELINES_EN[timeline]),
            )
            if sentence
        ),
        ask.format(**values),
        b.pick("Thanks,", "Best regards,", "Kind regards,", "Cheers,") + f"\n{person.first}",
    ]
    subject = (
        b.pick("Pricing for {p}", "Quote request: {p}")
        if pricing
        else b.pick(
            "{p} demo request",
            "Evaluating {p} for {c}",
            "Question about {p}",
            "{p} for our {n}-person team",
            "{c} x Lumora: {p}",
            "Demo of {p}? ({c})",
            "Looking at {p} for {c}",
        )
    )
    return "\n\n".join(parts), subject.format(p=products[0], c=company.name, n=values["size"])


# ---- support -------------------------------------------------------------------
SUPPORT_ISSUES = (
    (
        "{product} stopped syncing from {crm}",
        "Since {day} our {product} dashboards haven't refreshed. The 'Last synced' time still shows {day} and the "
        "{crm} connection test says 'Connected', but nothing new comes through. Workspace: {workspace}.",
    ),
    (
        "Can't invite new users to {product}",
        "When I invite new colleagues to {product} they get 'Invitation expired' as soon as they click the link. "
        "This affects {n} people on our team. Workspace: {workspace}.",
    ),
    (
        "{product} export is missing rows",
        "Our weekly {product} export has {rows} rows, but we have {more} active accounts. Can you help us find which "
        "records are missing and why?",
    ),
    (
        "Invoice question: seat count on our {product} subscription",
        "Our latest invoice bills us for {more_seats} seats, but our order form caps us at {n} seats for this contract "
        "year. Could you check whether the extra seats are a mistake?",
    ),
    (
        "How do we set up {feature} in {product}?",
        "We'd like to use {feature} in {product} for our {region} team. Is there a guide, or does it need configuration "
        "on your side?",
    ),
    (
        "URGENT: {product} showing wrong numbers",
        "Since this morning {product} shows $0 for every region. Yesterday the numbers were fine and nobody changed "
        "anything on our side. I present to our leadership tomorrow and need someone on this today.",
    ),
)
FEATURES = (
    "multi-currency forecasts",
    "SSO with SAML",
    "territory rollups",
    "custom churn signals",
    "API access",
)


def support(b: CorpusBuilder, index: int) -> Draft:
    domain = b.pick(*CUSTOMERS)
    country = b.country("US", "GB", "CA", "NL", "DE")
    title = b.pick(
        "Sales Operations Manager",
        "RevOps Analyst",
        "IT Systems Lead",
        "Accounts Payable Specialist",
        "Director, FP&A",
        "Customer Success Lead",
    )
    city = b.rng.choice(country.cities)
    person = b.person(country, domain, title, city)
    company = Company(
        CUSTOMERS[domain],
        CUSTOMERS[domain],
        domain,
        "",
        country,
        city,
        country.address(b.rng, city),
    )
    product = b.pick(*PRODUCTS)
    subject, body = b.pick(*SUPPORT_ISSUES)
    values = dict(
        product=product,
        crm=b.pick(*CRMS),
        day=b.pick("Monday", "Friday", "yesterday", "January 30"),
        workspace=f"{domain.split('.')[0]}-{b.pick('na', 'emea', 'apac', 'ops')}",
        n=b.rng.randrange(3, 60),
        rows=b.rng.randrange(900, 4000),
        more=b.rng.randrange(4001, 9000),
        more_seats=b.rng.randrange(61, 120),
        feature=b.pick(*FEATURES),
        region=b.pick("European", "North American", "APAC"),
    )
    text = (
        f"{b.pick('Hi Lumora support,', 'Hello,', 'Hi team,')}\n\n{body.format(**values)}\n\n"
        f"{b.pick('Thanks,', 'Regards,', 'Best,')}\n{person.first}\n\n{b.signature(person, company)}\n"
    )
    subject = subject.format(**values)
    if b.rng.random() < 0.4:
        subject = b.pick(
            f"[{values['workspace']}] {subject}",
            f"{subject} (ticket #{b.rng.randrange(40000, 60000)})",
        )
    draft = _with_thread(
        b,
        index,
        "support",
        person,
        subject,
        text,
        inbox=b.pick("info@lumora.io", "sales@lumora.io"),
        country=country,
    )
    if "URGENT" in draft.subject:
        draft.extra_headers += (("Importance", "high"), ("X-Priority", "1"))
    return draft


# ---- threads -------------------------------------------------------------------
def _with_thread(
    b: CorpusBuilder,
    index: int,
    intent: str,
    person: Person,
    subject: str,
    text: str,
    inbox: str,
    country: Country,
) -> Draft:
    """Either a new message (remembered as a thread start) or a reply to an earlier one of the corpus."""
    earlier = [t for t in b.threads if t.intent == intent]
    if earlier and b.rng.random() < 0.25:
        return _reply(b, index, b.rng.choice(earlier))
    mid = b.message_id(index, person.email.split("@")[1])
    b.threads.append(Thread(intent, person, subject, mid, inbox))
    draft = Draft(
        intent,
        inbox,
        Address(person.name, addr_spec=person.email),
        subject,
        text,
        utc_offset=country.utc_offset,
    )
    draft.extra_headers = (("Message-ID", mid),)
    return _dress(b, draft)


STAFF = ("Elena Novak", "Sam Okoye", "Nina Patel", "Marco Ricci")
FOLLOW_UPS = {
    "lead": (
        "Thanks for the quick reply. We'd be about {n} users, mostly working in {crm}. Could we book the demo "
        "for this week or next?",
        "Following up on my earlier email: we're still keen to see a demo. Does Thursday afternoon work for you?",
        "To answer your questions: {n} users to start, {crm} as our CRM, and finance has signed off on the budget.",
    ),
    "support": (
        "Thanks for the quick reply. I tried that, but it's still happening for us today.",
        "Following up: this is still open on our side and the team is blocked. Any update?",
        "That fixed it for most users, but {n} of them still see the same error.",
    ),
}


def _reply(b: CorpusBuilder, index: int, thread: Thread) -> Draft:
    """The person of an earlier message answers Lumora's reply to it (which is not in the corpus)."""
    staff = b.pick(*STAFF)
    staff_address = (
        f"{staff.lower().replace(' ', '.')}@lumora.io"
        if thread.intent == "lead"
        else "support@lumora.io"
    )
    staff_mid = b.message_id(index, "lumora.io", kind="r")
    staff_text = (
        f"Hi {thread.person.first},\n\nThanks for getting in touch. "
        + b.pick(
            "Could you tell us a bit more about your setup?",
            "Could you share a few more details?",
            "We're looking into it and will get back to you shortly.",
        )
        + f"\n\nBest regards,\n{staff}\nLumora Analytics"
    )
    new = b.pick(*FOLLOW_UPS[thread.intent]).format(n=b.rng.randrange(3, 40), crm=b.pick(*CRMS))
    quoted = "\n".join(f"> {line}".rstrip() for line in staff_text.split("\n"))
    text = (
        f"Hi {staff.split()[0]},\n\n{new}\n\n{thread.person.first}\n\n"
        f"On {b.pick('Mon', 'Tue', 'Wed', 'Thu')}, {staff} <{staff_address}> wrote:\n{quoted}\n"
    )
    subject = (
        thread.subject if thread.subject.lower().startswith("re:") else f"Re: {thread.subject}"
    )
    draft = Draft(
        thread.intent,
        thread.inbox,
        Address(thread.person.name, addr_spec=thread.person.email),
        subject,
        text,
        in_reply_to=staff_mid,
        references=(thread.message_id, staff_mid),
        to=f"{staff} <{staff_address}>",
        cc=thread.inbox,
        utc_offset=thread.person.country.utc_offset,
    )
    draft.extra_headers = (("Message-ID", b.message_id(index, thread.person.email.split("@")[1])),)
    return _dress(b, draft)


def _dress(b: CorpusBuilder, draft: Draft) -> Draft:
    """Picks a MIME shape: plain text, text + HTML alternative, or HTML only."""
    shape = b.rng.random()
    if shape < 0.45:
        draft.html = _html(draft.text)
    elif shape < 0.55:
        draft.html, draft.text = _html(draft.text), None
    return draft


# ---- vendors -------------------------------------------------------------------
VENDOR_PITCHES = (
    (
        "SEO",
        'lumora.io isn\'t ranking for "{keyword}"',
        'I noticed lumora.io doesn\'t appear on the first three pages for "{keyword}", while two competitors rank in '
        "the top five. {company} does technical SEO and content for B2B SaaS; retainers start at ${price:,} per month. "
        "Can I send you the free audit we ran?",
    ),
    (
        "lead generation",
        "{meetings}+ qualified meetings a month for Lumora?",
        "{company} books qualified meetings with RevOps and finance leaders directly onto your reps' calendars. "
        "Teams like yours see {meetings}-{meetings2} meetings a month within 60 days, and you pay per meeting. "
        "Worth a 15-minute chat next week?",
    ),
    (
        "software development",
        "{company}: extra engineering capacity for Lumora's roadmap",
        "{company} provides dedicated data and backend engineers (Python, Kafka, dbt) for SaaS companies, "
        "from ${price:,} per engineer per month. We can have a team of three ready in two weeks.",
    ),
    (
        "video production",
        "Explainer videos for {product}, from {company}",
        "We make 60-90 second explainer videos for B2B software. A short animated explainer could make your product "
        "pages much clearer. Packages start at ${price:,} per video; can I send a sample storyboard?",
    ),
    (
        "events",
        "Sponsorship: {event} 2026",
        "{event} brings together 1,200 revenue and finance leaders this spring. Sponsorship packages for companies "
        "like Lumora start at ${price:,} and include a speaking slot. Shall I send the prospectus?",
    ),
    (
        "partnership",
        "Partnership idea: {company} + Lumora",
        "Several of our customers also use Lumora and asked whether our data could flow into your products. "
        "I'd like to explore a native integration and co-marketing, and our partner program pays a 20% referral share. "
        "Would you have 30 minutes in the next couple of weeks?",
    ),
    (
        "conversion optimisation",
        "Interested in {product} for our team",
        "I came across {product} and I'm interested in learning more. Before I book a demo, though: your demo form "
        "took 9 seconds to load on my phone. {company} runs conversion-rate optimisation for B2B SaaS sites, and we "
        "usually lift demo bookings by 25-40%. Open to a free teardown of your funnel?",
    ),
)


def vendor(b: CorpusBuilder, index: int) -> Draft:
    country = b.country()
    kind, subject, body = b.pick(*VENDOR_PITCHES)
    company = b.company(country)
    company = replace(
        company,
        name=f"{company.name.split()[0]} {_vendor_noun(kind)}",
        legal_name=f"{company.name.split()[0]} {_vendor_noun(kind)} {country.legal}",
        domain=b.domain(_slug(company.name.split()[0] + _vendor_noun(kind)), country.tld),
    )
    title = b.pick(
        "Account Executive",
        "Growth Consultant",
        "Head of Partnerships",
        "Business Development Manager",
        "Founder",
    )
    person = b.person(country, company.domain, title, company.city)
    values = dict(
        company=company.name,
        keyword=b.pick("sales forecasting software", "churn prediction tool", "revenue analytics"),
        price=b.rng.randrange(8, 120) * 100,
        meetings=b.rng.randrange(20, 40),
        meetings2=b.rng.randrange(41, 60),
        event=f"{b.pick('RevOps', 'Revenue', 'SaaS Finance')} Forum "
        f"{b.pick('Berlin', 'London', 'Austin', 'Toronto')}",
        product=b.pick(*PRODUCTS),
    )
    text = (
        f"{b.pick('Hi there,', 'Hi Lumora team,', 'Hello,')}\n\n{body.format(**values)}\n\n"
        f"{b.pick('Best,', 'Best regards,', 'Thanks,')}\n{person.first}\n\n{b.signature(person, company)}\n"
    )
    if kind in ("SEO", "lead generation"):
        text += f"\nNot interested? Reply 'no thanks' or opt out: https://{company.domain}/u/{_token(index, b.seed, size=8)}\n"
    inbox = (
        "partnerships@lumora.io"
        if kind == "partnership"
        else b.pick("sales@lumora.io", "info@lumora.io")
    )
    draft = Draft(
        "vendor",
        inbox,
        Address(person.name, addr_spec=person.email),
        subject.format(**values),
        text,
        utc_offset=country.utc_offset,
    )
    return _dress(b, draft)


def _vendor_noun(kind: str) -> str:
    return {
        "SEO": "Digital",
        "lead generation": "Leads",
        "software development": "Engineering",
        "video production": "Studio",
        "events": "Events",
        "partnership": "Cloud",
        "conversion optimisation": "Labs",
    }[kind]


# ---- job applicants -------------------------------------------------------------
ROLES = (  # role, what an applicant for it did most recently
    ("Senior Data Scientist", ("building churn propensity models", "running pricing experiments")),
    ("Account Executive", ("closing mid-market deals", "carrying a $900k annual quota")),
    (
        "Sales Development Representative",
        ("booking 14 meetings a month", "prospecting into finance teams"),
    ),
    (
        "Customer Success Manager",
        ("managing 60 mid-market accounts", "running onboarding for new customers"),
    ),
    (
        "Backend Engineer (Kafka)",
        ("operating a 30-broker Kafka cluster", "building event-driven billing services"),
    ),
    (
        "Product Designer",
        ("redesigning a B2B analytics dashboard", "leading user research for a CRM"),
    ),
    (
        "Machine Learning Intern",
        ("a time-series forecasting thesis", "a demand forecasting project"),
    ),
)


def job_applicant(b: CorpusBuilder, index: int) -> Draft:
    country = b.country()
    person = b.person(country, "", "", free_mail=True)
    role, recent = b.pick(*ROLES)
    years = "a final-year student" if "Intern" in role else f"{b.rng.randrange(2, 12)} years"
    attached = b.rng.random() < 0.5
    body = (
        f"Dear Lumora hiring team,\n\nI'd like to apply for the {role} position listed on your careers page. "
        f"I bring {years} of experience in {b.pick('B2B SaaS', 'fintech', 'e-commerce', 'analytics')}, most "
        f"recently {b.pick(*recent)}. I'm based in {person.city.name} and open to remote work.\n\n"
        f"{'My CV is attached.' if attached else 'My CV is available on request.'}\n\n"
        f"Kind regards,\n{person.name}\n{person.phone}\n"
    )
    body = body.replace(
        "I bring a final-year student of experience in", "I'm a final-year student with projects in"
    )
    subject = b.pick(
        "Application: {r}",
        "Application for the {r} role",
        "{r} - application",
        "Application: {r} - {n}",
        "{n}: application for {r}",
    ).format(r=role, n=person.name)
    draft = Draft(
        "job_applicant",
        "info@lumora.io",
        Address(person.name, addr_spec=person.email),
        subject,
        body,
        utc_offset=country.utc_offset,
    )
    if attached:
        draft.attachments = (
            (
                f"{_ascii(person.first)}_{_ascii(person.last)}_CV.pdf",
                "pdf",
                _tiny_pdf(person.name, role),
            ),
        )
    return _dress(b, draft)


def _tiny_pdf(name: str, role: str) -> bytes:
    text = f"BT /F1 12 Tf 56 780 Td ({_ascii(name)} - CV - {role}) Tj ET"
    objects = [
        "<< /Type /Catalog /Pages 2 0 R >>",
        "<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
        "<< /Type /Page /Parent 2 0 R /MediaBox [0 0 595 842] /Contents 4 0 R "
        "/Resources << /Font << /F1 5 0 R >> >> >>",
        f"<< /Length {len(text)} >>\nstream\n{text}\nendstream",
        "<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica >>",
    ]
    out, offsets = "%PDF-1.4\n", []
    for number, body in enumerate(objects, 1):
        offsets.append(len(out))
        out += f"{number} 0 obj\n{body}\nendobj\n"
    xref = len(out)
    out += f"xref\n0 {len(objects) + 1}\n0000000000 65535 f \n" + "".join(
        f"{o:010d} 00000 n \n" for o in offsets
    )
    return (
        out + f"trailer\n<< /Size {len(objects) + 1} /Root 1 0 R >>\nstartxref\n{xref}\n%%EOF\n"
    ).encode("latin-1")


# ---- newsletters ---------------------------------------------------------------
PUBLISHERS = (
    ("The Revenue Ledger", "revenueledger", "US"),
    ("Streamwise Digest", "streamwise", "GB"),
    ("SaaS Finance Weekly", "saasfinanceweekly", "US"),
    ("RevOps Collective", "revopscollective", "DE"),
    ("Churn & Retention Notes", "retentionnotes", "CA"),
    ("Forecast Friday", "forecastfriday", "AU"),
    ("Data Pipeline Review", "pipelinereview", "NL"),
)
HEADLINES = (
    "Why forecast accuracy stalls at 80%",
    "Net revenue retention is not a churn metric",
    "Exactly-once in practice",
    "Notes from a Kafka 4 migration",
    "The metric nobody owns",
    "Anatomy of a good commit call",
    "Calibrating churn scores for small accounts",
    "What a healthy pipeline coverage ratio looks like",
    "Three renewal reports your CFO wants",
)


def newsletter(b: CorpusBuilder, index: int) -> Draft:
    name, label, code = b.pick(*PUBLISHERS)
    country = next(c for c in COUNTRIES if c.code == code)
    domain = b.domain(label, country.tld)
    issue = b.rng.randrange(20, 400)
    items = b.rng.sample(HEADLINES, 3)
    unsubscribe = f"https://{domain}/unsubscribe?u={_token(b.seed, index, size=10)}"
    address = country.address(b.rng, b.rng.choice(country.cities))
    text = (
        f"{name.upper()} - Issue {issue}\n\n"
        + "\n\n".join(
            f"{i + 1}) {h}\nhttps://{domain}/p/{_slug(h)[:24]}" for i, h in enumerate(items)
        )
        + f"\n\n--\nYou're receiving this because info@lumora.io subscribed.\nUnsubscribe: {unsubscribe}\n{name}, {address}\n"
    )
    html = (
        '<!DOCTYPE html><html><body style="background:#f4f4f4;"><table width="600" align="center" '
        f'style="background:#fff;font-family:Georgia,serif;"><tr><td><h1>{name} &middot; Issue {issue}</h1></td></tr>'
        + "".join(
            f'<tr><td><h2><a href="https://{domain}/p/{_slug(h)[:24]}">{h}</a></h2></td></tr>'
            for h in items
        )
        + f'<tr><td style="font-size:11px;color:#777;">You&#39;re receiving this because info@lumora.io subscribed. '
        f'<a href="{unsubscribe}">Unsubscribe</a><br>{name}, {address}</td></tr></table></body></html>\n'
    )
    draft = Draft(
        "newsletter",
        "info@lumora.io",
        Address(name, addr_spec=f"newsletter@{domain}"),
        f"{name} #{issue}: {items[0]}",
        text,
        html=html,
        return_path=f"bounce-{issue}@mail.{domain}",
        utc_offset=country.utc_offset,
    )
    draft.extra_headers = (
        ("List-Unsubscribe", f"<{unsubscribe}>, <mailto:unsubscribe@mail.{domain}>"),
        ("List-Unsubscribe-Post", "List-Unsubscribe=One-Click"),
        ("List-Id", f"{name} <news.{domain}>"),
        ("Precedence", "bulk"),
    )
    return draft


# ---- spam ----------------------------------------------------------------------
def spam(b: CorpusBuilder, index: int) -> Draft:
    return b.pick(*SPAM_KINDS)(b, index)


PHISHING = (  # sender name, sender local part, subject, what the message claims
    (
        "Lumora IT Service Desk",
        "it-servicedesk",
        "[Action Required] Mailbox quota exceeded - messages on hold",
        "Your mailbox has exceeded its storage limit and {n} incoming messages are on hold. Verify your account "
        "within 24 hours to release them.",
    ),
    (
        "Lumora IT Service Desk",
        "it-support",
        "Password for {inbox} expires today",
        "The password for {inbox} expires in 2 hours. Confirm your current password to keep it and avoid lockout.",
    ),
    (
        "Accounts Payable",
        "ap",
        "Remittance advice: payment of ${amount:,}.00 - please review",
        "A payment of ${amount:,}.00 has been scheduled to your account. Review the remittance advice and confirm "
        "your banking details within 48 hours.",
    ),
    (
        "Document Sharing",
        "no-reply",
        "Shared document: {doc}.pdf",
        "A document ({doc}.pdf) has been shared with you. Sign in with your work account to view it.",
    ),
)


def _phishing(b: CorpusBuilder, index: int) -> Draft:
    name, local, subject, claim = b.pick(*PHISHING)
    spoofed = "lumora.io" if name.startswith("Lumora") else b.pick(*CUSTOMERS)
    host = f"{_slug(spoofed)}-{b.pick('secure', 'verify', 'docs')}{b.suffix}.{b.pick('top', 'click', 'xyz')}"
    inbox = b.pick(*INBOXES[:2])
    values = dict(
        n=b.rng.randrange(2, 9),
        inbox=inbox,
        amount=b.rng.randrange(2000, 40000),
        doc=b.pick("Remittance", "Q1_Statement", "Contract_Renewal", "Signed_Order_Form"),
    )
    html = (
        f'<html><body style="font-family:Segoe UI,Arial,sans-serif;"><p>Hello,</p><p>{claim.format(**values)}</p>'
        f'<p><a href="https://{host}/auth?t={index}&amp;u={inbox}">Continue</a></p><p>{name}</p></body></html>\n'
    )
    sender = Address(name, addr_spec=f"{local}@{spoofed}")
    return Draft(
        "spam",
        inbox,
        sender,
        subject.format(**values),
        None,
        html=html,
        auth=("fail", "fail", "fail"),
    )


def _crypto(b: CorpusBuilder, index: int) -> Draft:
    btc = b.rng.randrange(80, 600) / 100
    domain = b.domain(b.pick("coinvault-arbitrage", "btc-yieldpro", "cryptoprime-desk"), ".biz")
    text = (
        f"Dear Partner,\n\nYour account holds {btc} BTC from our automated arbitrage program, with guaranteed "
        f"{b.rng.randrange(20, 60)}% monthly returns. Claim within 24 hours or the balance is redistributed:\n"
        f"https://{domain}/claim?id={_token(index, size=6)}\n\nWithdrawal Desk\n"
    )
    return Draft(
        "spam",
        b.pick(*INBOXES),
        Address("Withdrawal Desk", addr_spec=f"desk@{domain}"),
        f"Re: Your {btc} BTC allocation is ready",
        text,
        auth=("none", "softfail", "fail"),
    )


def _seo_junk(b: CorpusBuilder, index: int) -> Draft:
    local = f"{b.pick('rahul', 'seo', 'webrank', 'digital')}.{b.pick('expert', 'services', 'team')}{b.rng.randrange(10, 999)}"
    text = (
        "Hi,\n\nI was checking your website and noticed it is not ranking on the first page of Google. "
        "We can get your website on 1st page of Google, Yahoo and Bing with our affordable SEO packages.\n\n"
        "Please reply with your phone number and best time to call.\n\nThanks & Regards,\nSEO Manager\n\n"
        "Note: This is not a spam message. Reply REMOVE to unsubscribe.\n"
    )
    return Draft(
        "spam",
        "info@lumora.io",
        Address("SEO Team", addr_spec=f"{local}@{b.pick(*FREE_MAIL)}"),
        b.pick(
            "Re: Website Ranking Proposal",
            "Google 1st page guaranteed",
            f"{b.rng.randrange(12, 90)} errors found on lumora.io",
            "SEO proposal for lumora.io",
            "Re: Re: Website redesign and SEO",
        ),
        text,
    )


def _domain_scam(b: CorpusBuilder, index: int) -> Draft:
    domain = b.domain(b.pick("domain-registry-services", "web-listing-center"), ".net")
    text = (
        f"DOMAIN NAME: LUMORA.IO\n\nFINAL NOTICE: your search engine listing lapses in 48 hours.\n"
        f"Annual fee: ${b.rng.randrange(60, 99)}.00\nPay: https://{domain}/pay?d=lumora.io\n\n"
        "This notice is not an invoice. We do not register or renew domain names.\n"
    )
    return Draft(
        "spam",
        "info@lumora.io",
        Address("Domain Registry Services", addr_spec=f"renewals@{domain}"),
        f"FINAL NOTICE: LUMORA.IO listing expires (ref. FN-{b.rng.randrange(10000, 99999)})",
        text,
        auth=("none", "pass", "pass"),
    )


def _gift_card_fraud(b: CorpusBuilder, index: int) -> Draft:
    ceo = b.pick("Daniel Hart", "Sofia Lindgren", "Michael Grant")
    text = (
        f"Hi,\n\nAre you at your desk? I need a quick favour. I'm in a board meeting and can't talk. "
        f"I need {b.rng.randrange(4, 12)} Apple gift cards of $200 each for a client appreciation, urgently. "
        "Buy them and send me photos of the codes. I'll reimburse you today.\n\n"
        f"{ceo.split()[0]}\nSent from my mobile\n"
    )
    local = _ascii(ceo.lower().replace(" ", ".")) + f".ceo{b.rng.randrange(1, 99)}"
    return Draft(
        "spam",
        b.pick(*INBOXES),
        Address(ceo, addr_spec=f"{local}@{b.pick(*FREE_MAIL)}"),
        b.pick("Quick favour", "Are you available?", "Urgent request", "Need your help"),
        text,
    )


SPAM_KINDS = (_phishing, _crypto, _seo_junk, _domain_scam, _gift_card_fraud)
BUILDERS = {
    "lead": lead,
    "support": support,
    "vendor": vendor,
    "job_applicant": job_applicant,
    "newsletter": newsletter,
    "spam": spam,
}


# ---- serialisation -------------------------------------------------------------
def _trace_headers(
    b: CorpusBuilder, draft: Draft, index: int, sent: datetime
) -> list[tuple[str, str]]:
    sender = draft.return_path or draft.sender.addr_spec
    domain = sender.split("@")[1]
    ip = f"198.51.100.{b.rng.randrange(2, 254)}"
    dkim, spf, dmarc = draft.auth
    received = format_datetime(sent.astimezone(PST) + timedelta(seconds=2))
    token = _token(b.seed, index, "smtp", size=16)
    dkim_result = (
        "dkim=none (message not signed)"
        if dkim == "none"
        else f"dkim={dkim} header.i=@{draft.sender.domain} header.s=s1 header.b={token[:8]}"
    )
    return [
        ("Delivered-To", draft.inbox),
        (
            "Received",
            f"by 2002:a05:{token[:4]}:{token[4:8]}:b0:{token[8:11]}:{token[11:15]}:{token[15]}0a "
            f"with SMTP id {token[:10]}csp{index}; {received}",
        ),
        ("Return-Path", f"<{sender}>"),
        (
            "Received",
            f"from mail-out.{domain} (mail-out.{domain}. [{ip}]) by mx.google.com with ESMTPS id "
            f"{token}.{index}.2026 for <{draft.inbox}> (version=TLS1_3 cipher=TLS_AES_256_GCM_SHA384 "
            f"bits=256/256); {received}",
        ),
        (
            "Authentication-Results",
            f"mx.google.com; {dkim_result}; "
            f"spf={spf} (google.com: domain of {sender} {'designates' if spf == 'pass' else 'does not designate'} "
            f"{ip} as permitted sender) smtp.mailfrom={sender}; dmarc={dmarc} (p=NONE sp=NONE dis=NONE) "
            f"header.from={draft.sender.domain}",
        ),
    ]


def _render(b: CorpusBuilder, draft: Draft, index: int) -> EmailMessage:
    sent = START + timedelta(
        minutes=index * 37 + b.rng.randrange(0, 30), seconds=b.rng.randrange(60)
    )
    local = sent.astimezone(timezone(timedelta(hours=draft.utc_offset)))
    msg = EmailMessage(policy=policy.default)
    for name, value in _trace_headers(b, draft, index, sent):
        msg[name] = value
    headers = dict(draft.extra_headers)
    msg["Message-ID"] = headers.pop("Message-ID", None) or b.message_id(index, draft.sender.domain)
    msg["Date"] = format_datetime(local)
    msg["From"] = draft.sender
    msg["To"] = draft.to or draft.inbox
    msg["Subject"] = draft.subject
    for name, value in (
        ("Cc", draft.cc),
        ("Reply-To", draft.reply_to),
        ("In-Reply-To", draft.in_reply_to),
    ):
        if value:
            msg[name] = value
    if draft.references:
        msg["References"] = " ".join(draft.references)
    for name, value in headers.items():
        msg[name] = value
    msg["X-Triage-Test-Intent"] = draft.intent
    _set_body(b, msg, draft)
    # The library draws boundaries at random; fixed ones keep a corpus byte-for-byte reproducible.
    for number, part in enumerate(msg.walk()):
        if part.is_multipart():
            part.set_boundary(f"=_part{number}_{_token(b.seed, index, number, size=20)}")
    return msg


def _set_body(b: CorpusBuilder, msg: EmailMessage, draft: Draft) -> None:
    cte = b.pick("quoted-printable", "quoted-printable", "base64", "auto")
    kwargs = {} if cte == "auto" else {"cte": cte}
    if draft.text is not None:
        msg.set_content(draft.text, **kwargs)
        if draft.html is not None:
            msg.add_alternative(draft.html, subtype="html", cte="quoted-printable")
    else:
        msg.set_content(draft.html or "", subtype="html", **kwargs)
    for file_name, subtype, data in draft.attachments:
        msg.add_attachment(data, maintype="application", subtype=subtype, filename=file_name)


def _intents(rng: random.Random, n: int) -> list[str]:
    first = list(INTENTS)
    rng.shuffle(first)
    rest = rng.choices(INTENTS, weights=INTENT_WEIGHTS, k=max(0, n - len(first)))
    return (first + rest)[:n]


def make_corpus(n: int, seed: int, domain_suffix: str = "") -> list[tuple[str, bytes]]:
    """``n`` distinct messages as ``(file_name, raw_bytes)``, the same for the same arguments.

    ``domain_suffix`` is appended to the first label of every invented domain
    (``"-t7"``: ``amberlogistics-t7.com``) so that runs sharing one CRM never meet
    each other's companies; the customer domains, free-mail domains and lumora.io
    stay as they are, because the mailbox configuration and the senders name them.
    """
    builder = CorpusBuilder(seed, domain_suffix)
    out = []
    for index, intent in enumerate(_intents(builder.rng, n)):
        draft = BUILDERS[intent](builder, index)
        raw = _render(builder, draft, index).as_bytes(policy=policy.SMTP)
        out.append((f"corpus-s{seed}-{index:04d}-{intent}.eml", raw))
    return out


def main(argv: list[str]) -> int:
    if not argv or argv[0] in ("-h", "--help"):
        print(__doc__.strip().splitlines()[-1].strip())
        return 2
    folder = Path(argv[0])
    n = int(argv[1]) if len(argv) > 1 else 200
    seed = int(argv[2]) if len(argv) > 2 else 1
    suffix = argv[3] if len(argv) > 3 else ""
    folder.mkdir(parents=True, exist_ok=True)
    for file_name, raw in make_corpus(n, seed, suffix):
        (folder / file_name).write_bytes(raw)
    print(f"wrote {n} messages to {folder}")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
