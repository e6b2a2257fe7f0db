"""crm-sink on HubSpot (the fake, over loopback), as a process: kill -9 mid-batch, restart, no duplicates.

Run twice: with a search index that keeps up, and with one that lags writes by
25 s (HubSpot's lags by seconds, more under load) — longer than the restart
takes (the group's 10 s session timeout), so the replay runs inside the lag
and only reads that are consistent at once can find what the killed process
wrote.
"""

from __future__ import annotations

import uuid
from collections import Counter
from collections.abc import Iterator
from datetime import UTC, datetime

import psycopg
import pytest
from confluent_kafka import Producer

from tests.support.fake_hubspot import FakeHubSpot
from tests.support.kafka import decoded, wait_until
from tests.support.pipeline import Pipeline
from triage.domain.crm_plan import plan_crm_actions
from triage.domain.models import (
    CrmEvent,
    ExtractedEmail,
    Extraction,
    RouteDecision,
    RoutedEmail,
)
from triage.platform.runtime import producer_config
from triage.platform.serde import Serde
from triage.platform.topics import CRM_EVENTS, ROUTED

EMAILS, COMPANIES = 40, 10
BUDGET = 1000  # requests per 10 s: HubSpot's (the fake's) and ours
SEARCH_LAG_S = 25.0


@pytest.fixture(params=[0.0, SEARCH_LAG_S], ids=["search-in-step", "search-lags-25s"])
def hubspot(request: pytest.FixtureRequest) -> Iterator[FakeHubSpot]:
    fake = FakeHubSpot(latency_s=0.005, transient_rate=0.02, timeout_s=0.6, seed=3, budget_per_10s=BUDGET,
                       search_lag_s=request.param)
    yield fake
    fake.close()


def duplicates(hubspot: FakeHubSpot) -> dict[str, int]:
    """How many objects exist beyond one per natural key (one deal per company: the 45-day rule)."""
    domains = Counter(c["properties"].get("domain") for c in hubspot.all("companies"))
    addresses = Counter(c["properties"]["email"] for c in hubspot.all("contacts"))
    deals = Counter(company for deal in hubspot.all("deals")
                    for company in hubspot.associated("deals", deal["id"], "companies"))
    notes = Counter(n["properties"]["hs_note_body"].rsplit("Ref: ", 1)[-1] for n in hubspot.all("notes"))
    return {kind: sum(n - 1 for n in counts.values())
            for kind, counts in (("companies", domains), ("contacts", addresses), ("deals", deals), ("notes", notes))}


def routed_lead(n: int, run: str) -> RoutedEmail:
    """A lead as route plans it (crm_plan): company, contact, deal (confidence 0.9), association."""
    domain = f"co{n % COMPANIES}-{run}.com"
    extraction = Extraction.model_validate({
        "intent": "lead", "confidence": 0.9, "required_action": "schedule_demo",
        "person": {"name": f"Person {n}", "email": f"p{n}@{domain}"},
        "company": {"name": f"Company {n % COMPANIES}", "domain": domain},
        "budget": {"annual_amount_usd": 20000 + n},
    })
    email_id, thread_id = f"e-{run}-{n}", f"t-{run}-{n}"
    received = datetime.now(UTC)
    extracted = ExtractedEmail.model_validate({
        "email_id": email_id, "thread_id": thread_id, "mailbox": "sales@lumora.io", "received_at": received,
        "extraction": extraction.model_dump(), "model": "test", "model_version": "1", "decided_by": "test"})
    decision = RouteDecision(queue="sales_inbound", priority="high", sla_minutes=15, rule="hot_lead",
                             reason="test", ignored=False)
    return RoutedEmail(email_id=email_id, thread_id=thread_id, mailbox="sales@lumora.io", received_at=received,
                       extraction=extraction, queue="sales_inbound", priority="high", sla_minutes=15,
                       rule="hot_lead", reason="test", ignored=False,
                       crm_actions=plan_crm_actions(extracted, decision))


def produce_routed(pipeline: Pipeline, emails: list[RoutedEmail]) -> None:
    producer = Producer(producer_config(pipeline.settings, transactional_id=None))
    serde = Serde()
    for email in emails:
        producer.produce(pipeline.settings.topic(ROUTED), key=email.thread_id.encode(),
                         value=serde.encode(ROUTED, email))
    assert producer.flush(30) == 0


def events(pipeline: Pipeline) -> list[CrmEvent]:
    return decoded(pipeline.settings, CRM_EVENTS)


def test_kill_9_of_crm_sink_mid_batch_then_restart_duplicates_nothing_in_hubspot(
        pipeline: Pipeline, hubspot: FakeHubSpot) -> None:
    run = uuid.uuid4().hex[:6]
    emails = [routed_lead(n, run) for n in range(EMAILS)]
    planned = {a.idempotency_key for e in emails for a in e.crm_actions}
    assert len(planned) == EMAILS * 4
    env = {"TRIAGE_CRM_BACKEND": "hubspot", "TRIAGE_HUBSPOT_BASE_URL": hubspot.url,
           "TRIAGE_HUBSPOT_ACCESS_TOKEN": hubspot.token, "TRIAGE_CRM_TIMEOUT_S": "0.3",
           "TRIAGE_RETRY_INITIAL_S": "0.05", "TRIAGE_BATCH_SIZE": "500",
           "TRIAGE_HUBSPOT_REQUESTS_PER_10S": str(BUDGET // 2)}  # two instances may overlap after a kill
    produce_routed(pipeline, emails)  # before the start: the first batch takes all 40
    pipeline.start("crm-sink", **env)
    wait_until(lambda: len(hubspot.all("contacts")) >= 10, 60, "HubSpot writes to start", 0.02)
    pipeline.kill("crm-sink")
    assert len(hubspot.all("contacts")) < EMAILS, "the kill has to land mid-batch"
    assert events(pipeline) == [], "the batch's transaction never committed"

    pipeline.start("crm-sink", **env)
    wait_until(lambda: {e.idempotency_key for e in events(pipeline)} >= planned, 90, "every action's event")

    extra = duplicates(hubspot)
    print(f"search lag {hubspot.search_lag_s:.0f} s: duplicates {extra}")
    assert extra == {"companies": 0, "contacts": 0, "deals": 0, "notes": 0}
    domains = Counter(c["properties"]["domain"] for c in hubspot.all("companies"))
    addresses = Counter(c["properties"]["email"] for c in hubspot.all("contacts"))
    assert (len(domains), max(domains.values())) == (COMPANIES, 1), "a duplicate company"
    assert (len(addresses), max(addresses.values())) == (EMAILS, 1), "a duplicate contact"
    deals_per_company = Counter(company for deal in hubspot.all("deals")
                                for company in hubspot.associated("deals", deal["id"], "companies"))
    assert len(hubspot.all("deals")) == COMPANIES and max(deals_per_company.values()) == 1, "a duplicate deal"
    for contact in hubspot.all("contacts"):
        assert hubspot.associated("contacts", contact["id"], "companies"), "a contact left unassociated"
    keys = Counter(e.idempotency_key for e in events(pipeline))
    assert max(keys.values()) == 1, "an action reached crm.events twice"
    with psycopg.connect(pipeline.database_url) as conn:
        ledger = conn.execute("SELECT count(*) FROM crm_ledger WHERE backend = 'hubspot'").fetchone()[0]
    assert ledger == EMAILS * 4
    assert not [f for f in hubspot.injected if f[0] == "budget"], "the client-side budget let a 429 through"
    print(f"{len(hubspot.calls)} HubSpot requests, {len(hubspot.injected)} transient faults injected")
