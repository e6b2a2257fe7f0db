"""The runtime's circuit on the real broker (ADR 0022), a stage run in-process with a handler whose
dependency goes away for one record.

What must hold: the records handled before the failure commit at once (the group's offset moves
to the failing record while the circuit is open), the failing record is never retried inside the
transaction and nothing is taken while the circuit is open (the partitions are paused: the failing
record is tried exactly twice, the failure and the probe), the consumer keeps polling through a
wait longer than ``max.poll.interval.ms`` so the group membership stays (no revocation), /healthz
says what the stage waits for, and every record is handled exactly once in order, nothing
dead-lettered, no transaction aborted.

And a slow batch (a slow CRM) commits what it has done once it has run ``TRIAGE_BATCH_MAX_S``:
no transaction runs near its timeout, no circuit opens for it.
"""

from __future__ import annotations

import threading
import time
import uuid
from collections.abc import Sequence

from confluent_kafka import Consumer, Producer, TopicPartition

from tests.integration.test_crm_hubspot_kill import routed_lead
from tests.support.kafka import read_topic, wait_until
from tests.support.pipeline import Pipeline
from triage.platform import metrics, runtime
from triage.platform.errors import Unavailable
from triage.platform.handler import Handler
from triage.platform.health import Liveness
from triage.platform.runtime import (
    Inbound,
    Outbound,
    StreamProcessor,
    consumer_config,
    producer_config,
)
from triage.platform.serde import Serde
from triage.platform.topics import DLQ, ROUTED

RECORDS = 30
FAILING_OFFSET = 15  # in the second batch of 10: offsets 10..14 are done before it fails
WAIT_S = 12.0  # the circuit's backoff: longer than the consumer's max.poll.interval.ms below
MAX_POLL_INTERVAL_MS = 10_000  # librdkafka's floor is session.timeout.ms (10 s)


class FlakyDependency(Handler):
    """A handler whose dependency is away when it meets ``FAILING_OFFSET`` for the first time."""

    def __init__(self) -> None:
        self.attempts: dict[int, int] = {}
        self.handled: list[int] = []
        self.revocations: list[dict[str, list[int]]] = []  # before the stage was told to stop
        self.failed = threading.Event()
        self.stopping = threading.Event()

    def handle(self, record: Inbound) -> Sequence[Outbound]:
        self.attempts[record.offset] = self.attempts.get(record.offset, 0) + 1
        if record.offset == FAILING_OFFSET and not self.failed.is_set():
            self.failed.set()
            raise Unavailable("flaky: connection refused", dependency="flaky")
        self.handled.append(record.offset)
        return []

    def revoked(self, partitions: dict[str, list[int]]) -> None:
        if not self.stopping.is_set():
            self.revocations.append(partitions)


def committed_offset(pipeline: Pipeline, group_id: str) -> int:
    consumer = Consumer(consumer_config(pipeline.settings, group_id))
    try:
        [partition] = consumer.committed([TopicPartition(pipeline.settings.topic(ROUTED), 0)], timeout=10)
        return partition.offset
    finally:
        consumer.close()


def test_an_open_circuit_commits_the_done_part_pauses_keeps_the_group_and_probes_once(
        pipeline: Pipeline, monkeypatch) -> None:
    settings = pipeline.settings.model_copy(update={
        "triage_batch_size": 10, "triage_retry_initial_s": WAIT_S, "triage_circuit_max_s": WAIT_S,
        "triage_instance_id": "circuit"})
    producer = Producer(producer_config(settings, transactional_id=None))
    serde = Serde()
    for n in range(RECORDS):
        producer.produce(settings.topic(ROUTED), key=f"k{n}".encode(), partition=0,
                         value=serde.encode(ROUTED, routed_lead(n, uuid.uuid4().hex[:6])))
    assert producer.flush(30) == 0

    def short_poll_interval(settings_, group_id):  # a member that stops polling for 10 s is expelled
        return {**consumer_config(settings_, group_id), "max.poll.interval.ms": MAX_POLL_INTERVAL_MS}

    monkeypatch.setattr(runtime, "consumer_config", short_poll_interval)
    handler = FlakyDependency()
    service = f"circuit-{uuid.uuid4().hex[:6]}"
    liveness = Liveness()
    processor = StreamProcessor(settings=settings, service=service, inputs=[ROUTED], handler=handler,
                                serde=serde, liveness=liveness)
    stop = handler.stopping
    thread = threading.Thread(target=processor.run, args=(stop,), daemon=True)
    thread.start()
    try:
        assert handler.failed.wait(60), "the failing record was never reached"
        wait_until(lambda: committed_offset(pipeline, processor.group_id) == FAILING_OFFSET, 10,
                   "the records done before the failure committed while the circuit is open")
        notes = liveness.notes()
        assert notes and notes[0].startswith("waiting for flaky: circuit open"), notes
        assert handler.attempts[FAILING_OFFSET] == 1, "the failing record retried while the circuit is open"
        wait_until(lambda: len(handler.handled) == RECORDS, 60, "every record handled after the probe")
        wait_until(lambda: committed_offset(pipeline, processor.group_id) == RECORDS, 30, "every offset committed")
    finally:
        stop.set()
        thread.join(30)

    assert handler.handled == list(range(RECORDS)), "a record handled twice or out of order"
    assert handler.attempts[FAILING_OFFSET] == 2, "the failing record: the failure, then one probe"
    assert handler.revocations == [], f"the group membership was lost during the wait: {handler.revocations}"
    assert liveness.notes() == []
    assert read_topic(settings, DLQ) == []
    assert metrics.TRANSACTIONS.labels(service, "aborted")._value.get() == 0
    assert metrics.CIRCUIT_STATE.labels(service, "flaky")._value.get() == 0


