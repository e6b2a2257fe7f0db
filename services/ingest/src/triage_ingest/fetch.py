"""The Gmail fetch worker's stage: a notification in, the mailbox's new messages and cursor out.

Per notification (one Kafka transaction, docs/adr/0004): history.list from the
mailbox's cursor, page by page -> messages.get(format=raw) for each inbound
message not yet ingested -> ``email.raw`` records keyed by thread id, plus
the mailbox's new cursor on ``gmail.cursors``. No cursor yet, or a 404 for a
history id Gmail no longer keeps -> a bounded resync of recent messages
(messages.list), counted and logged: never a silent gap.

Failures: Gmail 429/5xx raise ``GmailUnavailable`` (a TransientError) and the
runtime retries the whole notification with backoff (nothing was kept from
the failed try), then dead-letters it; replaying the letter is harmless. A
message deleted before its fetch (404) is counted, logged and skipped.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Iterator
from datetime import UTC, datetime
from typing import Any

from prometheus_client import Counter, Gauge

from triage.domain.intake import raw_email
from triage.domain.models import GmailCursor, GmailNotification, RawEmail
from triage.platform.gmail import GmailClient, GmailNotFound, decode_raw
from triage.platform.handler import Handler
from triage.platform.metrics import inbox_label
from triage.platform.runtime import Inbound, Outbound, trace_headers
from triage.platform.settings import GmailFetchSettings
from triage.platform.topics import GMAIL_CURSORS, RAW
from triage_ingest.cursors import CursorStore
from triage_ingest.history import (
    MessageRef,
    added_messages,
    history_id_of,
    listed_messages,
    not_yet_ingested,
    received_at,
    remember,
)

log = logging.getLogger(__name__)

FETCHED = Counter("gmail_messages_fetched_total", "Gmail messages published to email.raw", ["mailbox"])
SKIPPED = Counter("gmail_messages_skipped_total", "Gmail messages not published", ["mailbox", "reason"])
RESYNCS = Counter("gmail_resyncs_total", "Bounded resyncs of recent messages", ["mailbox", "reason"])
HISTORY_CURSOR = Gauge("gmail_history_cursor", "The history id a mailbox is synced to", ["mailbox"])
WATCH_EXPIRY = Gauge("gmail_watch_expiry_timestamp_seconds", "When the mailbox's Gmail watch expires",
                     ["mailbox"])
LAST_SYNC = Gauge("gmail_last_sync_timestamp_seconds", "When a notification of the mailbox was last synced",
                  ["mailbox"])


class GmailFetchHandler(Handler):
    def __init__(self, settings: GmailFetchSettings, client_for: Callable[[str], GmailClient], cursors: CursorStore,
                 clock: Callable[[], datetime] = lambda: datetime.now(UTC)) -> None:
        self.settings = settings
        self.client_for = client_for
        self.cursors = cursors
        self.clock = clock

    def handle(self, record: Inbound) -> list[Outbound]:
        note: GmailNotification = record.value  # type: ignore[assignment]
        if note.watch_expires_at is not None:
            WATCH_EXPIRY.labels(inbox_label(note.mailbox)).set(note.watch_expires_at.timestamp())
        client = self.client_for(note.mailbox)
        cursor = self.cursors.get(note.mailbox)
        refs, history_id = self._changes(client, note, cursor)
        recent = cursor.recent_gmail_ids if cursor else []
        fresh = not_yet_ingested(refs, recent)
        SKIPPED.labels(inbox_label(note.mailbox), "already_ingested").inc(len(refs) - len(fresh))
        emails, done = self._fetch_all(client, note.mailbox, fresh)
        new_cursor = GmailCursor(mailbox=note.mailbox, history_id=history_id, updated_at=self.clock(),
                                 recent_gmail_ids=remember(recent, done))
        # Only now, with every call made: a retried try starts again from the stored cursor.
        self.cursors.put(new_cursor)
        HISTORY_CURSOR.labels(inbox_label(note.mailbox)).set(history_id)
        LAST_SYNC.labels(inbox_label(note.mailbox)).set(self.clock().timestamp())
        headers = trace_headers(record)
        return [*(Outbound(RAW, e.thread_id, e, headers) for e in emails),
                Outbound(GMAIL_CURSORS, note.mailbox, new_cursor)]

    # -- hooks the runtime calls when it has them -------------------------------------
    def discard(self) -> None:
        """The batch aborted: what it advanced in memory never reached the topic."""
        self.cursors.reload()

    def assigned(self, _partitions: dict[str, list[int]]) -> None:
        """A rebalance: another instance may have advanced these mailboxes meanwhile."""
        self.cursors.reload()

    # -- what changed -----------------------------------------------------------------
    def _changes(self, client: GmailClient, note: GmailNotification,
                 cursor: GmailCursor | None) -> tuple[list[MessageRef], int]:
        if cursor is None:
            return self._resync(client, note, None, "no_cursor")
        try:
            pages = list(self._history_pages(client, cursor.history_id))
        except GmailNotFound:
            return self._resync(client, note, cursor, "history_expired")
        return added_messages(pages), history_id_of(pages, cursor.history_id)

    def _history_pages(self, client: GmailClient, start: int) -> Iterator[dict[str, Any]]:
        token = None
        while True:
            page = client.history_page(start, token)
            yield page
            token = page.get("nextPageToken")
            if not token:
                return

    def _resync(self, client: GmailClient, note: GmailNotification, cursor: GmailCursor | None,
                reason: str) -> tuple[list[MessageRef], int]:
        limit = self.settings.triage_gmail_resync_max_messages
        RESYNCS.labels(inbox_label(note.mailbox), reason).inc()
        log.warning("gmail %s: resync of up to %d recent messages (%s)", note.mailbox, limit, reason)
        pages, token, listed = [], None, 0
        while listed < limit:
            page = client.messages_page(self.settings.triage_gmail_resync_query, token, min(500, limit))
            pages.append(page)
            listed += len(page.get("messages", []))
            token = page.get("nextPageToken")
            if not token:
                break
        floor = max(note.history_id, cursor.history_id if cursor else 0)
        return listed_messages(pages, limit), floor

    # -- fetching ---------------------------------------------------------------------
    def _fetch_all(self, client: GmailClient, mailbox: str,
                   refs: list[MessageRef]) -> tuple[list[RawEmail], list[str]]:
        emails, done = [], []
        for ref in refs:
            email = self._fetch(client, mailbox, ref)
            done.append(ref.id)
            if email is not None:
                emails.append(email)
        return emails, done

    def _fetch(self, client: GmailClient, mailbox: str, ref: MessageRef) -> RawEmail | None:
        try:
            message = client.message_raw(ref.id)
        except GmailNotFound:
            SKIPPED.labels(inbox_label(mailbox), "deleted").inc()
            log.warning("gmail %s: message %s deleted before it was fetched: skipped", mailbox, ref.id)
            return None
        FETCHED.labels(inbox_label(mailbox)).inc()
        return raw_email(decode_raw(message["raw"]), source="gmail",
                         received_at=received_at(message, self.clock()),
                         max_bytes=self.settings.triage_ingest_max_bytes, mailbox=mailbox,
                         gmail_id=message.get("id", ref.id), thread_id=message.get("threadId", ref.thread_id))
