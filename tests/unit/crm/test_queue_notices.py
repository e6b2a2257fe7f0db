"""Slack notices for queues that ask: slack_sdk's WebClient against a local chat.postMessage (ok:false, 429)."""

from __future__ import annotations

import inspect
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from email.utils import format_datetime

import pytest

from tests.support.fake_slack_api import FakeSlackApi
from tests.support.kafka import wait_until
from tests.unit.domain.test_crm_plan import extracted
from triage.domain.models import RoutedEmail
from triage.domain.queues import QueueTable
from triage.platform.db import Database
from triage.platform.handler import Handler
from triage.platform.runtime import Inbound
from triage.platform.settings import CrmSinkSettings
from triage_crm_sink.queue_notices import (
    NoticeLedger,
    NotifyingHandler,
    QueueNotifier,
    notice_text,
    slack_client,
    with_queue_notices,
)

QUEUES = QueueTable.model_validate({"queues": {"support": {"slack": {"channel": "C0SUPPORT1"}},
                                               "sales_inbound": {"owner": {"local": "Sales"}}}})
ADDRESS, SUBJECT = "pat.secret@globex.com", "Our revenue sync is stuck since Monday"


class MemoryNotices(NoticeLedger):
    """queue_notices' contract without PostgreSQL: one claim per email."""

    def __init__(self) -> None:
        self.rows: dict[str, dict] = {}

    def claim(self, email_id: str, queue_name: str, channel: str) -> bool:
        if email_id in self.rows:
            return False
        self.rows[email_id] = {"queue": queue_name, "channel": channel, "status": "pending"}
        return True

    def sent(self, email_id: str, ts: str) -> None:
        self.rows[email_id].update(status="sent", ts=ts)

    def failed(self, email_id: str, error: str) -> None:
        self.rows[email_id].update(status="failed", error=error)


def routed(email_id: str = "e1", queue: str = "support") -> RoutedEmail:
    source = extracted("support")
    return RoutedEmail(email_id=email_id, thread_id="t1", mailbox="support@lumora.io", received_at=source.received_at,
                       from_email=ADDRESS, subject=SUBJECT, queue=queue,
                       extraction=source.extraction.model_copy(update={"summary": "Pat's forecast sync is stuck"}),
                       priority="high", sla_minutes=60, due_at=source.received_at + timedelta(minutes=60),
                       rule="customer_support", reason=f"support request from {ADDRESS}", ignored=False)


@pytest.fixture
def slack() -> Iterator[FakeSlackApi]:
    fake = FakeSlackApi()
    yield fake
    fake.close()


def notifier(slack: FakeSlackApi, notices: MemoryNotices, waits: list[float] | None = None, *,
             token: str | None = None, attempts: int = 3) -> QueueNotifier:
    client = slack_client(token or slack.token, slack.api_url, timeout_s=5, max_attempts=attempts,
                          retry_after_cap_s=2.0, sleep=(waits.append if waits is not None else lambda _s: None))
    return QueueNotifier(client, notices, QUEUES, admin_url="https://triage-admin.example.com")


def test_a_notice_is_posted_once_per_email_in_the_queues_channel(slack: FakeSlackApi) -> None:
    notices = MemoryNotices()
    post = notifier(slack, notices)
    assert post.post(routed()) is not None
    assert post.post(routed()) is None  # a redelivered batch, a replay, another instance: claimed already
    [message] = slack.posted()
    assert message["channel"] == "C0SUPPORT1"
    assert "<https://triage-admin.example.com/admin/emails/e1|open e1 in the desk>" in message["text"]
    assert "*support* (high, due 2026-01-12 01:00 UTC)" in message["text"]
    assert notices.rows["e1"]["status"] == "sent" and len(slack.received) == 1


def test_a_notice_carries_no_address_subject_or_body() -> None:
    email = routed()
    text = notice_text(email)
    for secret in (ADDRESS, "globex.com", SUBJECT, email.extraction.summary, "support@lumora.io", "Jane"):
        assert secret not in text
    assert "email:" in text  # the sender as the logs' hash: two notices of one sender can be matched


def test_a_429_is_waited_out_per_retry_after_capped(slack: FakeSlackApi) -> None:
    slack.rate_limit(2, retry_after="30")
    waits: list[float] = []
    notices = MemoryNotices()
    assert notifier(slack, notices, waits).post(routed()) is not None
    assert waits == [2.0, 2.0]  # Retry-After 30 s, capped at TRIAGE_SLACK_RETRY_AFTER_CAP_S
    assert len(slack.received) == 3 and notices.rows["e1"]["status"] == "sent"


def test_a_retry_after_http_date_is_waited_capped_and_an_unreadable_one_backs_off(slack: FakeSlackApi) -> None:
    slack.rate_limit(1, retry_after=format_datetime(datetime.now(UTC) + timedelta(minutes=1), usegmt=True))
    slack.rate_limit(1, retry_after="soon")
    waits: list[float] = []
    notices = MemoryNotices()
    assert notifier(slack, notices, waits).post(routed()) is not None
    assert waits[0] == 2.0, "a minute off, capped at TRIAGE_SLACK_RETRY_AFTER_CAP_S"
    assert waits[1] == 2.0, "unreadable: the backoff's second step, 2 s plus jitter, capped at 2 s"
    assert len(slack.received) == 3 and notices.rows["e1"]["status"] == "sent"


