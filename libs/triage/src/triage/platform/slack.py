"""Slack notifications of dead-letter arrivals (an incoming webhook, ``TRIAGE_SLACK_WEBHOOK_URL``).

The audit service calls ``DlqNotifier.notify`` with the letters whose
``dead_letters`` rows it has just inserted (new rows only, so a re-consumed
batch notifies nothing twice). One message per batch: a line per letter (at
most ``MAX_LINES``) with the ``triage dlq replay`` command that replays it.
Posting happens on one background thread, so a slow or absent Slack never
holds the audit stage; a full queue drops the notification (logged) rather
than block. Slack's incoming-webhook answers: 200 ``ok``; 429 with
``Retry-After`` and 5xx are retried (tenacity and retrying.py's wait, ``TRIAGE_SLACK_MAX_ATTEMPTS``);
400 ``invalid_payload``, 403, 404 ``no_service``, 410 are permanent.
Messages carry no email address: error messages are scrubbed like the logs.
"""

from __future__ import annotations

import logging
import queue
import threading
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Generic, TypeVar

from slack_sdk.webhook import WebhookClient
from tenacity import Retrying, retry_if_exception_type, stop_after_attempt

from triage.platform.logs import scrub
from triage.platform.retrying import RetryAfterError, backoff, parse_retry_after
from triage.platform.settings import AuditSettings
from triage.platform.settings.secrets import secret_value

log = logging.getLogger(__name__)
# slack_sdk logs the webhook's URL (a secret) and the body at DEBUG when its logger's own level
# allows it: its logger is pinned above DEBUG whatever the process's log level.
_sdk_log = logging.getLogger(f"{__name__}.sdk")
_sdk_log.setLevel(logging.WARNING)
MAX_LINES = 10
T = TypeVar("T")


@dataclass(frozen=True)
class Arrival:
    """One new dead letter, as the audit service saw it on ``email.dlq``."""

    dlq_partition: int
    dlq_offset: int
    service: str
    source_topic: str
    source_partition: int
    source_offset: int
    error_class: str
    error_message: str
    parked: bool = False

    @property
    def replay_command(self) -> str:
        return f"triage dlq replay {self.dlq_partition}:{self.dlq_offset}" + (" --force" if self.parked else "")


def message_text(arrivals: Sequence[Arrival], prefix: str = "", admin_url: str | None = None) -> str:
    """``admin_url``: the admin UI's public address; each letter then links to its row on the DLQ page."""
    where = f" ({prefix.rstrip('.')})" if prefix else ""
    lines = [f":rotating_light: {len(arrivals)} new dead letter(s) on {prefix}email.dlq{where}"]
    for a in arrivals[:MAX_LINES]:
        parked = " *parked*" if a.parked else ""
        lines.append(
            f"• `{a.service}` {a.error_class}{parked} on {a.source_topic}[{a.source_partition}]@{a.source_offset}: "
            f"{scrub(a.error_message)[:200]}\n    replay: `{a.replay_command}`{replay_link(a, admin_url)}")
    if len(arrivals) > MAX_LINES:
        lines.append(f"… and {len(arrivals) - MAX_LINES} more: `triage dlq list`")
    return "\n".join(lines)


def replay_link(arrival: Arrival, admin_url: str | None) -> str:
    """Slack's ``<url|text>`` link to the letter's row (and Replay button) on the admin's DLQ page."""
    if not admin_url:
        return ""
    letter = f"{arrival.dlq_partition}:{arrival.dlq_offset}"
    return f" or <{admin_url.rstrip('/')}/admin/dlq#letter-{letter}|replay {letter} in the admin>"


class SlackError(Exception):
    """Slack refused the message for good (bad payload, unknown webhook)."""


class SlackTemporary(RetryAfterError):
    """A 429 (with its ``Retry-After``), a 5xx or no answer: worth another attempt."""


