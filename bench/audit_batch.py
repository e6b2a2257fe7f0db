"""The audit handler's flush: wall time, statements and database runs per record, batch by batch.

``python -m bench.audit_batch`` (``DATABASE_URL`` names the server; ``BENCH_AUDIT_EMAILS``, default
1000; ``BENCH_AUDIT_BATCH``, default 100 emails per Kafka batch). Creates a private database on
that server, migrates it, and hands the audit handler each email's records of a run through the
pipeline (email.raw, email.clean, email.extracted, email.routed, one crm.events), flushing once
per batch as the runtime does; then drops the database. Prints one JSON object. A measurement,
not a test: nothing asserts a time.
"""

from __future__ import annotations

import json
import os
import time
import uuid
from datetime import UTC, datetime, timedelta

from bench.admin_list import create_database, drop_database
from triage.domain.models import (
    CleanEmail,
    Company,
    CrmAction,
    CrmEvent,
    ExtractedEmail,
    Extraction,
    Person,
    RawEmail,
    RoutedEmail,
)
from triage.platform.db import Database, migrate
from triage.platform.metrics import DB_RUNS, DB_STATEMENTS
from triage.platform.runtime import Inbound
from triage.platform.topics import CLEAN, CRM_EVENTS, EXTRACTED, RAW, ROUTED
from triage_audit.handler import AuditHandler

NOW = datetime(2026, 1, 12, 9, 30, tzinfo=UTC)


def records(n: int) -> list[Inbound]:
    uid = f"{n}-{uuid.uuid4().hex[:8]}"
    envelope = dict(email_id=f"e-{uid}", thread_id=f"t-{uid}", mailbox="sales@lumora.io", received_at=NOW,
                    message_id=f"{uid}@acme.example")
    extraction = Extraction(intent="lead", person=Person(name="Jane", email=f"jane{n}@acme.example"),
                            company=Company(name="Acme", domain="acme.example"), timeline="now",
                            required_action="schedule_demo", confidence=0.85)
    action = CrmAction(action="upsert_company", object_type="company", idempotency_key=f"e-{uid}:upsert_company",
                       properties={"domain": "acme.example"})
    values = [
        (RAW, RawEmail(**envelope, source="webhook", gmail_id=f"g-{uid}", raw=b"Subject: x\r\n\r\n" + b"body " * 400,
                       size_bytes=2014, truncated=False)),
        (CLEAN, CleanEmail(**envelope, subject="Demo", from_email=f"jane{n}@acme.example", language="en",
                           text="Hello, we would like a demo. " * 20)),
        (EXTRACTED, ExtractedEmail(**envelope, extraction=extraction, model="rules", model_version="3",
                                   decided_by="keywords")),
        (ROUTED, RoutedEmail(**envelope, extraction=extraction, queue="sales_inbound", priority="high",
                             sla_minutes=15, due_at=NOW + timedelta(minutes=15), rule="hot_lead",
                             reason="lead, buying timeline now", ignored=False, crm_actions=[action])),
        (CRM_EVENTS, CrmEvent(email_id=f"e-{uid}", thread_id=f"t-{uid}", action="upsert_company",
                              object_type="company", object_id="42", status="created",
                              idempotency_key=f"e-{uid}:upsert_company", backend="local",
                              response_summary="company created", at=NOW)),
    ]
    return [Inbound(topic=topic, partition=0, offset=n, key=None, value=value, headers={}, timestamp_ms=0)
            for topic, value in values]


def measure(server: str, emails: int, batch: int) -> dict[str, object]:
    url = create_database(server)
    try:
        migrate(url)
        database = Database(url).connect()
        handler = AuditHandler(database)
        inbound = [records(n) for n in range(emails)]
        statements, runs = DB_STATEMENTS._value.get(), DB_RUNS._value.get()
        cpu, wall = time.process_time(), time.perf_counter()
        for start in range(0, emails, batch):
            for email in inbound[start:start + batch]:
                for record in email:
                    handler.handle(record)
            handler.flush()
        cpu, wall = time.process_time() - cpu, time.perf_counter() - wall
        statements, runs = DB_STATEMENTS._value.get() - statements, DB_RUNS._value.get() - runs
        database.close()
    finally:
        drop_database(server, url)
    return {"emails": emails, "records": emails * 5, "batch": batch,
            "wall_ms_per_batch": round(wall / (emails / batch) * 1000, 2),
            "wall_ms_per_email": round(wall / emails * 1000, 3), "cpu_ms_per_email": round(cpu / emails * 1000, 3),
            "statements_per_batch": round(statements / (emails / batch), 2),
            "db_runs_per_batch": round(runs / (emails / batch), 3)}


def main() -> None:
    server = os.environ["DATABASE_URL"]
    emails = int(os.environ.get("BENCH_AUDIT_EMAILS", "1000"))
    batch = int(os.environ.get("BENCH_AUDIT_BATCH", "100"))
    print(json.dumps(measure(server, emails, batch)))


if __name__ == "__main__":
    main()
