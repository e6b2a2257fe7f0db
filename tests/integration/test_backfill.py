"""triage backfill and triage purge-raw on the real stack."""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta

import psycopg
import pytest
from typer.testing import CliRunner

from tests.integration.test_pipeline import ingest
from tests.support.kafka import read_topic, wait_until
from tests.support.pipeline import Pipeline
from triage.platform.db import migrate
from triage.platform.topics import RAW, ROUTED
from triage_cli.app import app


def triage(pipeline: Pipeline, monkeypatch: pytest.MonkeyPatch, *args: str) -> tuple[int, dict]:
    monkeypatch.setenv("KAFKA_BOOTSTRAP_SERVERS", pipeline.stack.bootstrap_servers)
    monkeypatch.setenv("DATABASE_URL", pipeline.database_url)
    monkeypatch.setenv("TRIAGE_TOPIC_PREFIX", pipeline.prefix)
    result = CliRunner().invoke(app, [*args, "--json"])
    assert result.exception is None or isinstance(result.exception, SystemExit), result.output
    return result.exit_code, json.loads(result.stdout)


def scalar(url: str, query: str, *params: object) -> object:
    with psycopg.connect(url) as conn:
        return conn.execute(query, params).fetchone()[0]


def execute(url: str, query: str, *params: object) -> None:
    with psycopg.connect(url) as conn:
        conn.execute(query, params)


def test_backfill_redrives_emails_stuck_past_their_sla_once(pipeline: Pipeline,
                                                            monkeypatch: pytest.MonkeyPatch) -> None:
    pipeline.start_all()
    ids = ingest(pipeline, 8, seed=91)
    url = pipeline.database_url
    wait_until(lambda: scalar(url, "SELECT count(DISTINCT email_id) FROM crm_events") == 8, 60, "8 emails in CRM")
    wait_until(lambda: len(read_topic(pipeline.settings, ROUTED)) == 8, 10, "8 routed")
    written = ("SELECT email_id FROM crm_events WHERE status <> 'ignored' GROUP BY email_id "
               "ORDER BY email_id LIMIT 1")
    late = scalar(url, written)
    on_time = next(i for i in ids if i != late)
    unrouted = next(i for i in ids if i not in (late, on_time))
    before = {t: scalar(url, f"SELECT count(*) FROM {t}") for t in ("crm_contacts", "crm_companies", "crm_deals")}
    # Three emails lose their CRM outcome: one is past its SLA, one still has time, one was never routed.
    execute(url, "DELETE FROM crm_events WHERE email_id = ANY(%s)", [late, on_time, unrouted])
    execute(url, "UPDATE routes SET due_at = now() - interval '1 hour' WHERE email_id = %s", late)
    execute(url, "UPDATE routes SET due_at = now() + interval '1 hour' WHERE email_id = %s", on_time)
    execute(url, "DELETE FROM routes WHERE email_id = %s", unrouted)

    code, dry = triage(pipeline, monkeypatch, "backfill", "--older-than-sla", "--dry-run")
    assert code == 0 and dry["would_redrive"] == [late] and dry["redriven"] == []
    routed_before = len(read_topic(pipeline.settings, ROUTED))

    code, done = triage(pipeline, monkeypatch, "backfill")  # --older-than-sla is the default (the CronJob)
    assert code == 0 and done["redriven"] == [late] and done["stuck"] == 1
    wait_until(lambda: scalar(url, "SELECT count(*) FROM crm_events WHERE email_id = %s", late) > 0, 30,
               "the late email back in crm_events")
    assert len(read_topic(pipeline.settings, ROUTED)) == routed_before + 1
    assert scalar(url, "SELECT count(*) FROM crm_events WHERE email_id = %s", on_time) == 0, "not past its SLA"
    after = {t: scalar(url, f"SELECT count(*) FROM {t}") for t in before}
    assert after == before, "the re-drive wrote nothing twice in the CRM"

    code, again = triage(pipeline, monkeypatch, "backfill")
    assert code == 0 and again["stuck"] == 0 and again["redriven"] == []

    # --any-age reaches the email that never got routed, from its raw record
    raw_before = len(read_topic(pipeline.settings, RAW))
    code, wide = triage(pipeline, monkeypatch, "backfill", "--any-age", "--min-age-minutes", "0")
    assert code == 0 and set(wide["redriven"]) == {on_time, unrouted}
    assert len(read_topic(pipeline.settings, RAW)) == raw_before + 1, "the unrouted one went back to email.raw"


def test_purge_raw_nulls_raw_bodies_older_than_the_ttl_in_batches(stack, monkeypatch: pytest.MonkeyPatch) -> None:
    url = stack.new_database()
    try:
        migrate(url)
        now = datetime.now(UTC)
        with psycopg.connect(url) as conn:
            for i, age_days in enumerate([40, 35, 31, 31, 29, 1, 45]):
                conn.execute("INSERT INTO emails (email_id, thread_id, mailbox, received_at, raw, clean_parts) "
                             "VALUES (%s, %s, 'sales@lumora.io', %s, %s, %s)",
                             (f"e{i}", f"t{i}", now - timedelta(days=age_days), b"From: x\r\n\r\nbody",
                              '{"text": "body"}'))
            # audited email.clean before email.raw, or raw purged by an older version: its text is due too
            conn.execute("INSERT INTO emails (email_id, thread_id, mailbox, received_at, clean_parts) "
                         "VALUES ('e7', 't7', 'sales@lumora.io', %s, '{\"text\": \"body\"}')",
                         (now - timedelta(days=60),))
        monkeypatch.setenv("DATABASE_URL", url)
        monkeypatch.delenv("TRIAGE_RAW_TTL_DAYS", raising=False)

        def run(*args: str) -> tuple[int, dict]:
            result = CliRunner().invoke(app, ["purge-raw", *args, "--json"])
            return result.exit_code, json.loads(result.stdout)

        assert run("--dry-run") == (0, {"dry_run": True, "days": 30, "due": 6, "purged": 0, "batches": 0})
        assert scalar(url, "SELECT count(*) FROM emails WHERE raw IS NULL") == 1, "a dry run changes nothing"
        code, summary = run("--batch-size", "2")
        assert code == 0 and summary["purged"] == 6 and summary["batches"] == 3  # 2 + 2 + 2
        assert scalar(url, "SELECT string_agg(email_id, ',' ORDER BY email_id) FROM emails WHERE raw IS NOT NULL") \
            == "e4,e5"
        assert scalar(url, "SELECT string_agg(email_id, ',' ORDER BY email_id) FROM emails "
                           "WHERE clean_parts IS NOT NULL") == "e4,e5", "the text goes with the raw body"
        assert scalar(url, "SELECT count(*) FROM emails") == 8, "rows stay, only the bodies go"
        assert run()[1]["purged"] == 0, "idempotent"
        monkeypatch.setenv("TRIAGE_RAW_TTL_DAYS", "7")
        assert run()[1] == {"dry_run": False, "days": 7, "due": 1, "purged": 1, "batches": 1}
    finally:
        stack.drop_database(url)
