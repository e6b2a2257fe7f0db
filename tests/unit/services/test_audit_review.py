"""audit: which routed emails open a review_queue item, with which reason (issue #8)."""

from __future__ import annotations

import pytest

from tests.unit.services.test_audit_rows import EXTRACTION, ROUTED_EMAIL, FakeDatabase, inbound
from triage.platform.topics import ROUTED
from triage_audit.handler import AuditHandler
from triage_audit.review import review_reason
from triage_audit.rows import INSERT_REVIEW_ITEM, UPSERT_ROUTE, review_item_row, route_row, rows_for


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
    assert "ON CONFLICT (email_id) DO NOTHING" in INSERT_REVIEW_ITEM
    assert "status" not in INSERT_REVIEW_ITEM, "a new item takes the table's default status (open)"


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
