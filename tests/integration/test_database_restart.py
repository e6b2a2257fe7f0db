"""A database outage pauses, it does not dead-letter (issue "Outages are routine"): the
pipeline's PostgreSQL restarted mid-stream (crm-sink's ledger and deal locks, audit's rows)
dead-letters nothing, and every email reaches crm.events exactly once.

crm-sink used to spend its 4 tries in ~3 s against the restarting server and dead-letter the
email; now ``Unavailable`` opens the stage's postgresql circuit (ADR 0022): what the batch did
commits, the rest waits with its partitions paused, one record probes with backoff.
The server is a PRIVATE one (tests/support/private_postgres.py), so the shared one is left alone.
"""

from __future__ import annotations

import time
from collections import Counter
from collections.abc import Iterator
from pathlib import Path

import psycopg
import pytest

from tests.integration.test_pipeline import crm_event_emails, ingest
from tests.support.kafka import decoded, read_topic, wait_until
from tests.support.pipeline import SERVICES, Pipeline
from tests.support.private_postgres import PrivatePostgres, private_postgres
from tests.support.stack import Stack
from triage.domain.models import CrmEvent
from triage.platform.topics import CRM_EVENTS, DLQ

OUTAGE_S = 10.0


@pytest.fixture
def server(tmp_path: Path) -> Iterator[PrivatePostgres]:
    running = private_postgres(tmp_path)
    yield running
    running.purge()


@pytest.fixture
def private_db_pipeline(stack: Stack, server: PrivatePostgres, tmp_path: Path) -> Iterator[Pipeline]:
    running = Pipeline(stack=stack, log_dir=tmp_path, database_url=server.url)
    running.prepare()
    yield running
    running.stop_all()
    for service in SERVICES:
        print(f"----- {service} log (tail) -----\n{running.log(service)[-6000:]}")


def test_a_postgresql_restart_mid_stream_dead_letters_nothing(
        private_db_pipeline: Pipeline, server: PrivatePostgres) -> None:
    pipeline = private_db_pipeline
    for service in SERVICES:
        pipeline.start(service, TRIAGE_BATCH_SIZE="10")
    ids = ingest(pipeline, 200, seed=93)
    wait_until(lambda: len(crm_event_emails(pipeline)) >= 10, 180, "the first emails on crm.events")

    server.stop()
    server.wait_down()
    down_at, seen_open = time.monotonic(), {"crm-sink": 0.0, "audit": 0.0}
    while time.monotonic() - down_at < OUTAGE_S:
        for name in seen_open:
            seen_open[name] = max(seen_open[name], pipeline.metric(
                name, f'triage_circuit_state{{dependency="postgresql",service="{name}"}}'))
        time.sleep(0.5)
    before_return = len(crm_event_emails(pipeline))
    server.start()
    back_at = time.monotonic()

    wait_until(lambda: len(crm_event_emails(pipeline)) > before_return or crm_event_emails(pipeline) >= set(ids),
               240, "the first email on crm.events after the return")
    flow_back_s = time.monotonic() - back_at
    wait_until(lambda: crm_event_emails(pipeline) >= set(ids), 240, "all 200 emails on crm.events")
    resumed_s = time.monotonic() - back_at
    exited = {name: p.returncode for name, p in pipeline.processes.items() if p.poll() is not None}
    assert not exited, f"stages exited during the database outage: {exited}"
    letters = read_topic(pipeline.settings, DLQ)
    assert letters == [], f"{len(letters)} dead letter(s) from a database restart"
    events: list[CrmEvent] = decoded(pipeline.settings, CRM_EVENTS)
    assert max(Counter(e.idempotency_key for e in events).values()) == 1, "a CRM action reached crm.events twice"
    wait_until(lambda: psycopg.connect(server.url).execute(
        "SELECT count(DISTINCT email_id) FROM crm_events").fetchone()[0] == 200, 120, "audit rows for every email")
    log = pipeline.log("crm-sink") + pipeline.log("audit")
    waited = log.count("postgresql circuit open")
    assert waited >= 1, "no stage opened its postgresql circuit (the outage ended before any write)"
    assert max(seen_open.values()) == 2, f"no postgresql circuit gauge showed open: {seen_open}"
    print(f"PostgreSQL down {OUTAGE_S:.0f} s: 0 dead letters, 0 twice on crm.events, {before_return} emails on "
          f"crm.events before its return, the first after it in {flow_back_s:.1f} s, all 200 in {resumed_s:.1f} s; "
          f"{waited} circuit openings logged; circuit gauges seen {seen_open}")
