"""Gmail end to end on the real broker: signed Pub/Sub pushes -> ingest -> gmail.notifications ->
the fetch worker (real google-api-python-client against a local Gmail) -> email.raw, exactly once."""

from __future__ import annotations

import base64
import json
import urllib.error
import urllib.request
import uuid
from collections.abc import Iterator

import pytest

from tests.support.fake_gmail import FakeGmail
from tests.support.fake_google_certs import GoogleCertsServer, mint, push_claims
from tests.support.kafka import decoded, wait_until
from tests.support.pipeline import Pipeline
from tests.unit.ingest.conftest import mime, service_account_info
from triage.platform.topics import DLQ, GMAIL_CURSORS, GMAIL_NOTIFICATIONS, RAW

AUDIENCE = "https://ingest.lumora.example/webhook/email"
PUSHER = "gmail-push@lumora-triage.iam.gserviceaccount.com"


@pytest.fixture
def gmail() -> Iterator[FakeGmail]:
    server = FakeGmail()
    yield server
    server.close()


@pytest.fixture
def certs() -> Iterator[GoogleCertsServer]:
    server = GoogleCertsServer()
    yield server
    server.close()


@pytest.fixture
def mailbox(gmail: FakeGmail) -> str:
    address = f"sales-{uuid.uuid4().hex[:6]}@lumora.io"
    gmail.mailbox(address)
    return address


@pytest.fixture
def gmail_pipeline(pipeline: Pipeline, gmail: FakeGmail, certs: GoogleCertsServer, mailbox: str) -> Pipeline:
    pipeline.extra_env.update({
        "TRIAGE_GMAIL_MAILBOXES": mailbox,
        "TRIAGE_GMAIL_CREDENTIALS_JSON": json.dumps(service_account_info(gmail.url + "/token")),
        "TRIAGE_GMAIL_API_ENDPOINT": gmail.url,
        "TRIAGE_PUBSUB_AUDIENCE": AUDIENCE,
        "TRIAGE_PUBSUB_SERVICE_ACCOUNT": PUSHER,
        "TRIAGE_GOOGLE_CERTS_URL": certs.url,
        "TRIAGE_RETRY_INITIAL_S": "0.05",
        "TRIAGE_RETRY_MAX_S": "0.2",
        "TRIAGE_GMAIL_RETRY_AFTER_CAP_S": "2",
    })
    pipeline.start("ingest")
    pipeline.start("ingest-fetch")
    return pipeline


def push(pipeline: Pipeline, certs: GoogleCertsServer, mailbox: str, history_id: int,
         message_id: str = "1") -> int:
    data = base64.b64encode(json.dumps({"emailAddress": mailbox, "historyId": history_id}).encode()).decode()
    body = json.dumps({"message": {"data": data, "messageId": message_id, "publishTime": "2026-11-25T09:00:00Z"},
                       "subscription": "projects/lumora-triage/subscriptions/gmail-push"}).encode()
    request = urllib.request.Request(
        f"http://127.0.0.1:{pipeline.ports['ingest']}/webhook/email", data=body, method="POST",
        headers={"Content-Type": "application/json",
                 "Authorization": f"Bearer {mint(certs.key, push_claims(AUDIENCE, PUSHER))}"})
    try:
        with urllib.request.urlopen(request, timeout=10) as response:
            return response.status
    except urllib.error.HTTPError as exc:
        return exc.code


def gmail_ids(pipeline: Pipeline) -> list[str]:
    return [e.gmail_id for e in decoded(pipeline.settings, RAW)]


def test_three_pushes_of_one_notification_ingest_the_message_once(gmail_pipeline, gmail, certs, mailbox) -> None:
    first = gmail.deliver(mailbox, mime(to=mailbox))
    statuses = [push(gmail_pipeline, certs, mailbox, gmail.history_id, message_id="77") for _ in range(3)]
    assert statuses == [204, 204, 204]
    wait_until(lambda: len(decoded(gmail_pipeline.settings, GMAIL_CURSORS)) >= 3, 30, "three syncs")
    assert gmail_ids(gmail_pipeline) == [first]
    assert len(decoded(gmail_pipeline.settings, GMAIL_NOTIFICATIONS)) == 3

    # The cursor survives a restart: after it only the new message is fetched.
    gmail_pipeline.kill("ingest-fetch")
    second = gmail.deliver(mailbox, mime(to=mailbox))
    gmail_pipeline.start("ingest-fetch")
    assert push(gmail_pipeline, certs, mailbox, gmail.history_id) == 204
    wait_until(lambda: len(gmail_ids(gmail_pipeline)) >= 2, 30, "the second message")
    assert sorted(gmail_ids(gmail_pipeline)) == sorted([first, second])
    assert gmail.count(r"/messages/") == 2, "each message fetched once, across the restart"


def test_gmail_429_and_500_are_retried_then_dead_lettered(gmail_pipeline, gmail, certs, mailbox) -> None:
    first = gmail.deliver(mailbox, mime(to=mailbox))
    gmail.fail(r"/messages/", 429, retry_after="1")
    gmail.fail(r"/messages/", 500)
    assert push(gmail_pipeline, certs, mailbox, gmail.history_id) == 204
    wait_until(lambda: gmail_ids(gmail_pipeline) == [first], 30, "the message after two failures")

    second = gmail.deliver(mailbox, mime(to=mailbox))
    gmail.fail(r"/messages/", 500, times=4)
    assert push(gmail_pipeline, certs, mailbox, gmail.history_id) == 204
    wait_until(lambda: len(decoded(gmail_pipeline.settings, DLQ)) == 1, 30, "the dead letter")
    [letter] = decoded(gmail_pipeline.settings, DLQ)
    assert (letter.source_topic, letter.error_class, letter.attempts) == (GMAIL_NOTIFICATIONS, "GmailUnavailable", 4)
    assert gmail_ids(gmail_pipeline) == [first]

    # The replay path: the notification is only a trigger, so the next one (or the letter,
    # re-published) picks the message up from the unchanged cursor.
    assert push(gmail_pipeline, certs, mailbox, gmail.history_id) == 204
    wait_until(lambda: len(gmail_ids(gmail_pipeline)) == 2, 30, "the message after the replay")
    assert sorted(gmail_ids(gmail_pipeline)) == sorted([first, second])
