"""audit: every topic -> PostgreSQL rows, written once per batch before the offsets commit.

Delivery guarantee: at least once into idempotent upserts, i.e. effectively
once. The runtime calls ``flush`` inside the Kafka transaction, before the
consumed offsets are committed: if PostgreSQL is away the batch is retried and
then rewound, never skipped.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Sequence

from triage.domain.models import DeadLetter
from triage.platform.db import Database
from triage.platform.handler import Handler
from triage.platform.runtime import PARKED_HEADER, Inbound, Outbound
from triage.platform.slack import Arrival, DlqNotifier
from triage.platform.topics import DLQ
from triage_audit.rows import INSERTED_DEAD_LETTER, RUNS_LAST, dead_letter_row, rows_for


class AuditHandler(Handler):
    def __init__(self, database: Database, notifier: DlqNotifier | None = None) -> None:
        self.db = database
        self.notifier = notifier  # Slack: dead letters whose row is new
        self.pending: dict[str, list[tuple]] = defaultdict(list)
        self.pending_letters: list[tuple[tuple, Arrival]] = []

    def handle(self, record: Inbound) -> Sequence[Outbound]:
        if record.topic == DLQ:
            self.pending_letters.append((dead_letter_row(record.value), arrival(record)))
            return []
        for statement, row in rows_for(record.topic, record.value):
            self.pending[statement].append(row)
        return []

    def flush(self) -> None:
        if self.pending or self.pending_letters:
            new = self._write(dict(self.pending), list(self.pending_letters))
            self.pending.clear()
            self.pending_letters.clear()
            if self.notifier is not None:  # after the rows committed: a retried batch finds them old
                self.notifier.notify(new)

    def discard(self) -> None:
        self.pending.clear()
        self.pending_letters.clear()

    def _write(self, batches: dict[str, list[tuple]], letters: list[tuple[tuple, Arrival]]) -> list[Arrival]:
        """The batch in one transaction: each statement's rows in one pipelined ``executemany``."""
        new: list[Arrival] = []
        with self.db.transaction() as conn:
            # in arrival order, except what reads the batch's other rows (a refusal's review item)
            for statement, rows in sorted(batches.items(), key=lambda batch: batch[0] in RUNS_LAST):
                conn.executemany(statement, rows)
            for row, seen in letters:  # rare: one round trip each, to learn which rows are new
                if conn.fetchval(INSERTED_DEAD_LETTER, *row):
                    new.append(seen)
        return new


def arrival(record: Inbound) -> Arrival:
    letter: DeadLetter = record.value  # type: ignore[assignment]
    return Arrival(record.partition, record.offset, letter.service, letter.source_topic,
                   letter.source_partition, letter.source_offset, letter.error_class,
                   letter.error_message, parked=record.headers.get(PARKED_HEADER) == b"true")
