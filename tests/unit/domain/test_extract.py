from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime
from email.message import EmailMessage

import pytest

from triage.domain.extraction import MODEL, MODEL_VERSION, ExtractionOutcome, extract_fields
from triage.domain.extraction.budget import annual_usd
from triage.domain.extraction.domains import FREE_MAIL_DOMAINS
from triage.domain.extraction.timeline import buying_timeline
from triage.domain.models import CleanEmail, Mailbox

Clean = Callable[[EmailMessage | bytes], CleanEmail]
Message = Callable[..., EmailMessage]
PASSING_AUTH = "mx.google.com; dkim=pass header.i=@x; spf=pass smtp.mailfrom=x; dmarc=pass"
FAILING_AUTH = "mx.google.com; dkim=fail header.i=@x; spf=fail smtp.mailfrom=x; dmarc=fail"

LEAD_BODY = (
    "Hi Lumora team,\n\n"
    "We're evaluating Pipeline Forecaster for our 40-person sales team. Could we set up a demo?\n"
    "We've budgeted $60,000 a year and want to be live next quarter.\n\n"
    "Thanks,\nJane\n\nJane Doe\nVP Revenue Operations\nAcme Robotics, Inc.\n"
    "600 Congress Avenue, Austin, TX 78701\n+1 512 555 0147\n"
)


@pytest.fixture
def extract(clean: Clean, lumora: Mailbox) -> Callable[[EmailMessage], ExtractionOutcome]:
    """The rules alone (no intent model): this module pins the gates, the keyword vote and the
    fields; the model's decisions are tested in tests/unit/extraction/test_intent_model.py and
    scored on every gold set."""
    return lambda msg: extract_fields(clean(msg), lumora, None)


Extract = Callable[[EmailMessage], ExtractionOutcome]


# ---------------------------------------------------------------- intent gates


def test_a_prospect_asking_for_a_demo_is_a_lead(message: Message, extract: Extract) -> None:
    outcome = extract(message(LEAD_BODY, subject="Pipeline Forecaster demo"))

    assert (outcome.extraction.intent, outcome.decided_by) == ("lead", "keywords")
    assert (outcome.model, outcome.model_version) == (MODEL, MODEL_VERSION) == ("local-rules", "28")


def test_bulk_headers_make_a_newsletter(message: Message, extract: Extract) -> None:
    msg = message(
        "This week: three reads on forecasting, and a demo of our new dashboard.",
        sender="The Revenue Ledger <hello@revenueledger.com>",
        headers={"List-Unsubscribe": "<https://revenueledger.com/u>", "Precedence": "bulk"},
    )

    outcome = extract(msg)

    assert (outcome.extraction.intent, outcome.decided_by) == ("newsletter", "bulk_headers")
    assert outcome.extraction.person.email is None
    assert outcome.extraction.company.name == "The Revenue Ledger"
    assert outcome.extraction.required_action == "ignore"


def test_failed_authentication_with_credential_bait_is_spam(
    message: Message, extract: Extract
) -> None:
    msg = message(
        "Your mailbox is full. Verify your account within 24 hours to release held messages.",
        sender="IT Desk <it@mail-admin.example>",
        headers={"Authentication-Results": FAILING_AUTH},
    )

    outcome = extract(msg)

    assert (outcome.extraction.intent, outcome.decided_by) == ("spam", "auth_fail")
    assert outcome.extraction.person.email is None
    assert outcome.extraction.company.name is None
    assert outcome.extraction.region is None


def test_a_spoofed_customer_domain_is_spam_not_support(message: Message, extract: Extract) -> None:
    msg = message(
        "A document has been shared with you. Open it here.",
        sender="Accounts <ap@globex.com>",
        headers={"Authentication-Results": FAILING_AUTH},
    )

    assert extract(msg).extraction.intent == "spam"


def test_a_pitch_from_free_mail_is_junk(message: Message, extract: Extract) -> None:
    msg = message(
        "We can help you get your website on page one of Google with our SEO packages.",
        subject="Re: Website Ranking Proposal",
        sender="Rahul SEO <rahul.seo.expert@outlook.com>",
        headers={"Authentication-Results": PASSING_AUTH},
    )

    outcome = extract(msg)

    assert (outcome.extraction.intent, outcome.decided_by) == ("spam", "free_mail_junk")


