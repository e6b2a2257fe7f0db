"""PostgreSQL access for the stages that need it: migrations (yoyo) and one psycopg 3 pool.

One driver (ADR 0037): psycopg 3, synchronous, with psycopg_pool's ``ConnectionPool``. The stages
are synchronous (the confluent-kafka loop) and the admin's FastAPI routes run in its thread
pool, so every caller borrows a connection from the pool in its own thread: no event loop of
our own, no lock around the database. Statements keep PostgreSQL's ``$1`` placeholders
(``psycopg.RawCursor``: the server binds them, nothing is interpolated); rows answer both by
position and by column name (``Record``); json/jsonb columns are read as text, as before.

Text bound for PostgreSQL is made storable at this boundary: every ``str`` parameter of a pool
connection loses U+0000 and has lone surrogates (not encodable as UTF-8) replaced by U+FFFD,
and a JSON document passed as ``JsonText`` has the same done to its strings (the escape
``\\u0000`` included, which jsonb refuses), so an email with a NUL byte is stored, not
refused (ADR 0014). The dumpers are registered on each pool connection (``configure=``).

Errors: an outage (connection lost, database away, a missing table or right: SQLSTATE
classes other than data exceptions 22, integrity violations 23 and program limits 54)
surfaces as ``TransientError``, retried and rewound; the database itself away (a lost or
refused connection, no connection from the pool in time, SQLSTATE 08 and 57) as
``Unavailable`` (the circuit, ADR 0022); a refusal of the data itself stays as psycopg
raised it, so the runtime isolates and dead-letters the record.
"""

from __future__ import annotations

import json
import re
import time
from collections.abc import Callable, Iterable, Iterator, Sequence
from contextlib import contextmanager
from functools import lru_cache
from pathlib import Path
from typing import Any, ClassVar, TypeVar

import psycopg
from psycopg import pq
from psycopg.rows import RowMaker
from psycopg.types.string import StrBinaryDumper, StrDumperUnknown, TextLoader
from psycopg_pool import ConnectionPool
from yoyo import get_backend, read_migrations

from triage.platform import metrics
from triage.platform.errors import TransientError, Unavailable

T = TypeVar("T")
MIGRATIONS = Path(__file__).with_name("migrations")

#: Seconds a caller waits for a pooled connection before the database counts as away.
POOL_WAIT_S = 5.0
#: Seconds to open a new connection (libpq ``connect_timeout``).
CONNECT_TIMEOUT_S = 5
#: Seconds the pool keeps retrying a failed connection in the background before it gives up
#: (psycopg_pool's ``reconnect_timeout``). Its default, 5 minutes with a doubling delay, left the
#: first connection after a 30 s outage 28 s after the server's return (a 10-minute outage:
#: minutes); given up, the next caller starts a fresh attempt at once.
RECONNECT_S = 2.0

#: SQLSTATE classes that blame the values written, not the database: the record is at fault.
DATA_SQLSTATE_CLASSES = frozenset({"22", "23", "54"})
#: The server is away, starting up or shutting down: SQLSTATE classes 08 (connection
#: exception) and 57 (operator intervention: admin shutdown, cannot connect now).
UNAVAILABLE_SQLSTATE_CLASSES = frozenset({"08", "57"})
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


class JsonText(str):
    """A JSON document (text) bound for a json/jsonb parameter: its strings made storable."""

    __slots__ = ()


def _storable_bytes(obj: str, encoding: str) -> bytes:
    """``storable_text(obj)`` encoded; the common case (no NUL, no lone surrogate) at C speed."""
    if "\x00" in obj:
        obj = obj.replace("\x00", "")
    try:
        return obj.encode(encoding)
    except UnicodeEncodeError:  # a lone surrogate (utf-8 refuses them)
        return storable_text(obj).encode(encoding, errors="replace")


class StorableStrDumper(StrDumperUnknown):
    """``str`` as psycopg sends it by default (text, type left to the server), made storable."""

    def dump(self, obj: str) -> bytes:
        return _storable_bytes(obj, self._encoding)


class StorableStrBinaryDumper(StrBinaryDumper):
    """The same for a parameter asked in binary."""

    def dump(self, obj: str) -> bytes:
        return _storable_bytes(obj, self._encoding)


class StorableJsonDumper(StrDumperUnknown):
    """``JsonText`` as jsonb (json takes it as well: PostgreSQL casts), its strings storable."""

    oid = psycopg.adapters.types["jsonb"].oid

    def dump(self, obj: str) -> bytes:
        return super().dump(storable_json(obj))  # type: ignore[return-value]


