"""POST /webhook/email: real OIDC tokens signed by a local key, verified with google-auth."""

from __future__ import annotations

import base64
import json
import time
import uuid
from functools import cache

import pytest
from fastapi.testclient import TestClient

from tests.support.fake_google_certs import GoogleCertsServer, mint, new_signing_key, push_claims
from triage.domain.models import GmailNotification
from triage.platform import metrics
from triage.platform.publisher import RawPublisher
from triage.platform.settings import IngestSettings
from triage_ingest.app import create_app
from triage_ingest.oidc import GoogleCerts, PushVerifier
from triage_ingest.push import NotificationPublisher, push_router

AUDIENCE = "https://ingest.lumora.example/webhook/email"
PUSHER = "gmail-push@lumora-triage.iam.gserviceaccount.com"
BOX = "sales@lumora.io"


@pytest.fixture(autouse=True)
def gmail_inboxes():
    """The ingest service labels metrics with its configured inboxes only (main.py)."""
    metrics.configure_inboxes([BOX])
    yield
    metrics.configure_inboxes([])


class RecordingNotifications(NotificationPublisher):
    def __init__(self) -> None:
        super().__init__(IngestSettings(kafka_bootstrap_servers="unused:9092"))
        self.published: list[GmailNotification] = []

    async def publish(self, note: GmailNotification) -> None:
        self.published.append(note)


@pytest.fixture
def notifications() -> RecordingNotifications:
    return RecordingNotifications()


@pytest.fixture
def client(google_certs: GoogleCertsServer, notifications: RecordingNotifications) -> TestClient:
    verifier = PushVerifier(GoogleCerts(google_certs.url), AUDIENCE, PUSHER)
    unused = IngestSettings(kafka_bootstrap_servers="unused:9092")
    app = create_app(unused, RawPublisher(unused), b"x" * 32,
                     gmail_push=push_router(verifier, notifications, [BOX]))
    return TestClient(app)


def envelope(mailbox: str = BOX, history_id: int = 4242) -> bytes:
    data = base64.b64encode(json.dumps({"emailAddress": mailbox, "historyId": history_id}).encode()).decode()
    return json.dumps({"message": {"data": data, "messageId": str(uuid.uuid4().int)[:16],
                                   "publishTime": "2026-11-25T09:00:00Z"},
                       "subscription": "projects/lumora-triage/subscriptions/gmail-push"}).encode()


def push(client: TestClient, token: str | None, body: bytes | None = None):
    headers = {"Content-Type": "application/json"} | ({"Authorization": f"Bearer {token}"} if token else {})
    return client.post("/webhook/email", content=body or envelope(), headers=headers)


@cache
def spare_key(kid: str):
    return new_signing_key(kid=kid)


def rejected(client: TestClient, reason: str) -> float:
    prefix = f'gmail_push_rejected_total{{reason="{reason}"}} '
    lines = [line for line in client.get("/metrics").text.splitlines() if line.startswith(prefix)]
    return float(lines[0][len(prefix):]) if lines else 0.0


def test_a_valid_push_is_recorded_and_acked(client, google_certs, notifications) -> None:
    response = push(client, mint(google_certs.key, push_claims(AUDIENCE, PUSHER)))
    assert response.status_code == 204
    [note] = notifications.published
    assert (note.mailbox, note.history_id, note.source) == (BOX, 4242, "pubsub")
    assert "gmail_last_notification_timestamp_seconds{mailbox=\"sales@lumora.io\"}" in client.get("/metrics").text


@pytest.mark.parametrize(("case", "status", "reason"), [
    ("forged", 401, "signature"), ("unknown_key", 401, "unknown_key"), ("wrong_audience", 401, "audience"),
    ("expired", 401, "expired"), ("wrong_issuer", 401, "issuer"), ("wrong_service_account", 403, "service_account"),
    ("missing", 401, "missing"), ("garbage", 401, "malformed"),
])
def test_anything_but_a_valid_token_is_refused_and_counted(client, google_certs, notifications,
                                                           case, status, reason) -> None:
    good = push_claims(AUDIENCE, PUSHER)
    tokens = {
        "forged": mint(spare_key(google_certs.key.kid), good),  # the right key id, another key
        "unknown_key": mint(spare_key("not-a-google-key"), good),
        "wrong_audience": mint(google_certs.key, push_claims("https://elsewhere.example/push", PUSHER)),
        "expired": mint(google_certs.key, push_claims(AUDIENCE, PUSHER, issued_at=time.time() - 7200)),
        "wrong_issuer": mint(google_certs.key, push_claims(AUDIENCE, PUSHER, issuer="https://evil.example")),
        "wrong_service_account": mint(google_certs.key, push_claims(AUDIENCE, "intruder@evil.iam.gserviceaccount.com")),
        "missing": None,
        "garbage": "not.a.jwt",
    }
    before = rejected(client, reason)
    response = push(client, tokens[case])
    assert response.status_code == status
    assert notifications.published == []
    assert rejected(client, reason) == before + 1


def test_an_authentic_push_that_is_no_gmail_notification_is_a_bad_request(client, google_certs) -> None:
    response = push(client, mint(google_certs.key, push_claims(AUDIENCE, PUSHER)), body=b'{"message": {}}')
    assert response.status_code == 400


def test_a_push_for_a_mailbox_not_served_is_acked_and_dropped(client, google_certs, notifications) -> None:
    response = push(client, mint(google_certs.key, push_claims(AUDIENCE, PUSHER)), envelope("ceo@lumora.io"))
    assert response.status_code == 204
    assert notifications.published == []


def test_certificates_are_cached(client, google_certs) -> None:
    token = mint(google_certs.key, push_claims(AUDIENCE, PUSHER))
    push(client, token)
    fetched = google_certs.fetches
    for _ in range(5):
        assert push(client, token).status_code == 204
    assert google_certs.fetches == fetched


def test_a_history_id_past_avros_long_is_a_bad_request_not_a_server_error(client, google_certs,
                                                                          notifications) -> None:
    response = push(client, mint(google_certs.key, push_claims(AUDIENCE, PUSHER)), envelope(history_id=2**63))

    assert response.status_code == 400
    assert notifications.published == []
