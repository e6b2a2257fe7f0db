"""A producer wedged in send_offsets_to_transaction is given up, not waited on for ever.

librdkafka can block in ``send_offsets_to_transaction`` past its timeout after the group
coordinator went away (confluentinc/librdkafka#5456): the broker-restart stall of
docs/reliability.md, diagnosed with py-spy on a stalled run (route's main thread in that call
for minutes, the other stages caught up and waiting for it). On the real broker the first
producer's call is made to block the same way; the runtime must replace the producer, commit
the batch with the fresh one, and deliver every record exactly once.
"""

from __future__ import annotations

import threading
from collections.abc import Sequence
from datetime import UTC, datetime

import pytest
from confluent_kafka import KafkaError, Producer

from tests.support.kafka import read_topic, wait_until
from tests.support.pipeline import Pipeline
from tests.support.seeded_letters import RawAsLetters, seed_letters
from triage.domain.models import DeadLetter
from triage.platform import metrics, runtime
from triage.platform.handler import Handler
from triage.platform.runtime import Inbound, Outbound, StreamProcessor
from triage.platform.serde import Serde
from triage.platform.topics import DLQ, RAW


class Copier(Handler):
    """Copies each input record's key to email.dlq (a topic whose model needs no pipeline)."""

    def handle(self, record: Inbound) -> Sequence[Outbound]:
        letter = DeadLetter(source_topic=record.topic, source_partition=record.partition,
                            source_offset=record.offset, service="wedge-test", error_class="Copy",
                            error_message="", attempts=1, failed_at=datetime.now(UTC), original_key=record.key)
        return [Outbound(DLQ, record.key or b"", letter)]


class WedgedProducer:
    """A real producer whose ``send_offsets_to_transaction`` blocks, as librdkafka's does."""

    def __init__(self, real: Producer, release: threading.Event) -> None:
        self._real, self._release = real, release

    def send_offsets_to_transaction(self, *args: object) -> None:
        self._release.wait(120)

    def __getattr__(self, name: str) -> object:
        return getattr(self._real, name)


def test_a_wedged_send_offsets_is_given_up_and_every_record_lands_once(
        pipeline: Pipeline, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(runtime, "OFFSETS_TIMEOUT_S", 2)
    monkeypatch.setattr(runtime, "WEDGED_AFTER_S", 1)
    settings = pipeline.settings.model_copy(update={"triage_instance_id": "wedged", "triage_batch_size": 50})
    serde = Serde()
    keys = [f"k{i}".encode() for i in range(30)]
    seed_letters(settings, serde, keys)

    processor = StreamProcessor(settings=settings, service="wedge-test", inputs=[RAW], handler=Copier(),
                                serde=RawAsLetters(serde))
    release, producers = threading.Event(), []
    make_producer = processor._transactional_producer

    def first_one_wedged() -> object:
        producer = make_producer()
        producers.append(producer)
        return WedgedProducer(producer, release) if len(producers) == 1 else producer

    monkeypatch.setattr(processor, "_transactional_producer", first_one_wedged)
    wedged_before = metrics.KAFKA_CALLS_WEDGED.labels("wedge-test", "send_offsets_to_transaction")._value.get()
    stop = threading.Event()
    loop = threading.Thread(target=processor.run, args=(stop,), daemon=True)
    loop.start()
    try:
        wait_until(lambda: len(read_topic(settings, DLQ)) >= len(keys), 120, "every record copied")
    finally:
        stop.set()
        loop.join(30)
        release.set()
    copied = [r.key for r in read_topic(settings, DLQ)]
    assert sorted(copied) == sorted(keys), "a record was lost or copied twice"
    assert len(producers) >= 2, "the wedged producer was never replaced"
    after = metrics.KAFKA_CALLS_WEDGED.labels("wedge-test", "send_offsets_to_transaction")._value.get()
    assert after == wedged_before + 1
    assert not loop.is_alive(), "the stage did not stop"


def test_after_every_broker_was_away_the_next_transaction_starts_on_a_fresh_producer(
        pipeline: Pipeline, monkeypatch: pytest.MonkeyPatch) -> None:
    """The stale coordinator behind the wedge is never used: the producer that saw every broker
    go away is replaced before its next transaction (librdkafka reports _ALL_BROKERS_DOWN to the
    error callback), and the records still land once."""
    settings = pipeline.settings.model_copy(update={"triage_instance_id": "lost", "triage_batch_size": 50})
    serde = Serde()
    keys = [f"lost{i}".encode() for i in range(10)]
    seed_letters(settings, serde, keys)
    processor = StreamProcessor(settings=settings, service="lost-test", inputs=[RAW], handler=Copier(),
                                serde=RawAsLetters(serde))
    producers: list[Producer] = []
    make_producer = processor._transactional_producer

    def counted() -> Producer:
        producer = make_producer()
        producers.append(producer)
        if len(producers) == 1:  # as librdkafka does when the broker goes away
            processor._on_producer_error(KafkaError(KafkaError._ALL_BROKERS_DOWN))
        return producer

    monkeypatch.setattr(processor, "_transactional_producer", counted)
    replaced = metrics.PRODUCERS_REPLACED.labels("lost-test", "brokers_lost")._value.get()
    stop = threading.Event()
    loop = threading.Thread(target=processor.run, args=(stop,), daemon=True)
    loop.start()
    try:
        wait_until(lambda: len(read_topic(settings, DLQ)) >= len(keys), 60, "every record copied")
    finally:
        stop.set()
        loop.join(30)
    assert sorted(r.key for r in read_topic(settings, DLQ)) == sorted(keys)
    assert len(producers) == 2, "the producer that lost every broker ran a transaction"
    assert metrics.PRODUCERS_REPLACED.labels("lost-test", "brokers_lost")._value.get() == replaced + 1
    processor._on_producer_error(KafkaError(KafkaError._TRANSPORT))  # one connection: not an outage
    assert processor._brokers_lost is False