def sanitise_text_parameters(connection: psycopg.Connection[Any]) -> None:
    """Every ``str`` parameter through ``storable_text``, every ``JsonText`` through ``storable_json``;
    json and jsonb read back as text (the callers parse them where they need to)."""
    adapters = connection.adapters
    adapters.register_dumper(str, StorableStrBinaryDumper)
    adapters.register_dumper(str, StorableStrDumper)  # last: the one psycopg picks by default
    adapters.register_dumper(JsonText, StorableJsonDumper)
    for type_name in ("json", "jsonb"):
        adapters.register_loader(type_name, TextLoader)


def setup_connection(connection: psycopg.Connection[Any]) -> None:
    """The pool's ``configure``: storable text for every new connection (``sanitise_text_parameters``)."""
    sanitise_text_parameters(connection)


class Record(tuple):  # type: ignore[type-arg]
    """A row by position (``row[0]``, ``ActionResult(*row)``) or by column (``row["id"]``, ``dict(row)``)."""

    __slots__ = ()
    _index: ClassVar[dict[str, int]] = {}

    def __getitem__(self, key: Any) -> Any:
        if isinstance(key, str):
            return tuple.__getitem__(self, self._index[key])
        return tuple.__getitem__(self, key)

    def keys(self) -> Iterable[str]:
        return self._index.keys()

    def get(self, key: str, default: Any = None) -> Any:
        index = self._index.get(key)
        return default if index is None else tuple.__getitem__(self, index)


@lru_cache(maxsize=512)
def _record_class(names: tuple[str, ...]) -> type[Record]:
    return type("Record", (Record,), {"__slots__": (), "_index": {name: i for i, name in enumerate(names)}})


def record_row(cursor: psycopg.Cursor[Any]) -> RowMaker[Record]:
    """psycopg row factory: ``Record`` rows."""
    description = cursor.description
    if description is None:
        return lambda values: Record(values)
    cls = _record_class(tuple(column.name for column in description))
    return cls  # type: ignore[return-value]


class CountingCursor(psycopg.RawCursor[Record]):
    """``$1`` placeholders, and every statement sent counted (``triage_db_statements_total``: the
    round trips of docs/benchmarks.md; an ``executemany``, pipelined, counts once)."""

    def execute(self, query: Any, params: Any = None, **kwargs: Any) -> CountingCursor:  # type: ignore[override]
        metrics.DB_STATEMENTS.inc()
        return super().execute(query, params, **kwargs)  # type: ignore[return-value]

    def executemany(self, query: Any, params_seq: Iterable[Any], **kwargs: Any) -> None:  # type: ignore[override]
        metrics.DB_STATEMENTS.inc()
        super().executemany(query, params_seq, **kwargs)


class Connection(psycopg.Connection[Record]):
    """A pool connection, with the reads and writes the callers use (``$1`` placeholders)."""

    def fetch(self, query: str, *args: Any) -> list[Record]:
        return self.execute(query, args or None).fetchall()  # type: ignore[arg-type]

    def fetchrow(self, query: str, *args: Any) -> Record | None:
        return self.execute(query, args or None).fetchone()  # type: ignore[arg-type]

    def fetchval(self, query: str, *args: Any) -> Any:
        row = self.fetchrow(query, *args)
        return None if row is None else row[0]

    def command(self, query: str, *args: Any) -> str:
        """Run one statement; PostgreSQL's command tag (``"UPDATE 0"``, ``"INSERT 0 1"``)."""
        return self.execute(query, args or None).statusmessage or ""  # type: ignore[arg-type]

    def executemany(self, query: str, rows: Sequence[Sequence[Any]]) -> None:
        """One statement over many rows (pipelined by psycopg: one round trip, not one a row)."""
        with self.cursor() as cursor:
            cursor.executemany(query, rows)


def is_outage(exc: BaseException) -> bool:
    """Does ``exc`` say the database is away or unready, rather than refusing the values?"""
    sqlstate = getattr(exc, "sqlstate", None) if isinstance(exc, psycopg.Error) else None
    if sqlstate:
        return sqlstate[:2] not in DATA_SQLSTATE_CLASSES
    # connection refused, lost or closed, no connection in time (PoolTimeout): an outage; a value
    # psycopg could not send (DataError), a programming error, anything else: not
    return isinstance(exc, OSError | TimeoutError | psycopg.OperationalError | psycopg.InterfaceError)


