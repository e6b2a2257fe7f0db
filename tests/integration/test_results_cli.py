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


def test_recent_shows_the_emails_seen_last(database_url: str) -> None:
    with psycopg.connect(database_url) as conn:
        for n in range(3):
            conn.execute(EMAIL, (f"r{n}", f"t{n}"))
            conn.execute("UPDATE emails SET updated_at = now() + make_interval(secs => %s) WHERE email_id = %s",
                         (n, f"r{n}"))
    result = CliRunner().invoke(app, ["results", "--recent", "2", "--json"])
    assert result.exit_code == 1  # none reached crm.events
    report = json.loads(result.stdout)
    assert report["expected"] == 2
    assert sorted(row["email_id"] for row in report["emails"]) == ["r1", "r2"]


def test_ids_or_recent_is_needed(database_url: str) -> None:
    result = CliRunner().invoke(app, ["results"])
    assert result.exit_code == 2
    assert "--ids FILE or --recent N" in " ".join(result.output.split())


def test_an_email_routed_before_this_ingest_reads_already_routed(database_url: str, tmp_path: Path) -> None:
    """route skips a re-ingested email as a duplicate: its CRM events are the first pass's."""
    with psycopg.connect(database_url) as conn:
        for email_id in ("old", "new"):
            conn.execute(EMAIL, (email_id, f"t-{email_id}"))
            conn.execute(ROUTE, (email_id, f"t-{email_id}"))
            conn.execute(EVENT, (f"{email_id}:create_deal", email_id, f"t-{email_id}", "create_deal", "deal"))
        conn.execute("UPDATE crm_events SET at = now() - interval '1 hour' WHERE email_id = 'old'")
        since = conn.execute("SELECT now() - interval '1 minute'").fetchone()[0]
    ids = tmp_path / "ids.txt"  # as triage ingest --ids-out writes it
    ids.write_text(f"# ingested at {since.isoformat()}\nold\nnew\n")
    result = CliRunner().invoke(app, ["results", "--ids", str(ids), "--json"])
    assert result.exit_code == 0, result.output
    crm = {row["email_id"]: row["crm"] for row in json.loads(result.stdout)["emails"]}
    assert crm == {"old": "already routed", "new": "deal created"}
    table = CliRunner().invoke(app, ["results", "--ids", str(ids)])
    assert "1 already routed before this ingest" in " ".join(table.stdout.split())
    # without a time (an older ids file, no --since) both show their CRM action
    ids.write_text("old\nnew\n")
    plain = CliRunner().invoke(app, ["results", "--ids", str(ids), "--json"])
    assert {row["crm"] for row in json.loads(plain.stdout)["emails"]} == {"deal created"}


def test_ingest_ids_file_says_when_it_began(pipeline, tmp_path: Path) -> None:
    """The time results compares CRM events with is taken before the first publish."""
    import os
    import subprocess
    from datetime import UTC, datetime

    from tests.support.stack import ROOT
    from triage_cli.commands.results import read_ids

    before = datetime.now(UTC)
    ids = tmp_path / "ids.txt"
    run = subprocess.run(
        [str(ROOT / ".venv/bin/triage"), "ingest", str(ROOT / "samples/emails"), "--ids-out", str(ids), "--json"],
        capture_output=True, text=True, timeout=120, env={**os.environ, **pipeline.env("ingest", "cli")})
    assert run.returncode == 0, run.stderr
    email_ids, since = read_ids(ids)
    assert email_ids == json.loads(run.stdout)["email_ids"] and email_ids
    assert since is not None and before <= since <= datetime.now(UTC)
