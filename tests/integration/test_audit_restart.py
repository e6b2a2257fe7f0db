"""audit's guarantee (issue #8): a PostgreSQL restart mid-stream loses no row and duplicates none.

The five services run as processes; audit writes into a PRIVATE PostgreSQL server
(tests/support/private_postgres.py: its own state directory and port; the shared one serves
other people), which the test stops for several seconds while emails flow, then starts
again. The runtime retries a failed ``flush`` (4 tries, backoff), then aborts the batch's
Kafka transaction and rewinds to its first records, so the offsets never move past rows that
were not written: the audit process stays up and no supervisor is needed.
crm-sink keeps the test's own database on the shared server, so the audit rows are the only
thing the outage touches.
"""

from __future__ import annotations

import re
import time
import urllib.request
import uuid
from collections import Counter
from pathlib import Path

import psycopg
import pytest
import yaml

from tests.integration.test_pipeline import crm_event_emails, ingest
from tests.support.kafka import decoded, wait_until
from tests.support.pipeline import Pipeline
from tests.support.private_postgres import PrivatePostgres, private_postgres
from tests.support.stack import Stack
from tests.unit.services.test_audit_rows import ROUTED_EMAIL, inbound
from triage.domain.models import CrmEvent, RoutedEmail
from triage.platform.db import Database, migrate
from triage.platform.routing_config import default_rules_path
from triage.platform.topics import CRM_EVENTS, ROUTED
from triage_audit.handler import AuditHandler
from triage_audit.review import review_reason

OUTAGE_S = 8.0


def count(url: str, query: str) -> int:
    with psycopg.connect(url) as conn:
        return conn.execute(query).fetchone()[0]


def audited(url: str) -> tuple[int, ...]:
    """Complete emails rows (raw and clean parts), extractions, routes, emails with CRM outcomes, outcomes."""
    return (count(url, "SELECT count(*) FROM emails WHERE raw IS NOT NULL AND subject IS NOT NULL"),
            count(url, "SELECT count(*) FROM extractions"), count(url, "SELECT count(*) FROM routes"),
            count(url, "SELECT count(DISTINCT email_id) FROM crm_events"), count(url, "SELECT count(*) FROM crm_events"))


def transactions(pipeline: Pipeline, outcome: str) -> float:
    """audit's triage_transactions_total{outcome=...} from its /metrics."""
    with urllib.request.urlopen(f"http://127.0.0.1:{pipeline.ports['audit']}/metrics", timeout=5) as response:
        text = response.read().decode()
    found = re.search(rf'^triage_transactions_total{{[^}}]*outcome="{outcome}"[^}}]*}} (\S+)$', text, re.M)
    return float(found.group(1)) if found else 0.0


def healthy(pipeline: Pipeline) -> bool:
    try:
        with urllib.request.urlopen(f"http://127.0.0.1:{pipeline.ports['audit']}/healthz", timeout=2) as r:
            return r.status == 200
    except OSError:
        return False


def rules_sending_vendors_to_review(folder: Path) -> Path:
    """triage/config/routing.yaml plus a rule that hands every vendor pitch to a person, so the corpus
    surely has emails for the review queue whatever the confidence bands."""
    rules = yaml.safe_load(default_rules_path().read_text())
    rules["rules"].insert(1, {"name": "vendor_review", "when": {"intent": ["vendor"]},
                              "route": {"queue": "human_review", "priority": "low"},
                              "because": "vendor pitch from {sender_domain}, for a person to check"})
    path = folder / "routing.yaml"
    path.write_text(yaml.safe_dump(rules))
    return path


@pytest.fixture
def server(tmp_path: Path) -> PrivatePostgres:
    running = private_postgres(tmp_path)
    yield running
    running.purge()


