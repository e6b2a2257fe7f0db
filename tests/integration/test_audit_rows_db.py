"""audit's upserts against a real PostgreSQL: what a replayed record may and may not overwrite."""

from __future__ import annotations

from datetime import UTC, datetime

from tests.unit.services.test_audit_rows import ROUTED_EMAIL
from triage.domain.models import CrmEvent
from triage.platform.db import Connection, Database
from triage_audit.rows import UPSERT_CRM_EVENT, UPSERT_ROUTE, crm_event_row, route_row


def event(status: str, object_id: str | None) -> CrmEvent:
    return CrmEvent(email_id="e1", thread_id="t1", action="create_deal", object_type="deal", object_id=object_id,
                    status=status, idempotency_key="e1:create_deal", backend="local",
                    response_summary=status, at=datetime.now(UTC))


def write_then_read(db: Database, *events: CrmEvent) -> tuple[str, str | None]:
    def go(conn: Connection) -> tuple[str, str | None]:
        for e in events:
            conn.command(UPSERT_CRM_EVENT, *crm_event_row(e))
        row = conn.fetchrow("SELECT status, object_id FROM crm_events WHERE idempotency_key = $1",
                            "e1:create_deal")
        return row["status"], row["object_id"]
    return db.run(go)


def test_a_replayed_announcement_does_not_undo_a_performed_write(database: Database) -> None:
    # held (suggest band) -> approved and written by the admin -> the email replayed: announced again
    assert write_then_read(database, event("awaiting_approval", None), event("created", "42"),
                           event("awaiting_approval", None)) == ("created", "42")


def test_the_write_after_an_announcement_is_recorded(database: Database) -> None:
    assert write_then_read(database, event("awaiting_approval", None), event("created", "42")) == ("created", "42")


def test_a_later_outcome_replaces_an_earlier_one_and_keeps_the_object(database: Database) -> None:
    assert write_then_read(database, event("created", "42"), event("unchanged", None)) == ("unchanged", "42")


def route_after_rerouting(db: Database, corrected: bool) -> tuple[str, str, str | None]:
    """The model's route written, (a person's correction re-deciding it), the email routed again."""
    def go(conn: Connection) -> tuple[str, str, str | None]:
        conn.command(UPSERT_ROUTE, *route_row(ROUTED_EMAIL))
        if corrected:
            conn.command("UPDATE routes SET queue = 'support', rule = 'support_request', "
                         "corrected_by = 'alice', corrected_at = now() WHERE email_id = $1",
                         ROUTED_EMAIL.email_id)
        else:
            conn.command("UPDATE routes SET queue = 'stale' WHERE email_id = $1", ROUTED_EMAIL.email_id)
        conn.command(UPSERT_ROUTE, *route_row(ROUTED_EMAIL))
        row = conn.fetchrow("SELECT queue, rule, corrected_by FROM routes WHERE email_id = $1",
                            ROUTED_EMAIL.email_id)
        return row["queue"], row["rule"], row["corrected_by"]
    return db.run(go)


def test_routing_an_email_again_does_not_undo_a_persons_correction(database: Database) -> None:
    assert route_after_rerouting(database, corrected=True) == ("support", "support_request", "alice")


def test_routing_an_uncorrected_email_again_replaces_its_route(database: Database) -> None:
    assert route_after_rerouting(database, corrected=False) == ("sales_inbound", "hot_lead", None)
