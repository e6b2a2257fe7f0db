"""The admin process's HTTP surface: the JSON API (bearer tokens) and, mounted on it, the web UI.

API: ``POST /admin/crm/create {email_id}`` performs an email's planned CRM actions (MVP mode,
ADR 0009); ``POST /admin/replay {email_id}`` re-drives an email from its raw record (ADR
0011); ``GET /healthz``, ``GET /metrics``. A write needs ``Authorization: Bearer <token>`` of
one of the configured admins (the actor recorded in ``admin_actions``); anything else is 401
with ``WWW-Authenticate`` and changes nothing. A read-only admin (the blue/green standby)
answers 403 to every write. The UI (``triage_admin.ui``) uses sessions instead.
"""

from __future__ import annotations

from fastapi import Depends, FastAPI, Header, HTTPException, Request, Response
from prometheus_client import CONTENT_TYPE_LATEST, Counter, generate_latest
from pydantic import BaseModel

from triage.platform.settings.secrets import DEFAULT_ACTOR
from triage_admin.auth import (
    Admins,
    Throttled,
    bearer_token,
    client_address,
)
from triage_admin.crm import APPROVALS, EventPublisher, PlannedRoute, RouteStore, approve
from triage_admin.desk import AdminDesk
from triage_admin.ui import UiConfig, mount_ui
from triage_crm.perform import CrmBackend

__all__ = ["EventPublisher", "PlannedRoute", "RouteStore", "approve", "create_admin_app"]

REPLAYS = Counter("crm_admin_replay_requests", "POST /admin/replay calls by outcome", ["outcome"])


class EmailRequest(BaseModel):
    email_id: str


def create_admin_app(auth: str | Admins, routes: RouteStore, crm: CrmBackend, publisher: EventPublisher,
                     read_only: bool = False, desk: AdminDesk | None = None,
                     ui: UiConfig | None = None) -> FastAPI:
    """``auth``: the admins, or one token (the actor "admin"); ``desk`` with a store and ``ui``
    turn on replay, the trail and the web UI; ``read_only``: answers, never writes."""
    admins = auth if isinstance(auth, Admins) else Admins([(DEFAULT_ACTOR, auth)], fingerprint_key=b"single")
    desk = desk or AdminDesk(routes, crm, publisher)
    app = FastAPI(title="triage admin", docs_url=None, redoc_url=None, openapi_url=None)

    def api_actor(request: Request, authorization: str | None = Header(None)) -> str:
        try:
            admin = admins.authenticate(bearer_token(authorization), client_address(request))
        except Throttled as exc:
            raise HTTPException(429, str(exc), {"Retry-After": str(exc.retry_after_s)}) from exc
        if admin is None:
            raise HTTPException(401, "a valid bearer token is required", {"WWW-Authenticate": "Bearer"})
        return admin.actor

    def writer(counter: Counter):
        def check(request: Request, authorization: str | None = Header(None)) -> str:
            try:
                actor = api_actor(request, authorization)
            except HTTPException:
                counter.labels("unauthorized").inc()
                raise
            if read_only:
                counter.labels("read_only").inc()
                raise HTTPException(403, "this admin is read-only (standby): use the live one")
            return actor
        return check

    @app.get("/healthz")
    def healthz() -> dict[str, str]:
        return {"status": "ok"}

    @app.get("/metrics")
    def metrics() -> Response:
        return Response(generate_latest(), media_type=CONTENT_TYPE_LATEST)

    @app.post("/admin/crm/create")
    def create(request: EmailRequest, actor: str = Depends(writer(APPROVALS))) -> dict[str, object]:
        outcome = desk.create_in_crm(request.email_id, actor)
        APPROVALS.labels("already_in_crm" if outcome.already_in_crm else "performed").inc()
        return {"email_id": request.email_id, "already_in_crm": outcome.already_in_crm,
                "events": [e.model_dump(mode="json") for e in outcome.events]}

    @app.post("/admin/replay", status_code=202)
    def replay(request: EmailRequest, actor: str = Depends(writer(REPLAYS))) -> dict[str, object]:
        replay_id = desk.replay_email(request.email_id, actor)
        REPLAYS.labels("published").inc()
        return {"email_id": request.email_id, "replay_id": replay_id, "topic": "email.raw"}

    if ui is not None and desk.store is not None:
        mount_ui(app, admins, desk, ui, read_only)
    return app
