"""Slack notices for queues that ask for one (config/queues.yaml ``slack.channel``), via slack_sdk's WebClient.

crm-sink announces each newly routed email of such a queue with ``chat.postMessage`` once its
batch's Kafka transaction has committed (``NotifyingHandler.committed``; an aborted batch
announces nothing). At most once per email: the notice is claimed in ``queue_notices`` (insert
if absent) before it is posted, so a redelivered batch, a replay or a second crm-sink instance
never posts it again; a crash between the claim and the post loses that one notice (it stays
``pending``, visible in the table). Posting runs on one background thread with its own database
pool, so a slow or absent Slack never holds the stage; a full queue drops notices (logged).

Slack's answers: ``ok: true`` (the message's ``ts`` is kept); HTTP 429 is waited out per
``Retry-After`` (capped, ``TRIAGE_SLACK_RETRY_AFTER_CAP_S``) and tried again, up to
``TRIAGE_SLACK_MAX_ATTEMPTS``; ``ok: false`` (``channel_not_found``, ``not_in_channel``,
``invalid_auth``...) is final: the row becomes ``failed`` with Slack's error code.

A notice carries no address, subject or body: the queue, priority, due time, intent, rule, the
sender as ``email:<hash>`` (the logs' hash) and the email id, linked to the admin's page.
"""

from __future__ import annotations

import logging
import queue
import random
import threading
import time
from collections.abc import Callable, Sequence
from typing import Any

from slack_sdk import WebClient
from slack_sdk.errors import SlackApiError, SlackRequestError
from slack_sdk.http_retry.builtin_handlers import RateLimitErrorRetryHandler
from slack_sdk.http_retry.state import RetryState

from triage.domain.models import RoutedEmail
from triage.domain.queues import QueueTable
from triage.platform.db import Database
from triage.platform.logs import hash_address, scrub
from triage.platform.runtime import Inbound, Outbound

log = logging.getLogger(__name__)

CLAIM = """
INSERT INTO queue_notices (email_id, queue, channel) VALUES ($1, $2, $3)
ON CONFLICT (email_id) DO NOTHING"""
SENT = "UPDATE queue_notices SET status = 'sent', slack_ts = $2 WHERE email_id = $1"
FAILED = "UPDATE queue_notices SET status = 'failed', error = $2 WHERE email_id = $1"


def notice_text(routed: RoutedEmail, admin_url: str | None = None) -> str:
    """The notice: what a person needs to pick the email up, nothing that identifies the sender."""
    due = f"due {routed.due_at:%Y-%m-%d %H:%M} UTC" if routed.due_at else "no SLA"
    sender = hash_address(routed.from_email) if routed.from_email else "no sender"
    where = (f"<{admin_url.rstrip('/')}/admin/emails/{routed.email_id}|open {routed.email_id} in the desk>"
             if admin_url else f"email `{routed.email_id}`")
    return (f":incoming_envelope: New {routed.extraction.intent} email in *{routed.queue}* "
            f"({routed.priority}, {due}) by rule `{routed.rule}`, from {sender}: {where}")


class CappedRetryAfter(RateLimitErrorRetryHandler):
    """Slack's 429: wait ``Retry-After`` (at most ``cap_s``), then try again (slack_sdk's handler, capped)."""

    def __init__(self, max_retry_count: int, cap_s: float, sleep: Callable[[float], None] = time.sleep) -> None:
        super().__init__(max_retry_count=max_retry_count)
        self.cap_s = cap_s
        self.sleep = sleep

    def prepare_for_next_attempt(self, *, state: RetryState, request: Any, response: Any = None,
                                 error: Exception | None = None) -> None:
        if response is None:
            raise error  # type: ignore[misc]
        state.next_attempt_requested = True
        values = next((v for k, v in response.headers.items() if k.lower() == "retry-after"), None)
        try:
            wait = float(values[0] if isinstance(values, list) else values)
        except (TypeError, ValueError, IndexError):
            wait = 1 + random.random()
        self.sleep(min(max(wait, 0.0), self.cap_s))
        state.increment_current_attempt()


def slack_client(token: str, base_url: str, *, timeout_s: float, max_attempts: int, retry_after_cap_s: float,
                 sleep: Callable[[float], None] = time.sleep) -> WebClient:
    return WebClient(token=token, base_url=base_url, timeout=max(int(timeout_s), 1),
                     retry_handlers=[CappedRetryAfter(max_attempts - 1, retry_after_cap_s, sleep)])


class NoticeLedger:
    """``queue_notices``: one row per announced email (migration 0006)."""

    def __init__(self, database: Database) -> None:
        self.db = database

    def claim(self, email_id: str, queue_name: str, channel: str) -> bool:
        return self.db.run(self.db.pool.execute(CLAIM, email_id, queue_name, channel)) != "INSERT 0 0"

    def sent(self, email_id: str, ts: str) -> None:
        self.db.run(self.db.pool.execute(SENT, email_id, ts))

    def failed(self, email_id: str, error: str) -> None:
        self.db.run(self.db.pool.execute(FAILED, email_id, error[:500]))


