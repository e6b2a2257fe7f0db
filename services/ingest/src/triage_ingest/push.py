"""``POST /webhook/email``: Gmail's Pub/Sub push. Verify the OIDC token, record the notification, ack.

A valid push is answered 204 once the broker acknowledged its
``gmail.notifications`` record — nothing else: no Gmail call happens here, so
the answer is fast and Pub/Sub does not redeliver. The fetch worker does the
rest (fetch.py). Anything unauthenticated is 401, a token of another service
account 403, a body that is no Gmail notification 400; every refusal is counted.
"""

from __future__ import annotations

import asyncio
import threading
from datetime import UTC, datetime

from confluent_kafka import KafkaException, Producer
from fastapi import APIRouter, Header, HTTPException, Request, Response
from fastapi.concurrency import run_in_threadpool
from prometheus_client import Counter, Gauge

from triage.domain.models import GmailNotification
from triage.platform.metrics import inbox_label
from triage.platform.runtime import producer_config
from triage.platform.serde import Serde
from triage.platform.settings import KafkaSettings
from triage.platform.topics import GMAIL_NOTIFICATIONS
from triage_ingest.history import EnvelopeError, parse_push
from triage_ingest.oidc import PushAuthError, PushVerifier

PUSH_REJECTED = Counter("gmail_push_rejected_total", "Pub/Sub pushes refused", ["reason"])
PUSH_IGNORED = Counter("gmail_push_ignored_total",
                       "Authentic pushes for a mailbox not in TRIAGE_GMAIL_MAILBOXES (acked, not recorded)")
PUSH_ACCEPTED = Counter("gmail_push_accepted_total", "Pub/Sub pushes recorded", ["mailbox"])
LAST_NOTIFICATION = Gauge("gmail_last_notification_timestamp_seconds",
                          "When the last Pub/Sub push for a mailbox arrived", ["mailbox"])


class NotificationPublisher:
    """Publishes notifications and lets each request await its own broker acknowledgement."""

    def __init__(self, settings: KafkaSettings, serde: Serde | None = None, ack_timeout_s: float = 10) -> None:
        self.settings = settings
        self.serde = serde or Serde()
        self.ack_timeout_s = ack_timeout_s
        self._producer: Producer | None = None
        self._lock = threading.Lock()

    @property
    def producer(self) -> Producer:
        with self._lock:
            if self._producer is None:
                self._producer = Producer({**producer_config(self.settings, None), "linger.ms": 1})
                threading.Thread(target=self._serve_callbacks, name="notification-acks", daemon=True).start()
        return self._producer

    def _serve_callbacks(self) -> None:
        while True:
            self._producer.poll(0.05)

    async def publish(self, note: GmailNotification) -> None:
        loop = asyncio.get_running_loop()
        acked: asyncio.Future[None] = loop.create_future()

        def on_delivery(error: object, _message: object) -> None:
            loop.call_soon_threadsafe(_settle, acked, error)

        self.producer.produce(self.settings.topic(GMAIL_NOTIFICATIONS), key=note.mailbox.encode(),
                              value=self.serde.encode(GMAIL_NOTIFICATIONS, note), on_delivery=on_delivery)
        await asyncio.wait_for(acked, self.ack_timeout_s)


def _settle(future: asyncio.Future[None], error: object) -> None:
    if future.done():
        return
    if error is None:
        future.set_result(None)
    else:
        future.set_exception(KafkaException(error))


def push_router(verifier: PushVerifier, publisher: NotificationPublisher, mailboxes: list[str]) -> APIRouter:
    router = APIRouter()
    known = set(mailboxes)

    @router.post("/webhook/email", status_code=204)
    async def gmail_push(request: Request, authorization: str | None = Header(None)) -> Response:
        try:
            # Certificates are cached; a refetch (rare) must not block the event loop.
            await run_in_threadpool(verifier.verify, authorization)
        except PushAuthError as exc:
            PUSH_REJECTED.labels(exc.reason).inc()
            raise HTTPException(exc.status, str(exc)) from exc
        try:
            push = parse_push(await request.body())
        except EnvelopeError as exc:
            PUSH_REJECTED.labels("envelope").inc()
            raise HTTPException(400, str(exc)) from exc
        if known and push.mailbox not in known:
            PUSH_IGNORED.inc()  # acked: a redelivery could not change the answer
            return Response(status_code=204)
        now = datetime.now(UTC)
        await publisher.publish(GmailNotification(
            mailbox=push.mailbox, history_id=push.history_id, received_at=now, source="pubsub",
            pubsub_message_id=push.pubsub_message_id))
        PUSH_ACCEPTED.labels(inbox_label(push.mailbox)).inc()
        LAST_NOTIFICATION.labels(inbox_label(push.mailbox)).set(now.timestamp())
        return Response(status_code=204)

    return router
