"""A person's correction as an extraction the route service's rules route (ADR 0025)."""

from __future__ import annotations

from datetime import UTC, datetime

from triage.domain.correction import (
    DECIDED_BY_PERSON,
    corrected_email,
    corrected_extraction,
    rekeyed,
)
from triage.domain.crm_plan import plan_crm_actions
from triage.domain.decision import routed_email
from triage.domain.models import Evidence, ExtractedEmail, Extraction, Mailbox, Person
from triage.domain.rules import DEFAULT_RULES, route_email

MAILBOX = Mailbox(company="Lumora", customer_domains=["globex.com"])
SUPPORT = Extraction(intent="support", person=Person(name="Ann", email="ann@globex.com"), summary="sync stuck",
                     required_action="forward_support", confidence=0.7, evidence=[
                         Evidence(field="person.email", source="from_email", start=0, end=14, text="ann@globex.com"),
                         Evidence(field="person.name", source="from_name", start=0, end=3, text="Ann")])
MODEL = ExtractedEmail(email_id="e1", thread_id="t1", mailbox="sales@lumora.io",
                       received_at=datetime(2026, 12, 1, 9, tzinfo=UTC), from_email="ann@globex.com",
                       extraction=SUPPORT, model="local", model_version="3", decided_by="rules")
LEAD = {"id": "e1", "intent": "lead", "person": {"name": "Ann Lee", "email": "ann@globex.com"},
        "company": {"name": "Initech", "domain": "initech.com"}, "interest": {"products": ["Revenue Radar"]},
        "budget": {"annual_amount_usd": 50000}, "timeline": "quarter", "region": "US",
        "required_action": "schedule_demo", "notes": "a buyer"}


def test_the_labels_become_an_extraction_a_person_vouches_for() -> None:
    corrected = corrected_extraction(LEAD, SUPPORT)
    assert (corrected.intent, corrected.company.name, corrected.budget.annual_amount_usd) == ("lead", "Initech", 50000)
    assert corrected.confidence == 1.0 and corrected.summary == "sync stuck"
    assert [e.field for e in corrected.evidence] == ["person.email"], "the name changed: its span no longer holds"


def test_the_corrected_email_is_routed_by_the_same_rules_as_the_stream() -> None:
    email = corrected_email(MODEL, LEAD, "alice")
    assert (email.decided_by, email.band_cap, email.model_version) == (DECIDED_BY_PERSON, None, "alice")
    routed = routed_email(email, MAILBOX, DEFAULT_RULES)
    decision = route_email(email, MAILBOX, DEFAULT_RULES)
    assert (routed.queue, routed.rule, routed.band) == ("sales_inbound", "hot_lead", "auto_write")
    assert routed.crm_actions == plan_crm_actions(email, decision)
    assert [a.action for a in routed.crm_actions] == ["upsert_company", "upsert_contact", "create_deal",
                                                       "associate_contact"]


def test_writes_the_model_did_not_plan_get_keys_of_their_own_and_the_same_ones_keep_theirs() -> None:
    model_plan = plan_crm_actions(MODEL, route_email(MODEL, MAILBOX))
    corrected = routed_email(corrected_email(MODEL, LEAD, "alice"), MAILBOX, DEFAULT_RULES).crm_actions
    keys = [a.idempotency_key for a in rekeyed(corrected, model_plan)]
    assert all(k.startswith(f"e1:{a.action}:c") for k, a in zip(keys, corrected, strict=True))
    assert keys == [a.idempotency_key for a in rekeyed(corrected, model_plan)], "deterministic"
    unchanged = rekeyed(model_plan, model_plan)
    assert [a.idempotency_key for a in unchanged] == [a.idempotency_key for a in model_plan]
    other = {**LEAD, "budget": {"annual_amount_usd": 90000}}
    deal = next(a for a in rekeyed(routed_email(corrected_email(MODEL, other, "bob"), MAILBOX, DEFAULT_RULES)
                                   .crm_actions, model_plan) if a.action == "create_deal")
    assert deal.idempotency_key not in keys, "another correction, another deal key"