def test_a_pitch_from_a_company_domain_is_a_vendor(message: Message, extract: Extract) -> None:
    msg = message(
        "RankCraft Digital works with B2B SaaS companies on technical SEO. Our retainers start at "
        "$1,200 per month. Would you be open to a 20-minute call this week?\n\n"
        "Best regards,\nNikhil Sharma\nGrowth Consultant, RankCraft Digital Pvt. Ltd.\n"
        "Baner Road, Pune 411045, India\n",
        subject="lumora.io is missing from page one",
        sender="Nikhil Sharma <nikhil@rankcraftdigital.in>",
    )

    extraction = extract(msg).extraction

    assert extraction.intent == "vendor"
    assert (extraction.person.email, extraction.company.name) == (
        "nikhil@rankcraftdigital.in",
        "RankCraft Digital Pvt. Ltd.",
    )
    assert (extraction.interest.products, extraction.budget.annual_amount_usd) == ([], None)
    assert (extraction.region, extraction.required_action) == ("IN", "route_ops")


def test_a_customer_domain_makes_support(message: Message, extract: Extract) -> None:
    msg = message(
        "Our Revenue Radar dashboards haven't refreshed since Friday.\n\nThanks,\nKaren",
        sender="Karen Liu <karen.liu@globex.com>",
    )

    outcome = extract(msg)

    assert (outcome.extraction.intent, outcome.decided_by) == ("support", "customer_domain")
    assert outcome.extraction.interest.products == ["Revenue Radar"]
    assert outcome.extraction.timeline == "unknown"
    assert outcome.extraction.required_action == "forward_support"


@pytest.mark.parametrize(
    ("body", "attachment"),
    [
        ("I'm applying for the Senior Data Scientist role. My CV is attached.", None),
        ("Please find my details attached.", "Daan_Visser_CV.pdf"),
        ("Anbei meine Bewerbung als Data Scientist mit Lebenslauf.", None),
        ("Veuillez trouver ci-joint ma candidature et ma lettre de motivation.", None),
        ("Les envío mi candidatura y mi currículum para el puesto.", None),
    ],
    ids=["english", "cv-attachment", "german", "french", "spanish"],
)
def test_applications_are_job_applicants(
    message: Message, extract: Extract, body: str, attachment: str | None
) -> None:
    msg = message(body, subject="Hello", sender="Daan Visser <daan.visser@gmail.com>")
    if attachment:
        msg.add_attachment(b"%PDF", maintype="application", subtype="pdf", filename=attachment)

    extraction = extract(msg).extraction

    assert extraction.intent == "job_applicant"
    assert extraction.person.email == "daan.visser@gmail.com"
    assert (extraction.company.name, extraction.company.domain) == (None, None)
    assert extraction.required_action == "route_ops"


def test_an_applicant_writing_from_an_employer_domain_records_no_company(
    message: Message, extract: Extract
) -> None:
    body = "I'm applying for the Account Executive role; my resume is attached.\n\nBest,\nMarcus\nAE, Globex Corporation\n"

    extraction = extract(message(body, sender="Marcus Bell <marcus@acme-hr.com>")).extraction

    assert extraction.intent == "job_applicant"
    assert (extraction.company.name, extraction.company.domain) == (None, None)


@pytest.mark.parametrize(
    ("subject", "body"),
    [
        (
            "Anfrage: Demo für Pipeline Forecaster",
            "Wir interessieren uns für den Pipeline Forecaster. Könnten Sie uns eine Demo anbieten?",
        ),
        (
            "Demande de démo – Revenue Radar",
            "Pourriez-vous nous proposer une démonstration de Revenue Radar ?",
        ),
        (
            "Consulta sobre Churn Sentinel",
            "Nos interesa Churn Sentinel. ¿Podríamos agendar una demo?",
        ),
    ],
    ids=["german", "french", "spanish"],
)
def test_leads_are_recognised_in_other_languages(
    message: Message, extract: Extract, subject: str, body: str
) -> None:
    assert extract(message(body, subject=subject)).extraction.intent == "lead"


