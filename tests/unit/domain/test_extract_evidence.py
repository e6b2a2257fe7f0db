"""The local extractor points every quoted value at the span of the email it came from."""

from __future__ import annotations

from collections.abc import Callable
from email.message import EmailMessage

import pytest

from tests.unit.domain.test_extract import LEAD_BODY
from triage.domain.extraction import ExtractionOutcome, extract_fields
from triage.domain.extraction.evidence import span_holds, supported
from triage.domain.models import Budget, CleanEmail, Evidence, Extraction, Interest, Mailbox, Person

Message = Callable[..., EmailMessage]
Clean = Callable[[EmailMessage | bytes], CleanEmail]


@pytest.fixture
def run(clean: Clean, lumora: Mailbox) -> Callable[[EmailMessage], tuple[CleanEmail, ExtractionOutcome]]:
    def extract(msg: EmailMessage) -> tuple[CleanEmail, ExtractionOutcome]:
        email = clean(msg)
        return email, extract_fields(email, lumora)

    return extract


Run = Callable[[EmailMessage], tuple[CleanEmail, ExtractionOutcome]]


def spans(email: CleanEmail, extraction: Extraction) -> dict[str, list[tuple[str, str]]]:
    """field -> [(source, text)], after checking that every span quotes its source exactly."""
    found: dict[str, list[tuple[str, str]]] = {}
    for evidence in extraction.evidence:
        assert span_holds(email, evidence), evidence
        found.setdefault(evidence.field, []).append((evidence.source, evidence.text))
    return found


def test_a_lead_points_every_field_at_its_span(message: Message, run: Run) -> None:
    email, outcome = run(message(LEAD_BODY, subject="Pipeline Forecaster demo"))

    assert spans(email, outcome.extraction) == {
        "person.name": [("from_name", "Jane Doe")],
        "person.email": [("from_email", "jane.doe@acme-robotics.com")],
        "company.name": [("signature", "Acme Robotics, Inc.")],
        # derived: the domain points at the address it was read from
        "company.domain": [("from_email", "jane.doe@acme-robotics.com")],
        "interest.products[0]": [("subject", "Pipeline Forecaster")],
        "budget.annual_amount_usd": [("text", "$60,000")],
        "timeline": [("text", "next quarter")],
        "region": [("signature", "Austin")],
    }


@pytest.mark.parametrize(
    ("sentence", "annual", "phrase"),
    [
        ("Our budget is $5k/month for this.", 60000, "$5k/month"),
        ("We have a monthly budget of $2,500 for tooling.", 30000, "monthly budget of $2,500"),
        ("We can spend USD 9,000 per quarter.", 36000, "USD 9,000 per quarter"),
    ],
)
def test_an_annualised_budget_points_at_the_amount_and_its_period(
    message: Message, run: Run, sentence: str, annual: float, phrase: str
) -> None:
    email, outcome = run(message(f"We'd like a demo of Revenue Radar. {sentence}", subject="Demo"))

    assert outcome.extraction.budget.annual_amount_usd == annual
    assert spans(email, outcome.extraction)["budget.annual_amount_usd"] == [("text", phrase)]


def test_a_domain_and_a_region_derived_from_the_address_point_at_the_address(
    message: Message, run: Run
) -> None:
    msg = message(
        "Could we see a demo of Churn Sentinel for our team?",
        sender="Oliver Grant <oliver@mail.eu.harrowgate-ib.co.uk>",
    )

    email, outcome = run(msg)
    found = spans(email, outcome.extraction)

    assert (outcome.extraction.company.domain, outcome.extraction.region) == ("harrowgate-ib.co.uk", "GB")
    assert found["company.domain"] == found["region"] == [("from_email", "oliver@mail.eu.harrowgate-ib.co.uk")]


def test_a_free_mail_senders_domain_points_at_the_signatures_website(message: Message, run: Run) -> None:
    body = "Could someone give me a demo of Churn Sentinel?\n\nObrigado,\nRafael Costa\nFounder, Matilha Box\nmatilhabox.com.br\n"

    email, outcome = run(message(body, sender="Rafael Costa <rafael.matilhabox@gmail.com>"))
    found = spans(email, outcome.extraction)

    assert found["company.domain"] == [("signature", "matilhabox.com.br")]
    assert found["company.name"] == [("signature", "Matilha Box")]


