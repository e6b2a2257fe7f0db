"""The fault suite (issue "Outages are routine", point 3): one fault per experiment, mid-stream.

Each experiment runs the five services as processes on the suite's private broker and
PostgreSQL (tests/chaos/conftest.py), sends ``TRIAGE_CHAOS_EMAILS`` emails (100 by default,
1,000 under ``make chaos``), injects its fault once the first emails are through, and counts
what an operator would ask: emails **lost** (never on crm.events), CRM actions **duplicated**
(an idempotency key on crm.events twice), records **dead-lettered** that were not poison,
seconds from the fault's end until every email is through, and stages that exited.

``make test`` runs the experiments of ``CI_SUBSET``; ``make chaos`` runs them all with 1,000
emails and prints the table (docs/reliability.md records it).
"""

from __future__ import annotations

import os
import time
import uuid
import zlib
from collections import Counter
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest
from confluent_kafka import Producer

from tests.integration.test_hostile_records import forwarded, limit_topic, mail, publish
from tests.integration.test_pipeline import crm_event_emails, ingest
from tests.support import chaos_results
from tests.support.kafka import decoded, read_topic
from tests.support.pipeline import SERVICES, Pipeline
from tests.support.private_kafka import PrivateKafka
from tests.support.private_postgres import PrivatePostgres
from tests.support.stack import Stack
from triage.domain.models import CrmEvent, DeadLetter
from triage.platform.topics import CLEAN, CRM_EVENTS, DLQ, RAW

EMAILS = int(os.environ.get("TRIAGE_CHAOS_EMAILS", "100"))
BROKER_DOWN_S = 28.0  # the outage measured in the issue
DATABASE_DOWN_S = 10.0
RECOVERY_LIMIT_S = 300.0
FIRST_WAVE = 20
STAGE_ENV = {"TRIAGE_BATCH_SIZE": "20"}  # many transactions, so the fault cuts through some


@dataclass
class Experiment:
    pipeline: Pipeline
    broker: PrivateKafka
    postgres: PrivatePostgres


def kill_9(service: str) -> Callable[[Experiment], None]:
    def fault(run: Experiment) -> None:
        run.pipeline.kill(service)
        time.sleep(2)
        run.pipeline.start(service, **STAGE_ENV)  # what the supervisor (scripts/services.sh) does
    return fault


def broker_restart(how: str) -> Callable[[Experiment], None]:
    def fault(run: Experiment) -> None:
        run.broker.kill() if how == "kill -9" else run.broker.stop()
        time.sleep(BROKER_DOWN_S)
        run.broker.start()
    return fault


def database_restart(run: Experiment) -> None:
    run.postgres.stop()
    run.postgres.wait_down()
    time.sleep(DATABASE_DOWN_S)
    run.postgres.start()


FAULTS: dict[str, Callable[[Experiment], None] | None] = {
    **{f"kill -9 {service}": kill_9(service) for service in SERVICES},
    "broker kill -9": broker_restart("kill -9"),
    "broker SIGTERM": broker_restart("SIGTERM"),
    "postgres restart": database_restart,
    "poison inputs": None,  # the fault is in the data (see poison())
}
CI_SUBSET = {"kill -9 crm-sink", "broker kill -9", "postgres restart", "poison inputs"}


@pytest.fixture
def experiment(chaos_broker: PrivateKafka, chaos_postgres: PrivatePostgres, tmp_path: Path) -> Iterator[Experiment]:
    stack = Stack(chaos_broker.bootstrap_servers, chaos_postgres.url)
    pipeline = Pipeline(stack=stack, log_dir=tmp_path, database_url=stack.new_database())
    pipeline.prepare()
    run = Experiment(pipeline, chaos_broker, chaos_postgres)
    yield run
    pipeline.stop_all()
    for service in SERVICES:
        print(f"----- {service} log (tail) -----\n{pipeline.log(service)[-4000:]}")
    stack.drop_database(pipeline.database_url)


