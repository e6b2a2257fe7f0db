"""Fields that generalise: timelines from any stated date or period, company names from
signatures, introductions, form fields and legal forms in several languages."""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime
from email.message import EmailMessage

import pytest

from triage.domain.extraction.about import about_whom
from triage.domain.extraction.company import company_of, publisher_of
from triage.domain.extraction.timeline import buying_timeline
from triage.domain.models import CleanEmail, Mailbox

Clean = Callable[[EmailMessage | bytes], CleanEmail]
Message = Callable[..., EmailMessage]
JAN = datetime(2026, 1, 12, 9, 0, tzinfo=UTC)


def on(year: int, month: int, day: int = 10) -> datetime:
    return datetime(year, month, day, 9, 0, tzinfo=UTC)


@pytest.mark.parametrize(
    ("text", "sent", "expected"),
    [
        # explicit dates, in days: up to a month away is now
        ("We must sign by 28 February.", JAN, "quarter"),
        ("Queremos firmar antes del 5 de febrero.", JAN, "now"),
        ("Wir wollen bis zum 30. April unterschreiben.", JAN, "six_months"),
        # "within about three months": 3.3 months off is a quarter away
        ("Wir wollen bis zum 20. April unterschreiben.", JAN, "quarter"),
        ("Vogliamo chiudere entro fine anno.", on(2025, 9, 20), "quarter"),  # 3.4 months
        ("We want to be live by the end of the year.", on(2025, 9, 1), "six_months"),  # 4 months
        ("Wir wollen bis zum 30. März unterschreiben.", JAN, "quarter"),
        ("We go live on March 3rd, 2026.", JAN, "quarter"),
        ("Il faut que tout soit installé pour le 2 août.", JAN, "unknown"),
        # month names, accents or not, with a part of the month
        ("Nous voulons démarrer début fevrier.", JAN, "quarter"),
        ("La idea es implementarlo a finales de mayo.", JAN, "six_months"),
        ("Vorremmo partire a metà giugno.", JAN, "six_months"),
        # seasons
        ("We'd like to be live before the summer.", JAN, "six_months"),
        ("Nous voulons déployer avant l'été.", on(2026, 3), "quarter"),
        ("Queremos implementar antes del verano.", JAN, "six_months"),
        ("We plan to roll out in the autumn.", JAN, "unknown"),
        # quarters, by number and by word: in one is its middle month, before one its first,
        # within or by the end of one the month after it (ADR 0032)
        ("We need to sign by the end of Q1.", JAN, "quarter"),
        ("We need to sign by the end of Q1.", on(2025, 12, 1), "six_months"),
        ("Décision d'ici la fin du premier trimestre.", JAN, "quarter"),
        ("Wir wollen es im zweiten Quartal einführen.", JAN, "six_months"),
        ("Wir wollen es im ersten Quartal einführen.", JAN, "quarter"),
        ("Pensiamo di partire nel terzo trimestre.", JAN, "unknown"),
        ("Pensiamo di partire nel terzo trimestre.", on(2026, 4), "six_months"),
        ("We want to sign before Q3.", on(2026, 4), "quarter"),
        # fiscal halves
        ("The rollout is planned for H2.", on(2026, 2), "unknown"),
        ("The rollout is planned for H2.", on(2026, 5), "six_months"),
        ("Vorremmo implementarlo nel secondo semestre.", on(2026, 6), "six_months"),
        ("Vorremmo implementarlo entro il primo semestre.", on(2025, 10), "unknown"),
        ("The rollout is planned for H2 2027.", JAN, "unknown"),
        # number + unit + period
        ("We need to switch over within 60 days.", JAN, "quarter"),
        ("Wir müssen innerhalb von 6 Wochen entscheiden.", JAN, "quarter"),
        ("On veut lancer dans 3 semaines.", JAN, "now"),
        ("We will choose a vendor within 150 days.", JAN, "six_months"),
        ("We willen binnen 10 dagen live gaan.", JAN, "now"),
        ("2026年4月から導入したいと考えております。", on(2025, 11), "six_months"),
        # next week, the new year
        ("We want to start the trial next week.", JAN, "now"),
        ("Nous voulons démarrer la semaine prochaine.", JAN, "now"),
        ("We want to be live before the new year.", on(2026, 10), "quarter"),
        ("We want to be live before the new year.", on(2026, 8), "six_months"),
    ],
)
def test_a_stated_date_or_period_resolves_against_the_date(
    text: str, sent: datetime, expected: str
) -> None:
    assert buying_timeline(text, sent) == expected


