"""Slack notices for queues that ask for one (config/queues.yaml ``slack.channel``), via slack_sdk's WebClient.

crm-sink announces each newly routed email of such a queue with ``chat.postMessage`` once its
batch's Kafka transaction has committed (``NotifyingHandler.committed``; an aborted batch
announces nothing). At most once per email: the notice is claimed in ``queue_notices`` (insert
if absent) before it is posted, so a redelivered batch, a replay or a second crm-sink instance
never posts it again; a crash between the claim and the post loses that one notice (it stays
``pending``, visible in the table). Posting runs on one background thread
(``triage.platform.slack.PostingThread``), its claims on the stage's database pool, so a slow or
absent Slack never holds the stage; a full queue drops notices (logged).

Slack's answers: ``ok: true`` (the message's ``ts`` is kept); HTTP 429 is waited out per
``Retry-After`` (seconds or an HTTP date, capped, ``TRIAGE_SLACK_RETRY_AFTER_CAP_S``; none or
unreadable: 1 s doubling) and tried again, up to ``TRIAGE_SLACK_MAX_ATTEMPTS`` (tenacity and
``triage.platform.retrying``, as the dead-letter webhook; slack_sdk's own retries are off); ``ok: false`` (``channel_not_found``, ``not_in_channel``,
``invalid_auth``...) is final: the row becomes ``failed`` with Slack's error code.

A notice carries no address, subject or body: the queue, priority, due time, intent, rule, the
sender as ``email:<hash>`` (the logs' hash) and the email id, linked to the admin's page.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Callable, Sequence
from typing import Any

from slack_sdk import WebClient
from slack_sdk.errors import SlackApiError, SlackRequestError
from slack_sdk.web import SlackResponse
from tenacity import Retrying, retry_if_exception_type, stop_after_attempt

from triage.domain.models import RoutedEmail
from triage.domain.queues import QueueTable
from triage.platform.db import Database
from triage.platform.handler import Handler
from triage.platform.logs import hash_address, scrub
from triage.platform.retrying import RetryAfterError, backoff, parse_retry_after
from triage.platform.runtime import Inbound, Outbound
from triage.platform.settings.secrets import secret_value
from triage.platform.slack import PostingThread

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


class SlackRateLimited(RetryAfterError):
    """Slack's 429 on a Web API call: its ``Retry-After`` (None: none or unreadable), and its error."""

    def __init__(self, error: SlackApiError, retry_after_s: float | None) -> None:
        super().__init__(str(error), retry_after_s=retry_after_s)
        self.error = error


class SlackChat:
    """``chat.postMessage`` through slack_sdk's WebClient (its own retries off): a 429 is waited out
    (tenacity, retrying.backoff: its ``Retry-After``, at most ``retry_after_cap_s``) and sent again,
    ``max_attempts`` in all; past them, or any other refusal, Slack's ``SlackApiError`` is raised."""

    def __init__(self, client: WebClient, *, max_attempts: int, retry_after_cap_s: float,
                 sleep: Callable[[float], None] = time.sleep) -> None:
        self.client = client
        self.max_attempts = max_attempts
        self.retry_after_cap_s = retry_after_cap_s
        self.sleep = sleep

    def post_message(self, **arguments: Any) -> SlackResponse:
        attempts = Retrying(stop=stop_after_attempt(self.max_attempts),
                            wait=backoff(1.0, self.retry_after_cap_s, jitter_s=1.0),
                            retry=retry_if_exception_type(SlackRateLimited), sleep=self.sleep, reraise=True)
        try:
            return attempts(self._post_once, arguments)
        except SlackRateLimited as exc:
            raise exc.error from None

    def _post_once(self, arguments: dict[str, Any]) -> SlackResponse:
        try:
            return self.client.chat_postMessage(**arguments)
        except SlackApiError as exc:
            if exc.response.status_code != 429:
                raise
            value = next((v for k, v in (exc.response.headers or {}).items() if k.lower() == "retry-after"), None)
            if isinstance(value, list):  # a header as slack_sdk's retry handlers see it
                value = value[0] if value else None
            raise SlackRateLimited(exc, parse_retry_after(value)) from exc


def slack_client(token: str, base_url: str, *, timeout_s: float, max_attempts: int, retry_after_cap_s: float,
                 sleep: Callable[[float], None] = time.sleep) -> SlackChat:
    client = WebClient(token=token, base_url=base_url, timeout=max(int(timeout_s), 1), retry_handlers=[])
    return SlackChat(client, max_attempts=max_attempts, retry_after_cap_s=retry_after_cap_s, sleep=sleep)