def test_a_stacked_web_form_labels_above_values_is_read_too(message: Message, extract: Extract) -> None:
    """WPForms-style: each label alone on its line, the value below; the relay's own address
    (on our domain) is never the person."""
    body = (
        "Nouvelle entrée du formulaire de contact\n\n"
        "Nom\nLéa Marchand\n\nSociété\nAtelier Marchand SARL\n\nE-mail\nlea@atelier-marchand.fr\n\n"
        "Message\nNous aimerions une démo de Revenue Radar.\nMerci !\n\nConsentement\nOui\n"
    )
    msg = message(body, subject="Nouvelle entrée : Contact", sender="WPForms <wordpress@lumora.io>")

    extraction = extract(msg).extraction

    assert (extraction.person.name, extraction.person.email) == ("Léa Marchand", "lea@atelier-marchand.fr")
    assert extraction.intent == "lead"


def test_a_web_form_is_a_lead_about_the_person_in_the_form(
    message: Message, extract: Extract
) -> None:
    body = (
        "You have a new form submission on lumora.io.\n\n"
        "First name: Daniel\nLast name: Okafor\nWork email: daniel.okafor@northpeakenergy.ca\n"
        "Company: Northpeak Energy Services\nCountry: Canada\nBudget: $2,000/month\n"
        "Timeline: Within 3 months\nMessage: Looking for forecasting with Revenue Radar.\n"
    )
    msg = message(
        body,
        subject='New submission from "Book a demo"',
        sender="FormRelay <no-reply@formrelay.io>",
    )

    outcome = extract(msg)
    extraction = outcome.extraction

    assert (extraction.intent, outcome.decided_by) == ("lead", "web_form")
    assert (extraction.person.name, extraction.person.email) == (
        "Daniel Okafor",
        "daniel.okafor@northpeakenergy.ca",
    )
    assert (extraction.company.name, extraction.company.domain) == (
        "Northpeak Energy Services",
        "northpeakenergy.ca",
    )
    assert (extraction.budget.annual_amount_usd, extraction.timeline, extraction.region) == (
        24000,
        "quarter",
        "CA",
    )


def test_a_colleagues_forward_is_classified_by_the_original(
    message: Message, extract: Extract
) -> None:
    body = (
        "Warm lead, please pick it up.\n\nTom\n\n"
        "---------- Forwarded message ---------\n"
        "From: Hannah Brooks <hannah@kettleandcrumb.com.au>\n"
        "Subject: Churn analytics\n\n"
        "Could someone show us a demo of Churn Sentinel? We'd like it in place within the next "
        "six months. Our budget is AUD 3,000 a month.\n\n"
        "Cheers,\nHannah\n\nHannah Brooks\nKettle & Crumb Pty Ltd\nFitzroy VIC 3065, Australia\n"
    )
    msg = message(body, subject="Fwd: Churn analytics", sender="Tom Reilly <tom.reilly@lumora.io>")

    outcome = extract(msg)
    extraction = outcome.extraction

    assert (extraction.intent, outcome.decided_by) == ("lead", "forward:keywords")
    assert (extraction.person.name, extraction.person.email) == (
        "Hannah Brooks",
        "hannah@kettleandcrumb.com.au",
    )
    assert extraction.company.name == "Kettle & Crumb Pty Ltd"
    assert (extraction.budget.annual_amount_usd, extraction.timeline) == (None, "six_months")
    assert extraction.region == "AU"


def test_a_message_without_any_signal_is_an_unsure_lead(message: Message, extract: Extract) -> None:
    outcome = extract(message("Hello there.", subject="Hi", to="info@lumora.io"))

    assert (outcome.extraction.intent, outcome.decided_by) == ("lead", "default")
    assert outcome.extraction.confidence < 0.5


