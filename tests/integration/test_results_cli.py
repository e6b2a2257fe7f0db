"""``triage results`` over a real audit database: one row per email, whatever happened to it since."""

from __future__ import annotations

import json
from pathlib import Path

import psycopg
import pytest
from typer.testing import CliRunner

from tests.support.stack import Stack
from triage.platform.db import migrate
from triage_cli.app import app

EMAIL = ("INSERT INTO emails (email_id, thread_id, mailbox, received_at, subject, from_email) "
         "VALUES (%s, %s, 'sales@lumora.io', now(), 'Demo please', 'jane@globex.com')")
EXTRACTION = ("INSERT INTO extractions (email_id, model, model_version, schema_name, thread_id, decided_by, intent, "
              "confidence, data, created_at) VALUES (%s, 'local-rules', %s, 'x', %s, 'local', %s, %s, '{}', %s)")
ROUTE = ("INSERT INTO routes (email_id, thread_id, queue, priority, rule, reason, ignored, actions, received_at) "
         "VALUES (%s, %s, 'sales_inbound', 'high', 'hot_lead', 'lead', false, '[]', now())")
EVENT = ("INSERT INTO crm_events (idempotency_key, email_id, thread_id, action, object_type, status, backend, at) "
         "VALUES (%s, %s, %s, %s, %s, 'created', 'local', now())")


@pytest.fixture
def database_url(stack: Stack, monkeypatch: pytest.MonkeyPatch) -> str:
    url = stack.new_database()
    migrate(url)
    monkeypatch.setenv("DATABASE_URL", url)
    yield url
    stack.drop_database(url)


def test_an_email_extracted_again_is_one_row_with_its_newest_extraction(database_url: str, tmp_path: Path) -> None:
    with psycopg.connect(database_url) as conn:
        conn.execute(EMAIL, ("e1", "t1"))
        conn.execute(EXTRACTION, ("e1", "3", "t1", "vendor", 0.7, "2026-11-20T09:00:00Z"))  # an older model
        conn.execute(EXTRACTION, ("e1", "4", "t1", "lead", 0.95, "2026-11-25T09:00:00Z"))   # replayed since
        conn.execute(ROUTE, ("e1", "t1"))
        for action, kind in (("upsert_company", "company"), ("upsert_contact", "contact")):
            conn.execute(EVENT, (f"e1:{action}", "e1", "t1", action, kind))
    ids = tmp_path / "ids.txt"
    ids.write_text("e1\n")
    result = CliRunner().invoke(app, ["results", "--ids", str(ids), "--json"])
    assert result.exit_code == 0, result.output
    report = json.loads(result.stdout)
    assert report["expected"] == 1 and report["done"] == 1
    [row] = report["emails"]
    assert (row["intent"], row["confidence"]) == ("lead", 0.95)
    assert row["crm"] == "company created, contact created"
