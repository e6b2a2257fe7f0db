"""Reads one partition of a compacted state topic from its beginning to its current end."""

from __future__ import annotations

import time
import uuid
from collections.abc import Iterator

from confluent_kafka import Consumer, TopicPartition
from pydantic import BaseModel

from triage.platform.serde import Serde
from triage.platform.settings import KafkaSettings


def read_partition(settings: KafkaSettings, serde: Serde, logical: str, partition: int,
                   timeout_s: float = 60) -> Iterator[tuple[str, BaseModel | None]]:
    """Yields (key, value or None for a tombstone), committed records only (read_committed).

    The end is the high watermark when the read starts; an open transaction of a
    previous owner makes this wait until it commits or aborts (bounded by the
    transaction timeout), which is what keeps the state exact after a rebalance.
    """
    topic = settings.topic(logical)
    consumer = Consumer({
        **settings.kafka_config(),
        "group.id": f"changelog-reader-{uuid.uuid4().hex}",  # assign() only: never commits
        "isolation.level": "read_committed",
        "enable.auto.commit": False,
        "enable.partition.eof": True,
    })
    try:
        low, high = consumer.get_watermark_offsets(TopicPartition(topic, partition), timeout=10)
        if high <= low:
            return
        consumer.assign([TopicPartition(topic, partition, low)])
        deadline = time.monotonic() + timeout_s
        position = low
        while position < high:
            if time.monotonic() > deadline:
                raise TimeoutError(f"{topic}[{partition}]: not read to offset {high} in {timeout_s} s")
            message = consumer.poll(0.5)
            if message is not None and message.error() is None:
                value = message.value()
                yield (message.key() or b"").decode(), None if value is None else serde.decode(logical, value)
            # transaction markers take offsets too: trust the consumer's position
            position = max(position, consumer.position([TopicPartition(topic, partition)])[0].offset)
    finally:
        consumer.close()


def partition_count(settings: KafkaSettings, logical: str) -> int:
    consumer = Consumer({**settings.kafka_config(), "group.id": f"meta-{uuid.uuid4().hex}"})
    try:
        topic = settings.topic(logical)
        return len(consumer.list_topics(topic, timeout=10).topics[topic].partitions)
    finally:
        consumer.close()