def test_a_postgresql_restart_mid_stream_loses_and_duplicates_no_audit_row(
        pipeline: Pipeline, server: PrivatePostgres, tmp_path: Path) -> None:
    pipeline.start("extract")
    pipeline.start("route", TRIAGE_ROUTING_RULES_FILE=str(rules_sending_vendors_to_review(tmp_path)))
    pipeline.start("crm-sink")
    # Batches of 10: the stream spans many audit transactions, so the outage cuts through them.
    audit = pipeline.start("audit", DATABASE_URL=server.url, TRIAGE_BATCH_SIZE="10")
    first = ingest(pipeline, 100, seed=81)
    wait_until(lambda: count(server.url, "SELECT count(*) FROM crm_events") > 0, 120, "audit writing")

    server.stop()
    server.wait_down()
    down_at = time.monotonic()
    written_before = count(pipeline.database_url, "SELECT count(*) FROM crm_contacts")  # the stream goes on
    second = ingest(pipeline, 100, seed=82)  # emails flow while the audit database is away
    ids = first + second
    assert len(set(ids)) == 200
    time.sleep(OUTAGE_S)
    assert audit.poll() is None, "audit exited while PostgreSQL was down"
    assert healthy(pipeline), "audit's liveness probe fails during a database outage"
    aborted_during_outage = transactions(pipeline, "aborted")
    assert aborted_during_outage >= 1, "audit never tried to write while the database was down"
    server.start()
    downtime_s = time.monotonic() - down_at

    wait_until(lambda: crm_event_emails(pipeline) >= set(ids), 180, "all 200 emails on crm.events")
    events: list[CrmEvent] = decoded(pipeline.settings, CRM_EVENTS)
    assert count(pipeline.database_url, "SELECT count(*) FROM crm_contacts") > written_before
    # audit reads six topics at their own pace (a rewound batch more so): wait for the last row
    wait_until(lambda: audited(server.url) == (200, 200, 200, 200, len(events)), 120,
               "audit rows for every email after the restart")

    url = server.url
    expected = ", ".join(f"'{i}'" for i in ids)
    assert count(url, "SELECT count(*) FROM emails") == 200
    assert count(url, f"SELECT count(*) FROM emails WHERE email_id IN ({expected})") == 200, "an email is missing"
    assert count(url, "SELECT count(*) FROM emails WHERE raw IS NOT NULL AND subject IS NOT NULL") == 200
    assert count(url, "SELECT count(*) FROM extractions") == 200
    assert count(url, "SELECT count(DISTINCT email_id) FROM extractions") == 200, "an email was extracted twice"
    assert count(url, "SELECT count(*) FROM routes") == 200
    assert len({e.idempotency_key for e in events}) == len(events), "a CRM action reached crm.events twice"
    assert count(url, "SELECT count(*) FROM crm_events") == len(events)
    per_email = Counter(e.email_id for e in events)
    rows_per_email = dict(psycopg.connect(url).execute(
        "SELECT email_id, count(*) FROM crm_events GROUP BY email_id").fetchall())
    assert rows_per_email == dict(per_email), "an email's CRM outcomes differ from crm.events"
    routed: list[RoutedEmail] = decoded(pipeline.settings, ROUTED)
    needs_review = {r.email_id for r in routed if review_reason(r) is not None}
    with psycopg.connect(url) as conn:
        queued = {row[0] for row in conn.execute("SELECT email_id FROM review_queue")}
    assert needs_review, "some routed emails need a person (vendor_review)"
    assert queued == needs_review, "the review queue differs from the routed emails that need a person"
    assert count(url, "SELECT count(*) FROM dead_letters") == 0

    assert audit.poll() is None and pipeline.processes["audit"] is audit, "audit survived the restart"
    aborted = transactions(pipeline, "aborted")
    log = pipeline.log("audit")
    print(f"PostgreSQL down {downtime_s:.1f} s; audit aborted and rewound {aborted:.0f} batch(es) "
          f"({log.count('aborting a batch')} logged), committed {transactions(pipeline, 'committed'):.0f}; "
          f"rows: 200 emails, 200 extractions, 200 routes, {len(events)} crm_events, "
          f"{len(queued)} review items")
    assert "database unavailable" in log


def test_a_replayed_routed_record_never_reopens_a_resolved_review_item(stack: Stack) -> None:
    url = stack.new_database()
    migrate(url)
    db = Database(url).connect()
    try:
        handler = AuditHandler(db)
        record = ROUTED_EMAIL.model_copy(update={"email_id": f"e-{uuid.uuid4().hex[:12]}", "band": "suggest"})
        handler.handle(inbound(ROUTED, record))
        handler.flush()
        with psycopg.connect(url) as conn:
            assert conn.execute("SELECT reason, band, status FROM review_queue WHERE email_id = %s",
                                (record.email_id,)).fetchone() == ("suggest", "suggest", "open")
            conn.execute("UPDATE review_queue SET status = 'approved', resolved_at = now(), "
                         "resolved_by = 'tester' WHERE email_id = %s", (record.email_id,))
        replayed = record.model_copy(update={"band": "review", "queue": "human_review"})
        handler.handle(inbound(ROUTED, replayed))
        handler.flush()
        with psycopg.connect(url) as conn:
            assert conn.execute("SELECT reason, status, resolved_by FROM review_queue").fetchall() == [
                ("suggest", "approved", "tester")]
            assert conn.execute("SELECT queue FROM routes").fetchall() == [("human_review",)]
    finally:
        db.close()
        stack.drop_database(url)
