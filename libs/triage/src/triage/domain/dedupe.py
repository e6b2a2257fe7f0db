"""Which messages were already routed, and how each thread was last classified.

The route stage keeps this index in memory, per input partition, rebuilt from
the compacted ``email.dedupe`` topic (co-partitioned with ``email.extracted``)
whenever a partition is assigned. Entries older than the window are dropped,
so memory is bounded by the traffic of one window.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import datetime, timedelta

from triage.domain.extraction.action import required_action
from triage.domain.models import DedupeMarker, ExtractedEmail


def dedupe_key(email: ExtractedEmail, replay_id: str | None = None) -> str:
    """message id + thread id, as the topic registry says (email id when there is no Message-ID).

    An operator's replay (``replay_id``, from the ``triage.replay`` header) is a new key: the
    email is routed once more, and a second delivery of the same replay is still a duplicate.
    """
    key = f"{email.message_id or email.email_id}|{email.thread_id}"
    return f"{key}|replay:{replay_id}" if replay_id else key


@dataclass
class PartitionIndex:
    markers: dict[str, DedupeMarker] = field(default_factory=dict)
    threads: dict[str, DedupeMarker] = field(default_factory=dict)

    def add(self, key: str, marker: DedupeMarker) -> None:
        self.markers[key] = marker
        last = self.threads.get(marker.thread_id)
        if last is None or last.processed_at <= marker.processed_at:
            self.threads[marker.thread_id] = marker

    def remove(self, key: str) -> None:
        marker = self.markers.pop(key, None)
        if marker is not None and self.threads.get(marker.thread_id) == marker:
            del self.threads[marker.thread_id]


@dataclass
class DedupeIndex:
    window: timedelta
    partitions: dict[int, PartitionIndex] = field(default_factory=dict)

    def load(self, partition: int, entries: Iterable[tuple[str, DedupeMarker | None]], now: datetime) -> None:
        """Replay a changelog partition in order: a ``None`` marker is a tombstone."""
        index = PartitionIndex()
        for key, marker in entries:
            if marker is None:
                index.remove(key)
            elif now - marker.processed_at <= self.window:
                index.add(key, marker)
        self.partitions[partition] = index

    def drop(self, partition: int) -> None:
        self.partitions.pop(partition, None)

    def seen(self, partition: int, key: str) -> bool:
        index = self.partitions.get(partition)
        return index is not None and key in index.markers

    def add(self, partition: int, key: str, marker: DedupeMarker) -> None:
        self.partitions.setdefault(partition, PartitionIndex()).add(key, marker)

    def remove(self, partition: int, key: str) -> None:
        if partition in self.partitions:
            self.partitions[partition].remove(key)

    def expired(self, now: datetime) -> list[tuple[int, str]]:
        """Entries older than the window: to be tombstoned on the topic and forgotten."""
        return [
            (partition, key)
            for partition, index in self.partitions.items()
            for key, marker in index.markers.items()
            if now - marker.processed_at > self.window
        ]

    def thread_classification(self, partition: int, thread_id: str, now: datetime,
                              within: timedelta) -> DedupeMarker | None:
        """The thread's last classification if it is recent enough to reuse."""
        index = self.partitions.get(partition)
        marker = index.threads.get(thread_id) if index else None
        return marker if marker is not None and now - marker.processed_at <= within else None

    def __len__(self) -> int:
        return sum(len(index.markers) for index in self.partitions.values())


def reuse_thread_classification(
    email: ExtractedEmail, previous: DedupeMarker | None, below_confidence: float
) -> tuple[ExtractedEmail, str | None]:
    """A low-confidence message in a recently classified thread takes the thread's intent.

    "Thanks, Tuesday works" says little on its own; the thread it answers was
    a lead. The model's own output stays on email.extracted; routing uses the
    thread's classification and says so. Returns the email to route and a note
    for the reason (None when nothing was reused).
    """
    own = email.extraction
    if email.band_cap is not None or email.decided_by == "not_an_email":
        return email, None  # the evidence held it down: a thread's intent must not lift it
    if previous is None or own.confidence >= below_confidence or previous.confidence <= own.confidence:
        return email, None
    reused = own.model_copy(update={
        "intent": previous.intent,
        "confidence": previous.confidence,
        "required_action": required_action(previous.intent, ""),
    })
    note = (f"intent {previous.intent} reused from this thread's classification of "
            f"{previous.processed_at:%Y-%m-%d %H:%M} UTC (own: {own.intent} at {own.confidence:.2f})")
    return email.model_copy(update={"extraction": reused}), note
