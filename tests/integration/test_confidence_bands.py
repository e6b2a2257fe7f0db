"""Confidence bands on the real stack: a sure lead is written, an unsure one waits, a doubtful one is reviewed."""

from __future__ import annotations

import uuid
from datetime import UTC, datetime

import psycopg

from tests.support.band_texts import DOUBTFUL, SURE, UNSURE, message
from tests.support.kafka import decoded, wait_until
from tests.support.pipeline import Pipeline
from triage.domain.intake import raw_email
from triage.domain.models import CrmEvent, RoutedEmail
from triage.platform.publisher import RawPublisher
from triage.platform.topics import CRM_EVENTS, ROUTED


def send(pipeline: Pipeline, emails: dict[str, bytes]) -> dict[str, str]:
    """Publishes each message to email.raw; returns name -> email id."""
    publisher = RawPublisher(pipeline.settings)
    ids = {}
    for name, raw in emails.items():
        record = raw_email(raw, source="file", received_at=datetime.now(UTC), max_bytes=1 << 20)
        publisher.publish(record)
        ids[name] = record.email_id
    publisher.flush()
    return ids


def companies(pipeline: Pipeline, domains: list[str]) -> set[str]:
    with psycopg.connect(pipeline.database_url) as conn:
        rows = conn.execute("SELECT domain FROM crm_companies WHERE domain = ANY(%s)", (domains,)).fetchall()
    return {row[0] for row in rows}


def contacts_and_deals(pipeline: Pipeline, emails: list[str]) -> tuple[set[str], int]:
    with psycopg.connect(pipeline.database_url) as conn:
        contacts = {row[0] for row in conn.execute(
            "SELECT lower(email) FROM crm_contacts WHERE lower(email) = ANY(%s)", (emails,)).fetchall()}
        deals = conn.execute(
            "SELECT count(*) FROM crm_deals d JOIN crm_contacts c ON c.id = d.contact_id "
            "WHERE lower(c.email) = ANY(%s)", (emails,)).fetchone()[0]
    return contacts, deals


def test_each_band_writes_waits_or_reviews(pipeline: Pipeline) -> None:
    run = uuid.uuid4().hex[:8]
    domains = {name: f"{name}-{run}.com" for name in ("sure", "unsure", "doubtful")}
    texts = {"sure": SURE, "unsure": UNSURE, "doubtful": DOUBTFUL}
    pipeline.start_all()

    ids = send(pipeline, {name: message(*texts[name], domains[name]) for name in texts})

    def events() -> list[CrmEvent]:
        return [e for e in decoded(pipeline.settings, CRM_EVENTS) if e.email_id in ids.values()]

    wait_until(lambda: {e.email_id for e in events()} == set(ids.values()), 120, "crm.events for all three")
    routed = {r.email_id: r for r in decoded(pipeline.settings, ROUTED) if isinstance(r, RoutedEmail)}
    by_name = {name: routed[email_id] for name, email_id in ids.items()}
    assert {name: r.band for name, r in by_name.items()} == {
        "sure": "auto_write", "unsure": "suggest", "doubtful": "review"}
    assert by_name["doubtful"].queue == "human_review" and "review band" in by_name["doubtful"].reason
    assert by_name["sure"].queue == "sales_inbound"

    statuses = {name: {e.status for e in events() if e.email_id == ids[name]} for name in ids}
    assert statuses["sure"] <= {"created", "updated", "unchanged"} and statuses["sure"]
    assert statuses["unsure"] == statuses["doubtful"] == {"awaiting_approval"}
    summaries = {name: {e.response_summary for e in events() if e.email_id == ids[name]} for name in ids}
    assert all("suggest band" in s for s in summaries["unsure"])
    assert all("review band" in s for s in summaries["doubtful"])

    # Only the sure lead reached the local CRM.
    assert companies(pipeline, list(domains.values())) == {domains["sure"]}
    people = [f"jane@{domain}" for domain in domains.values()]
    assert contacts_and_deals(pipeline, people) == ({f"jane@{domains['sure']}"}, 1)

    # audit puts the two held emails (and only them) in the review queue, each with its reason.
    def review_items() -> dict[str, tuple[str, str, str]]:
        with psycopg.connect(pipeline.database_url) as conn:
            rows = conn.execute("SELECT email_id, reason, band, status FROM review_queue WHERE email_id = ANY(%s)",
                                (list(ids.values()),)).fetchall()
        return {row[0]: row[1:] for row in rows}

    wait_until(lambda: len(review_items()) == 2, 60, "review_queue rows for the two held emails")
    assert review_items() == {ids["unsure"]: ("suggest", "suggest", "open"),
                              ids["doubtful"]: ("low_confidence", "review", "open")}