class NoticeLedger:
    """``queue_notices``: one row per announced email (migration 0006)."""

    def __init__(self, database: Database) -> None:
        self.db = database

    def claim(self, email_id: str, queue_name: str, channel: str) -> bool:
        return self.db.run(lambda conn: conn.command(CLAIM, email_id, queue_name, channel)) != "INSERT 0 0"

    def sent(self, email_id: str, ts: str) -> None:
        self.db.run(lambda conn: conn.command(SENT, email_id, ts))

    def failed(self, email_id: str, error: str) -> None:
        self.db.run(lambda conn: conn.command(FAILED, email_id, error[:500]))


class QueueNotifier:
    """Claims, posts and records each notice on one background thread."""

    def __init__(self, client: SlackChat, ledger: NoticeLedger, queues: QueueTable, admin_url: str | None = None,
                 max_pending: int = 1000) -> None:
        self.client, self.ledger, self.queues, self.admin_url = client, ledger, queues, admin_url
        self._poster = PostingThread(self.post, name="queue-notices", max_pending=max_pending,
                                     what=lambda routed: f"queue notice for {routed.email_id}")

    def wants(self, routed: RoutedEmail) -> bool:
        return self.queues.of(routed.queue).slack is not None

    def submit(self, emails: Sequence[RoutedEmail]) -> None:
        for routed in emails:
            self._poster.submit(routed)

    def post(self, routed: RoutedEmail) -> str | None:
        """Announce one email unless it was announced before; the message's ts, or None."""
        settings = self.queues.of(routed.queue).slack
        if settings is None or not self.ledger.claim(routed.email_id, routed.queue, settings.channel):
            return None
        try:
            answer = self.client.post_message(channel=settings.channel, text=notice_text(routed, self.admin_url),
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

    def close(self, timeout_s: float = 10) -> None:
        self._poster.close(timeout_s)


class NotifyingHandler(Handler):
    """crm-sink's handler, plus the notices of its batch's emails once the batch has committed.

    Every hook is the wrapped handler's, called explicitly (a hook the base class grows must be
    added here: tests/unit/crm/test_queue_notices.py checks that each one is)."""

    def __init__(self, handler: Handler, notifier: QueueNotifier) -> None:
        self.handler = handler
        self.notifier = notifier
        self.pending: list[RoutedEmail] = []

    def handle(self, record: Inbound) -> Sequence[Outbound]:
        outputs = self.handler.handle(record)
        if isinstance(record.value, RoutedEmail) and self.notifier.wants(record.value):
            self.pending.append(record.value)
        return outputs

    def prepare(self, records: Sequence[Inbound]) -> None:
        self.handler.prepare(records)

    def observe(self, record: Inbound, outputs: Sequence[Outbound]) -> None:
        self.handler.observe(record, outputs)

    def flush(self) -> None:
        self.handler.flush()

    def committed(self) -> None:
        self.handler.committed()
        pending, self.pending = self.pending, []
        self.notifier.submit(pending)

    def discard(self) -> None:
        self.handler.discard()
        self.pending = []

    def assigned(self, partitions: dict[str, list[int]]) -> None:
        self.handler.assigned(partitions)

    def revoked(self, partitions: dict[str, list[int]]) -> None:
        self.handler.revoked(partitions)


def with_queue_notices(handler: Handler, settings: Any, queues: QueueTable, database: Database) -> Handler:
    """The handler, announcing its queues' emails on Slack when a queue asks and a bot token is set;
    the notices' claims on ``database``, the stage's pool (its posting thread borrows a connection
    per claim and per outcome, as the stage's threads do: ADR 0037)."""
    wanted = sorted(name for name, q in queues.queues.items() if q.slack is not None)
    token = secret_value(settings.triage_slack_bot_token)
    if not wanted:
        return handler
    if not token:
        log.warning("queues %s ask for Slack notices but TRIAGE_SLACK_BOT_TOKEN is not set: none are sent", wanted)
        return handler
    client = slack_client(token, settings.triage_slack_api_url, timeout_s=settings.triage_slack_timeout_s,
                          max_attempts=settings.triage_slack_max_attempts,
                          retry_after_cap_s=settings.triage_slack_retry_after_cap_s)
    ledger = NoticeLedger(database)
    return NotifyingHandler(handler, QueueNotifier(client, ledger, queues, settings.triage_admin_public_url))
