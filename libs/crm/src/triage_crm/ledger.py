"""The idempotency ledger of the remote CRM backends: ``crm_ledger`` in our PostgreSQL.

Delivery guarantee: effectively once per idempotency key (email id + action).
An action is performed under a transaction-scoped advisory lock on its key and
recorded with its result before the lock is released, so a replayed action —
a redelivered batch, a second click, an old owner still finishing after a
rebalance — returns the recorded result instead of writing again
(``idempotency_conflicts_total``). A crash after the CRM wrote but before the
ledger row committed is covered by search-before-create in the adapters: the
replay finds the object and updates it (or finds the open deal). Before a
Kafka batch runs, the rows of all its keys are read in one query (``prefetch``):
an action recorded there returns its result without a transaction of its own.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Protocol

from triage.domain.crm_decisions import ActionResult
from triage.domain.models import CrmAction
from triage.platform.db import Connection, Database
from triage.platform.metrics import IDEMPOTENCY_CONFLICTS

Perform = Callable[[CrmAction], ActionResult]


class ActionLedger(Protocol):
    """Once per idempotency key: ``Ledger`` (crm_ledger) or the local CRM's (adapters/local/ledger.py)."""

    backend: str

    def prefetch(self, keys: Sequence[str]) -> dict[str, ActionResult]: ...

    def perform_ahead(self, actions: Sequence[CrmAction], perform: Perform) -> Sequence[CrmAction]: ...

    def once(self, action: CrmAction, perform: Perform) -> ActionResult: ...


class Ledger:
    def __init__(self, database: Database, backend: str) -> None:
        self.db = database
        self.backend = backend
        self.recorded: dict[str, ActionResult] = {}  # read for the current batch; rows never change

    def prefetch(self, keys: Sequence[str]) -> dict[str, ActionResult]:
        """The recorded results of these keys, in one query (and kept for ``once``)."""
        rows = self.db.run(lambda conn: conn.fetch(
            "SELECT idempotency_key, object_type, object_id, status, response_summary FROM crm_ledger "
            "WHERE backend = $1 AND idempotency_key = ANY($2::text[])", self.backend, list(keys)))
        self.recorded = {row["idempotency_key"]: ActionResult(*tuple(row)[1:]) for row in rows}
        return self.recorded

    def perform_ahead(self, actions: Sequence[CrmAction], perform: Perform) -> Sequence[CrmAction]:
        """Nothing: a remote CRM's writes cannot join our transaction, each waits for its ``once``."""
        return actions

    def once(self, action: CrmAction, perform: Perform) -> ActionResult:
        recorded = self.recorded.get(action.idempotency_key)
        if recorded is not None:
            IDEMPOTENCY_CONFLICTS.labels(self.backend).inc()
            return recorded
        with self.db.connection() as conn:  # committed after the CRM's write, rolled back on an error
            return self._locked(conn, action, perform)

    def _locked(self, conn: Connection, action: CrmAction, perform: Perform) -> ActionResult:
        """Measured as database runs: the lock and the read, the record; not the CRM's call between."""
        key = action.idempotency_key
        with self.db.measured():
            conn.execute("SELECT pg_advisory_xact_lock(hashtextextended($1, 0))", (f"{self.backend}:{key}",))
            done = conn.fetchrow(
                "SELECT object_type, object_id, status, response_summary FROM crm_ledger "
                "WHERE backend = $1 AND idempotency_key = $2", self.backend, key)
        if done is not None:
            IDEMPOTENCY_CONFLICTS.labels(self.backend).inc()
            return ActionResult(*done)
        result = perform(action)
        with self.db.measured():
            conn.execute(
                "INSERT INTO crm_ledger (idempotency_key, backend, object_type, object_id, status, response_summary) "
                "VALUES ($1, $2, $3, $4, $5, $6)",
                (key, self.backend, result.object_type, result.object_id, result.status, result.summary[:2000]))
        return result


class LedgeredCrm:
    """A CRM (the writer, writer.py) whose every action is performed once per idempotency key.

    ``ledger``: ``Ledger`` here for the remote CRMs, the local CRM's own (adapters/local/ledger.py),
    which records in the same transaction as the write and may perform a batch ahead in one.
    """

    def __init__(self, crm, ledger: ActionLedger) -> None:
        self.crm = crm
        self.ledger = ledger
        self.backend = crm.backend

    def apply(self, action: CrmAction) -> ActionResult:
        return self.ledger.once(action, self.crm.apply)

    def prefetch(self, actions: Sequence[CrmAction]) -> None:
        """A batch's ledger rows in one query (the local CRM: the batch performed in one transaction),
        then the CRM's reads for the actions still to do."""
        recorded = self.ledger.prefetch([a.idempotency_key for a in actions])
        pending = self.ledger.perform_ahead([a for a in actions if a.idempotency_key not in recorded],
                                            self.crm.apply)
        prefetch = getattr(self.crm, "prefetch", None)
        if pending and prefetch is not None:
            prefetch(pending)
