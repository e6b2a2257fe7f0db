"""ingest: the HTTP doors. ``POST /webhook/inbound`` takes raw MIME from mail providers;
``POST /webhook/email`` (push.py, when configured) takes Gmail's Pub/Sub pushes.

A call is answered 202 only after the broker acknowledged the ``email.raw``
record, so an accepted email is never lost; any failure is a 5xx and the
provider retries (the email id makes the retry harmless downstream).

Hostile calls cost little: the signature headers are checked before the body is
read (401 missing or stale, 400 malformed), the body is read up to
``TRIAGE_INGEST_MAX_BYTES`` plus a margin (413 beyond), a signature already
published is answered without publishing again, and a body that is no RFC 5322
message is 422.
"""

from __future__ import annotations

import re
import time
from datetime import UTC, datetime

from fastapi import APIRouter, FastAPI, Header, HTTPException, Request, Response
from fastapi.concurrency import run_in_threadpool
from prometheus_client import CONTENT_TYPE_LATEST, Counter, generate_latest

from triage.domain.intake import not_a_message, raw_email
from triage.platform.metrics import inbox_label
from triage.platform.publisher import RawPublisher
from triage.platform.settings import IngestSettings
from triage_ingest.signature import (
    Accepted,
    SeenSignatures,
    SignatureError,
    check_body,
    check_headers,
)

INGESTED = Counter("emails_ingested_total", "Emails published to email.raw", ["inbox"])
REJECTED = Counter("webhook_rejected_total", "Webhook calls refused", ["endpoint", "reason"])
REPLAYED = Counter("webhook_replays_total", "Signed calls seen before: answered, not published again")
#: Read past TRIAGE_INGEST_MAX_BYTES before refusing: larger messages are still kept, cut and
#: flagged (intake), up to this much more.
BODY_MARGIN_BYTES = 64 * 1024
_INBOX = re.compile(r"[!-~]{1,254}")


class BodyTooLarge(Exception):
    pass


def create_app(settings: IngestSettings, publisher: RawPublisher, secret: bytes,
               gmail_push: APIRouter | None = None, seen: SeenSignatures | None = None) -> FastAPI:
    app = FastAPI(title="triage ingest", docs_url=None, redoc_url=None)
    if gmail_push is not None:
        app.include_router(gmail_push)
    seen = seen if seen is not None else SeenSignatures()
    limit = settings.triage_ingest_max_bytes + BODY_MARGIN_BYTES

    @app.get("/healthz")
    def healthz() -> dict[str, str]:
        return {"status": "ok"}

    @app.get("/metrics")
    def metrics() -> Response:
        return Response(generate_latest(), media_type=CONTENT_TYPE_LATEST)

    @app.post("/webhook/inbound", status_code=202)
    async def inbound(
        request: Request,
        response: Response,
        x_triage_timestamp: str | None = Header(None),
        x_triage_signature: str | None = Header(None),
        x_triage_inbox: str | None = Header(None),
    ) -> dict[str, str]:
        sent_at = refuse_unsigned(x_triage_timestamp, x_triage_signature)  # before the body
        if x_triage_inbox is not None and not _INBOX.fullmatch(x_triage_inbox):
            raise refused("header", 400, "X-Triage-Inbox is not a mailbox address")
        body = await capped_body(request, limit)
        try:
            check_body(secret, x_triage_timestamp or "", x_triage_signature or "", body)
        except SignatureError as exc:
            raise refused("signature", exc.status, str(exc)) from exc
        earlier = seen.get(x_triage_signature or "", time.time())
        if earlier is not None:
            REPLAYED.inc()
            response.status_code = 200
            return {"email_id": earlier.email_id, "thread_id": earlier.thread_id, "replayed": "true"}
        if not body:
            raise refused("not_an_email", 400, "empty body: expected a raw RFC 5322 message")
        problem = not_a_message(body)
        if problem is not None:
            raise refused("not_an_email", 422, f"the body is not an RFC 5322 message: {problem}")
        record = raw_email(body, source="webhook", received_at=datetime.now(UTC),
                           max_bytes=settings.triage_ingest_max_bytes, mailbox=x_triage_inbox)
        await run_in_threadpool(publish_acknowledged, publisher, record)
        seen.add(x_triage_signature or "", sent_at, Accepted(record.email_id, record.thread_id))
        INGESTED.labels(inbox_label(record.mailbox)).inc()
        return {"email_id": record.email_id, "thread_id": record.thread_id}

    return app


def refused(reason: str, status: int, detail: str) -> HTTPException:
    REJECTED.labels("inbound", reason).inc()
    return HTTPException(status, detail)


def refuse_unsigned(timestamp: str | None, signature: str | None) -> int:
    try:
        return check_headers(timestamp, signature, time.time())
    except SignatureError as exc:
        raise refused("signature" if exc.status == 401 else "header", exc.status, str(exc)) from exc


async def capped_body(request: Request, limit: int) -> bytes:
    """The body, or 413 as soon as it is announced or read past ``limit`` bytes."""
    declared = request.headers.get("content-length", "")
    if declared and (not declared.isdigit() or int(declared) > limit):
        raise refused("too_large", 413 if declared.isdigit() else 400,
                      f"body larger than {limit} bytes" if declared.isdigit() else "bad Content-Length")
    chunks: list[bytes] = []
    size = 0
    async for chunk in request.stream():
        size += len(chunk)
        if size > limit:
            raise refused("too_large", 413, f"body larger than {limit} bytes")
        chunks.append(chunk)
    return b"".join(chunks)


def publish_acknowledged(publisher: RawPublisher, record) -> None:
    publisher.publish(record)
    publisher.flush(30)
