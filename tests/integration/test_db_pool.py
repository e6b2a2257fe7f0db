"""The one PostgreSQL driver (ADR 0037) on the real server: psycopg 3's pool shared by threads,
storable text through its dumpers (ADR 0014), statements and runs counted, a lost connection
``Unavailable`` and replaced."""

from __future__ import annotations

import threading
import time
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from datetime import UTC, datetime
from pathlib import Path

import psycopg
import pytest

from tests.support.private_postgres import PrivatePostgres, private_postgres
from triage.domain.models import CleanEmail
from triage.platform import metrics
from triage.platform.db import Connection, Database, JsonText
from triage.platform.errors import Unavailable
from triage.platform.runtime import Inbound
from triage.platform.topics import CLEAN
from triage_audit.handler import AuditHandler


def test_an_email_with_nul_and_lone_surrogates_is_stored_not_refused(database: Database) -> None:
    clean = CleanEmail(email_id="e-nul", thread_id="t-nul", mailbox="sales@lumora.io",
                       received_at=datetime(2026, 3, 2, 10, tzinfo=UTC), message_id="nul@x.example",
                       subject="Pri\x00cing \ud800?", from_email="dana@brightwater.example", language="en",
                       text="Hello\x00 there \udfff, a quote")
    handler = AuditHandler(database)
    handler.handle(Inbound(topic=CLEAN, partition=0, offset=0, key=None, value=clean, headers={}, timestamp_ms=0))
    handler.flush()  # json.dumps escapes NUL as \u0000 and the surrogates as \ud800: jsonb refuses the first
    row = database.run(lambda conn: conn.fetchrow(
        "SELECT subject, clean_parts->>'subject' AS part_subject, clean_parts->>'text' AS text FROM emails "
        "WHERE email_id = $1", "e-nul"))
    assert row is not None
    assert row["subject"] == "Pricing \ufffd?"
    assert row["part_subject"] == "Pricing \ufffd?"
    assert row["text"] == "Hello there \ufffd, a quote"


def test_json_text_keeps_its_structure_and_loses_only_what_jsonb_refuses(database: Database) -> None:
    def go(conn: Connection) -> object:
        conn.execute("CREATE TEMP TABLE docs (d jsonb)")
        conn.execute("INSERT INTO docs VALUES ($1)", (JsonText('{"a\\u0000": ["x\\u0000y", 1, null], "p": "C:\\\\u0000"}'),))
        return conn.fetchval("SELECT d FROM docs")
    assert database.run(go) == '{"a": ["xy", 1, null], "p": "C:\\\\u0000"}', "an escaped backslash is text"


def test_every_statement_and_transaction_is_counted(database: Database) -> None:
    statements, runs = metrics.DB_STATEMENTS._value.get(), metrics.DB_RUNS._value.get()

    def go(conn: Connection) -> None:
        conn.execute("CREATE TEMP TABLE counted (n int)")
        conn.executemany("INSERT INTO counted VALUES ($1)", [(n,) for n in range(50)])  # one, pipelined
        assert conn.fetchval("SELECT count(*) FROM counted") == 50
    database.run(go)
    assert metrics.DB_STATEMENTS._value.get() - statements == 5, "BEGIN, 3 statements, COMMIT"
    assert metrics.DB_RUNS._value.get() - runs == 1


def test_rows_answer_by_position_and_by_column(database: Database) -> None:
    row = database.run(lambda conn: conn.fetchrow("SELECT 1 AS one, 'two' AS two, '{\"k\": 3}'::jsonb AS doc"))
    assert row is not None
    assert (row[0], row["two"], row.get("missing")) == (1, "two", None)
    assert dict(row) == {"one": 1, "two": "two", "doc": '{"k": 3}'}, "json read as text, as the callers parse it"
    assert tuple(row) == (1, "two", '{"k": 3}')


def test_the_pool_serves_threads_at_the_same_time(database: Database) -> None:
    """Three transactions open at once, from three threads: each waits inside its own for the other
    two (a lock around the database, as the admin had, would leave the barrier broken)."""
    barrier = threading.Barrier(3, timeout=20)

    def hold(_: int) -> int:
        with database.transaction() as conn:
            backend = conn.fetchval("SELECT pg_backend_pid()")
            barrier.wait()
            return backend

    with ThreadPoolExecutor(3) as threads:
        backends = list(threads.map(hold, range(3)))
    assert len(set(backends)) == 3, "three connections of the pool"


def test_a_connection_lost_is_unavailable_and_the_pool_replaces_it(database: Database) -> None:
    """Our own session ended by the server (pg_terminate_backend on this test's database only): the
    statement that meets it is Unavailable (the circuit, ADR 0022), the next run gets a fresh one."""
    backend = database.run(lambda conn: conn.fetchval("SELECT pg_backend_pid()"))
    with psycopg.connect(database.pool.conninfo, autocommit=True) as other:
        assert other.execute("SELECT pg_terminate_backend(%s)", (backend,)).fetchone() == (True,)
    with pytest.raises(Unavailable) as raised:
        database.run(lambda conn: conn.fetchval("SELECT pg_backend_pid()"))
    assert raised.value.dependency == "postgresql"
    assert isinstance(raised.value.__cause__, psycopg.OperationalError)
    again = database.run(lambda conn: conn.fetchval("SELECT pg_backend_pid()"))
    assert again != backend


@pytest.fixture
def server(tmp_path: Path) -> Iterator[PrivatePostgres]:
    running = private_postgres(tmp_path)
    yield running
    running.purge()


def test_the_first_call_after_an_outage_gets_a_connection(server: PrivatePostgres) -> None:
    """A PRIVATE server (tests/support/private_postgres.py) stopped for 16 s while a caller probes, as
    a stage's open circuit does: the first call after the server's return gets a connection. With
    psycopg_pool's default background retries (a doubling delay for 5 minutes) the attempt the
    first probe started was next due ~31 s after the stop, so that call waited its 5 s for a
    connection and failed Unavailable; given up after RECONNECT_S, a call starts its own attempt."""
    db = Database(server.url).connect()
    try:
        assert db.run(lambda conn: conn.fetchval("SELECT 1")) == 1
        server.stop()
        server.wait_down()
        stopped = time.monotonic()
        probes = 0
        while time.monotonic() - stopped < 16:
            with pytest.raises(Unavailable):  # the pooled connection cut, then none to be had
                db.run(lambda conn: conn.fetchval("SELECT 1"))
            probes += 1
            time.sleep(1)
        server.start()
        assert probes >= 2
        assert db.run(lambda conn: conn.fetchval("SELECT 1")) == 1
    finally:
        db.close()
