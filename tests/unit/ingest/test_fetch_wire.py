"""The fetch worker's stage with the real google-api-python-client against a local Gmail (wire format)."""

from __future__ import annotations

import time
from datetime import UTC, datetime, timedelta

import pytest

from tests.support.fake_gmail import FakeGmail
from tests.unit.ingest.conftest import mime, service_account_info
from triage.domain.models import GmailCursor, GmailNotification, RawEmail
from triage.platform.gmail import GmailRefused, GmailUnavailable, gmail_client
from triage.platform.runtime import Inbound
from triage.platform.settings import GmailFetchSettings
from triage.platform.topics import GMAIL_CURSORS, GMAIL_NOTIFICATIONS, RAW
from triage_ingest.cursors import CursorStore
from triage_ingest.fetch import GmailFetchHandler

BOX = "sales@lumora.io"


def settings_for(gmail: FakeGmail, **overrides) -> GmailFetchSettings:
    return GmailFetchSettings(kafka_bootstrap_servers="unused:9092", triage_gmail_api_endpoint=gmail.url,
                    triage_gmail_mailboxes=BOX, triage_gmail_retry_after_cap_s=0.2, **overrides)


class Worker:
    """The handler as the runtime drives it, with the cursor store in memory."""

    def __init__(self, gmail: FakeGmail, cursors: dict[str, GmailCursor] | None = None, **overrides) -> None:
        settings = settings_for(gmail, **overrides)
        info = service_account_info(gmail.url + "/token")
        self.store = CursorStore(lambda: dict(cursors or {}))
        self.store.reload()
        self.handler = GmailFetchHandler(settings, lambda m: gmail_client(settings, m, info), self.store)

    def notify(self, history_id: int = 1, mailbox: str = BOX) -> tuple[list[RawEmail], GmailCursor]:
        note = GmailNotification(mailbox=mailbox, history_id=history_id, received_at=datetime.now(UTC),
                                 source="pubsub")
        outputs = self.handler.handle(Inbound(GMAIL_NOTIFICATIONS, 0, 0, mailbox.encode(), note, {}, 0))
        emails = [o.value for o in outputs if o.topic == RAW]
        [cursor] = [o.value for o in outputs if o.topic == GMAIL_CURSORS]
        assert all(o.key == o.value.thread_id for o in outputs if o.topic == RAW)
        return emails, cursor


def cursor_at(history_id: int) -> dict[str, GmailCursor]:
    return {BOX: GmailCursor(mailbox=BOX, history_id=history_id, updated_at=datetime.now(UTC))}


def test_history_pages_are_followed_and_each_message_fetched_raw(gmail: FakeGmail) -> None:
    gmail.mailbox(BOX)
    start = gmail.history_id
    bodies = [mime(subject=f"m{i}") for i in range(5)]
    ids = [gmail.deliver(BOX, b, thread_id="thread-1") for b in bodies]
    emails, cursor = Worker(gmail, cursor_at(start)).notify(gmail.history_id)
    assert [e.raw for e in emails] == bodies, "base64url decoded, oldest first"
    assert [e.gmail_id for e in emails] == ids
    assert {e.thread_id for e in emails} == {"thread-1"} and {e.source for e in emails} == {"gmail"}
    assert gmail.count(r"/history$") == 3, "5 records, pages of 2: nextPageToken followed"
    assert cursor.history_id == gmail.history_id and cursor.recent_gmail_ids == ids


def test_credentials_are_a_delegated_service_account_with_the_readonly_scope(gmail: FakeGmail) -> None:
    gmail.mailbox(BOX)
    gmail.deliver(BOX, mime())
    Worker(gmail, cursor_at(0)).notify()
    [grant] = gmail.token_grants
    assert grant["grant_type"] == "urn:ietf:params:oauth:grant-type:jwt-bearer"
    assert grant["sub"] == BOX
    assert grant["scope"] == "https://www.googleapis.com/auth/gmail.readonly"


def test_a_repeated_notification_fetches_nothing_twice(gmail: FakeGmail) -> None:
    gmail.mailbox(BOX)
    start = gmail.history_id
    gmail.deliver(BOX, mime())
    worker = Worker(gmail, cursor_at(start))
    first, _ = worker.notify(gmail.history_id)
    again = [worker.notify(gmail.history_id)[0] for _ in range(2)]
    assert len(first) == 1 and again == [[], []]
    assert gmail.count(r"/messages/") == 1