def test_rate_limited_past_the_attempts_the_notice_is_failed(slack: FakeSlackApi) -> None:
    slack.rate_limit(5)
    notices = MemoryNotices()
    assert notifier(slack, notices, attempts=2).post(routed()) is None
    assert len(slack.received) == 2
    assert notices.rows["e1"] == {"queue": "support", "channel": "C0SUPPORT1", "status": "failed",
                                  "error": "ratelimited"}


@pytest.mark.parametrize(("setup", "code"), [
    (lambda s: s.channels.clear(), "channel_not_found"),
    (lambda s: s.outside.add("C0SUPPORT1"), "not_in_channel"),
    (lambda s: setattr(s, "token", "xoxb-another"), "invalid_auth"),
], ids=["channel", "membership", "token"])
def test_ok_false_is_final_and_recorded_with_slacks_error(slack: FakeSlackApi, setup, code: str) -> None:
    setup(slack)
    notices = MemoryNotices()
    assert notifier(slack, notices, token="xoxb-test-0000").post(routed()) is None
    assert len(slack.received) == 1 and notices.rows["e1"]["error"] == code


def test_a_queue_without_slack_settings_is_not_announced(slack: FakeSlackApi) -> None:
    notices = MemoryNotices()
    assert notifier(slack, notices).post(routed(queue="sales_inbound")) is None
    assert slack.received == [] and notices.rows == {}


class Inner(Handler):
    def __init__(self) -> None:
        self.handled: list[str] = []

    def handle(self, record: Inbound) -> list:
        self.handled.append(record.value.email_id)
        return []

    def prepare(self, records: list) -> None:
        self.prepared = len(records)


def inbound(value: RoutedEmail) -> Inbound:
    return Inbound(topic="email.routed", partition=0, offset=1, key=b"t1", value=value, headers={}, timestamp_ms=0)


def test_notices_go_out_only_when_the_batch_commits(slack: FakeSlackApi) -> None:
    notices = MemoryNotices()
    handler = NotifyingHandler(Inner(), notifier(slack, notices))
    handler.prepare([1, 2])
    assert handler.handler.prepared == 2  # the stage's own hooks pass through
    handler.handle(inbound(routed("aborted")))
    handler.discard()  # the batch aborted: it will come again, announced then
    handler.handle(inbound(routed("e2")))
    handler.handle(inbound(routed("e3", queue="sales_inbound")))
    assert slack.received == []
    handler.committed()
    wait_until(lambda: len(slack.posted()) == 1, 10, "the notice of the committed batch")
    handler.notifier.close()
    assert set(notices.rows) == {"e2"} and handler.handler.handled == ["aborted", "e2", "e3"]


class Recording(Handler):
    """Records every call of every hook, with its arguments."""

    def __init__(self) -> None:
        self.calls: list[tuple] = []

    def handle(self, record: Inbound) -> list:
        self.calls.append(("handle", record))
        return ["out"]


HOOKS = sorted(name for name, _ in inspect.getmembers(Handler, inspect.isfunction) if not name.startswith("_"))


def _recorder(name: str):
    def hook(self: Recording, *args: object) -> None:
        self.calls.append((name, *args))
    return hook


for _name in HOOKS:
    if _name != "handle":
        setattr(Recording, _name, _recorder(_name))


def test_every_hook_of_the_base_class_is_delegated_explicitly(slack: FakeSlackApi) -> None:
    assert set(HOOKS) == {"handle", "prepare", "observe", "flush", "committed", "discard", "assigned", "revoked"}
    assert not hasattr(NotifyingHandler, "__getattr__"), "no pass-through: each hook is written out"
    for name in HOOKS:
        assert getattr(NotifyingHandler, name) is not getattr(Handler, name), f"{name} left as the base's no-op"
    inner = Recording()
    handler = NotifyingHandler(inner, notifier(slack, MemoryNotices()))
    record, partitions = inbound(routed("e9", queue="sales_inbound")), {"email.routed": [0, 3]}
    arguments = {"handle": (record,), "prepare": ([record],), "observe": (record, ["out"]), "flush": (),
                 "committed": (), "discard": (), "assigned": (partitions,), "revoked": (partitions,)}
    assert handler.handle(record) == ["out"]
    for name in HOOKS:
        if name != "handle":
            assert getattr(handler, name)(*arguments[name]) is None
    handler.notifier.close()
    assert inner.calls == [(name, *arguments[name]) for name in ["handle", *[n for n in HOOKS if n != "handle"]]]


def test_without_a_bot_token_or_a_slack_queue_the_handler_is_unchanged() -> None:
    inner, database = Inner(), Database("postgresql://u:p@127.0.0.1:1/none")  # never opened: nothing to claim
    settings = CrmSinkSettings(database_url="postgresql://u:p@127.0.0.1:1/none")
    assert with_queue_notices(inner, settings, QUEUES, database) is inner
    assert with_queue_notices(inner, CrmSinkSettings(triage_slack_bot_token="xoxb-1"), QueueTable(),
                              database) is inner


def test_the_notices_claim_on_the_stages_database_pool_not_one_of_their_own() -> None:
    """crm-sink's build() passes its Database; the notices open no pool (the URL would refuse one)."""
    inner, database = Inner(), Database("postgresql://u:p@127.0.0.1:1/none")
    settings = CrmSinkSettings(database_url="postgresql://u:p@127.0.0.1:1/none", triage_slack_bot_token="xoxb-1")
    handler = with_queue_notices(inner, settings, QUEUES, database)
    assert isinstance(handler, NotifyingHandler) and handler.handler is inner
    try:
        assert handler.notifier.ledger.db is database
    finally:
        handler.notifier.close()
