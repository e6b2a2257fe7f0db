"""extract: email.raw -> email.clean -> email.extracted, trace context carried hop to hop."""

from __future__ import annotations

import uuid
from datetime import UTC, datetime
from email import policy
from email.message import EmailMessage

from triage.domain.intake import raw_email
from triage.domain.models import CleanEmail, ExtractedEmail, Mailbox, RawEmail
from triage.domain.normalize import clean_email
from triage.platform.runtime import Inbound
from triage.platform.topics import CLEAN, EXTRACTED, RAW
from triage_extract.handler import ExtractHandler

RECEIVED = datetime(2026, 1, 12, 9, 30, tzinfo=UTC)
TRACE = {
    "traceparent": b"00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01",
    "tracestate": b"lumora=1",
}
LUMORA = Mailbox(
    company="Lumora Analytics",
    domains=["lumora.io"],
    inboxes=["sales@lumora.io"],
    customer_domains=["globex.com"],
    products=["Pipeline Forecaster", "Revenue Radar", "Churn Sentinel"],
)


def lead_message() -> bytes:
    msg = EmailMessage(policy=policy.SMTP)
    msg["From"] = "Jane Doe <jane.doe@acme-robotics.com>"
    msg["To"] = "sales@lumora.io"
    msg["Subject"] = "Demo of Revenue Radar"
    msg["Date"] = "Mon, 12 Jan 2026 09:30:00 +0000"
    msg["Message-ID"] = f"<{uuid.uuid4().hex}@acme-robotics.com>"
    msg.set_content(
        "Hi Lumora team,\n\nWe are evaluating Revenue Radar for our 30-person sales team and "
        "have a budget of $50,000 a year. We want to buy this month. Could we book a demo "
        "next week?\n\nBest regards,\nJane Doe\nHead of Sales, Acme Robotics Inc.\n"
    )
    return msg.as_bytes()


def raw_record() -> RawEmail:
    return raw_email(lead_message(), source="test", received_at=RECEIVED, max_bytes=1 << 20)


def inbound(topic: str, value, headers: dict[str, bytes] | None = None) -> Inbound:
    return Inbound(topic=topic, partition=0, offset=7, key=value.thread_id.encode(), value=value,
                   headers=dict(TRACE) if headers is None else headers, timestamp_ms=0)


def test_a_raw_email_becomes_one_clean_email_keyed_by_thread() -> None:
    raw = raw_record()
    [out] = ExtractHandler(LUMORA).handle(inbound(RAW, raw))
    assert out.topic == CLEAN
    assert out.key == raw.thread_id
    assert isinstance(out.value, CleanEmail)
    assert (out.value.email_id, out.value.thread_id, out.value.mailbox) == (
        raw.email_id, raw.thread_id, "sales@lumora.io")
    assert out.value.subject == "Demo of Revenue Radar"
    assert out.value.from_email == "jane.doe@acme-robotics.com"
    assert "Revenue Radar for our 30-person sales team" in out.value.text
    assert out.value.signature and "Jane Doe" in out.value.signature


def test_a_clean_email_becomes_one_extracted_email_with_the_extraction() -> None:
    clean = clean_email(raw_record())
    [out] = ExtractHandler(LUMORA).handle(inbound(CLEAN, clean))
    assert out.topic == EXTRACTED
    assert out.key == clean.thread_id
    assert isinstance(out.value, ExtractedEmail)
    assert (out.value.email_id, out.value.message_id, out.value.received_at) == (
        clean.email_id, clean.message_id, RECEIVED)
    extraction = out.value.extraction
    assert extraction.intent == "lead"
    assert extraction.person.email == "jane.doe@acme-robotics.com"
    assert extraction.interest.products == ["Revenue Radar"]
    assert extraction.budget.annual_amount_usd == 50_000
    assert out.value.model and out.value.model_version and out.value.decided_by


def test_the_mailbox_given_to_the_handler_decides_what_is_a_product() -> None:
    clean = clean_email(raw_record())
    without_products = LUMORA.model_copy(update={"products": []})
    [out] = ExtractHandler(without_products).handle(inbound(CLEAN, clean))
    assert out.value.extraction.interest.products == []


def test_trace_headers_are_carried_to_email_clean_and_email_extracted_and_nothing_else() -> None:
    handler = ExtractHandler(LUMORA)
    headers = {**TRACE, "triage.attempts": b"3", "x-unrelated": b"y"}
    raw = raw_record()
    [clean_out] = handler.handle(inbound(RAW, raw, headers))
    [extracted_out] = handler.handle(inbound(CLEAN, clean_out.value, headers))
    assert clean_out.headers == TRACE
    assert extracted_out.headers == TRACE


def test_a_record_without_trace_context_gets_no_headers() -> None:
    [out] = ExtractHandler(LUMORA).handle(inbound(RAW, raw_record(), headers={}))
    assert out.headers == {}