class SlackWebhook:
    """POSTs ``{"text": ...}`` to an incoming webhook, retrying what Slack says is temporary.

    tenacity's attempts with the shared wait (retrying.py): a 429's ``Retry-After``, else
    exponential backoff with jitter from ``initial_backoff_s``; both at most ``retry_after_cap_s``."""

    def __init__(self, url: str, *, timeout_s: float = 5.0, max_attempts: int = 4,
                 retry_after_cap_s: float = 30.0, initial_backoff_s: float = 0.5,
                 sleep: Callable[[float], None] = time.sleep) -> None:
        self.url = url
        self.timeout_s = timeout_s
        self.max_attempts = max_attempts
        self.retry_after_cap_s = retry_after_cap_s
        self.initial_backoff_s = initial_backoff_s
        self.sleep = sleep

    def post(self, text: str) -> int:
        """Sends the message; returns the attempts it took. Raises SlackError when it gives up."""
        # slack_sdk's client speaks the wire (JSON body, answers as WebhookResponse); its own retry
        # handlers are off, so attempts, waits and the Retry-After cap are tenacity's (retrying.py).
        client = WebhookClient(self.url, timeout=max(1, round(self.timeout_s)), logger=_sdk_log, retry_handlers=[])
        retrying = Retrying(stop=stop_after_attempt(self.max_attempts),
                            wait=backoff(self.initial_backoff_s, self.retry_after_cap_s),
                            retry=retry_if_exception_type(SlackTemporary), sleep=self.sleep, reraise=True)
        try:
            for attempt in retrying:
                with attempt:
                    self._post_once(client, text)
        except SlackTemporary as exc:
            raise SlackError(f"Slack still failing after {self.max_attempts} attempt(s): {exc}") from exc
        return attempt.retry_state.attempt_number

    @staticmethod
    def _post_once(client: WebhookClient, text: str) -> None:
        try:
            response = client.send(text=text)
        except OSError as exc:  # refused, reset, timed out, unknown host (URLError is an OSError)
            raise SlackTemporary(f"{type(exc).__name__}: {exc}") from exc
        if response.status_code < 300:
            return
        answer = (response.body or "")[:200]
        if response.status_code == 429:
            retry_after = response.headers.get("Retry-After") or response.headers.get("retry-after")
            raise SlackTemporary(f"{response.status_code} {answer!r}", retry_after_s=parse_retry_after(retry_after))
        if response.status_code < 500:
            raise SlackError(f"Slack answered {response.status_code} {answer!r}")
        raise SlackTemporary(f"{response.status_code} {answer!r}")


class PostingThread(Generic[T]):
    """Posts each item given to it on one background thread, in order: a slow or absent Slack never
    holds a stage. ``submit`` never blocks: a full queue drops the item (logged); a post that raises
    is logged (scrubbed, like the logs) and the thread goes on. ``close`` posts what is queued
    (bounded), then stops the thread. The dead-letter notices and crm-sink's queue notices use it."""

    def __init__(self, post: Callable[[T], object], *, name: str, what: Callable[[T], str],
                 max_pending: int) -> None:
        self.post = post
        self.what = what  # names an item in the logs: no address, no body
        self._queue: queue.Queue[T | None] = queue.Queue(max_pending)
        self._thread = threading.Thread(target=self._run, name=name, daemon=True)
        self._thread.start()

    def submit(self, item: T) -> bool:
        """Queue one item; False when the queue is full and the item is dropped (logged)."""
        try:
            self._queue.put_nowait(item)
        except queue.Full:
            log.error("%s not sent: the queue of %d is full", self.what(item), self._queue.maxsize)
            return False
        return True

    def _run(self) -> None:
        while (item := self._queue.get()) is not None:
            try:
                self.post(item)
            except Exception as exc:  # noqa: BLE001 - a notification must never take the stage down
                log.error("%s failed: %s: %s", self.what(item), type(exc).__name__, scrub(str(exc)))
            finally:
                self._queue.task_done()

    def close(self, timeout_s: float = 10) -> None:
        """Post what is queued (bounded), then stop the thread."""
        try:
            self._queue.put(None, timeout=timeout_s)
        except queue.Full:
            return
        self._thread.join(timeout_s)


class DlqNotifier:
    """Posts each batch of new dead letters from one background thread."""

    def __init__(self, webhook: SlackWebhook, prefix: str = "", max_pending: int = 100,
                 admin_url: str | None = None) -> None:
        self.webhook = webhook
        self.prefix = prefix
        self.admin_url = admin_url
        self._poster = PostingThread(self._post, name="slack-notifier", max_pending=max_pending,
                                     what=lambda arrivals: f"Slack notification of {len(arrivals)} dead letter(s)")

    def notify(self, arrivals: Sequence[Arrival]) -> None:
        if arrivals:
            self._poster.submit(list(arrivals))

    def _post(self, arrivals: list[Arrival]) -> None:
        attempts = self.webhook.post(message_text(arrivals, self.prefix, self.admin_url))
        log.info("announced %d dead letter(s) on Slack (%d attempt(s))", len(arrivals), attempts)

    def close(self, timeout_s: float = 10) -> None:
        """Send what is queued (bounded), then stop the thread."""
        self._poster.close(timeout_s)


def notifier_from(settings: AuditSettings) -> DlqNotifier | None:
    """The notifier the settings ask for, or None when no webhook is configured."""
    url = secret_value(settings.triage_slack_webhook_url)
    if not url:
        return None
    webhook = SlackWebhook(url,
                           timeout_s=settings.triage_slack_timeout_s,
                           max_attempts=settings.triage_slack_max_attempts,
                           retry_after_cap_s=settings.triage_slack_retry_after_cap_s)
    return DlqNotifier(webhook, settings.triage_topic_prefix, admin_url=settings.triage_admin_public_url)
