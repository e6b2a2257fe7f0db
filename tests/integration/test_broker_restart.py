"""Broker restarts are routine (issue "Outages are routine"): the Kafka broker killed with
kill -9 (or stopped with SIGTERM) mid-stream and started again loses no email and
duplicates none, and no stage needs a person: each one stays up and resumes by itself.

The broker is a PRIVATE one (tests/support/private_kafka.py: the project's own script, its
own state directory and ports), so killing it leaves the shared stack alone; the database is
the test's own on the shared PostgreSQL.
"""

from __future__ import annotations

import time
from collections import Counter
from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.integration.test_pipeline import crm_event_emails, ingest
from tests.support.kafka import decoded, read_topic, wait_until
from tests.support.pipeline import SERVICES, Pipeline
from tests.support.private_kafka import PrivateKafka, private_kafka
from tests.support.stack import Stack
from triage.domain.models import CrmEvent
from triage.platform.topics import CRM_EVENTS, DLQ

DOWN_S = 28.0  # as long as the outage measured in the issue


@pytest.fixture
def broker(tmp_path: Path) -> Iterator[PrivateKafka]:
    running = private_kafka(tmp_path)
    yield running
    running.purge()


@pytest.fixture
def private_pipeline(stack: Stack, broker: PrivateKafka, tmp_path: Path) -> Iterator[Pipeline]:
    database_url = stack.new_database()
    running = Pipeline(stack=Stack(broker.bootstrap_servers, stack.database_url), log_dir=tmp_path,
                       database_url=database_url)
    running.prepare()
    yield running
    running.stop_all()
    for service in SERVICES:
        print(f"----- {service} log (tail) -----\n{running.log(service)[-6000:]}")
    stack.drop_database(database_url)


# `make chaos`, not `make test`: the pipeline resumed after most restarts but stalled after some
# (every stage re-assigned, then consuming nothing; kill -9 one run of two, SIGTERM once under
# CI load; docs/reliability.md) — a known defect of the outages issue, not claimed as handled.
@pytest.mark.chaos
@pytest.mark.parametrize("how", ["kill -9", "SIGTERM"])
def test_a_broker_restart_mid_stream_delivers_every_email_exactly_once(
        private_pipeline: Pipeline, broker: PrivateKafka, how: str) -> None:
    pipeline = private_pipeline
    # Small batches: the stream spans many transactions, so the outage cuts through some.
    for service in SERVICES:
        pipeline.start(service, TRIAGE_BATCH_SIZE="20")
    ids = ingest(pipeline, 300, seed=91)
    assert len(set(ids)) == 300
    wait_until(lambda: len(crm_event_emails(pipeline)) >= 20, 180, "the first emails on crm.events")

    if how == "kill -9":
        broker.kill()
    else:
        broker.stop()
    time.sleep(DOWN_S)
    broker.start()
    back_at = time.monotonic()

    wait_until(lambda: crm_event_emails(pipeline) >= set(ids), 240, "all 300 emails on crm.events")
    resumed_s = time.monotonic() - back_at
    exited = {name: p.returncode for name, p in pipeline.processes.items() if p.poll() is not None}
    assert not exited, f"stages exited during the broker outage: {exited}"

    events: list[CrmEvent] = decoded(pipeline.settings, CRM_EVENTS)
    keys = Counter(e.idempotency_key for e in events)
    assert max(keys.values()) == 1, "a CRM action reached crm.events twice"
    assert {e.email_id for e in events} == set(ids)
    assert read_topic(pipeline.settings, DLQ) == [], "the outage dead-lettered records"
    for service in SERVICES:
        pipeline.wait_healthy(service, timeout_s=60)
    print(f"broker {how}, down {DOWN_S:.0f} s: all 300 emails on crm.events {resumed_s:.1f} s after its "
          f"return, {len(events)} events, none twice")