def poison(run: Experiment) -> tuple[list[str], int]:
    """The hostile-input issue's records: (ids that must still flow, records that must be letters).

    A NUL character and a mail with no headers flow like any mail; random bytes on email.raw and
    an email whose clean record its topic refuses (email.clean left at the broker's 1 MiB) are
    dead-lettered by extract, each once, and the partition moves on."""
    uid = uuid.uuid4().hex[:8]
    limit_topic(run.pipeline, CLEAN, 1024 * 1024)
    flowing = publish(run.pipeline, [
        mail(f"{uid}-nul", "We would like\x00 a demo of the forecaster.\x00", subject="Demo\x00 request"),
        b"no headers at all, only a line of text\r\n",
    ])
    publish(run.pipeline, [forwarded(f"{uid}-big", 800_000)])
    producer = Producer(run.pipeline.settings.kafka_config())
    producer.produce(run.pipeline.settings.topic(RAW), key=uid.encode(), value=os.urandom(2048))
    assert producer.flush(30) == 0
    return flowing, 2


@pytest.mark.parametrize("name", [
    pytest.param(name, marks=() if name in CI_SUBSET else pytest.mark.chaos) for name in FAULTS])
def test_a_fault_mid_stream_loses_duplicates_and_dead_letters_nothing(
        experiment: Experiment, name: str) -> None:
    run, fault = experiment, FAULTS[name]
    for service in SERVICES:
        run.pipeline.start(service, **STAGE_ENV)
    # A first wave flows before the fault; the rest is sent just before it, so the fault always
    # lands with work in flight (on a fast machine a whole small run could finish before it).
    ids = ingest(run.pipeline, FIRST_WAVE, seed=zlib.crc32(name.encode()) % 10_000)
    deadline = time.monotonic() + RECOVERY_LIMIT_S
    while len(crm_event_emails(run.pipeline)) < FIRST_WAVE // 2 and time.monotonic() < deadline:
        time.sleep(0.5)
    expected_letters = 0
    if fault is None:
        flowing, expected_letters = poison(run)
        ids += flowing
    ids += ingest(run.pipeline, EMAILS - FIRST_WAVE, seed=zlib.crc32(name.encode()) % 10_000 + 1)
    through_at_fault = len(crm_event_emails(run.pipeline))
    if fault is not None:
        fault(run)
    back_at = time.monotonic()

    # resumed: the first email through after the fault's end; recovered: the last one
    resumed_s = recovered_s = None
    through_at_return = len(crm_event_emails(run.pipeline))
    while time.monotonic() < back_at + RECOVERY_LIMIT_S:
        through = crm_event_emails(run.pipeline)
        if resumed_s is None and (len(through) > through_at_return or through >= set(ids)):
            resumed_s = round(time.monotonic() - back_at, 1)
        if through >= set(ids):
            recovered_s = round(time.monotonic() - back_at, 1)
            break
        time.sleep(1)
    events: list[CrmEvent] = decoded(run.pipeline.settings, CRM_EVENTS)
    letters: list[DeadLetter] = decoded(run.pipeline.settings, DLQ)
    lost = len(set(ids) - {e.email_id for e in events})
    duplicated = sum(n - 1 for n in Counter(e.idempotency_key for e in events).values())
    exited = sorted(n for n, p in run.pipeline.processes.items() if p.poll() is not None)
    row = {"experiment": name, "emails": len(ids), "lost": lost, "duplicated": duplicated,
           "dead_lettered": len(letters) - expected_letters, "resumed_s": resumed_s, "recovered_s": recovered_s,
           "exited": ",".join(exited) or "none", "through_at_fault": through_at_fault}
    if fault is None:
        row["poison_dead_lettered"] = f"{len(letters)}/{expected_letters}"
    chaos_results.record(row)
    print(f"{name}: {row}")

    assert (lost, duplicated, len(letters), exited) == (0, 0, expected_letters, []), row
    assert through_at_fault < len(ids), "the fault came after the stream had ended: it tested nothing"
    if fault is None:
        assert all(letter.service == "extract" and letter.source_topic == RAW for letter in letters)
        assert len(read_topic(run.pipeline.settings, RAW)) == len(ids) + expected_letters
