"""Reading topics back the way a downstream consumer would (read_committed)."""

from __future__ import annotations

import time
import uuid
from collections.abc import Callable
from dataclasses import dataclass

from confluent_kafka import Consumer, KafkaError, KafkaException, TopicPartition

from triage.platform.serde import Serde
from triage.platform.settings import KafkaSettings


@dataclass(frozen=True)
class Read:
    key: bytes | None
    value: bytes | None
    headers: dict[str, bytes]
    partition: int
    offset: int
    timestamp_ms: int


def read_topic(settings: KafkaSettings, logical: str, timeout_s: float = 30) -> list[Read]:
    """Every committed record of a topic, from the beginning to the current end."""
    topic = settings.topic(logical)
    consumer = Consumer({
        **settings.kafka_config(),
        "group.id": f"test-reader-{uuid.uuid4().hex}",
        "isolation.level": "read_committed",
        "enable.auto.commit": False,
        "auto.offset.reset": "earliest",
    })
    try:
        metadata = consumer.list_topics(topic, timeout=10).topics[topic]
        partitions = [TopicPartition(topic, p, 0) for p in metadata.partitions]
        ends = {tp.partition: _end_offset(consumer, tp, timeout_s) for tp in partitions}
        consumer.assign([TopicPartition(topic, p, 0) for p, end in ends.items() if end > 0])
        records: list[Read] = []
        positions = {p: 0 for p, end in ends.items() if end > 0}
        deadline = time.monotonic() + timeout_s
        while positions and any(positions[p] < ends[p] for p in positions):
            if time.monotonic() > deadline:
                raise TimeoutError(f"{topic}: could not read to the end in {timeout_s} s")
            for message in consumer.consume(500, 0.5):
                if message.error():
                    continue
                positions[message.partition()] = message.offset() + 1
                records.append(Read(message.key(), message.value(),
                                    {k: v for k, v in (message.headers() or [])},
                                    message.partition(), message.offset(), message.timestamp()[1]))
            # read_committed stops at the last stable offset; transaction markers take offsets too
            for tp in consumer.position([TopicPartition(topic, p) for p in positions]):
                if tp.offset >= 0:
                    positions[tp.partition] = max(positions[tp.partition], tp.offset)
        return records
    finally:
        consumer.close()


def _end_offset(consumer: Consumer, partition: TopicPartition, timeout_s: float) -> int:
    """The partition's end, asked again while a broker that just came back has no leader yet."""
    deadline = time.monotonic() + timeout_s
    while True:
        try:
            return consumer.get_watermark_offsets(partition, timeout=10)[1]
        except KafkaException as exc:
            if not exc.args[0].retriable() and exc.args[0].code() not in RETRIED_WHILE_STARTING:
                raise
            if time.monotonic() > deadline:
                raise
            time.sleep(0.5)


#: What a broker answers while it is starting up (after a restart in the fault experiments).
RETRIED_WHILE_STARTING = frozenset({KafkaError.NOT_LEADER_FOR_PARTITION, KafkaError.LEADER_NOT_AVAILABLE,
                                    KafkaError._TRANSPORT, KafkaError._TIMED_OUT,
                                    KafkaError.UNKNOWN_TOPIC_OR_PART})


def decoded(settings: KafkaSettings, logical: str, serde: Serde | None = None) -> list:
    serde = serde or Serde()
    return [serde.decode(logical, r.value) for r in read_topic(settings, logical)]


def wait_until(condition: Callable[[], bool], timeout_s: float, what: str, interval_s: float = 0.5) -> None:
    deadline = time.monotonic() + timeout_s
    while not condition():
        if time.monotonic() > deadline:
            raise AssertionError(f"timed out after {timeout_s} s waiting for {what}")
        time.sleep(interval_s)
