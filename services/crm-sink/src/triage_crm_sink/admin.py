"""``POST /admin/crm/create {email_id}``: perform an email's planned CRM actions on one click.

MVP mode (``TRIAGE_CRM_AUTO_WRITE_INTENTS``): crm-sink announces the planned
writes of the other intents as ``awaiting_approval`` events; a person approves
them here. The planned actions come from the audit ``routes`` row (what route
decided, unchanged), run through the same backend and idempotency keys as the
stream (a second click returns the recorded results) and each outcome goes to
``crm.events``. Authenticated with a bearer token (constant-time compare);
anything else is 401 and changes nothing. ADR 0009 says why this is a process
of its own.
"""

from __future__ import annotations

import hmac
import json
import threading
from dataclasses import dataclass

from confluent_kafka import Producer
from fastapi import FastAPI, Header, HTTPException, Response
from prometheus_client import CONTENT_TYPE_LATEST, Counter, generate_latest
from pydantic import BaseModel

from triage.domain.models import CrmAction, CrmEvent
from triage.platform.db import Database
from triage.platform.errors import PermanentError, TransientError
from triage.platform.runtime import producer_config
from triage.platform.serde import Serde
from triage.platform.settings import Settings
from triage.platform.topics import CRM_EVENTS
from triage_crm_sink.handler import CrmBackend, perform_action

APPROVALS = Counter("crm_admin_requests", "POST /admin/crm/create calls by outcome", ["outcome"])


class CreateRequest(BaseModel):
    email_id: str


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
        row = self.db.run(self.db.pool.fetchrow(
            "SELECT thread_id, queue, ignored, actions FROM routes WHERE email_id = $1", email_id))
        if row is None:
            return None
        actions = row["actions"] if isinstance(row["actions"], list) else json.loads(row["actions"])
        return PlannedRoute(row["thread_id"], row["queue"], row["ignored"],
                            [CrmAction.model_validate(a) for a in actions])


class EventPublisher:
    """crm.events from outside the stream loop: idempotent producer, each record acknowledged."""

    def __init__(self, settings: Settings, serde: Serde | None = None) -> None:
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


def create_admin_app(token: str, routes: RouteStore, crm: CrmBackend, publisher: EventPublisher,
                     read_only: bool = False) -> FastAPI:
    """``read_only``: the standby colour of a blue/green pair answers but never writes."""
    app = FastAPI(title="triage crm admin", docs_url=None, redoc_url=None)
    one_at_a_time = threading.Lock()  # the database pool lives on one private event loop

    @app.get("/healthz")
    def healthz() -> dict[str, str]:
        return {"status": "ok"}

    @app.get("/metrics")
    def metrics() -> Response:
        return Response(generate_latest(), media_type=CONTENT_TYPE_LATEST)

    @app.post("/admin/crm/create")
    def create(request: CreateRequest, authorization: str | None = Header(None)) -> dict[str, object]:
        if not authorized(authorization, token):
            APPROVALS.labels("unauthorized").inc()
            raise HTTPException(401, "a valid bearer token is required", {"WWW-Authenticate": "Bearer"})
        if read_only:
            APPROVALS.labels("read_only").inc()
            raise HTTPException(403, "this admin is read-only (standby): use the live one")
        with one_at_a_time:
            events = approve(request.email_id, routes, crm)
            publisher.publish(events)
        APPROVALS.labels("performed").inc()
        return {"email_id": request.email_id, "events": [e.model_dump(mode="json") for e in events]}

    return app


def approve(email_id: str, routes: RouteStore, crm: CrmBackend) -> list[CrmEvent]:
    try:
        planned = routes.planned(email_id)
        if planned is None:
            raise HTTPException(404, f"no routed email {email_id} (is audit running?)")
        if planned.ignored or not planned.actions:
            raise HTTPException(409, f"email {email_id} plans no CRM write")
        return [perform_action(crm, email_id, planned.thread_id, planned.queue, a) for a in planned.actions]
    except TransientError as exc:
        APPROVALS.labels("transient").inc()
        raise HTTPException(503, f"try again: {exc}") from exc
    except PermanentError as exc:
        APPROVALS.labels("rejected").inc()
        raise HTTPException(422, f"the CRM refused: {exc}") from exc


def authorized(header: str | None, token: str) -> bool:
    scheme, _, presented = (header or "").partition(" ")
    return scheme.lower() == "bearer" and hmac.compare_digest(presented.strip().encode(), token.encode())
