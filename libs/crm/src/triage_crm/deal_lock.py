"""One deal decision at a time per CRM owner, across every crm-sink instance and the admin process.

Why: the seed rule "create a deal only if the company has no open deal younger
than 45 days" is a check-then-create. The local CRM makes it atomic with a row
lock on the company; HubSpot and Salesforce offer nothing of the kind. KEDA
runs several crm-sink instances and emails are partitioned by thread, so two
emails of one company can be handled by two instances at the same moment: both
read "no open deal", both create — two deals. The ledger's lock does not help:
it is per email (idempotency key), and these are two emails.

How: the ledger's PostgreSQL is shared by all instances and the admin process,
so the writer (writer.py) holds a PostgreSQL advisory lock keyed by the owner the rule is
checked on — the CRM's company (account) id, else the contact's id when the
deal has no company (HubSpot) — across the fresh read of the owner's open deals
and the create. Keyed by the CRM id rather than by domain or name, because the
CRM id is exactly what the read looks at: two emails that name one company
differently (a domain on one, only the name on the other) but resolve to the
same CRM company still take turns.

The lock is transaction-scoped (``pg_advisory_xact_lock``) on its own pooled
connection, in a transaction that holds nothing else: it is released when the
block ends (rolled back: nothing was written), and by PostgreSQL if the process
dies. A wait is bounded by ``lock_timeout`` (``wait_s``, 5 s by default; the
holder keeps it for one read and one create, well under a second normally):
past it, ``TransientError``, and the runtime retries the record with backoff —
a batch never hangs towards the Kafka transaction timeout (30 s) behind it.
Only one deal lock is held at a time, taken after the ledger's per-key lock,
so the two cannot deadlock.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager

import psycopg

from triage.platform.db import Connection, Database
from triage.platform.errors import TransientError

DEAL_LOCK_WAIT_S = 5.0


class DealLock:
    """``held(owner)``: the advisory lock on ``deal:<backend>:<owner>`` for the block (``None``: no lock)."""

    def __init__(self, database: Database, backend: str, wait_s: float = DEAL_LOCK_WAIT_S) -> None:
        self.db = database
        self.backend = backend
        self.wait_s = wait_s

    @contextmanager
    def held(self, owner: str | None) -> Iterator[None]:
        if owner is None:  # nothing to check the rule on: nothing to serialise
            yield
            return
        db = self.db
        with db.connection() as conn:
            with db.measured():  # the lock's statements; the block (a remote CRM's calls) is not the database's
                self._lock(conn, f"deal:{self.backend}:{owner}")
            yield
            conn.rollback()  # releases the lock; the transaction wrote nothing (on an error: rolled back too)

    def _lock(self, conn: Connection, key: str) -> None:
        conn.execute("SELECT set_config('lock_timeout', $1, true)", (f"{int(self.wait_s * 1000)}ms",))
        try:
            conn.execute("SELECT pg_advisory_xact_lock(hashtextextended($1, 0))", (key,))
        except psycopg.errors.LockNotAvailable as exc:  # an outage by its SQLSTATE: say what it is
            raise TransientError(f"another writer has been deciding a deal for {key} for over {self.wait_s:g} s; "
                                 "retried later") from exc


class Unlocked:
    """No cross-process lock: a single writer (unit tests against the fakes, without PostgreSQL)."""

    @contextmanager
    def held(self, owner: str | None) -> Iterator[None]:
        yield


UNLOCKED = Unlocked()
