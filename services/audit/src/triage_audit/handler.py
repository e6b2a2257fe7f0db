"""audit: every topic -> PostgreSQL rows, written once per batch before the offsets commit.

Delivery guarantee: at least once into idempotent upserts, i.e. effectively
once. The runtime calls ``flush`` inside the Kafka transaction, before the
consumed offsets are committed: if PostgreSQL is away the batch is retried and
then rewound, never skipped.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Sequence

from triage.platform.db import Database
from triage.platform.runtime import Inbound, Outbound
from triage_audit.rows import ROW_FOR_TOPIC


class AuditHandler:
    def __init__(self, database: Database) -> None:
        self.db = database
        self.pending: dict[str, list[tuple]] = defaultdict(list)

    def handle(self, record: Inbound) -> Sequence[Outbound]:
        statement, to_row = ROW_FOR_TOPIC[record.topic]
        self.pending[statement].append(to_row(record.value))
        return []

    def flush(self) -> None:
        if self.pending:
            self.db.run(self._write(dict(self.pending)))
            self.pending.clear()

    def discard(self) -> None:
        self.pending.clear()

    async def _write(self, batches: dict[str, list[tuple]]) -> None:
        async with self.db.pool.acquire() as conn, conn.transaction():
            for statement, rows in batches.items():
                await conn.executemany(statement, rows)
