"""The local CRM's ledger: ``crm_actions_done``, written in the same transaction as the action.

Delivery guarantee: effectively once. An action runs in one transaction under an advisory lock
on its idempotency key, together with its record, so a replay (a redelivered batch, a second
click, an old owner still finishing after a rebalance) returns the recorded result.

crm-sink hands a Kafka batch's actions to ``perform_ahead`` first (``LedgeredCrm.prefetch``): they
run in order in ONE transaction (their keys' advisory locks taken in one statement, in a fixed
order; the recorded results read in one; the records written in one), committed before the
batch's Kafka transaction, exactly as each action's own transaction was. ``once`` then returns
those results. Should anything in it fail (a value PostgreSQL refuses, a deadlock with another
writer), the whole transaction rolls back and every action runs on its own as before, so a
refused action is still isolated and dead-lettered alone (docs/benchmarks.md: 1.6 commits and 14
statements per email became ~0.01 and ~5). ``TRIAGE_LOCAL_CRM_BATCH_TRANSACTION=false``: no batch.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager

from triage.domain.crm_decisions import ActionResult
from triage.domain.models import CrmAction
from triage.platform.db import Connection
from triage.platform.metrics import IDEMPOTENCY_CONFLICTS
from triage_crm.adapters.local.crm import LocalCrm

Perform = Callable[[CrmAction], ActionResult]

RECORD_DONE = ("INSERT INTO crm_actions_done (idempotency_key, object_type, object_id, status, response_summary) "
               "VALUES ($1, $2, $3, $4, $5)")


class LocalLedger:
    def __init__(self, crm: LocalCrm, batch_transaction: bool = True) -> None:
        self.crm = crm
        self.db = crm.db
        self.backend = crm.backend
        self.batch_transaction = batch_transaction
        self.performed: dict[str, ActionResult] = {}  # this batch's results, by idempotency key

    def prefetch(self, keys: Sequence[str]) -> dict[str, ActionResult]:
        """Nothing read apart: the batch's records are read under its locks (``perform_ahead``)."""
        self.performed = {}
        return {}

    def perform_ahead(self, actions: Sequence[CrmAction], perform: Perform) -> Sequence[CrmAction]:
        """Perform a batch's actions in one transaction (none left to do); on any failure, nothing (all left)."""
        if not self.batch_transaction or not actions:
            return actions
        try:
            self.performed = self._perform_all(actions, perform)
        except Exception:  # noqa: BLE001 - rolled back: each action runs on its own, and fails there
            self.performed = {}
            return actions
        return []

    def once(self, action: CrmAction, perform: Perform) -> ActionResult:
        done = self.performed.pop(action.idempotency_key, None)
        if done is not None:
            return done
        with self._transaction() as conn:
            # Two writers of one key (an old owner still finishing after a rebalance)
            # queue here; the second then finds the first one's recorded result.
            conn.execute("SELECT pg_advisory_xact_lock(hashtextextended($1, 0))", (action.idempotency_key,))
            recorded = conn.fetchrow(
                "SELECT object_type, object_id, status, response_summary FROM crm_actions_done "
                "WHERE idempotency_key = $1", action.idempotency_key)
            if recorded is not None:
                IDEMPOTENCY_CONFLICTS.labels(self.backend).inc()
                return ActionResult(*recorded)
            result = perform(action)
            conn.execute(RECORD_DONE, (action.idempotency_key, result.object_type, result.object_id,
                                       result.status, result.summary))
            return result

    def _perform_all(self, actions: Sequence[CrmAction], perform: Perform) -> dict[str, ActionResult]:
        keys = list(dict.fromkeys(a.idempotency_key for a in actions))
        with self._transaction() as conn:
            # One order for every writer of overlapping keys: two batches wait, never deadlock here.
            conn.execute(
                "SELECT pg_advisory_xact_lock(h) FROM (SELECT DISTINCT hashtextextended(k, 0) AS h "
                "FROM unnest($1::text[]) AS k) AS keys ORDER BY h", (keys,))
            rows = conn.fetch(
                "SELECT idempotency_key, object_type, object_id, status, response_summary "
                "FROM crm_actions_done WHERE idempotency_key = ANY($1::text[])", keys)
            results = {row[0]: ActionResult(*row[1:]) for row in rows}
            if results:
                IDEMPOTENCY_CONFLICTS.labels(self.backend).inc(len(results))
            new: list[tuple] = []
            for action in actions:
                if action.idempotency_key in results:
                    continue
                result = perform(action)
                results[action.idempotency_key] = result
                new.append((action.idempotency_key, result.object_type, result.object_id, result.status,
                            result.summary))
            if new:
                conn.executemany(RECORD_DONE, new)
        return results

    @contextmanager
    def _transaction(self) -> Iterator[Connection]:
        """One pooled connection in a transaction, the CRM's statements bound to it; rolled back on error.

        Measured as one database run (``triage_db_runs_total``, ``triage_db_seconds_total``), the
        Python between its statements included (``Database.transaction``).
        """
        with self.db.transaction() as conn, self.crm.bound(conn):
            yield conn
