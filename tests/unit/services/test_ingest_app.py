"""The ingest HTTP door: signed raw MIME in, exactly one acknowledged email.raw record out."""

from __future__ import annotations

import secrets
import time
import uuid
from email import policy
from email.message import EmailMessage

import pytest
from confluent_kafka import KafkaException
from fastapi.testclient import TestClient

from triage.domain.models import RawEmail
from triage.platform import metrics
from triage.platform.publisher import RawPublisher
from triage.platform.settings import IngestSettings
from triage_ingest.app import create_app
from triage_ingest.signature import sign

SECRET = secrets.token_bytes(32)


class FakePublisher(RawPublisher):
    """Keeps published records in memory; ``flush`` is the broker's acknowledgement."""

    def __init__(self, fail_flush: bool = False) -> None:
        super().__init__(IngestSettings(kafka_bootstrap_servers="unused:9092"))
        self.published: list[RawEmail] = []
        self.acknowledged: list[RawEmail] = []
        self.fail_flush = fail_flush

    def publish(self, email: RawEmail, headers: dict[str, bytes] | None = None) -> None:
        self.published.append(email)

    def flush(self, timeout_s: float = 60) -> None:
        if self.fail_flush:
            raise KafkaException("broker unreachable")
        self.acknowledged = list(self.published)


def message() -> bytes:
    msg = EmailMessage(policy=policy.SMTP)
    msg["From"] = "Jane Doe <jane@acme.com>"
    msg["To"] = "info@lumora.io"
    msg["Delivered-To"] = "info@lumora.io"
    msg["Subject"] = "Demo please"
    msg["Message-ID"] = f"<{uuid.uuid4().hex}@acme.com>"
    msg.set_content("Could we book a demo?")
    return msg.as_bytes()


def signed(body: bytes, secret: bytes = SECRET, at: float | None = None) -> dict[str, str]:
    timestamp = str(int(time.time() if at is None else at))
    return {"X-Triage-Timestamp": timestamp, "X-Triage-Signature": sign(secret, timestamp, body)}


def client_for(publisher: FakePublisher, **kwargs) -> TestClient:
    return TestClient(create_app(IngestSettings(kafka_bootstrap_servers="unused:9092"), publisher, SECRET), **kwargs)


@pytest.fixture
def publisher() -> FakePublisher:
    return FakePublisher()


@pytest.fixture
def client(publisher: FakePublisher) -> TestClient:
    return client_for(publisher)


def post(client: TestClient, body: bytes, headers: dict[str, str]):
    return client.post("/webhook/inbound", content=body, headers={"Content-Type": "message/rfc822", **headers})


def test_a_call_without_a_signature_is_refused_and_nothing_is_published(client, publisher) -> None:
    response = post(client, message(), {})
    assert response.status_code == 401
    assert "missing" in response.json()["detail"]
    assert publisher.published == []


def test_a_call_signed_with_another_secret_is_refused(client, publisher) -> None:
    body = message()
    response = post(client, body, signed(body, secret=secrets.token_bytes(32)))
    assert response.status_code == 401
    assert publisher.published == []


def test_a_stale_signature_is_refused(client, publisher) -> None:
    body = message()
    response = post(client, body, signed(body, at=time.time() - 600))
    assert response.status_code == 401
    assert "replay window" in response.json()["detail"]
    assert publisher.published == []


def test_a_signed_call_is_accepted_once_and_acknowledged(client, publisher) -> None:
    body = message()
    inbox = f"sales-{uuid.uuid4().hex[:8]}@lumora.io"
    response = post(client, body, {**signed(body), "X-Triage-Inbox": inbox})
    assert response.status_code == 202
    [record] = publisher.published
    assert publisher.acknowledged == [record], "answered 202 only after the broker acknowledged"
    assert record.mailbox == inbox
    assert record.raw == body
    assert record.source == "webhook"
    assert response.json() == {"email_id": record.email_id, "thread_id": record.thread_id}


def test_without_x_triage_inbox_the_mailbox_comes_from_the_message(client, publisher) -> None:
    body = message()
    assert post(client, body, signed(body)).status_code == 202
    assert publisher.published[0].mailbox == "info@lumora.io"


def test_an_empty_body_is_a_bad_request(client, publisher) -> None:
    response = post(client, b"", signed(b""))
    assert response.status_code == 400
    assert publisher.published == []


def test_an_unacknowledged_publish_is_a_server_error_so_the_provider_retries() -> None:
    client = client_for(FakePublisher(fail_flush=True), raise_server_exceptions=False)
    body = message()
    assert post(client, body, signed(body)).status_code >= 500


def test_healthz_answers_ok(client) -> None:
    response = client.get("/healthz")
    assert response.status_code == 200
    assert response.json() == {"status": "ok"}


def test_metrics_count_ingested_and_rejected_calls(client) -> None:
    body = message()
    inbox = f"metrics-{uuid.uuid4().hex[:8]}@lumora.io"
    metrics.configure_inboxes([inbox])
    try:
        post(client, body, {**signed(body), "X-Triage-Inbox": inbox})
    finally:
        metrics.configure_inboxes([])
    before = rejected_count(client.get("/metrics").text)
    post(client, body, {})
    response = client.get("/metrics")
    assert response.status_code == 200
    assert response.headers["content-type"].startswith("text/plain")
    assert f'emails_ingested_total{{inbox="{inbox}"}} 1.0' in response.text
    assert rejected_count(response.text) == before + 1


def test_an_inbox_that_is_not_configured_is_labelled_other(client) -> None:
    """X-Triage-Inbox or the first To: of a private recipient never becomes a metric label."""
    private = f"jane.{uuid.uuid4().hex[:8]}@gmail.com"
    for headers in ({"X-Triage-Inbox": private}, {}):
        body = message().replace(b"info@lumora.io", private.encode())
        assert post(client, body, {**signed(body), **headers}).status_code == 202

    text = client.get("/metrics").text
    assert private not in text
    assert 'emails_ingested_total{inbox="other"}' in text


def rejected_count(metrics_text: str) -> float:
    prefix = 'webhook_rejected_total{endpoint="inbound",reason="signature"} '
    lines = [line for line in metrics_text.splitlines() if line.startswith(prefix)]
    return float(lines[0][len(prefix):]) if lines else 0.0
