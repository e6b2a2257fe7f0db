"""Records for runtime tests on the real broker: DeadLetter values seeded on email.raw, read back
with the letter's schema, so a copying handler needs no email to parse."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import UTC, datetime

from confluent_kafka import Producer

from triage.domain.models import DeadLetter
from triage.platform.serde import Serde
from triage.platform.settings import KafkaSettings
from triage.platform.topics import DLQ, RAW


class RawAsLetters:
    """The seed records are DeadLetter-encoded: read email.raw with the letter's schema."""

    def __init__(self, serde: Serde) -> None:
        self._serde = serde

    def decode(self, topic: str, value: bytes) -> object:
        return self._serde.decode(DLQ if topic == RAW else topic, value)

    def encode(self, topic: str, value: object) -> bytes:
        return self._serde.encode(topic, value)


def seed_letters(settings: KafkaSettings, serde: Serde, keys: Sequence[bytes], partition: int | None = None) -> None:
    """One letter per key on email.raw (on ``partition``, else by key), acknowledged."""
    source = Producer(settings.kafka_config())
    where = {} if partition is None else {"partition": partition}
    for key in keys:
        letter = DeadLetter(source_topic="email.raw", source_partition=0, source_offset=0, service="seed",
                            error_class="Seed", error_message="", attempts=1, failed_at=datetime.now(UTC))
        source.produce(settings.topic(RAW), key=key, value=serde.encode(DLQ, letter), **where)
    assert source.flush(30) == 0
