"""The local CRM behind the writer: CPU, statements and database runs per lead email.

``python -m bench.local_crm`` (``DATABASE_URL`` names the server; ``BENCH_CRM_EMAILS``, default
500; ``BENCH_CRM_BATCH``, default 100 emails per Kafka batch). Creates a private database on that
server, migrates it, writes each email's four planned actions (company, contact, deal,
association; 25 companies, so most deals are skipped by the 45-day rule) through
``backends.local_crm`` batch by batch — ``prefetch`` then ``apply``, as crm-sink does — once
with the batch transaction and once without (``TRIAGE_LOCAL_CRM_BATCH_TRANSACTION``), and drops
the database. Prints one JSON object per mode. A measurement, not a test: nothing asserts a time.
"""

from __future__ import annotations

import json
import os
import time
import uuid

from bench.admin_list import create_database, drop_database
from triage.domain.models import CrmAction
from triage.platform.db import Database, migrate
from triage.platform.metrics import DB_RUNS, DB_STATEMENTS
from triage_crm.backends import local_crm


def planned(kind: str, object_type: str, email_id: str, **properties: str) -> CrmAction:
    return CrmAction(action=kind, object_type=object_type, idempotency_key=f"{email_id}:{kind}",
                     properties={"email_id": email_id, "queue": "sales_inbound", **properties})


def lead(n: int) -> list[CrmAction]:
    email_id, domain = f"e{n}-{uuid.uuid4().hex[:6]}", f"c{n % 25}.example"
    person = f"p{n}@{domain}"
    return [planned("upsert_company", "company", email_id, domain=domain, name=f"Company {n % 25}"),
            planned("upsert_contact", "contact", email_id, email=person, name="Jane Doe", company_domain=domain),
            planned("create_deal", "deal", email_id, name="Deal", company_domain=domain, contact_email=person,
                    amount="100", currency="USD"),
            planned("associate_contact", "association", email_id, contact_email=person, company_domain=domain)]


def measure(server: str, emails: int, batch: int, batch_transaction: bool) -> dict[str, object]:
    url = create_database(server)
    try:
        migrate(url)
        database = Database(url).connect()
        crm = local_crm(database, batch_transaction=batch_transaction)
        leads = [lead(n) for n in range(emails)]
        statements, runs = DB_STATEMENTS._value.get(), DB_RUNS._value.get()
        cpu, wall = time.process_time(), time.perf_counter()
        for start in range(0, emails, batch):
            actions = [a for email in leads[start:start + batch] for a in email]
            crm.prefetch(actions)
            for action in actions:
                crm.apply(action)
        cpu, wall = time.process_time() - cpu, time.perf_counter() - wall
        statements, runs = DB_STATEMENTS._value.get() - statements, DB_RUNS._value.get() - runs
        database.close()
    finally:
        drop_database(server, url)
    return {"batch_transaction": batch_transaction, "emails": emails, "cpu_ms_per_email": round(cpu / emails * 1000, 3),
            "wall_ms_per_email": round(wall / emails * 1000, 3), "statements_per_email": round(statements / emails, 2),
            "db_runs_per_email": round(runs / emails, 3)}


def main() -> None:
    server = os.environ["DATABASE_URL"]
    emails = int(os.environ.get("BENCH_CRM_EMAILS", "500"))
    batch = int(os.environ.get("BENCH_CRM_BATCH", "100"))
    for batch_transaction in (True, False):
        print(json.dumps(measure(server, emails, batch, batch_transaction)))


if __name__ == "__main__":
    main()