class Slow(Handler):
    """A handler whose every record takes ``seconds`` (a slow CRM)."""

    def __init__(self, seconds: float) -> None:
        self.seconds = seconds
        self.handled: list[int] = []

    def handle(self, record: Inbound) -> Sequence[Outbound]:
        time.sleep(self.seconds)
        self.handled.append(record.offset)
        return []


def test_a_slow_batch_commits_what_it_has_done_once_its_time_is_spent(pipeline: Pipeline) -> None:
    """10 records of 0.4 s in one poll with TRIAGE_BATCH_MAX_S=1: never one 4 s transaction."""
    settings = pipeline.settings.model_copy(update={"triage_batch_size": 10, "triage_batch_max_s": 1.0,
                                                    "triage_instance_id": "slow"})
    producer = Producer(producer_config(settings, transactional_id=None))
    serde = Serde()
    for n in range(10):
        producer.produce(settings.topic(ROUTED), key=f"k{n}".encode(), partition=0,
                         value=serde.encode(ROUTED, routed_lead(n, uuid.uuid4().hex[:6])))
    assert producer.flush(30) == 0
    handler = Slow(0.4)
    service = f"slow-{uuid.uuid4().hex[:6]}"
    processor = StreamProcessor(settings=settings, service=service, inputs=[ROUTED], handler=handler, serde=serde)
    stop = threading.Event()
    thread = threading.Thread(target=processor.run, args=(stop,), daemon=True)
    thread.start()
    try:
        wait_until(lambda: committed_offset(pipeline, processor.group_id) == 10, 60, "every offset committed")
    finally:
        stop.set()
        thread.join(30)
    assert handler.handled == list(range(10))
    committed = metrics.TRANSACTIONS.labels(service, "committed")._value.get()
    assert committed >= 4, f"{committed} transaction(s) for 10 records of 0.4 s: the batch time was not enforced"
    assert metrics.TRANSACTIONS.labels(service, "aborted")._value.get() == 0
    assert processor.breakers.circuits == {}, "the batch time is no failure: no circuit opened"


class SlowThenAway(Slow):
    """Slow records on two partitions; the dependency is away once, at the last record of partition 1."""

    def __init__(self, seconds: float, failing: tuple[int, int]) -> None:
        super().__init__(seconds)
        self.failing = failing
        self.seen: list[tuple[int, int]] = []
        self.failed = False

    def handle(self, record: Inbound) -> Sequence[Outbound]:
        if (record.partition, record.offset) == self.failing and not self.failed:
            self.failed = True
            raise Unavailable("flaky: 503", dependency="flaky")
        time.sleep(self.seconds)
        self.seen.append((record.partition, record.offset))
        return []


def test_cut_batches_then_a_circuit_resume_where_held_never_at_an_older_hold(pipeline: Pipeline) -> None:
    """Batches cut by their time hold the rest without a wait; a later wait must not rewind a partition
    to where such a cut once left it (every record handled once)."""
    settings = pipeline.settings.model_copy(update={
        "triage_batch_size": 20, "triage_batch_max_s": 1.0, "triage_retry_initial_s": 0.5,
        "triage_circuit_max_s": 0.5, "triage_instance_id": "cut"})
    producer = Producer(producer_config(settings, transactional_id=None))
    serde = Serde()
    for partition in (0, 1):
        for n in range(6):
            producer.produce(settings.topic(ROUTED), key=f"k{partition}-{n}".encode(), partition=partition,
                             value=serde.encode(ROUTED, routed_lead(n, uuid.uuid4().hex[:6])))
    assert producer.flush(30) == 0
    handler = SlowThenAway(0.3, failing=(1, 5))
    processor = StreamProcessor(settings=settings, service=f"cut-{uuid.uuid4().hex[:6]}", inputs=[ROUTED],
                                handler=handler, serde=serde)
    stop = threading.Event()
    thread = threading.Thread(target=processor.run, args=(stop,), daemon=True)
    thread.start()
    try:
        wait_until(lambda: len(handler.seen) >= 12, 60, "every record handled")
        time.sleep(2)  # a rewind to an old hold would handle some again now
    finally:
        stop.set()
        thread.join(30)
    assert handler.failed
    assert sorted(handler.seen) == [(p, o) for p in (0, 1) for o in range(6)], f"handled twice: {handler.seen}"
