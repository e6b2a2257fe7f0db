"""PostgreSQL access for the stages that need it: migrations (yoyo) and an asyncpg pool.

Text bound for PostgreSQL is made storable at this boundary: ``text``, ``varchar`` and
``jsonb`` parameters of every pool connection lose U+0000 (PostgreSQL stores neither the
character nor its JSON escape) and have lone surrogates (not encodable as UTF-8) replaced
by U+FFFD, so an email with a NUL byte is stored, not refused (ADR 0014).

Errors: an outage (connection lost, database away, a missing table or right: SQLSTATE
classes other than data exceptions 22, integrity violations 23 and program limits 54)
surfaces as ``TransientError``, retried and rewound; a refusal of the data itself stays as
asyncpg raised it, so the runtime isolates and dead-letters the record.
"""

from __future__ import annotations

import asyncio
import json
import re
import time
from collections.abc import Awaitable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import TypeVar

import asyncpg
from yoyo import get_backend, read_migrations

from triage.platform import metrics
from triage.platform.errors import TransientError, Unavailable

T = TypeVar("T")
MIGRATIONS = Path(__file__).with_name("migrations")

#: asyncpg/OS errors that mean "the database is away for now", worth a retry.
TRANSIENT_DB_ERRORS = (
    OSError,
    asyncio.TimeoutError,
    asyncpg.exceptions.ConnectionDoesNotExistError,
    asyncpg.exceptions.InterfaceError,
    asyncpg.exceptions.CannotConnectNowError,
    asyncpg.exceptions.TooManyConnectionsError,
    asyncpg.exceptions.AdminShutdownError,
    asyncpg.exceptions.SerializationError,
    asyncpg.exceptions.DeadlockDetectedError,
    # asyncpg's own state after the server dropped the connection mid-transaction ("not connected",
    # a pool holder released twice by a clean-up): never the values' fault. Retried, the next try
    # meets the outage itself (Unavailable: the circuit, ADR 0022) or a fresh connection.
    asyncpg.exceptions.InternalClientError,
)


#: SQLSTATE classes that blame the values written, not the database: the record is at fault.
DATA_SQLSTATE_CLASSES = frozenset({"22", "23", "54"})
_LONE_SURROGATE = re.compile("[\ud800-\udfff]")


def storable_text(value: str) -> str:
    """``value`` as PostgreSQL can store it: no U+0000, lone surrogates as U+FFFD."""
    return _LONE_SURROGATE.sub("\ufffd", value.replace("\x00", ""))


def storable_json(document: str) -> str:
    """A JSON document whose strings are ``storable_text`` (the escape ``\\u0000`` included)."""
    if "\\u" not in document and "\x00" not in document and not _LONE_SURROGATE.search(document):
        return document
    return json.dumps(_storable(json.loads(document)), ensure_ascii=False)


def _storable(value: object) -> object:
    if isinstance(value, str):
        return storable_text(value)
    if isinstance(value, list):
        return [_storable(item) for item in value]
    if isinstance(value, dict):
        return {storable_text(k): _storable(v) for k, v in value.items()}
    return value


async def sanitise_text_parameters(connection: asyncpg.Connection) -> None:
    """Pool ``init``: every text-like parameter goes through ``storable_text``/``storable_json``."""
    for type_name in ("text", "varchar", "bpchar", "name"):
        await connection.set_type_codec(type_name, schema="pg_catalog", encoder=storable_text,
                                        decoder=_unchanged, format="text")
    for type_name in ("json", "jsonb"):
        await connection.set_type_codec(type_name, schema="pg_catalog", encoder=storable_json,
                                        decoder=_unchanged, format="text")


def _unchanged(value: str) -> str:
    return value


async def setup_connection(connection: asyncpg.Connection) -> None:
    """Pool ``init``: storable text (``sanitise_text_parameters``), and every statement counted
    (``triage_db_statements_total``: the round trips of docs/benchmarks.md)."""
    await sanitise_text_parameters(connection)
    connection.add_query_logger(_count_statement)


def _count_statement(_query: object) -> None:
    metrics.DB_STATEMENTS.inc()


