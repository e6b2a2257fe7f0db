"""Publishes ``email.raw`` records from the pipeline's doors (CLI, webhooks).

Not transactional: a door has no input offset to commit with its output.
The producer is idempotent (no duplicates from its own retries) and every
publish waits for the broker's acknowledgement before it counts as done.
"""

from __future__ import annotations

from confluent_kafka import KafkaException, Producer

from triage.domain.models import RawEmail
from triage.platform.runtime import producer_config
from triage.platform.serde import Serde
from triage.platform.settings import KafkaSettings
from triage.platform.topics import RAW
from triage.platform.tracing import door_span


class RawPublisher:
    def __init__(self, settings: KafkaSettings, serde: Serde | None = None) -> None:
        self.settings = settings
        self.serde = serde or Serde()
        self._producer: Producer | None = None
        self._errors: list[str] = []

    @property
    def producer(self) -> Producer:
        if self._producer is None:
            self._producer = Producer(producer_config(self.settings, transactional_id=None))
        return self._producer

    def publish(self, email: RawEmail, headers: dict[str, bytes] | None = None) -> None:
        value = self.serde.encode(RAW, email)
        with door_span(email, headers or {}) as traced:  # the door starts the email's trace
            self.producer.produce(
                self.settings.topic(RAW),
                key=email.thread_id.encode(),
                value=value,
                headers=list(traced.items()),
                on_delivery=self._on_delivery,
            )
        self.producer.poll(0)

    def _on_delivery(self, error: object, _message: object) -> None:
        if error is not None:
            self._errors.append(str(error))

    def flush(self, timeout_s: float = 60) -> None:
        """Wait for every publish to be acknowledged; raise if any was not."""
        if self._producer is None:
            return
        remaining = self._producer.flush(timeout_s)
        if remaining or self._errors:
            errors, self._errors = self._errors, []
            raise KafkaException(f"{remaining} record(s) unacknowledged, {len(errors)} failed: {errors[:3]}")
