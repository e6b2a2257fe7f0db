"""The CRM approval path of MVP mode: what route planned for an email, performed on one click.

The planned actions come from the audit ``routes`` row (what route decided, or what a person's
correction re-decided, ADR 0025), run through the same backend and idempotency keys as the
stream (a second click returns the recorded results) and each outcome goes to ``crm.events``
(ADR 0009).
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import UTC, datetime

from confluent_kafka import Producer
from fastapi import HTTPException
from prometheus_client import Counter

from triage.domain.models import CrmAction, CrmEvent
from triage.platform.db import Database
from triage.platform.errors import CrmRejected, PermanentError, TransientError
from triage.platform.runtime import producer_config
from triage.platform.serde import Serde
from triage.platform.settings import KafkaSettings
from triage.platform.topics import CRM_EVENTS
from triage_crm.perform import CrmBackend, perform_action

APPROVALS = Counter("crm_admin_requests", "POST /admin/crm/create calls by outcome", ["outcome"])


@dataclass(frozen=True)
class PlannedRoute:
    thread_id: str
    queue: str
    ignored: bool
    actions: list[CrmAction]


class RouteStore:
    """Reads what route planned for an email from the audit ``routes`` table."""

    def __init__(self, database: Database) -> None:
        self.db = database

    def planned(self, email_id: str) -> PlannedRoute | None:
        row = self.db.run(lambda conn: conn.fetchrow(
            "SELECT thread_id, queue, ignored, actions FROM routes WHERE email_id = $1", email_id))
        if row is None:
            return None
        actions = row["actions"] if isinstance(row["actions"], list) else json.loads(row["actions"])
        return PlannedRoute(row["thread_id"], row["queue"], row["ignored"],
                            [CrmAction.model_validate(a) for a in actions])


class EventPublisher:
    """crm.events from outside the stream loop: idempotent producer, each record acknowledged."""

    def __init__(self, settings: KafkaSettings, serde: Serde | None = None) -> None:
        self.settings = settings
        self.serde = serde or Serde()
        self.producer = Producer(producer_config(settings, transactional_id=None))

    def publish(self, events: list[CrmEvent]) -> None:
        errors: list[str] = []
        for event in events:
            self.producer.produce(self.settings.topic(CRM_EVENTS), key=event.thread_id.encode(),
                                  value=self.serde.encode(CRM_EVENTS, event),
                                  on_delivery=lambda err, _msg: errors.append(str(err)) if err else None)
        remaining = self.producer.flush(30)
        if remaining or errors:
            raise TransientError(f"crm.events: {remaining} unacknowledged, errors: {errors[:3]}")


class Refused(HTTPException):
    """422 for a CRM refusal, carrying the events of what this click did do (to publish them)."""

    def __init__(self, detail: str, events: list[CrmEvent]) -> None:
        super().__init__(422, detail)
        self.events = events


def refused_event(email_id: str, thread_id: str, action: CrmAction, backend: str, exc: CrmRejected) -> CrmEvent:
    return CrmEvent(email_id=email_id, thread_id=thread_id, action=action.action, object_type=action.object_type,
                    status="failed", idempotency_key=action.idempotency_key, backend=backend,
                    response_summary=str(exc), at=datetime.now(UTC))


def approve(email_id: str, routes: RouteStore, crm: CrmBackend) -> list[CrmEvent]:
    try:
        planned = routes.planned(email_id)
        if planned is None:
            raise HTTPException(404, f"no routed email {email_id} (is audit running?)")
        if planned.ignored or not planned.actions:
            raise HTTPException(409, f"email {email_id} plans no CRM write")
        events: list[CrmEvent] = []
        for action in planned.actions:
            try:
                events.append(perform_action(crm, email_id, planned.thread_id, planned.queue, action))
            except CrmRejected as exc:  # what was done stays announced, with the refusal after it
                APPROVALS.labels("rejected").inc()
                events.append(refused_event(email_id, planned.thread_id, action, crm.backend, exc))
                raise Refused(f"the CRM refused: {exc}", events) from exc
        return events
    except TransientError as exc:
        APPROVALS.labels("transient").inc()
        raise HTTPException(503, f"try again: {exc}") from exc
    except PermanentError as exc:
        APPROVALS.labels("rejected").inc()
        raise HTTPException(422, f"the CRM refused: {exc}") from exc