def is_outage(exc: BaseException) -> bool:
    """Does ``exc`` say the database is away or unready, rather than refusing the values?"""
    if isinstance(exc, asyncpg.exceptions._base.DataError):  # a value asyncpg could not encode
        return False
    if isinstance(exc, TRANSIENT_DB_ERRORS):
        return True
    if isinstance(exc, asyncpg.PostgresError):
        return (getattr(exc, "sqlstate", None) or "")[:2] not in DATA_SQLSTATE_CLASSES
    return False


#: The server is away, starting up or shutting down: SQLSTATE classes 08 (connection
#: exception) and 57 (operator intervention: admin shutdown, cannot connect now).
UNAVAILABLE_SQLSTATE_CLASSES = frozenset({"08", "57"})


def is_unavailable(exc: BaseException) -> bool:
    """Is the database itself away (not one statement refused or timed out on a lock)? Every
    record would fail alike, so the batch waits for it rather than dead-lettering (ADR 0019)."""
    if isinstance(exc, OSError | asyncio.TimeoutError | asyncpg.exceptions.ConnectionDoesNotExistError
                  | asyncpg.exceptions.InterfaceError | asyncpg.exceptions.TooManyConnectionsError):
        return not isinstance(exc, asyncpg.exceptions._base.DataError)
    if isinstance(exc, asyncpg.PostgresError):
        return (getattr(exc, "sqlstate", None) or "")[:2] in UNAVAILABLE_SQLSTATE_CLASSES
    return False


def migrate(database_url: str) -> list[str]:
    """Apply pending migrations (forward-only; yoyo holds a lock, so concurrent starts are safe)."""
    backend = get_backend(database_url.replace("postgresql://", "postgresql+psycopg://", 1))
    migrations = read_migrations(str(MIGRATIONS))
    with backend.lock():
        pending = backend.to_apply(migrations)
        backend.apply_migrations(pending)
    return [m.id for m in pending]


class Database:
    """A small asyncpg pool driven from synchronous stage code (one private event loop)."""

    def __init__(self, database_url: str, max_size: int = 4) -> None:
        self._url = database_url
        self._max = max_size
        self._loop = asyncio.new_event_loop()
        self._pool: asyncpg.Pool | None = None

    def connect(self) -> Database:
        """Open the pool (composition root, at start-up); asyncpg reconnects it by itself later."""
        if self._pool is None:
            self._pool = self.run(
                asyncpg.create_pool(self._url, min_size=1, max_size=self._max, loop=self._loop,
                                    init=setup_connection)
            )
        return self

    @property
    def pool(self) -> asyncpg.Pool:
        if self._pool is None:
            raise RuntimeError("Database.connect() was not called")
        return self._pool

    def run(self, coroutine: Awaitable[T]) -> T:
        """Run a coroutine; database outages surface as TransientError (retried by the runtime)."""
        with self.measured():
            return self.run_step(coroutine)

    @contextmanager
    def measured(self) -> Iterator[None]:
        """One ``triage_db_runs_total`` and its ``triage_db_seconds_total`` for a block of ``run_step`` calls."""
        wall, cpu = time.perf_counter(), time.thread_time()
        try:
            yield
        finally:
            metrics.DB_RUNS.inc()
            metrics.DB_SECONDS.labels("wall").inc(time.perf_counter() - wall)
            metrics.DB_SECONDS.labels("cpu").inc(time.thread_time() - cpu)

    def run_step(self, coroutine: Awaitable[T]) -> T:
        """``run`` without the metrics: a statement of a transaction that is ``measured`` as a whole."""
        try:
            return self._loop.run_until_complete(coroutine)
        except Exception as exc:
            if is_unavailable(exc):
                raise Unavailable(f"database unavailable: {type(exc).__name__}: {exc}") from exc
            if is_outage(exc):
                raise TransientError(f"database unavailable: {type(exc).__name__}: {exc}") from exc
            raise

    def close(self) -> None:
        if self._pool is not None:
            self._loop.run_until_complete(self._pool.close())
        self._loop.close()