@pytest.mark.parametrize(
    "text",
    [
        "Could we schedule a demo next week?",  # when to talk, not when to buy
        "Hätten Sie am Donnerstag nächste Woche Zeit?",
        "We won't sign anything before our budget round in the autumn.",  # a lower bound
        "Die Entscheidung fällt erst nach der Budgetrunde im Herbst.",
        "We are closed from April to June for works.",  # a period, no deadline
        "We have used a spreadsheet since March.",  # the past
        "No rush at all; H2 is when we might look at it.",
    ],
)
def test_what_is_not_a_buying_deadline_is_unknown(text: str) -> None:
    assert buying_timeline(text, JAN) == "unknown"


def test_a_dated_buying_sentence_outweighs_no_rush() -> None:
    assert buying_timeline("No rush, but we want to go live by March.", JAN) == "quarter"


def test_a_hard_wrapped_sentence_is_read_whole() -> None:
    text = (
        "Thanks for the quick reply on the seats question. We would like it all\n"
        "live before the summer, when our busy season starts.\n"
    )
    assert buying_timeline(text, JAN) == "six_months"


def test_a_contrasting_clause_about_a_meeting_is_not_the_timeline() -> None:
    text = "Nothing gets signed before October 2026, but I'd like a demo next month."
    assert buying_timeline(text, on(2026, 2)) == "unknown"


# ---------------------------------------------------------------- company names


@pytest.fixture
def company(clean: Clean, message: Message, lumora: Mailbox) -> Callable[..., str | None]:
    def name_of(
        body: str, sender: str = "Ana Ruiz <ana@gmail.com>", intent: str = "lead"
    ) -> str | None:
        email = clean(message(body, subject="Question", sender=sender))
        return company_of(intent, email, about_whom(email, lumora)).name  # type: ignore[arg-type]

    return name_of


@pytest.mark.parametrize(
    ("line", "sender"),
    [
        ("Feldkamp Präzision GmbH & Co. KG", "Ute Kern <u.kern@feldkamp-praezision.de>"),
        ("Nordhafen Logistik AG", "Ute Kern <u.kern@nordhafen.de>"),
        ("Talleres Ebro S.L.", "Ana Ruiz <ana@talleresebro.es>"),
        ("Conservas Miramar S.A.", "Ana Ruiz <ana@miramar.es>"),
        ("Ricambi Ferro S.r.l.", "Ugo Bassi <ugo@ricambiferro.it>"),
        ("Tessile Alba S.p.A.", "Ugo Bassi <ugo@tessilealba.it>"),
        ("Van Dijk Koeltechniek B.V.", "Piet Mol <piet@vandijk-koel.nl>"),
        ("Studio Lune SARL", "Léa Roy <lea@studiolune.fr>"),
        ("Vinhos Serra Lda.", "Rui Sá <rui@vinhosserra.pt>"),
        ("Atlas Papel Ltda.", "Rui Sá <rui@atlaspapel.com.br>"),
        ("株式会社みどり商事", "Taro Sato <t.sato@midori-shoji.co.jp>"),
        ("Kaze Robotics K.K.", "Taro Sato <t.sato@kaze-robotics.jp>"),
    ],
)
def test_a_signature_legal_form_in_each_language(
    company: Callable[..., str | None], line: str, sender: str
) -> None:
    body = f"Hello,\n\nPlease send us your pricing.\n\nBest regards,\nSam Vega\nBuyer\n{line}\n"
    assert company(body, sender) == line


def test_a_footer_label_is_never_the_name(company: Callable[..., str | None]) -> None:
    body = (
        "Hello,\n\nPlease send us your pricing.\n\nBest regards,\nUte Kern\nEinkauf\n\n"
        "Impressum:\nKlarwerk Maschinenbau GmbH\nSitz: Ulm, Registergericht Ulm HRB 4711\n"
        "Persönlich haftende Gesellschafterin: Kern Verwaltungs GmbH\n"
    )
    assert company(body, "Ute Kern <ute@gmail.com>") == "Klarwerk Maschinenbau GmbH"


def test_an_impressum_line_gives_the_name_after_its_label(
    company: Callable[..., str | None],
) -> None:
    body = (
        "Hello,\n\nPlease send us your pricing.\n\nGrüße\nUte\n\nImpressum: Ostwerk Textil GmbH\n"
    )
    assert company(body, "Ute Kern <ute@gmail.com>") == "Ostwerk Textil GmbH"


@pytest.mark.parametrize(
    ("body", "expected"),
    [
        ("Hi,\n\nwe at Orchard Lane Bakery are looking for a new tool.\n", "Orchard Lane Bakery"),
        ("Hallo,\n\nwir bei Bergblick Reisen suchen eine Lösung.\n", "Bergblick Reisen"),
        ("Bonjour,\n\nnous chez Atelier Marin cherchons un outil.\n", "Atelier Marin"),
        (
            "Hola,\n\nsoy Marta, de compras en Ferretería Olmo. Queremos precios.\n",
            "Ferretería Olmo",
        ),
        (
            "Ciao,\n\nsono Paolo della Pasticceria Riva (Como). Vorremmo un preventivo.\n",
            "Pasticceria Riva",
        ),
        ("Hi,\n\nI manage the front desk at Casa do Vale in Braga.\n", "Casa do Vale"),
    ],
)
def test_the_sender_introduces_their_company(
    company: Callable[..., str | None], body: str, expected: str
) -> None:
    assert company(body) == expected


