"""The CRM refuses one email's data (CRM issue #7, point 3): a failed event and a review item, no dead letter.

crm-sink writes to HubSpot (the fake, over loopback) as a process, audit writes the rows:
HubSpot answers its real 400 ``VALIDATION_ERROR`` (``INVALID_EMAIL``) for one email's contact.
That email's company is written, its contact is announced ``failed`` with HubSpot's message,
its deal and association wait (``awaiting_approval``); nothing reaches ``email.dlq``, the
other emails are written as usual, and audit opens a ``crm_rejected`` review item. Once
the address is fixed in HubSpot, Create in CRM performs the refused action: the ledger never
recorded it.
"""

from __future__ import annotations

import uuid
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta

import psycopg
import pytest
from confluent_kafka import Producer

from tests.integration.test_crm_hubspot_kill import events, produce_routed, routed_lead
from tests.support.fake_hubspot import FakeHubSpot
from tests.support.kafka import read_topic, wait_until
from tests.support.pipeline import Pipeline
from triage.domain.models import CrmEvent, ExtractedEmail, RoutedEmail
from triage.platform.db import Connection, Database
from triage.platform.runtime import producer_config
from triage.platform.serde import Serde
from triage.platform.topics import DLQ, EXTRACTED
from triage_admin.crm import RouteStore, approve
from triage_audit.rows import UPSERT_REVIEW_REJECTED, rejected_review_row
from triage_crm.adapters.hubspot.crm import HubSpotCrm, hubspot_client
from triage_crm.ledger import Ledger
from triage_crm.limits import RequestBudget
from triage_crm.writer import crm_writer


@pytest.fixture
def hubspot() -> Iterator[FakeHubSpot]:
    fake = FakeHubSpot(latency_s=0.002)
    yield fake
    fake.close()


def produce_extracted(pipeline: Pipeline, emails: list[RoutedEmail]) -> None:
    """What extract decided for them (audit reads the review item's intent and confidence from it)."""
    producer = Producer(producer_config(pipeline.settings, transactional_id=None))
    serde = Serde()
    for email in emails:
        extracted = ExtractedEmail(email_id=email.email_id, thread_id=email.thread_id, mailbox=email.mailbox,
                                   received_at=email.received_at, extraction=email.extraction, model="test",
                                   model_version="1", decided_by="test")
        producer.produce(pipeline.settings.topic(EXTRACTED), key=email.thread_id.encode(),
                         value=serde.encode(EXTRACTED, extracted))
    assert producer.flush(30) == 0


def review_item(pipeline: Pipeline, email_id: str) -> dict | None:
    with psycopg.connect(pipeline.database_url) as conn:
        row = conn.execute("SELECT reason, band, queue, intent, confidence, status FROM review_queue "
                           "WHERE email_id = %s", (email_id,)).fetchone()
    return None if row is None else dict(zip(("reason", "band", "queue", "intent", "confidence", "status"), row,
                                             strict=True))