def test_a_very_short_message_is_less_certain(message: Message, extract: Extract) -> None:
    long = extract(
        message(
            "Could we get a demo of Revenue Radar for our sales team next quarter?",
            subject="Question",
        )
    )
    short = extract(message("Demo of Revenue Radar?", subject="Q"))

    assert short.extraction.intent == long.extraction.intent == "lead"
    assert short.extraction.confidence < long.extraction.confidence


# ---------------------------------------------------------------- fields


def test_a_lead_gets_every_field_from_the_email(message: Message, extract: Extract) -> None:
    extraction = extract(message(LEAD_BODY, subject="Pipeline Forecaster demo")).extraction

    assert (extraction.person.name, extraction.person.email) == (
        "Jane Doe",
        "jane.doe@acme-robotics.com",
    )
    assert (extraction.company.name, extraction.company.domain) == (
        "Acme Robotics, Inc.",
        "acme-robotics.com",
    )
    assert extraction.interest.products == ["Pipeline Forecaster"]
    assert (extraction.budget.annual_amount_usd, extraction.timeline) == (60000, "quarter")
    assert (extraction.region, extraction.required_action) == ("US", "schedule_demo")
    assert extraction.summary == (
        "Pipeline Forecaster demo. We're evaluating Pipeline Forecaster for our 40-person sales team."
    )
    assert extraction.confidence >= 0.6


# The list the product promises, written out so that dropping one from the code fails a test.
# fmt: off
PROMISED_FREE_MAIL = [
    "gmail.com", "googlemail.com", "outlook.com", "hotmail.com", "live.com", "yahoo.com",
    "icloud.com", "me.com", "aol.com", "proton.me", "protonmail.com", "gmx.de", "gmx.net",
    "web.de", "yandex.ru", "mail.ru", "qq.com", "163.com",
]
# fmt: on


def test_the_free_mail_list_covers_the_promised_providers() -> None:
    assert set(PROMISED_FREE_MAIL) <= FREE_MAIL_DOMAINS


@pytest.mark.parametrize("domain", PROMISED_FREE_MAIL)
def test_a_free_mail_domain_is_never_a_company_domain(
    message: Message, extract: Extract, domain: str
) -> None:
    msg = message(
        "Could we get a demo of Churn Sentinel?", sender=f"Rafael Costa <rafael@{domain}>"
    )

    assert extract(msg).extraction.company.domain is None


def test_a_free_mail_senders_company_comes_from_the_signature_website(
    message: Message, extract: Extract
) -> None:
    body = "Could someone give me a demo of Churn Sentinel?\n\nObrigado,\nRafael Costa\nFounder, Matilha Box\nmatilhabox.com.br\n"

    company = extract(
        message(body, sender="Rafael Costa <rafael.matilhabox@gmail.com>")
    ).extraction.company

    assert (company.name, company.domain) == ("Matilha Box", "matilhabox.com.br")


def test_a_company_name_is_not_invented_from_the_domain(message: Message, extract: Extract) -> None:
    msg = message(
        "Does Revenue Radar work with HubSpot? I'd like a demo.",
        sender="Aiden <aiden@latticeloom.com>",
    )

    company = extract(msg).extraction.company

    assert (company.name, company.domain) == (None, "latticeloom.com")


def test_the_company_name_can_spell_the_domain_with_initials(
    message: Message, extract: Extract
) -> None:
    body = "Can we see a demo of Pipeline Forecaster?\n\nThanks,\nLaura\nDirector of Sales Operations\nCedarline Facility Services\n"

    company = extract(message(body, sender="Laura <laura@cedarlinefs.com>")).extraction.company

    assert company.name == "Cedarline Facility Services"


def test_products_are_listed_in_the_order_they_are_named(
    message: Message, extract: Extract
) -> None:
    body = "We want a demo of Revenue Radar, and maybe Pipeline Forecaster later."

    assert extract(message(body)).extraction.interest.products == [
        "Revenue Radar",
        "Pipeline Forecaster",
    ]