def test_a_persons_name_is_never_the_company(company: Callable[..., str | None]) -> None:
    body = "Bonjour,\n\nje suis chez Paul Martin depuis hier, pouvez-vous m'appeler ?\n"
    assert company(body, "Paul Martin <paul.martin@gmail.com>") is None


def test_a_money_amount_is_never_the_company(company: Callable[..., str | None]) -> None:
    body = "Hi,\n\nwe are looking at USD 20,000 a year for this.\n"
    assert company(body) is None


@pytest.mark.parametrize(
    ("fields", "expected"),
    [
        (
            "Name\nIris Holm\n\nCompany\nFeldmann Optik\n\nE-mail\niris@feldmann-optik.de\n",
            "Feldmann Optik",
        ),
        (
            "Nom : Iris Holm\nÉtablissement : Hôtel des Pins (Nice)\nE-mail : iris@hoteldespins.fr\n",
            "Hôtel des Pins",
        ),
    ],
)
def test_a_web_forms_company_field(
    company: Callable[..., str | None], fields: str, expected: str
) -> None:
    body = f"New submission from your website form.\n\n{fields}\nMessage\nPlease send pricing.\n"
    assert company(body, "Website Forms <forms@lumora.io>") == expected


def test_a_newsletters_company_is_its_publisher_not_its_title(
    clean: Clean, message: Message
) -> None:
    body = (
        "THE FRIDAY BRIEF - Issue 40\n\nThree stories this week.\n\n"
        "The Friday Brief is published by Meridian Press Ltd, 4 Dock Road, Leeds.\n"
    )
    email = clean(
        message(body, subject="The Friday Brief", sender="The Friday Brief <news@fridaybrief.news>")
    )
    assert publisher_of(email).name == "Meridian Press Ltd"


def test_a_publishers_acronym_names_it(clean: Clean, message: Message) -> None:
    body = (
        "Digital Harbour - issue 9\n\nNews for members.\n\n--\n"
        "Vereniging Nederlandse Havenlogistiek (VNH)\nKade 4, Rotterdam\n"
    )
    email = clean(
        message(body, subject="Digital Harbour", sender="Digital Harbour <news@vnh-haven.nl>")
    )
    assert publisher_of(email).name == "Vereniging Nederlandse Havenlogistiek"


def test_a_reply_to_our_own_mail_never_takes_our_company(
    clean: Clean, message: Message, lumora: Mailbox
) -> None:
    body = (
        "Yes, Thursday works for us.\n\nOn Mon, 5 Jan 2026, Sam Lee <sam@lumora.io> wrote:\n"
        "> Happy to show you Revenue Radar.\n>\n> Sam Lee\n> Account Executive\n"
        "> Lumora Analytics, Inc.\n\n-- \nSent from Lumora Analytics Inc.\n"
    )
    email = clean(message(body, subject="Re: Revenue Radar", sender="Kim Ode <kim@gmail.com>"))
    assert company_of("lead", email, about_whom(email, lumora), lumora).name is None


def test_a_colleagues_forward_gives_the_prospects_company(
    clean: Clean, message: Message, lumora: Mailbox
) -> None:
    body = (
        "Can someone call her back?\n\nSam\n\n---------- Forwarded message ---------\n"
        "From: Ines Vidal <ines@gmail.com>\nDate: Fri, 9 Jan 2026 at 10:00\n"
        "Subject: Pricing\nTo: Sam Lee <sam@lumora.io>\n\n"
        "Hello Sam,\n\nnosotros en Bodegas Lirio queremos precios de Revenue Radar.\n\nInes\n"
    )
    email = clean(message(body, subject="Fwd: Pricing", sender="Sam Lee <sam@lumora.io>"))
    assert company_of("lead", email, about_whom(email, lumora), lumora).name == "Bodegas Lirio"


@pytest.mark.parametrize(
    ("sender", "timeline"),
    [("Lucas Ferraro <lucas@patagoniaandina.com.ar>", "unknown"), ("Ana Ruiz <ana@talleresebro.es>", "quarter")],
)
def test_the_senders_hemisphere_decides_when_summer_is(
    clean: Clean, message: Message, lumora: Mailbox, sender: str, timeline: str
) -> None:
    from triage.domain.extraction import extract_fields

    body = "Nos interesa Pipeline Forecaster. Queremos tenerlo andando para el verano."
    email = clean(message(body, sender=sender, date="Thu, 09 Apr 2026 10:00:00 +0000"))
    assert extract_fields(email, lumora).extraction.timeline == timeline
