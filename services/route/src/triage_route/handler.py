"""route: email.extracted -> email.routed, with exactly-once routing per message.

The processed marker goes to the compacted email.dedupe in the same
transaction as the routed record, on the same partition number as the input
(the two topics are co-partitioned), so a partition's owner can rebuild its
index from that one changelog partition. A redelivered, replayed or
re-ingested message finds its marker and is not routed again.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Sequence
from datetime import UTC, datetime, timedelta

from prometheus_client import Counter, Gauge

from triage.domain.bands import DEFAULT_BANDS, ConfidenceBands
from triage.domain.decision import routed_email
from triage.domain.dedupe import DedupeIndex, dedupe_key, reuse_thread_classification
from triage.domain.models import DedupeMarker, ExtractedEmail, Mailbox, RoutedEmail
from triage.domain.queues import NO_QUEUES, QueueTable
from triage.domain.rules import Rule
from triage.platform import metrics
from triage.platform.handler import Handler
from triage.platform.runtime import REPLAY_HEADER, Inbound, Outbound, trace_headers
from triage.platform.topics import DEDUPE, EXTRACTED, ROUTED

__all__ = ["RouteHandler", "routed_email"]

DUPLICATES = Counter("route_duplicates_skipped_total", "Messages already routed, not routed again")
DEDUPE_ENTRIES = Gauge("route_dedupe_entries", "Markers held in memory")
EXPIRED = Counter("route_dedupe_expired_total", "Markers past the window, tombstoned")
REUSED = Counter("route_thread_classification_reused_total", "Low-confidence messages routed by their thread's intent")

#: (partition) -> the changelog's (key, marker or tombstone) entries, oldest first
ChangelogReader = Callable[[int], Iterable[tuple[str, DedupeMarker | None]]]


class RouteHandler(Handler):
    def __init__(self, mailbox: Mailbox, rules: Sequence[Rule], changelog: ChangelogReader,
                 window: timedelta, clock: Callable[[], datetime] = lambda: datetime.now(UTC),
                 sweep_every: timedelta = timedelta(minutes=5),
                 reuse_within: timedelta = timedelta(hours=24), reuse_below_confidence: float = 0.5,
                 bands: ConfidenceBands = DEFAULT_BANDS, queues: QueueTable = NO_QUEUES) -> None:
        self.mailbox = mailbox
        self.queues = queues  # triage/config/queues.yaml: which queues' support mail plans a ticket
        self.rules = rules
        self.bands = bands
        self.changelog = changelog
        self.clock = clock
        self.index = DedupeIndex(window)
        self.sweep_every = sweep_every
        self.reuse_within = reuse_within
        self.reuse_below_confidence = reuse_below_confidence
        self.last_sweep = clock()
        # What this batch added or expired: made real only when its transaction commits.
        self.pending: dict[str, tuple[int, DedupeMarker]] = {}
        self.pending_expiry: list[tuple[int, str]] = []

    def handle(self, record: Inbound) -> Sequence[Outbound]:
        assert isinstance(record.value, ExtractedEmail)
        extracted = record.value
        replay = record.headers.get(REPLAY_HEADER)  # an operator's replay routes the email once more
        key = dedupe_key(extracted, replay.decode(errors="replace") if replay else None)
        if self.index.seen(record.partition, key) or key in self.pending:
            DUPLICATES.inc()
            return []
        previous = self.index.thread_classification(
            record.partition, extracted.thread_id, self.clock(), self.reuse_within)
        extracted, reuse_note = reuse_thread_classification(extracted, previous, self.reuse_below_confidence)
        if reuse_note:
            REUSED.inc()
        marker = DedupeMarker(
            email_id=extracted.email_id,
            thread_id=extracted.thread_id,
            message_id=extracted.message_id,
            intent=extracted.extraction.intent,
            confidence=extracted.extraction.confidence,
            processed_at=self.clock(),
        )
        routed = routed_email(extracted, self.mailbox, self.rules, self.bands, self.queues)
        if reuse_note:
            routed = routed.model_copy(update={"reason": f"{routed.reason}; {reuse_note}"})
        self.pending[key] = (record.partition, marker)
        return [
            Outbound(ROUTED, routed.thread_id, routed, trace_headers(record)),
            Outbound(DEDUPE, key, marker, partition=record.partition),
            *self.tombstones(),
        ]

    def observe(self, record: Inbound, outputs: Sequence[Outbound]) -> None:
        for out in outputs:
            if isinstance(out.value, RoutedEmail):
                observe_route(out.value)

    def tombstones(self) -> list[Outbound]:
        """Every few minutes, forget markers past the window, on the topic too."""
        now = self.clock()
        if now - self.last_sweep < self.sweep_every or self.pending_expiry:
            return []
        self.last_sweep = now
        self.pending_expiry = self.index.expired(now)
        return [Outbound(DEDUPE, key, None, partition=p) for p, key in self.pending_expiry]

    def committed(self) -> None:
        for key, (partition, marker) in self.pending.items():
            self.index.add(partition, key, marker)
        for partition, key in self.pending_expiry:
            self.index.remove(partition, key)
            EXPIRED.inc()
        self.discard()
        DEDUPE_ENTRIES.set(len(self.index))

    def discard(self) -> None:
        self.pending.clear()
        self.pending_expiry = []

    def assigned(self, partitions: dict[str, list[int]]) -> None:
        for partition in partitions.get(EXTRACTED, []):
            self.index.load(partition, self.changelog(partition), self.clock())
        DEDUPE_ENTRIES.set(len(self.index))

    def revoked(self, partitions: dict[str, list[int]]) -> None:
        for partition in partitions.get(EXTRACTED, []):
            self.index.drop(partition)
        DEDUPE_ENTRIES.set(len(self.index))


def observe_route(routed: RoutedEmail) -> None:
    """An email routed: ``emails_routed_total`` by its (configured, else "other") mailbox, queue, intent."""
    metrics.EMAILS_ROUTED.labels(
        metrics.inbox_label(routed.mailbox), routed.queue, routed.extraction.intent, routed.priority
    ).inc()