def test_vendors_carry_no_product_interest(message: Message, extract: Extract) -> None:
    body = "We make explainer videos for B2B software companies, e.g. for Churn Sentinel. Packages start at USD 6,500. Can I send it over?"

    extraction = extract(message(body, sender="Marina <marina@estudiomare.com.br>")).extraction

    assert extraction.intent == "vendor"
    assert extraction.interest.products == []


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("Our budget is $50k.", 50000),
        ("We can spend USD 120,000 on this.", 120000),
        ("Approved: $4,000/month.", 48000),
        ("around $4,500 per month", 54000),
        ("Tenemos un presupuesto de unos 1.500 USD al mes.", 18000),
        ("$1.2M over the year", 1200000),
        ("roughly 90,000 US dollars", 90000),
        ("Our budget is €50,000 per year.", None),
        ("around AUD 3,000 a month", None),
        ("CA$10,000 a year", None),
        ("We pay $49 per seat today.", None),
        ("No amount mentioned.", None),
        # a rate per user with the count it is for is the budget
        ("We've budgeted roughly $7 per user per month for ~300 users.", 25200),
        ("$20 per seat for 50 seats", 1000),
        # dollars, thousands and months in Central European languages and Japanese
        ("ok. 5000 USD miesięcznie", 60000),
        ("budżet to ok. 20 tys. dolarów rocznie", 20000),
        ("rozpočet je 15 tisíc dolarů", 15000),
        ("évi 40 ezer dollár", 40000),
        ("havi 3000 dollár", 36000),
        ("年間5万ドル程度を想定しています", 50000),
        ("予算は月額3000ドルです", 36000),
        ("budżet 80 tys. zł", None),
    ],
)
def test_only_us_dollar_amounts_become_an_annual_budget(text: str, expected: float | None) -> None:
    assert annual_usd(text) == expected


def test_a_budget_is_recorded_only_for_leads(message: Message, extract: Extract) -> None:
    msg = message(
        "Pipeline Forecaster shows $0 for every region since this morning.",
        sender="Dana <dana@initech.com>",
    )

    assert extract(msg).extraction.budget.annual_amount_usd is None


SENT = datetime(2026, 1, 12, 9, 0, tzinfo=UTC)


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("We need it live ASAP.", "now"),
        ("We want to start a trial this week.", "now"),
        ("We'd like to sign before the end of this month.", "now"),
        ("Nous souhaitons prendre une décision ce mois-ci.", "now"),
        ("We want to be live next quarter.", "quarter"),
        ("Wir möchten ihn im nächsten Quartal einführen.", "quarter"),
        ("Timeline: Within 3 months", "quarter"),
        ("We'd like to sign before the end of March.", "quarter"),
        ("Roll-out in Q1.", "quarter"),  # a period counts from its middle month (ADR 0032)
        ("Roll-out in Q2.", "six_months"),
        ("We'd want to be live in about six months.", "six_months"),
        ("Nos gustaría tenerlo funcionando en los próximos seis meses.", "six_months"),
        ("We plan to roll out in Q3.", "unknown"),
        ("We'd evaluate towards the end of the year, no rush.", "unknown"),
        ("We will decide next year.", "unknown"),
        ("Can we do a demo next week? We want to be live next quarter.", "quarter"),
        ("Our board review is this week. We'd like to be live in about six months.", "six_months"),
        ("No timing mentioned.", "unknown"),
    ],
)
def test_the_buying_timeline_is_relative_to_the_date(text: str, expected: str) -> None:
    assert buying_timeline(text, SENT) == expected


def test_only_leads_have_a_buying_timeline(message: Message, extract: Extract) -> None:
    msg = message(
        "URGENT: our forecast is broken, we need a fix today!", sender="Dana <dana@initech.com>"
    )

    assert extract(msg).extraction.timeline == "unknown"


