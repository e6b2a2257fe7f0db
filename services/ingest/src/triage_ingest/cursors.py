"""Each mailbox's history cursor: the compacted ``gmail.cursors`` topic, read back into memory.

The fetch worker writes a mailbox's new cursor in the same Kafka transaction
as the ``email.raw`` records it fetched and the notification's consumed offset
(docs/adr/0006), so the cursor can never run ahead of what was published. The
in-memory copy is rebuilt from the topic at start, after an aborted batch and
after a rebalance.
"""

from __future__ import annotations

import time
import uuid
from collections.abc import Callable

from confluent_kafka import Consumer, TopicPartition

from triage.domain.models import GmailCursor
from triage.platform.serde import Serde
from triage.platform.settings import KafkaSettings
from triage.platform.topics import GMAIL_CURSORS


class CursorStore:
    def __init__(self, load: Callable[[], dict[str, GmailCursor]]) -> None:
        self._load = load
        self._cursors: dict[str, GmailCursor] = {}

    def reload(self) -> None:
        self._cursors = self._load()

    def get(self, mailbox: str) -> GmailCursor | None:
        return self._cursors.get(mailbox)

    def put(self, cursor: GmailCursor) -> None:
        self._cursors[cursor.mailbox] = cursor


def read_cursors(settings: KafkaSettings, serde: Serde, timeout_s: float = 30) -> dict[str, GmailCursor]:
    """The last committed cursor of every mailbox (read_committed, from the beginning to the end)."""
    consumer = Consumer({**settings.kafka_config(), "group.id": f"gmail-cursor-reader-{uuid.uuid4().hex}",
                         "isolation.level": "read_committed", "enable.auto.commit": False})
    try:
        return _read_to_end(consumer, settings.topic(GMAIL_CURSORS), serde, timeout_s)
    finally:
        consumer.close()


def _read_to_end(consumer: Consumer, topic: str, serde: Serde, timeout_s: float) -> dict[str, GmailCursor]:
    partitions = consumer.list_topics(topic, timeout=10).topics[topic].partitions
    ends = {p: consumer.get_watermark_offsets(TopicPartition(topic, p), timeout=10)[1] for p in partitions}
    pending = {p for p, end in ends.items() if end > 0}
    consumer.assign([TopicPartition(topic, p, 0) for p in pending])
    cursors: dict[str, GmailCursor] = {}
    deadline = time.monotonic() + timeout_s
    while pending:
        if time.monotonic() > deadline:
            raise TimeoutError(f"{topic}: could not read to the end in {timeout_s} s")
        for message in consumer.consume(500, 0.2):
            if message.error() is None and message.value() is not None:
                cursor = serde.decode(GMAIL_CURSORS, message.value())
                cursors[cursor.mailbox] = cursor
        # Transaction markers take offsets too: the position, not the last record, says we are done.
        for tp in consumer.position([TopicPartition(topic, p) for p in pending]):
            if tp.offset >= ends[tp.partition]:
                pending.discard(tp.partition)
    return cursors
