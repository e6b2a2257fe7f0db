"""audit: which routed emails open a review_queue item, with which reason (issue #8)."""

from __future__ import annotations

import re
from datetime import UTC, datetime, timedelta

import pytest

from tests.unit.services.test_audit_rows import (
    CRM_EVENT,
    EXTRACTION,
    ROUTED_EMAIL,
    FakeDatabase,
    inbound,
)
from triage.platform.topics import CRM_EVENTS, ROUTED
from triage_audit.handler import AuditHandler
from triage_audit.review import crm_review_reason, reopens, review_reason
from triage_audit.rows import (
    INSERT_REVIEW_APPROVAL,
    INSERT_REVIEW_ITEM,
    RUNS_LAST,
    UPSERT_CRM_EVENT,
    UPSERT_REVIEW_REJECTED,
    UPSERT_ROUTE,
    crm_event_row,
    rejected_review_row,
    review_item_row,
    route_row,
    rows_for,
)


def routed(**changes):
    return ROUTED_EMAIL.model_copy(update=changes)


@pytest.mark.parametrize(("changes", "reason"), [
    ({}, None),
    ({"band": "auto_write", "queue": "sales_inbound"}, None),
    ({"band": "suggest"}, "suggest"),
    ({"band": "review"}, "low_confidence"),
    ({"queue": "human_review", "rule": "low_confidence"}, "low_confidence"),
    ({"queue": "human_review", "rule": "fallback"}, "low_confidence"),
    ({"queue": "human_review", "rule": "invalid_extraction"}, "schema_failure"),
    # an invalid answer is a schema failure whatever band its fallback confidence falls in
    ({"queue": "human_review", "rule": "invalid_extraction", "band": "suggest"}, "schema_failure"),
    # the human_review queue outranks a suggest band: nothing will be written without a person
    ({"queue": "human_review", "band": "suggest"}, "low_confidence"),
], ids=["auto-write", "auto-write-sales", "suggest", "review-band", "low-confidence-rule", "fallback-rule",
        "invalid", "invalid-suggest", "human-queue-suggest"])
def test_the_reason_a_routed_email_needs_a_person(changes, reason) -> None:
    assert review_reason(routed(**changes)) == reason


def test_the_review_row_names_the_email_its_reason_and_what_route_decided() -> None:
    record = routed(band="review", queue="human_review", rule="low_confidence")
    assert review_item_row(record) == (record.email_id, record.thread_id, "low_confidence", "review",
                                       "human_review", "lead", EXTRACTION.confidence)
    assert review_item_row(routed()) is None


def test_the_review_insert_never_reopens_an_item() -> None:
    assert "INSERT INTO review_queue " in INSERT_REVIEW_ITEM
    conflict = INSERT_REVIEW_ITEM.split("ON CONFLICT (email_id)")[1]
    assert "status" not in conflict.split("WHERE")[0], "an existing item's status is never set (never reopened)"
    assert "WHERE review_queue.status = 'open'" in conflict, "only an open item is touched"
    assert "status" not in INSERT_REVIEW_ITEM.split("ON CONFLICT")[0], "a new item takes the default (open)"


def test_a_routed_record_becomes_its_route_row_and_a_review_row_only_when_it_needs_one() -> None:
    needs = routed(band="suggest")
    assert rows_for(ROUTED, needs) == [(UPSERT_ROUTE, route_row(needs)),
                                       (INSERT_REVIEW_ITEM, review_item_row(needs))]
    assert rows_for(ROUTED, routed()) == [(UPSERT_ROUTE, route_row(routed()))]


def test_the_handler_writes_review_rows_in_the_same_batch_transaction() -> None:
    db = FakeDatabase()
    handler = AuditHandler(db)
    review = routed(band="review", email_id="e-review")
    handler.handle(inbound(ROUTED, routed()))
    handler.handle(inbound(ROUTED, review))
    handler.flush()
    assert db.log == ["begin", (UPSERT_ROUTE, [route_row(routed()), route_row(review)]),
                      (INSERT_REVIEW_ITEM, [review_item_row(review)]), "commit"]
    db.close()


# -- the CRM refused the email's data: crm_rejected (CRM issue #7, point 3) ---------------------------
def crm_event(status: str, **changes):
    return CRM_EVENT.model_copy(update={"status": status, **changes})


