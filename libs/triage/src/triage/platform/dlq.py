"""The dead-letter topic as an operator sees it: read, filter, replay (``triage dlq``).

A letter is named by where it sits on ``email.dlq``: ``PARTITION:OFFSET``.
Replaying it re-publishes the original key, value and headers to the original
topic and partition, with ``triage.replays`` = the letter's count + 1 (and
``triage.replay.of`` naming the letter), through an idempotent producer that
waits for the broker's acknowledgement. A record that fails again is
dead-lettered by the runtime with that count; at ``TRIAGE_DLQ_MAX_REPLAYS``
the letter is parked (``triage.parked: true``) and replay refuses it unless
forced: no replay loop. The stages' idempotency (route dedupe, CRM keys)
makes a replayed record take effect once.
"""

from __future__ import annotations

import time
import uuid
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from datetime import datetime

from confluent_kafka import Consumer, KafkaException, Producer, TopicPartition

from triage.domain.models import DeadLetter
from triage.platform.runtime import PARKED_HEADER, REPLAYS_HEADER, producer_config, replay_count
from triage.platform.serde import Serde
from triage.platform.settings import KafkaSettings
from triage.platform.topics import DLQ

REPLAY_OF_HEADER = "triage.replay.of"


@dataclass(frozen=True)
class Letter:
    """One ``email.dlq`` record, decoded."""

    partition: int
    offset: int
    letter: DeadLetter
    headers: dict[str, bytes]

    @property
    def id(self) -> str:
        return f"{self.partition}:{self.offset}"

    @property
    def replays(self) -> int:
        return replay_count(self.letter.original_headers)

    def parked(self, max_replays: int) -> bool:
        return self.headers.get(PARKED_HEADER) == b"true" or self.replays >= max_replays

    def summary(self, max_replays: int) -> dict[str, object]:
        d = self.letter
        return {
            "id": self.id, "failed_at": d.failed_at.isoformat(), "service": d.service,
            "source_topic": d.source_topic, "source_partition": d.source_partition,
            "source_offset": d.source_offset, "error_class": d.error_class,
            "error_message": d.error_message, "attempts": d.attempts, "replays": self.replays,
            "parked": self.parked(max_replays),
        }


@dataclass(frozen=True)
class Filters:
    service: str | None = None
    error_class: str | None = None
    topic: str | None = None  # the source topic (logical name)
    since: datetime | None = None
    until: datetime | None = None

    def match(self, letter: Letter) -> bool:
        d = letter.letter
        return ((self.service is None or d.service == self.service)
                and (self.error_class is None or d.error_class == self.error_class)
                and (self.topic is None or d.source_topic == self.topic)
                and (self.since is None or d.failed_at >= self.since)
                and (self.until is None or d.failed_at <= self.until))


def parse_id(text: str) -> tuple[int, int]:
    """``"2:17"`` -> (2, 17); ValueError otherwise."""
    partition, sep, offset = text.partition(":")
    if not sep or not partition.isdigit() or not offset.isdigit():
        raise ValueError(f"{text!r} is not a letter id (PARTITION:OFFSET, as `triage dlq list` shows)")
    return int(partition), int(offset)


def _reader(settings: KafkaSettings) -> Consumer:
    return Consumer({
        **settings.kafka_config(),
        "group.id": f"dlq-reader-{uuid.uuid4().hex}",  # assign() only: never commits
        "isolation.level": "read_committed",
        "enable.auto.commit": False,
    })


def read_letters(settings: KafkaSettings, filters: Filters = Filters(), serde: Serde | None = None,
                 timeout_s: float = 60) -> Iterator[Letter]:
    """Every committed letter matching ``filters``, partition by partition, oldest first.

    ``since`` starts each partition at the first record written at or after it (record
    timestamps are the produce time, a moment after ``failed_at``) instead of its beginning.
    """
    serde = serde or Serde()
    topic = settings.topic(DLQ)
    consumer = _reader(settings)
    try:
        metadata = consumer.list_topics(topic, timeout=10).topics[topic]
        if metadata.error is not None:
            raise KafkaException(metadata.error)
        for partition in sorted(metadata.partitions):
            low, high = consumer.get_watermark_offsets(TopicPartition(topic, partition), timeout=10)
            start = low
            if filters.since is not None:
                found = consumer.offsets_for_times(
                    [TopicPartition(topic, partition, int(filters.since.timestamp() * 1000))], timeout=10)
                start = high if found[0].offset < 0 else max(found[0].offset, low)
            if start >= high:
                continue
            yield from _read_partition(consumer, serde, topic, partition, start, high, filters, timeout_s)
    finally:
        consumer.close()


def _read_partition(consumer: Consumer, serde: Serde, topic: str, partition: int, start: int, high: int,
                    filters: Filters, timeout_s: float) -> Iterator[Letter]:
    consumer.assign([TopicPartition(topic, partition, start)])
    deadline = time.monotonic() + timeout_s
    position = start
    while position < high:
        if time.monotonic() > deadline:
            raise TimeoutError(f"{topic}[{partition}]: not read to offset {high} in {timeout_s} s")
        for message in consumer.consume(500, 0.5):
            if message.error() is not None or message.offset() >= high:
                continue
            letter = Letter(partition, message.offset(), serde.decode(DLQ, message.value()),
                            {k: v or b"" for k, v in (message.headers() or [])})
            if filters.match(letter):
                yield letter
        # transaction markers (and aborted records) take offsets too: trust the position
        position = max(position, consumer.position([TopicPartition(topic, partition)])[0].offset)
    consumer.unassign()


def fetch_letter(settings: KafkaSettings, letter_id: str, serde: Serde | None = None) -> Letter | None:
    partition, offset = parse_id(letter_id)
    topic = settings.topic(DLQ)
    consumer = _reader(settings)
    try:
        low, high = consumer.get_watermark_offsets(TopicPartition(topic, partition), timeout=10)
        if not low <= offset < high:
            return None
        for letter in _read_partition(consumer, serde or Serde(), topic, partition, offset, offset + 1,
                                      Filters(), 30):
            return letter
        return None
    finally:
        consumer.close()


def replay_headers(letter: Letter) -> list[tuple[str, bytes]]:
    """The original headers, with the replay count raised by one and the letter named."""
    kept = {k: v for k, v in letter.letter.original_headers.items()
            if k not in (REPLAYS_HEADER, REPLAY_OF_HEADER)}
    kept[REPLAYS_HEADER] = str(letter.replays + 1).encode()
    kept[REPLAY_OF_HEADER] = f"{DLQ}:{letter.id}".encode()
    return list(kept.items())


class Replayer:
    """Re-publishes letters' originals; idempotent producer, every record acknowledged."""

    def __init__(self, settings: KafkaSettings) -> None:
        self.settings = settings
        self._producer = Producer(producer_config(settings, transactional_id=None))
        self.failed: list[tuple[str, str]] = []  # (letter id, error)
        self.delivered: list[str] = []

    def replay(self, letter: Letter, on_done: Callable[[], None] = lambda: None) -> None:
        d = letter.letter

        def delivered(error: object, _message: object) -> None:
            if error is None:
                self.delivered.append(letter.id)
            else:
                self.failed.append((letter.id, str(error)))
            on_done()

        self._producer.produce(self.settings.topic(d.source_topic), key=d.original_key,
                               value=d.original_value, headers=replay_headers(letter),
                               partition=d.source_partition, on_delivery=delivered)
        self._producer.poll(0)

    def flush(self, timeout_s: float = 60) -> int:
        """Wait for every acknowledgement; returns the records still unacknowledged."""
        return self._producer.flush(timeout_s)
