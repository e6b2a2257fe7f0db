"""Shared fixtures for the pure-domain tests: the Lumora mailbox and a message builder."""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime
from email import policy
from email.message import EmailMessage
from email.utils import getaddresses

import pytest

from triage.domain.identity import identify
from triage.domain.models import CleanEmail, Mailbox, RawEmail
from triage.domain.normalize import clean_email

RECEIVED = datetime(2026, 1, 12, 9, 30, tzinfo=UTC)
DATE_HEADER = "Mon, 12 Jan 2026 09:30:00 +0000"


@pytest.fixture
def lumora() -> Mailbox:
    return Mailbox(
        company="Lumora Analytics",
        domains=["lumora.io"],
        inboxes=["sales@lumora.io", "info@lumora.io", "partnerships@lumora.io"],
        customer_domains=["globex.com", "initech.com"],
        products=["Pipeline Forecaster", "Revenue Radar", "Churn Sentinel"],
    )


def build_message(
    body: str = "Hello",
    *,
    subject: str = "Hello",
    sender: str = "Jane Doe <jane.doe@acme-robotics.com>",
    to: str = "sales@lumora.io",
    date: str | None = DATE_HEADER,
    headers: dict[str, str] | None = None,
    html: str | None = None,
) -> EmailMessage:
    """A plain (or plain + HTML) message with the headers most tests need."""
    msg = EmailMessage(policy=policy.SMTP)
    msg["From"] = sender
    msg["To"] = to
    msg["Subject"] = subject
    if date:
        msg["Date"] = date
    for name, value in (headers or {}).items():
        msg[name] = value
    msg.set_content(body)
    if html is not None:
        msg.add_alternative(html, subtype="html")
    return msg


def raw_record(raw: bytes, mailbox: str = "sales@lumora.io") -> RawEmail:
    identity = identify(raw)
    return RawEmail(
        email_id=identity.email_id,
        thread_id=identity.thread_id,
        mailbox=mailbox,
        received_at=RECEIVED,
        message_id=identity.message_id,
        source="test",
        raw=raw,
        size_bytes=len(raw),
    )


def clean_message(msg: EmailMessage | bytes) -> CleanEmail:
    """Normalised as if delivered to the message's first To address."""
    if isinstance(msg, bytes):
        return clean_email(raw_record(msg))
    inbox = next((address for _, address in getaddresses([msg["To"] or ""]) if address), "")
    return clean_email(raw_record(msg.as_bytes(), inbox or "sales@lumora.io"))


# Factories as fixtures (pytest's "factories as fixtures" pattern): tests ask for the builder.
@pytest.fixture
def message() -> Callable[..., EmailMessage]:
    return build_message


@pytest.fixture
def clean() -> Callable[[EmailMessage | bytes], CleanEmail]:
    return clean_message