class QueueNotifier:
    """Claims, posts and records each notice on one background thread."""

    def __init__(self, client: WebClient, ledger: NoticeLedger, queues: QueueTable, admin_url: str | None = None,
                 max_pending: int = 1000) -> None:
        self.client, self.ledger, self.queues, self.admin_url = client, ledger, queues, admin_url
        self._queue: queue.Queue[RoutedEmail | None] = queue.Queue(max_pending)
        self._thread = threading.Thread(target=self._run, name="queue-notices", daemon=True)
        self._thread.start()

    def wants(self, routed: RoutedEmail) -> bool:
        return self.queues.of(routed.queue).slack is not None

    def submit(self, emails: Sequence[RoutedEmail]) -> None:
        for routed in emails:
            try:
                self._queue.put_nowait(routed)
            except queue.Full:
                log.error("queue notices: the queue is full, email %s not announced", routed.email_id)

    def post(self, routed: RoutedEmail) -> str | None:
        """Announce one email unless it was announced before; the message's ts, or None."""
        settings = self.queues.of(routed.queue).slack
        if settings is None or not self.ledger.claim(routed.email_id, routed.queue, settings.channel):
            return None
        try:
            answer = self.client.chat_postMessage(channel=settings.channel, text=notice_text(routed, self.admin_url),
                                                  unfurl_links=False)
        except SlackApiError as exc:  # ok: false, or a 429 past the attempts
            code = str(exc.response.get("error") or exc.response.status_code)
            self.ledger.failed(routed.email_id, code)
            log.error("queue notice for %s in %s refused by Slack: %s", routed.email_id, routed.queue, code)
            return None
        except (SlackRequestError, OSError) as exc:
            self.ledger.failed(routed.email_id, type(exc).__name__)
            log.error("queue notice for %s: Slack unreachable: %s", routed.email_id, scrub(str(exc)))
            return None
        self.ledger.sent(routed.email_id, str(answer.get("ts")))
        log.info("queue notice for %s posted in %s", routed.email_id, settings.channel)
        return str(answer.get("ts"))

    def _run(self) -> None:
        while (routed := self._queue.get()) is not None:
            try:
                self.post(routed)
            except Exception as exc:  # noqa: BLE001 - a notice must never take the stage down
                log.error("queue notice for %s failed: %s: %s", routed.email_id, type(exc).__name__,
                          scrub(str(exc)))
            finally:
                self._queue.task_done()

    def close(self, timeout_s: float = 10) -> None:
        try:
            self._queue.put(None, timeout=timeout_s)
        except queue.Full:
            return
        self._thread.join(timeout_s)


class NotifyingHandler:
    """crm-sink's handler, plus the notices of its batch's emails once the batch has committed."""

    def __init__(self, handler: Any, notifier: QueueNotifier) -> None:
        self.handler = handler
        self.notifier = notifier
        self.pending: list[RoutedEmail] = []

    def __getattr__(self, name: str) -> Any:  # prepare, flush, assigned... pass through
        return getattr(self.handler, name)

    def handle(self, record: Inbound) -> Sequence[Outbound]:
        outputs = self.handler.handle(record)
        if isinstance(record.value, RoutedEmail) and self.notifier.wants(record.value):
            self.pending.append(record.value)
        return outputs

    def committed(self) -> None:
        inner = getattr(self.handler, "committed", None)
        if inner is not None:
            inner()
        pending, self.pending = self.pending, []
        self.notifier.submit(pending)

    def discard(self) -> None:
        inner = getattr(self.handler, "discard", None)
        if inner is not None:
            inner()
        self.pending = []


def with_queue_notices(handler: Any, settings: Any, queues: QueueTable) -> Any:
    """The handler, announcing its queues' emails on Slack when a queue asks and a bot token is set."""
    wanted = sorted(name for name, q in queues.queues.items() if q.slack is not None)
    token = settings.triage_slack_bot_token.get_secret_value() if settings.triage_slack_bot_token else ""
    if not wanted:
        return handler
    if not token:
        log.warning("queues %s ask for Slack notices but TRIAGE_SLACK_BOT_TOKEN is not set: none are sent", wanted)
        return handler
    client = slack_client(token, settings.triage_slack_api_url, timeout_s=settings.triage_slack_timeout_s,
                          max_attempts=settings.triage_slack_max_attempts,
                          retry_after_cap_s=settings.triage_slack_retry_after_cap_s)
    ledger = NoticeLedger(Database(settings.require_database_url(), max_size=1).connect())  # its thread's own pool
    return NotifyingHandler(handler, QueueNotifier(client, ledger, queues, settings.triage_admin_public_url))