def test_a_refused_contact_is_a_failed_event_and_a_review_item_not_a_dead_letter(
        pipeline: Pipeline, hubspot: FakeHubSpot) -> None:
    run = uuid.uuid4().hex[:6]
    emails = [routed_lead(n, run) for n in range(3)]
    bad = emails[1]
    address = bad.extraction.person.email
    hubspot.invalid_emails.add(address)
    pipeline.start("audit")
    pipeline.start("crm-sink", TRIAGE_CRM_BACKEND="hubspot", TRIAGE_HUBSPOT_BASE_URL=hubspot.url,
                   TRIAGE_HUBSPOT_ACCESS_TOKEN=hubspot.token, TRIAGE_RETRY_INITIAL_S="0.05")
    produce_extracted(pipeline, emails)
    produce_routed(pipeline, emails)
    planned = {a.idempotency_key for e in emails for a in e.crm_actions}
    wait_until(lambda: {e.idempotency_key for e in events(pipeline)} >= planned, 60, "every action's event")

    by_key: dict[str, CrmEvent] = {e.idempotency_key: e for e in events(pipeline)}
    outcome = [(a.action, by_key[a.idempotency_key].status) for a in bad.crm_actions]
    assert outcome == [("upsert_company", "created"), ("upsert_contact", "failed"),
                       ("create_deal", "awaiting_approval"), ("associate_contact", "awaiting_approval")]
    contact_key = bad.crm_actions[1].idempotency_key
    assert by_key[contact_key].response_summary == (
        f"HubSpot 400: VALIDATION_ERROR: Property values were not valid: "
        f"email: Email address {address} is invalid (INVALID_EMAIL)")
    for good in (emails[0], emails[2]):
        assert {by_key[a.idempotency_key].status for a in good.crm_actions} <= {"created", "updated", "unchanged"}
    assert {c["properties"]["email"] for c in hubspot.all("contacts")} == {
        emails[0].extraction.person.email, emails[2].extraction.person.email}
    assert read_topic(pipeline.settings, DLQ, timeout_s=5) == [], "a refusal is not a dead letter"

    wait_until(lambda: review_item(pipeline, bad.email_id) is not None, 30, "the review item")
    assert review_item(pipeline, bad.email_id) == {
        "reason": "crm_rejected", "band": "auto_write", "queue": "sales_inbound", "intent": "lead",
        "confidence": 0.9, "status": "open"}
    assert review_item(pipeline, emails[0].email_id) is None
    with psycopg.connect(pipeline.database_url) as conn:
        ledger = {r[0] for r in conn.execute("SELECT idempotency_key FROM crm_ledger WHERE backend = 'hubspot'")}
        audited = conn.execute("SELECT status, response_summary FROM crm_events WHERE idempotency_key = %s",
                               (contact_key,)).fetchone()
    assert ledger == planned - {a.idempotency_key for a in bad.crm_actions[1:]}, "no ledger row for the refusal"
    assert audited == ("failed", by_key[contact_key].response_summary)
    assert "refused upsert_contact of email " + bad.email_id in pipeline.log("crm-sink")
    assert address not in pipeline.log("crm-sink"), "the refusal is logged with the address hashed"

    # A person fixes the address in HubSpot and clicks Create in CRM: the refused action is performed.
    hubspot.invalid_emails.clear()
    db = Database(pipeline.database_url).connect()
    try:
        crm = crm_writer(HubSpotCrm(hubspot_client(hubspot.token, hubspot.url), RequestBudget(100, 10.0)),
                         Ledger(db, "hubspot"))
        approved = approve(bad.email_id, RouteStore(db), crm)
    finally:
        db.close()
    assert [e.status for e in approved] == ["created", "created", "created", "created"]
    assert approved[0].object_id == by_key[bad.crm_actions[0].idempotency_key].object_id, "the ledger's result"
    assert address in {c["properties"]["email"] for c in hubspot.all("contacts")}



def failed(at: datetime) -> CrmEvent:
    return CrmEvent(email_id="e1", thread_id="t1", action="upsert_contact", object_type="contact", status="failed",
                    idempotency_key="e1:upsert_contact", backend="hubspot", response_summary="refused", at=at)


def test_the_review_upsert_opens_keeps_open_and_reopens_only_on_a_newer_refusal(database: Database) -> None:
    first = datetime.now(UTC) - timedelta(minutes=10)

    def go(conn: Connection) -> list[tuple]:
        seen = []
        def state() -> tuple:
            row = conn.fetchrow("SELECT reason, status, queue, intent, resolved_by FROM review_queue "
                                "WHERE email_id = 'e1'")
            return tuple(row)

        conn.command(UPSERT_REVIEW_REJECTED, *rejected_review_row(failed(first)))  # audit knows nothing yet
        seen.append(state())
        conn.command("UPDATE review_queue SET reason = 'suggest' WHERE email_id = 'e1'")
        conn.executemany(UPSERT_REVIEW_REJECTED, [rejected_review_row(failed(first))] * 2)  # a re-read
        seen.append(state())
        conn.command("UPDATE review_queue SET status = 'dismissed', resolved_at = now(), "
                     "resolved_by = 'alice' WHERE email_id = 'e1'")
        conn.command(UPSERT_REVIEW_REJECTED, *rejected_review_row(failed(first)))  # the same one again
        seen.append(state())
        conn.command(UPSERT_REVIEW_REJECTED,
                     *rejected_review_row(failed(datetime.now(UTC) + timedelta(seconds=1))))
        seen.append(state())
        seen.append(conn.fetchval("SELECT count(*) FROM review_queue"))
        return seen

    new, still_open, resolved, reopened, count = database.run(go)
    assert new == ("crm_rejected", "open", "unknown", "unknown", None)
    assert still_open == ("crm_rejected", "open", "unknown", "unknown", None)
    assert resolved == ("crm_rejected", "dismissed", "unknown", "unknown", "alice"), "an old refusal reopens nothing"
    assert reopened == ("crm_rejected", "open", "unknown", "unknown", None), "a newer refusal reopens it"
    assert count == 1
