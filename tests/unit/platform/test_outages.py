"""The pure parts of ADR 0019: which failures wait out an outage instead of blaming a record."""

from __future__ import annotations

import psycopg
from confluent_kafka import KafkaError, KafkaException
from psycopg import errors
from psycopg_pool import PoolTimeout

from triage.platform.db import is_unavailable
from triage.platform.errors import TransientError, Unavailable
from triage.platform.runtime import StreamProcessor, is_transient
from triage.platform.settings import StageSettings


def test_a_database_that_is_away_is_unavailable_a_refused_statement_is_not() -> None:
    for away in (ConnectionRefusedError(), errors.CannotConnectNow("starting up"),
                 errors.AdminShutdown("terminating"), errors.CrashShutdown("x"),
                 psycopg.OperationalError("consuming input failed: server closed the connection unexpectedly"),
                 PoolTimeout("couldn't get a connection after 5.00 sec"), errors.ConnectionFailure("08006"),
                 TimeoutError()):
        assert is_unavailable(away), away
    # LockNotAvailable and SerializationFailure are OperationalErrors too: their SQLSTATE decides
    for refused in (errors.LockNotAvailable("lock timeout"), errors.SerializationFailure("retry"),
                    errors.DeadlockDetected("deadlock"), errors.UniqueViolation("dup"),
                    errors.UndefinedTable("no table"), psycopg.DataError("cannot dump"), ValueError("bad")):
        assert not is_unavailable(refused), refused
    assert issubclass(Unavailable, TransientError)


def test_broker_outage_errors_rewind_the_batch_instead_of_bisecting_it() -> None:
    for code in (KafkaError.UNKNOWN_MEMBER_ID, KafkaError.ILLEGAL_GENERATION, KafkaError.REBALANCE_IN_PROGRESS,
                 KafkaError._FENCED, KafkaError.INVALID_TXN_STATE, KafkaError.PRODUCER_FENCED):
        assert is_transient(KafkaException(KafkaError(code))), code
    assert is_transient(KafkaException(KafkaError(KafkaError._INCONSISTENT, fatal=True)))
    assert not is_transient(KafkaException(KafkaError(KafkaError.MSG_SIZE_TOO_LARGE)))


def test_rewinds_back_off_to_the_configured_ceiling() -> None:
    processor = StreamProcessor(settings=StageSettings(triage_retry_initial_s=0.5, triage_retry_max_s=4.0),
                                service="t", inputs=[], handler=None, serde=None)  # type: ignore[arg-type]
    assert [processor._backoff(n) for n in range(1, 7)] == [0.5, 1.0, 2.0, 4.0, 4.0, 4.0]
