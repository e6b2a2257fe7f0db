from __future__ import annotations

import json
from collections.abc import Callable
from datetime import UTC, datetime
from email.message import EmailMessage
from pathlib import Path

import pytest

from triage.domain.models import Mailbox
from triage.domain.pipeline import EPOCH, load_mailbox, process_message

ROOT = Path(__file__).resolve().parents[3]
SAMPLES = ROOT / "samples"
MIN_SAMPLE_INTENT_ACCURACY = 0.9

Message = Callable[..., EmailMessage]

HOT_LEAD = (
    "Hi,\n\nWe'd like a demo of Revenue Radar for our 25-person team; our budget is $4,500 per "
    "month and we want to be live next quarter.\n\nBest,\nOliver Bennett\nHarrowgate Insurance "
    "Brokers Ltd\nLondon EC2A 1BR, United Kingdom\n"
)


def test_a_hot_lead_is_routed_and_planned(message: Message, lumora: Mailbox) -> None:
    msg = message(
        HOT_LEAD, subject="Revenue Radar demo", sender="Oliver Bennett <oliver@harrowgate-ib.co.uk>"
    )

    result = process_message(msg.as_bytes(), lumora)

    assert result.extraction.intent == "lead"
    assert (result.extraction.budget.annual_amount_usd, result.extraction.timeline) == (
        54000,
        "quarter",
    )
    assert (result.route.queue, result.route.priority, result.route.sla_minutes) == (
        "sales_inbound",
        "high",
        15,
    )
    assert [action.action for action in result.crm_actions] == [
        "upsert_company",
        "upsert_contact",
        "create_deal",
        "associate_contact",
    ]
    assert all(
        action.idempotency_key.startswith(result.clean.email_id) for action in result.crm_actions
    )


def test_spam_is_ignored_with_no_crm_writes(message: Message, lumora: Mailbox) -> None:
    msg = message(
        "Your 2.41 BTC allocation is ready: claim within 24 hours.",
        sender="Desk <desk@coinvault.biz>",
        headers={"Authentication-Results": "mx; dkim=none; spf=softfail; dmarc=fail"},
    )

    result = process_message(msg.as_bytes(), lumora)

    assert (result.extraction.intent, result.route.queue, result.route.ignored) == (
        "spam",
        "ignored",
        True,
    )
    assert result.crm_actions == []


def test_received_at_defaults_to_the_date_header(message: Message, lumora: Mailbox) -> None:
    msg = message(date="Mon, 12 Jan 2026 09:30:00 -0600")

    result = process_message(msg.as_bytes(), lumora)

    assert result.clean.received_at == datetime(2026, 1, 12, 15, 30, tzinfo=UTC)


def test_without_a_date_header_received_at_is_the_epoch(message: Message, lumora: Mailbox) -> None:
    assert process_message(message(date=None).as_bytes(), lumora).clean.received_at == EPOCH


def test_an_explicit_receipt_time_and_inbox_win(message: Message, lumora: Mailbox) -> None:
    received = datetime(2026, 2, 1, tzinfo=UTC)

    result = process_message(
        message().as_bytes(), lumora, mailbox_address="info@lumora.io", received_at=received
    )

    assert (result.clean.mailbox, result.clean.received_at) == ("info@lumora.io", received)


def test_the_inbox_defaults_to_the_delivery_headers(message: Message, lumora: Mailbox) -> None:
    msg = message(to="Lumora <info@lumora.io>", headers={"Delivered-To": "sales@lumora.io"})

    assert process_message(msg.as_bytes(), lumora).clean.mailbox == "sales@lumora.io"


def test_the_result_serialises_to_json(message: Message, lumora: Mailbox) -> None:
    result = process_message(message(HOT_LEAD).as_bytes(), lumora)

    document = json.loads(result.model_dump_json())

    assert {"clean", "extraction", "route", "crm_actions"} <= document.keys()
    assert document["clean"]["received_at"] == "2026-01-12T09:30:00Z"
    assert "raw" not in document["clean"]


def test_garbage_bytes_still_produce_a_result(lumora: Mailbox) -> None:
    result = process_message(b"\x00\xff garbage \r\n\r\n\x80", lumora)

    assert result.extraction.intent in {
        "lead",
        "support",
        "vendor",
        "job_applicant",
        "newsletter",
        "spam",
    }


def test_load_mailbox_reads_mailbox_json() -> None:
    mailbox = load_mailbox('{"company": "Lumora Analytics", "domains": ["lumora.io"]}')

    assert (mailbox.company, mailbox.domains, mailbox.products) == (
        "Lumora Analytics",
        ["lumora.io"],
        [],
    )


@pytest.mark.parametrize(
    "text", ["not json", '{"domains": []}', '{"company": "X", "colour": "red"}']
)
def test_load_mailbox_rejects_invalid_documents(text: str) -> None:
    with pytest.raises(ValueError):
        load_mailbox(text)


def test_the_sample_mailbox_is_classified_well() -> None:
    """The demo set (samples/): intent accuracy at least 0.9; the misses are printed."""
    emails = sorted((SAMPLES / "emails").glob("*.eml"))
    assert emails and (SAMPLES / "labels.jsonl").exists(), "samples/ ships with the repository"
    mailbox = load_mailbox((SAMPLES / "mailbox.json").read_text())
    labels = [
        json.loads(line)
        for line in (SAMPLES / "labels.jsonl").read_text().splitlines()
        if line.strip()
    ]
    gold = {label["id"]: label["intent"] for label in labels}

    predicted = {
        path.stem: process_message(path.read_bytes(), mailbox).extraction.intent for path in emails
    }
    misses = [
        f"{id_}: gold {gold[id_]}, got {got}"
        for id_, got in predicted.items()
        if gold.get(id_) != got
    ]
    accuracy = 1 - len(misses) / len(predicted)

    print(f"sample intent accuracy {accuracy:.3f} over {len(predicted)} emails")
    print("\n".join(misses) or "no misses")
    assert accuracy >= MIN_SAMPLE_INTENT_ACCURACY, "\n".join(misses)