@pytest.mark.parametrize(
    ("sender", "signature", "expected"),
    [
        ("j@kranich.de", "Heilbronner Straße 150, 70191 Stuttgart, Deutschland", "DE"),
        ("o@harrowgate.com", "14 Finsbury Square, London EC2A 1BR", "GB"),
        ("m@halcyon.com", "180 N LaSalle Street, Suite 2700, Chicago, IL 60601", "US"),
        ("d@gmail.com", "+31 6 4172 9035", "NL"),
        ("s@tulpstra.nl", "", "NL"),
        ("a@latticeloom.com", "", None),
        ("a@startup.io", "", None),
        ("a@negozio.it", "", "IT"),
    ],
    ids=[
        "country-name",
        "city",
        "us-address",
        "phone-prefix",
        "cctld",
        "nothing",
        "generic-cctld",
        "italy",
    ],
)
def test_the_region_comes_from_evidence_or_is_null(
    message: Message, extract: Extract, sender: str, signature: str, expected: str | None
) -> None:
    body = f"Could we get a demo of Revenue Radar?\n\nBest,\nAlex\n{signature}\n"

    assert extract(message(body, sender=f"Alex <{sender}>")).extraction.region == expected


@pytest.mark.parametrize(
    ("body", "expected"),
    [
        ("Could you please send us a formal quote for Revenue Radar?", "send_pricing"),
        ("What is your pricing for Pipeline Forecaster?", "send_pricing"),
        ("Könnten Sie uns ein Angebot für den Pipeline Forecaster schicken?", "send_pricing"),
        ("Pourriez-vous nous envoyer un devis pour Revenue Radar ?", "send_pricing"),
        ("Could we set up a demo of Revenue Radar? Our budget is $20k.", "schedule_demo"),
        (
            "Tenemos un presupuesto de 1.000 USD. ¿Podríamos agendar una demo de Churn Sentinel?",
            "schedule_demo",
        ),
    ],
)
def test_a_lead_wants_pricing_only_when_it_asks_for_it(
    message: Message, extract: Extract, body: str, expected: str
) -> None:
    extraction = extract(message(body, subject="Question")).extraction

    assert (extraction.intent, extraction.required_action) == ("lead", expected)


# ---------------------------------------------------------------- gold-set tuning (issue 5)


@pytest.mark.parametrize(
    ("text", "annual"),
    [
        ("Notre budget est de 3 000 USD par mois.", 36000),
        ("Il nostro budget è di 3.000 USD al mese.", 36000),
        ("Nosso orçamento é de US$ 2.000 por mês.", 24000),
        ("Temos cerca de 30 mil dólares por ano.", 30000),
        ("Unser Budget liegt bei rund 48.000 US-Dollar jährlich.", 48000),
        ("Ons budget is $2.500 per maand.", 30000),
        ("Ons budget is €30.000 per jaar.", None),
    ],
)
def test_budgets_in_more_languages_and_groupings(text: str, annual: float | None) -> None:
    assert annual_usd(text) == annual


@pytest.mark.parametrize(
    ("text", "timeline"),
    [
        ("Ideally we sign over the next half year.", "six_months"),
        ("Vorremmo partire entro maggio.", "quarter"),  # sent in March
        ("Queremos implantar no próximo trimestre.", "quarter"),
        ("We willen over zes maanden live gaan.", "six_months"),
        ("A decisão será tomada no ano que vem.", "unknown"),
    ],
)
def test_timelines_in_more_languages(text: str, timeline: str) -> None:
    assert buying_timeline(text, datetime(2026, 3, 30, tzinfo=UTC)) == timeline


def test_a_company_name_runs_to_the_end_of_its_line_and_may_sit_in_the_footer(
    message: Message, extract: Extract
) -> None:
    body = (
        "Hi,\n\nOur office plant service keeps workspaces green. Can I drop by?\n\n"
        "Not the right person? Let me know who is.\n\nBest,\nOliver Pemberton\n"
        "Goldcrest Insurance Brokers Ltd\n22 Rose Street, Edinburgh EH2 2PR\n"
    )
    short = "Hi,\n\nThe export is broken again.\n\n(Vandelay Industries)\n\nBest,\nChantal\n"

    vendor = extract(message(body, sender="Oliver <oliver@goldcrestinsurance.co.uk>"))
    customer = extract(message(short, sender="Chantal <chantal@vandelay.com>"))

    assert vendor.extraction.company.name == "Goldcrest Insurance Brokers Ltd"
    assert customer.extraction.company.name == "Vandelay Industries"
