"""The ``crm_events`` upsert, shared by the two writers of that table: audit (reading
``crm.events``) and the admin (recording a Create in CRM at once, so the page shown next has
the outcome). One statement for both means the same record written by either, in any order,
leaves the same row."""

from __future__ import annotations

from triage.domain.models import CrmEvent

UPSERT_CRM_EVENT = """
INSERT INTO crm_events (idempotency_key, email_id, thread_id, action, object_type, object_id, status,
                        backend, response_summary, at)
VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10)
ON CONFLICT (idempotency_key) DO UPDATE SET
  object_id = COALESCE(EXCLUDED.object_id, crm_events.object_id), status = EXCLUDED.status,
  response_summary = EXCLUDED.response_summary,
  -- a written action keeps the time it was first written: a second Create in CRM or a replay
  -- re-announces the ledger's recorded result, it does not write again
  at = CASE WHEN crm_events.status IN ('awaiting_approval', 'failed') THEN EXCLUDED.at ELSE crm_events.at END
-- A replay of a held email re-announces its actions as awaiting_approval: that must not undo the
-- record of a write a person already approved and crm-sink or the admin performed.
WHERE crm_events.status = 'awaiting_approval' OR EXCLUDED.status <> 'awaiting_approval'
"""


def crm_event_row(e: CrmEvent) -> tuple:
    """The statement's parameters, in its column order."""
    return (e.idempotency_key, e.email_id, e.thread_id, e.action, e.object_type, e.object_id, e.status,
            e.backend, e.response_summary, e.at)