def test_a_forwards_fields_point_into_the_forwarded_original(message: Message, run: Run) -> None:
    body = (
        "Warm lead, please pick it up.\n\nTom\n\n"
        "---------- Forwarded message ---------\n"
        "From: Hannah Brooks <hannah@kettleandcrumb.com.au>\n"
        "Subject: Churn analytics\n\n"
        "Could someone show us a demo of Churn Sentinel? We'd like it in place within the next "
        "six months.\n\n"
        "Cheers,\nHannah\n\nHannah Brooks\nKettle & Crumb Pty Ltd\nFitzroy VIC 3065, Australia\n"
    )
    msg = message(body, subject="Fwd: Churn analytics", sender="Tom Reilly <tom.reilly@lumora.io>")

    email, outcome = run(msg)
    found = spans(email, outcome.extraction)

    assert found["person.name"] == [("forwarded.from_name", "Hannah Brooks")]
    assert found["person.email"] == [("forwarded.from_email", "hannah@kettleandcrumb.com.au")]
    assert found["company.name"] == [("forwarded.text", "Kettle & Crumb Pty Ltd")]
    assert found["region"] == [("forwarded.text", "Australia")]
    assert found["interest.products[0]"] == [("forwarded.text", "Churn Sentinel")]
    [(source, phrase)] = found["timeline"]
    assert source == "forwarded.text" and "six months" in phrase


def test_a_web_forms_split_name_points_at_both_fields(message: Message, run: Run) -> None:
    body = (
        "You have a new form submission on lumora.io.\n\n"
        "First name: Daniel\nLast name: Okafor\nWork email: Daniel.Okafor@NorthpeakEnergy.ca\n"
        "Company: Northpeak Energy Services\nCountry: Canada\nBudget: $2,000/month\n"
        "Timeline: Within 3 months\nMessage: Looking for forecasting with Revenue Radar.\n"
    )
    msg = message(body, subject='New submission from "Book a demo"', sender="FormRelay <no-reply@formrelay.io>")

    email, outcome = run(msg)
    found = spans(email, outcome.extraction)

    assert outcome.extraction.person == Person(name="Daniel Okafor", email="daniel.okafor@northpeakenergy.ca")
    assert found["person.name"] == [("text", "Daniel"), ("text", "Okafor")]
    assert found["person.email"] == [("text", "Daniel.Okafor@NorthpeakEnergy.ca")]  # as written
    assert found["budget.annual_amount_usd"] == [("text", "$2,000/month")]
    assert found["timeline"] == [("text", "Within 3 months")]
    assert found["region"] == [("text", "Canada")]


def test_a_signature_name_points_at_the_signature(message: Message, run: Run) -> None:
    msg = message(
        "Could we get a demo of Revenue Radar?\n\nBest,\nPriya Raman\nHead of Sales, Quillfeather Books\n",
        sender="<priya@quillfeather.com>",
    )

    email, outcome = run(msg)

    assert outcome.extraction.person.name == "Priya Raman"
    assert spans(email, outcome.extraction)["person.name"] == [("signature", "Priya Raman")]


def test_null_fields_and_judgements_carry_no_evidence(message: Message, run: Run) -> None:
    msg = message(
        "Your mailbox is full. Verify your account within 24 hours to release held messages.",
        sender="IT Desk <it@mail-admin.example>",
        headers={"Authentication-Results": "mx; dkim=fail header.i=@x; spf=fail; dmarc=fail"},
    )

    _, outcome = run(msg)

    assert outcome.extraction.intent == "spam" and outcome.extraction.evidence == []


def test_a_value_without_evidence_is_nulled_and_the_products_renumbered() -> None:
    product = Evidence(field="interest.products[1]", source="text", start=0, end=5, text="Radar")
    extraction = Extraction(
        intent="lead", required_action="schedule_demo", confidence=0.9,
        person=Person(name="Jane", email="jane@acme.com"),
        interest=Interest(products=["Pipeline Forecaster", "Revenue Radar"]),
        budget=Budget(annual_amount_usd=1000), timeline="now", region="US",
        evidence=[Evidence(field="person.email", source="from_email", start=0, end=13, text="jane@acme.com"),
                  Evidence(field="company.name", source="text", start=0, end=4, text="Acme"), product],
    )  # fmt: skip

    kept = supported(extraction)

    assert kept.person == Person(email="jane@acme.com")
    assert kept.interest.products == ["Revenue Radar"]
    assert (kept.budget.annual_amount_usd, kept.timeline, kept.region) == (None, "unknown", None)
    assert [e.field for e in kept.evidence] == ["person.email", "interest.products[0]"]
