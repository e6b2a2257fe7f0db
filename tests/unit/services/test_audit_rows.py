"""audit: each topic's record becomes the right row for the right upsert statement."""

from __future__ import annotations

import json
import re
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import UTC, datetime, timedelta
from typing import get_args

import pytest

from triage.domain.models import (
    CleanEmail,
    Company,
    CrmAction,
    CrmEvent,
    DeadLetter,
    EvidenceSource,
    ExtractedEmail,
    Extraction,
    ForwardedMessage,
    Person,
    RawEmail,
    RoutedEmail,
)
from triage.domain.normalize.limits import MAX_TEXT_CHARS
from triage.platform.db import Database
from triage.platform.runtime import Inbound
from triage.platform.topics import (
    CLEAN,
    CRM_EVENTS,
    DEDUPE,
    DLQ,
    EXTRACTED,
    RAW,
    ROUTED,
)
from triage_audit.handler import AuditHandler
from triage_audit.rows import (
    AUDITED_TOPICS,
    ROW_FOR_TOPIC,
    UPSERT_CLEAN,
    UPSERT_CRM_EVENT,
    UPSERT_DEAD_LETTER,
    UPSERT_EXTRACTION,
    UPSERT_RAW,
    UPSERT_ROUTE,
)

NOW = datetime(2026, 1, 12, 9, 30, tzinfo=UTC)
ID = uuid.uuid4().hex[:12]
EXTRACTION = Extraction(intent="lead", person=Person(name="Jane", email="jane@acme.com"),
                        company=Company(name="Acme", domain="acme.com"), timeline="now",
                        required_action="schedule_demo", confidence=0.85)
ENVELOPE = dict(email_id=f"e-{ID}", thread_id=f"t-{ID}", mailbox="sales@lumora.io", received_at=NOW,
                message_id=f"{ID}@acme.com")

RAW_EMAIL = RawEmail(**ENVELOPE, source="webhook", gmail_id="g-1", raw=b"Subject: x\r\n\r\nbody",
                     size_bytes=19, truncated=True)
CLEAN_EMAIL = CleanEmail(**ENVELOPE, subject="Demo", from_email="jane@acme.com", language="en")
EXTRACTED_EMAIL = ExtractedEmail(**ENVELOPE, extraction=EXTRACTION, model="rules", model_version="3",
                                 decided_by="keywords", tokens_in=10, tokens_out=20, cost_usd=0.5)
ACTION = CrmAction(action="upsert_company", object_type="company", idempotency_key=f"e-{ID}:upsert_company",
                   properties={"domain": "acme.com"})
ROUTED_EMAIL = RoutedEmail(**ENVELOPE, extraction=EXTRACTION, queue="sales_inbound", priority="high",
                           sla_minutes=15, due_at=NOW + timedelta(minutes=15), rule="hot_lead",
                           reason="lead, buying timeline now", ignored=False, crm_actions=[ACTION])
CRM_EVENT = CrmEvent(email_id=f"e-{ID}", thread_id=f"t-{ID}", action="upsert_company", object_type="company",
                     object_id="42", status="created", idempotency_key=f"e-{ID}:upsert_company",
                     backend="local", response_summary="company created", at=NOW)
DEAD_LETTER = DeadLetter(source_topic=RAW, source_partition=2, source_offset=99, service="extract",
                         error_class="SerdeError", error_message="bad magic", attempts=1, failed_at=NOW,
                         original_key=b"k", original_value=b"v")


def placeholders(statement: str) -> int:
    return max(int(n) for n in re.findall(r"\$(\d+)", statement))


@pytest.mark.parametrize(
    ("topic", "record", "statement", "row"),
    [
        (RAW, RAW_EMAIL, UPSERT_RAW,
         (f"e-{ID}", f"t-{ID}", f"{ID}@acme.com", "sales@lumora.io", "webhook", "g-1", NOW, 19, True,
          b"Subject: x\r\n\r\nbody")),
        (CLEAN, CLEAN_EMAIL, UPSERT_CLEAN,
         (f"e-{ID}", f"t-{ID}", f"{ID}@acme.com", "sales@lumora.io", NOW, "Demo", "jane@acme.com", "en",
          json.dumps({"subject": "Demo", "from_name": None, "from_email": "jane@acme.com", "reply_to": None,
                      "text": "", "signature": None, "quoted": None, "footer": None}))),
        (EXTRACTED, EXTRACTED_EMAIL, UPSERT_EXTRACTION,
         (f"e-{ID}", "rules", "3", "triage.extracted.Extraction", f"t-{ID}", "keywords", "lead", 0.85,
          EXTRACTION.model_dump_json(), 10, 20, 0.5)),
        (ROUTED, ROUTED_EMAIL, UPSERT_ROUTE,
         (f"e-{ID}", f"t-{ID}", "sales_inbound", "high", 15, NOW + timedelta(minutes=15), "hot_lead",
          "lead, buying timeline now", False, json.dumps([ACTION.model_dump()]), NOW)),
        (CRM_EVENTS, CRM_EVENT, UPSERT_CRM_EVENT,
         (f"e-{ID}:upsert_company", f"e-{ID}", f"t-{ID}", "upsert_company", "company", "42", "created",
          "local", "company created", NOW)),
        (DLQ, DEAD_LETTER, UPSERT_DEAD_LETTER,
         (RAW, 2, 99, "extract", "SerdeError", "bad magic", 1, NOW, b"k")),
    ],
    ids=["raw", "clean", "extracted", "routed", "crm_events", "dlq"],
)
def test_each_topics_record_becomes_its_row(topic, record, statement, row) -> None:
    chosen, to_row = ROW_FOR_TOPIC[topic]
    assert chosen is statement
    assert to_row(record) == row
    assert placeholders(statement) == len(row), "every column has its parameter"


