"""ingest: the HTTP doors. ``POST /webhook/inbound`` takes raw MIME from mail providers;
``POST /webhook/email`` (push.py, when configured) takes Gmail's Pub/Sub pushes.

A call is answered 202 only after the broker acknowledged the ``email.raw``
record, so an accepted email is never lost; any failure is a 5xx and the
provider retries (the email id makes the retry harmless downstream).
"""

from __future__ import annotations

import time
from datetime import UTC, datetime

from fastapi import APIRouter, FastAPI, Header, HTTPException, Request, Response
from fastapi.concurrency import run_in_threadpool
from prometheus_client import CONTENT_TYPE_LATEST, Counter, generate_latest

from triage.domain.intake import raw_email
from triage.platform.publisher import RawPublisher
from triage.platform.settings import Settings
from triage_ingest.signature import SignatureError, verify

INGESTED = Counter("emails_ingested_total", "Emails published to email.raw", ["inbox"])
REJECTED = Counter("webhook_rejected_total", "Webhook calls refused", ["endpoint", "reason"])


def create_app(settings: Settings, publisher: RawPublisher, secret: bytes,
               gmail_push: APIRouter | None = None) -> FastAPI:
    app = FastAPI(title="triage ingest", docs_url=None, redoc_url=None)
    if gmail_push is not None:
        app.include_router(gmail_push)

    @app.get("/healthz")
    def healthz() -> dict[str, str]:
        return {"status": "ok"}

    @app.get("/metrics")
    def metrics() -> Response:
        return Response(generate_latest(), media_type=CONTENT_TYPE_LATEST)

    @app.post("/webhook/inbound", status_code=202)
    async def inbound(
        request: Request,
        x_triage_timestamp: str | None = Header(None),
        x_triage_signature: str | None = Header(None),
        x_triage_inbox: str | None = Header(None),
    ) -> dict[str, str]:
        body = await request.body()
        try:
            verify(secret, x_triage_timestamp, x_triage_signature, body, time.time())
        except SignatureError as exc:
            REJECTED.labels("inbound", "signature").inc()
            raise HTTPException(401, str(exc)) from exc
        if not body:
            raise HTTPException(400, "empty body: expected a raw RFC 5322 message")
        record = raw_email(body, source="webhook", received_at=datetime.now(UTC),
                           max_bytes=settings.triage_ingest_max_bytes, mailbox=x_triage_inbox)
        await run_in_threadpool(publish_acknowledged, publisher, record)
        INGESTED.labels(record.mailbox).inc()
        return {"email_id": record.email_id, "thread_id": record.thread_id}

    return app


def publish_acknowledged(publisher: RawPublisher, record) -> None:
    publisher.publish(record)
    publisher.flush(30)