def is_unavailable(exc: BaseException) -> bool:
    """Is the database itself away (not one statement refused or timed out on a lock)? Every
    record would fail alike, so the batch waits for it rather than dead-lettering (ADR 0019)."""
    sqlstate = getattr(exc, "sqlstate", None) if isinstance(exc, psycopg.Error) else None
    if sqlstate:
        return sqlstate[:2] in UNAVAILABLE_SQLSTATE_CLASSES
    return isinstance(exc, OSError | TimeoutError | psycopg.OperationalError)


@contextmanager
def classified() -> Iterator[None]:
    """The driver's errors raised inside, when they mean an outage, as ``Unavailable`` or
    ``TransientError`` (retried by the runtime). Only psycopg's (the pool's ``PoolTimeout``
    included): what else a block raises inside a transaction (a CRM's HTTP error under the deal
    lock, an action refused in the ledger's batch) is not the database's and passes unchanged."""
    try:
        yield
    except psycopg.Error as exc:
        if is_unavailable(exc):
            raise Unavailable(f"database unavailable: {type(exc).__name__}: {exc}") from exc
        if is_outage(exc):
            raise TransientError(f"database unavailable: {type(exc).__name__}: {exc}") from exc
        raise


def migrate(database_url: str) -> list[str]:
    """Apply pending migrations (forward-only; yoyo holds a lock, so concurrent starts are safe)."""
    backend = get_backend(database_url.replace("postgresql://", "postgresql+psycopg://", 1))
    migrations = read_migrations(str(MIGRATIONS))
    with backend.lock():
        pending = backend.to_apply(migrations)
        backend.apply_migrations(pending)
    return [m.id for m in pending]


class Database:
    """The process's PostgreSQL pool (psycopg_pool, synchronous), shared by its threads."""

    def __init__(self, database_url: str, max_size: int = 4, wait_s: float = POOL_WAIT_S) -> None:
        self._pool: ConnectionPool[Connection] = ConnectionPool(
            database_url, min_size=1, max_size=max_size, open=False, timeout=wait_s,
            reconnect_timeout=RECONNECT_S,
            connection_class=Connection, configure=setup_connection, name="triage",
            kwargs={"cursor_factory": CountingCursor, "row_factory": record_row,
                    "connect_timeout": CONNECT_TIMEOUT_S})
        self._wait_s = wait_s

    def connect(self) -> Database:
        """Open the pool (composition root, at start-up): its first connection made, or an error;
        the pool replaces lost connections by itself later."""
        if self._pool.closed:
            try:
                self._pool.open(wait=True, timeout=max(self._wait_s, CONNECT_TIMEOUT_S * 2))
            except Exception:
                self._pool.close()
                raise
        return self

    @property
    def pool(self) -> ConnectionPool[Connection]:
        if self._pool.closed:
            raise RuntimeError("Database.connect() was not called")
        return self._pool

    @contextmanager
    def connection(self) -> Iterator[Connection]:
        """A pooled connection for a block, in one transaction (psycopg opens it at the first
        statement): committed at the end, rolled back on an error; outages surface classified
        (``classified``). BEGIN and COMMIT count as statements when the block sent any."""
        with classified(), self.pool.connection() as conn:
            try:
                yield conn
            finally:
                if conn.info.transaction_status != pq.TransactionStatus.IDLE:
                    metrics.DB_STATEMENTS.inc(2)  # the BEGIN psycopg sent first, the COMMIT or ROLLBACK

    @contextmanager
    def transaction(self) -> Iterator[Connection]:
        """``connection``, measured as one database run (``triage_db_runs_total``,
        ``triage_db_seconds_total``: wall clock and this thread's CPU, the Python between the
        statements included)."""
        with self.measured(), self.connection() as conn:
            yield conn

    def run(self, work: Callable[[Connection], T]) -> T:
        """``work`` on a pooled connection in one transaction (``transaction``)."""
        with self.transaction() as conn:
            return work(conn)

    @contextmanager
    def measured(self) -> Iterator[None]:
        """One ``triage_db_runs_total`` and its ``triage_db_seconds_total`` for a block."""
        wall, cpu = time.perf_counter(), time.thread_time()
        try:
            yield
        finally:
            metrics.DB_RUNS.inc()
            metrics.DB_SECONDS.labels("wall").inc(time.perf_counter() - wall)
            metrics.DB_SECONDS.labels("cpu").inc(time.thread_time() - cpu)

    def close(self) -> None:
        self._pool.close()