@pytest.mark.parametrize(("statement", "table", "conflict"), [
    (UPSERT_RAW, "emails", "(email_id)"),
    (UPSERT_CLEAN, "emails", "(email_id)"),
    (UPSERT_EXTRACTION, "extractions", "(email_id, model, model_version)"),
    (UPSERT_ROUTE, "routes", "(email_id)"),
    (UPSERT_CRM_EVENT, "crm_events", "(idempotency_key)"),
    (UPSERT_DEAD_LETTER, "dead_letters", "(source_topic, source_partition, source_offset)"),
])
def test_every_statement_is_an_upsert_on_its_natural_key(statement, table, conflict) -> None:
    assert f"INSERT INTO {table} " in statement
    assert f"ON CONFLICT {conflict} DO UPDATE" in statement


def test_the_extraction_row_stores_the_extraction_as_json() -> None:
    _, to_row = ROW_FOR_TOPIC[EXTRACTED]
    data = json.loads(to_row(EXTRACTED_EMAIL)[8])
    assert data["person"] == {"name": "Jane", "email": "jane@acme.com"}
    assert data["company"]["domain"] == "acme.com"


def test_the_clean_row_keeps_every_evidence_source_and_the_quoted_history_bounded() -> None:
    clean = CLEAN_EMAIL.model_copy(update={
        "text": "x" * (MAX_TEXT_CHARS + 5), "signature": "-- Jane", "quoted": "> earlier",
        "forwarded": ForwardedMessage(from_email="bob@old.com", subject="Fwd", text="original")})
    parts = json.loads(ROW_FOR_TOPIC[CLEAN][1](clean)[8])
    assert len(parts["text"]) == MAX_TEXT_CHARS, "cut at the normaliser's bound"
    assert (parts["signature"], parts["quoted"]) == ("-- Jane", "> earlier")
    assert parts["forwarded"] == {"from_name": None, "from_email": "bob@old.com", "subject": "Fwd", "text": "original"}
    every_source = {s for s in get_args(EvidenceSource)}
    stored = {k for k in parts if k != "forwarded"} | {f"forwarded.{k}" for k in parts["forwarded"]}
    assert every_source <= stored, "every field an evidence span may index is stored"


def test_every_topic_an_email_passes_through_is_audited() -> None:
    assert set(AUDITED_TOPICS) == {RAW, CLEAN, EXTRACTED, ROUTED, CRM_EVENTS, DLQ}
    assert DEDUPE not in AUDITED_TOPICS, "markers are routing state, not an email's history"


class FakeConnection:
    def __init__(self, log: list) -> None:
        self.log = log

    def executemany(self, statement: str, rows: list[tuple]) -> None:
        self.log.append((statement, rows))


class FakeDatabase(Database):
    """The real Database, never connected, whose transactions record instead of talking to PostgreSQL."""

    def __init__(self) -> None:
        super().__init__("postgresql://unused")
        self.log: list = []

    @contextmanager
    def transaction(self) -> Iterator[FakeConnection]:  # type: ignore[override]
        self.log.append("begin")
        try:
            yield FakeConnection(self.log)
        except BaseException:
            self.log.append("rollback")
            raise
        self.log.append("commit")


def inbound(topic: str, value) -> Inbound:
    return Inbound(topic=topic, partition=0, offset=0, key=None, value=value, headers={}, timestamp_ms=0)


def test_the_audit_handler_buffers_rows_and_writes_them_once_per_batch_in_one_transaction() -> None:
    db = FakeDatabase()
    handler = AuditHandler(db)
    assert handler.handle(inbound(RAW, RAW_EMAIL)) == []
    assert handler.handle(inbound(CLEAN, CLEAN_EMAIL)) == []
    assert handler.handle(inbound(RAW, RAW_EMAIL)) == []
    assert db.log == [], "nothing is written before flush"
    handler.flush()
    raw_row = ROW_FOR_TOPIC[RAW][1](RAW_EMAIL)
    clean_row = ROW_FOR_TOPIC[CLEAN][1](CLEAN_EMAIL)
    assert db.log == ["begin", (UPSERT_RAW, [raw_row, raw_row]), (UPSERT_CLEAN, [clean_row]), "commit"]
    handler.flush()
    assert len(db.log) == 4, "a flushed batch is not written again"
    db.close()


def test_a_discarded_batch_is_never_written() -> None:
    db = FakeDatabase()
    handler = AuditHandler(db)
    handler.handle(inbound(CRM_EVENTS, CRM_EVENT))
    handler.discard()
    handler.flush()
    assert db.log == []
    db.close()