@pytest.mark.parametrize(("status", "reason"), [
    ("failed", "crm_rejected"), ("created", None), ("updated", None), ("unchanged", None), ("ignored", None),
    ("awaiting_approval", "awaiting_approval")])
def test_a_refused_or_held_crm_action_needs_a_person(status, reason) -> None:
    assert crm_review_reason(crm_event(status)) == reason


def test_a_refused_action_becomes_its_crm_event_row_and_a_crm_rejected_review_row() -> None:
    failed = crm_event("failed", response_summary="HubSpot 400: VALIDATION_ERROR: ... (INVALID_EMAIL)")
    assert rows_for(CRM_EVENTS, failed) == [
        (UPSERT_CRM_EVENT, crm_event_row(failed)),
        (UPSERT_REVIEW_REJECTED, (failed.email_id, failed.thread_id, "crm_rejected", "auto_write", failed.at))]
    assert rows_for(CRM_EVENTS, crm_event("created")) == [(UPSERT_CRM_EVENT, crm_event_row(crm_event("created")))]
    assert rejected_review_row(crm_event("awaiting_approval")) is None


def test_a_held_write_opens_an_approval_item_that_keeps_any_existing_one() -> None:
    held = crm_event("awaiting_approval")
    assert rows_for(CRM_EVENTS, held) == [(UPSERT_CRM_EVENT, crm_event_row(held)),
                                          (INSERT_REVIEW_APPROVAL, (held.email_id, held.thread_id))]
    statement = " ".join(INSERT_REVIEW_APPROVAL.split())
    assert "'awaiting_approval', 'auto_write'" in statement and statement.endswith("ON CONFLICT (email_id) DO NOTHING")
    assert INSERT_REVIEW_APPROVAL in RUNS_LAST, "after the batch's routes: route's own reason wins"
    # route's item replaces only an open approval item, never a person's decision
    assert "WHERE review_queue.status = 'open' AND review_queue.reason = 'awaiting_approval'" in INSERT_REVIEW_ITEM


def test_a_written_action_keeps_its_first_time_in_crm_events() -> None:
    statement = " ".join(UPSERT_CRM_EVENT.split())
    assert ("at = CASE WHEN crm_events.status IN ('awaiting_approval', 'failed') THEN EXCLUDED.at "
            "ELSE crm_events.at END") in statement


def test_the_rejected_review_statement_is_one_idempotent_upsert_reading_route_and_extraction() -> None:
    statement = " ".join(UPSERT_REVIEW_REJECTED.split())
    assert statement.startswith("INSERT INTO review_queue (email_id, thread_id, reason, band, queue, intent, "
                                "confidence) SELECT")
    assert "LEFT JOIN routes r ON r.email_id = v.email_id" in statement
    assert "FROM extractions WHERE email_id = v.email_id ORDER BY created_at DESC LIMIT 1" in statement
    assert "ON CONFLICT (email_id) DO UPDATE SET" in statement
    assert len(set(re.findall(r"\$\d", statement))) == len(rejected_review_row(crm_event("failed")))


AT = datetime(2026, 3, 2, 10, 0, tzinfo=UTC)


@pytest.mark.parametrize(("status", "resolved_at", "reopens_it"), [
    ("open", None, True),  # stays open, its reason becomes crm_rejected
    ("approved", AT - timedelta(minutes=5), True),  # a person approved, the CRM refused again
    ("corrected", AT - timedelta(minutes=5), True),
    ("dismissed", AT - timedelta(minutes=5), True),
    ("approved", AT + timedelta(minutes=5), False),  # the same refusal read again after the resolution
    ("dismissed", AT, False),
    ("dismissed", None, True),
])
def test_a_refusal_reopens_a_resolved_item_only_when_it_is_newer(status, resolved_at, reopens_it) -> None:
    assert reopens(status, resolved_at, AT) is reopens_it


def test_the_handler_writes_rejected_review_rows_after_the_batchs_routes() -> None:
    db = FakeDatabase()
    handler = AuditHandler(db)
    failed = crm_event("failed")
    handler.handle(inbound(CRM_EVENTS, failed))  # may arrive before its email.routed record
    handler.handle(inbound(ROUTED, routed()))
    handler.flush()
    assert db.log == ["begin", (UPSERT_CRM_EVENT, [crm_event_row(failed)]), (UPSERT_ROUTE, [route_row(routed())]),
                      (UPSERT_REVIEW_REJECTED, [rejected_review_row(failed)]), "commit"]
    db.close()
