from __future__ import annotations

from datetime import UTC, datetime

import pytest

from triage.domain.crm_plan import plan_crm_actions
from triage.domain.models import (
    Budget,
    Company,
    ExtractedEmail,
    Extraction,
    Interest,
    Person,
    RouteDecision,
)

ROUTED = RouteDecision(
    queue="sales_inbound",
    priority="high",
    sla_minutes=15,
    rule="hot_lead",
    reason="r",
    ignored=False,
)
IGNORED = RouteDecision(
    queue="ignored", priority="low", sla_minutes=None, rule="spam", reason="r", ignored=True
)
ACTIONS = {"lead": "schedule_demo", "support": "forward_support", "vendor": "route_ops",
           "job_applicant": "route_ops", "newsletter": "ignore", "spam": "ignore"}  # fmt: skip


def extracted(
    intent: str = "lead",
    *,
    confidence: float = 0.9,
    person: Person | None = None,
    company: Company | None = None,
    products: list[str] | None = None,
    budget: float | None = 60000.0,
) -> ExtractedEmail:
    return ExtractedEmail(
        email_id="e1",
        thread_id="t1",
        mailbox="sales@lumora.io",
        received_at=datetime(2026, 1, 12, tzinfo=UTC),
        extraction=Extraction(
            intent=intent,  # type: ignore[arg-type]
            person=person or Person(name="Jane Doe", email="jane@acme.com"),
            company=company or Company(name="Acme Robotics", domain="acme.com"),
            interest=Interest(products=["Revenue Radar"] if products is None else products),
            budget=Budget(annual_amount_usd=budget),
            timeline="quarter",
            required_action=ACTIONS[intent],  # type: ignore[arg-type]
            confidence=confidence,
        ),
        model="local-rules",
        model_version="1",
        decided_by="keywords",
    )


def test_a_confident_lead_plans_company_contact_and_deal() -> None:
    actions = plan_crm_actions(extracted(), ROUTED)

    assert [(a.action, a.object_type, a.idempotency_key) for a in actions] == [
        ("upsert_company", "company", "e1:upsert_company"),
        ("upsert_contact", "contact", "e1:upsert_contact"),
        ("create_deal", "deal", "e1:create_deal"),
        ("associate_contact", "association", "e1:associate_contact"),
    ]


def test_properties_are_strings_without_unknown_values() -> None:
    person = Person(name=None, email="jane@acme.com")
    company, contact, deal, association = plan_crm_actions(extracted(person=person), ROUTED)

    assert company.properties == {"name": "Acme Robotics", "domain": "acme.com"}
    assert contact.properties == {
        "email": "jane@acme.com",
        "company_domain": "acme.com",
        "company_name": "Acme Robotics",
        "mailbox": "sales@lumora.io",
        "intent": "lead",
    }
    assert deal.properties["name"] == "Acme Robotics — Revenue Radar"
    assert (deal.properties["amount"], deal.properties["queue"]) == ("60000", "sales_inbound")
    assert all(
        isinstance(value, str)
        for action in (company, contact, deal)
        for value in action.properties.values()
    )


def test_a_deal_without_product_or_budget_is_an_inbound_deal_without_amount() -> None:
    deal = plan_crm_actions(extracted(products=[], budget=None), ROUTED)[2]

    assert deal.properties["name"] == "Acme Robotics — inbound"
    assert "amount" not in deal.properties


def test_an_unsure_lead_gets_no_deal() -> None:
    actions = plan_crm_actions(extracted(confidence=0.59), ROUTED)

    assert [a.action for a in actions] == ["upsert_company", "upsert_contact", "associate_contact"]


def test_support_updates_records_but_opens_no_deal() -> None:
    actions = plan_crm_actions(extracted("support"), ROUTED)

    assert [a.action for a in actions] == ["upsert_company", "upsert_contact", "associate_contact"]


def test_unknown_company_and_person_plan_nothing_for_them() -> None:
    """No grounded company, no deal: "Unknown company — inbound" at 0.99 was an injection's doing."""
    actions = plan_crm_actions(extracted(person=Person(name="Jane"), company=Company()), ROUTED)

    assert actions == []


def test_a_lead_without_a_company_gets_its_contact_but_no_deal() -> None:
    actions = plan_crm_actions(extracted(company=Company(), confidence=0.99), ROUTED)

    assert [a.action for a in actions] == ["upsert_contact"]


def test_input_that_is_no_email_plans_nothing_even_as_a_lead() -> None:
    flagged = extracted().model_copy(update={"decided_by": "not_an_email"})

    assert plan_crm_actions(flagged, ROUTED) == []


@pytest.mark.parametrize("intent", ["vendor", "job_applicant", "newsletter"])
def test_non_customers_are_never_written(intent: str) -> None:
    assert plan_crm_actions(extracted(intent), ROUTED) == []


def test_an_ignored_email_plans_nothing() -> None:
    assert plan_crm_actions(extracted("lead"), IGNORED) == []


def test_replanning_gives_the_same_idempotency_keys() -> None:
    first = plan_crm_actions(extracted(), ROUTED)
    second = plan_crm_actions(extracted(), ROUTED)

    assert first == second


def test_the_contact_is_associated_with_its_company_and_open_deal_last() -> None:
    association = plan_crm_actions(extracted(), ROUTED)[-1]

    assert association.action == "associate_contact"
    assert association.properties == {
        "contact_email": "jane@acme.com",
        "company_domain": "acme.com",
        "company_name": "Acme Robotics",
    }
