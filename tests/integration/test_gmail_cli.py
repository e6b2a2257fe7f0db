"""``triage gmail watch`` and ``triage gmail backfill`` on the real broker, against a local Gmail."""

from __future__ import annotations

import json
import os
import subprocess
import uuid
from collections.abc import Iterator
from datetime import UTC, datetime

import pytest

from tests.support.fake_gmail import FakeGmail
from tests.support.kafka import decoded
from tests.support.pipeline import Pipeline
from tests.support.stack import ROOT
from tests.unit.ingest.conftest import mime, service_account_info
from triage.platform.topics import GMAIL_NOTIFICATIONS, RAW


@pytest.fixture
def gmail() -> Iterator[FakeGmail]:
    server = FakeGmail()
    yield server
    server.close()


def triage(pipeline: Pipeline, gmail: FakeGmail, *args: str, **env: str) -> subprocess.CompletedProcess:
    return subprocess.run([str(ROOT / ".venv/bin/triage"), "gmail", *args], capture_output=True, text=True,
                          timeout=60, env={**os.environ, "KAFKA_BOOTSTRAP_SERVERS": pipeline.stack.bootstrap_servers,
                                           "TRIAGE_TOPIC_PREFIX": pipeline.prefix,
                                           "TRIAGE_GMAIL_API_ENDPOINT": gmail.url,
                                           "TRIAGE_GMAIL_CREDENTIALS_JSON": json.dumps(
                                               service_account_info(gmail.url + "/token")), **env})


def test_watch_renews_every_mailbox_and_records_the_expiry(pipeline: Pipeline, gmail: FakeGmail) -> None:
    boxes = [f"{name}-{uuid.uuid4().hex[:6]}@lumora.io" for name in ("sales", "info")]
    for box in boxes:
        gmail.mailbox(box)
    result = triage(pipeline, gmail, "watch", "--json", TRIAGE_GMAIL_MAILBOXES=",".join(boxes),
                    TRIAGE_GMAIL_PUBSUB_TOPIC="projects/lumora-triage/topics/gmail")
    assert result.returncode == 0, result.stderr
    assert [json.loads(line)["mailbox"] for line in result.stdout.splitlines()] == boxes
    assert gmail.count(r"/watch$") == 2
    notes = decoded(pipeline.settings, GMAIL_NOTIFICATIONS)
    assert sorted(n.mailbox for n in notes) == sorted(boxes)
    assert all(n.source == "watch" and n.watch_expires_at > datetime.now(UTC) for n in notes)


def test_backfill_publishes_the_mailbox_since_a_day(pipeline: Pipeline, gmail: FakeGmail) -> None:
    box = f"partnerships-{uuid.uuid4().hex[:6]}@lumora.io"
    ids = [gmail.deliver(box, mime(to=box)) for _ in range(5)]
    gmail.fail(rf"/messages/{ids[1]}$", 404)  # deleted between the listing and its fetch
    gmail.fail(r"/messages/", 500)
    result = triage(pipeline, gmail, "backfill", "--mailbox", box, "--since", "2026-01-01", "--json",
                    TRIAGE_RETRY_INITIAL_S="0.05")
    assert result.returncode == 0, result.stderr
    assert json.loads(result.stdout) == {"mailbox": box, "listed": 5, "published": 4, "deleted": 1}
    assert sorted(e.gmail_id for e in decoded(pipeline.settings, RAW)) == sorted(ids[:1] + ids[2:])