def test_a_message_deleted_before_its_fetch_is_skipped(gmail: FakeGmail) -> None:
    gmail.mailbox(BOX)
    start = gmail.history_id
    gone = gmail.deliver(BOX, mime())
    kept = gmail.deliver(BOX, mime())
    gmail.delete(BOX, gone)
    emails, cursor = Worker(gmail, cursor_at(start)).notify()
    assert [e.gmail_id for e in emails] == [kept]
    assert gone in cursor.recent_gmail_ids, "recorded, so a resync does not try it again"


def test_a_stale_history_id_triggers_a_bounded_resync_without_duplicates(gmail: FakeGmail) -> None:
    gmail.mailbox(BOX)
    old = [gmail.deliver(BOX, mime()) for _ in range(3)]
    newer = [gmail.deliver(BOX, mime()) for _ in range(4)]
    gmail.forget_history_before(BOX, gmail.history_id)
    stale = GmailCursor(mailbox=BOX, history_id=1, updated_at=datetime.now(UTC), recent_gmail_ids=old)
    worker = Worker(gmail, {BOX: stale}, triage_gmail_resync_max_messages=5)
    emails, cursor = worker.notify(gmail.history_id)
    assert [e.gmail_id for e in emails] == newer, "the 5 newest, minus those already ingested"
    assert cursor.history_id == gmail.history_id


def test_a_mailbox_without_a_cursor_starts_with_a_resync(gmail: FakeGmail) -> None:
    gmail.mailbox(BOX)
    ids = [gmail.deliver(BOX, mime()) for _ in range(2)]
    emails, cursor = Worker(gmail).notify(gmail.history_id)
    assert [e.gmail_id for e in emails] == ids and cursor.history_id == gmail.history_id


def test_429_waits_retry_after_then_is_transient_and_keeps_no_state(gmail: FakeGmail) -> None:
    gmail.mailbox(BOX)
    start = gmail.history_id
    gmail.deliver(BOX, mime())
    gmail.fail(r"/messages/", 429, retry_after="0.15")
    worker = Worker(gmail, cursor_at(start))
    started = time.monotonic()
    with pytest.raises(GmailUnavailable, match="429.*Retry-After 0.15"):
        worker.notify()
    assert time.monotonic() - started >= 0.15, "Retry-After honoured before the runtime's own backoff"
    assert worker.store.get(BOX).history_id == start, "a failed try advances nothing"
    emails, _ = worker.notify()
    assert len(emails) == 1


def test_a_retry_after_http_date_is_waited_capped(gmail: FakeGmail) -> None:
    gmail.mailbox(BOX)
    gmail.fail(r"/history$", 429, retry_after=(datetime.now(UTC) + timedelta(hours=1)).strftime(
        "%a, %d %b %Y %H:%M:%S GMT"))
    settings = settings_for(gmail)
    client = gmail_client(settings, BOX, service_account_info(gmail.url + "/token"))
    waits: list[float] = []
    client.sleep = waits.append
    with pytest.raises(GmailUnavailable, match="429.*Retry-After 0.2 s"):
        client.history_page(1)
    assert waits == [0.2], "an hour asked for, TRIAGE_GMAIL_RETRY_AFTER_CAP_S waited"


def test_500_is_transient(gmail: FakeGmail) -> None:
    gmail.mailbox(BOX)
    gmail.fail(r"/history$", 500)
    with pytest.raises(GmailUnavailable, match="500"):
        Worker(gmail, cursor_at(0)).notify()


def test_a_mailbox_the_credentials_cannot_reach_is_permanent(gmail: FakeGmail) -> None:
    gmail.mailbox(BOX)
    gmail.fail(r"/history$", 400)
    with pytest.raises(GmailRefused):
        Worker(gmail, cursor_at(0)).notify()


def test_an_oversized_message_is_cut_and_flagged(gmail: FakeGmail) -> None:
    gmail.mailbox(BOX)
    start = gmail.history_id
    body = mime(size=5000)
    gmail.deliver(BOX, body)
    [email], _ = Worker(gmail, cursor_at(start), triage_ingest_max_bytes=2048).notify()
    assert email.truncated and email.size_bytes == len(body) and email.raw == body[:2048]


def test_an_aborted_batch_or_a_rebalance_rereads_the_committed_cursors(gmail: FakeGmail) -> None:
    gmail.mailbox(BOX)
    start = gmail.history_id
    gmail.deliver(BOX, mime())
    worker = Worker(gmail, cursor_at(start))
    worker.notify()
    assert worker.store.get(BOX).history_id == gmail.history_id
    worker.handler.discard()  # the transaction that carried the new cursor aborted
    assert worker.store.get(BOX).history_id == start
    [email], _ = worker.notify()  # so the message is fetched again, in the retried batch
    worker.handler.assigned({GMAIL_NOTIFICATIONS: [0]})
    assert worker.store.get(BOX).history_id == start
