"""Fixtures for the ingest service's tests: a local Gmail, Google's certificates, test credentials."""

from __future__ import annotations

import uuid
from collections.abc import Iterator
from email import policy
from email.message import EmailMessage
from functools import cache

import pytest

from tests.support.fake_gmail import FakeGmail
from tests.support.fake_google_certs import GoogleCertsServer, new_signing_key


@pytest.fixture
def gmail() -> Iterator[FakeGmail]:
    server = FakeGmail()
    yield server
    server.close()


@pytest.fixture(scope="session")
def google_certs() -> Iterator[GoogleCertsServer]:
    server = GoogleCertsServer()
    yield server
    server.close()


@cache
def _service_account_key():
    return new_signing_key()


def service_account_info(token_uri: str) -> dict[str, str]:
    """A service-account key file as the Google Cloud console writes it."""
    key = _service_account_key()
    return {"type": "service_account", "project_id": "triage-test", "private_key_id": key.kid,
            "private_key": key.private_pem.decode(), "client_email": "gmail-reader@triage-test.iam.gserviceaccount.com",
            "client_id": "100000000000000000001", "token_uri": token_uri,
            "auth_uri": "https://accounts.google.com/o/oauth2/auth"}


def mime(to: str = "sales@lumora.io", subject: str = "Demo please", size: int = 0) -> bytes:
    msg = EmailMessage(policy=policy.SMTP)
    msg["From"] = "Jane Doe <jane@acme.example>"
    msg["To"] = to
    msg["Subject"] = subject
    msg["Message-ID"] = f"<{uuid.uuid4().hex}@acme.example>"
    msg.set_content("Could we book a demo of Pipeline Forecaster?\n" + "x" * size)
    return msg.as_bytes()
