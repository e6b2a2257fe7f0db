"""The circuit breaker's states and backoff (ADR 0022): a pure core on an injected clock, no sleeping;
then which failures open a circuit and that none is retried inside the Kafka transaction."""

from __future__ import annotations

import urllib.request

import psycopg
import pytest
from psycopg import errors
from psycopg_pool import PoolTimeout

from triage.platform.circuit import Breakers, Circuit, State
from triage.platform.db import classified
from triage.platform.errors import Throttled, TransientError, Unavailable
from triage.platform.health import Liveness, serve_health
from triage.platform.runtime import StreamProcessor, is_transient
from triage.platform.settings import StageSettings


class Clock:
    def __init__(self) -> None:
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now


def circuit(clock: Clock, initial_s: float = 1.0, max_s: float = 8.0) -> Circuit:
    return Circuit("hubspot", initial_s, max_s, clock)


def test_closed_then_open_then_half_open_after_the_backoff_then_closed_by_a_success() -> None:
    clock = Clock()
    breaker = circuit(clock)
    assert breaker.state is State.CLOSED and breaker.wait_s() == 0
    assert breaker.failed("HubSpot 503") == 1.0
    assert breaker.state is State.OPEN and breaker.wait_s() == 1.0
    clock.now += 0.4
    assert breaker.state is State.OPEN and abs(breaker.wait_s() - 0.6) < 1e-9
    clock.now += 0.6
    assert breaker.state is State.HALF_OPEN and breaker.wait_s() == 0, "the backoff passed: probe"
    breaker.succeeded()
    assert breaker.state is State.CLOSED and breaker.down_for_s() == 0


def test_a_failed_probe_opens_again_for_twice_as_long_bounded_by_max() -> None:
    clock = Clock()
    breaker = circuit(clock)
    waits = []
    for _ in range(7):
        waits.append(breaker.failed("refused"))
        clock.now += waits[-1]
        assert breaker.state is State.HALF_OPEN
    assert waits == [1.0, 2.0, 4.0, 8.0, 8.0, 8.0, 8.0]
    assert breaker.down_for_s() == sum(waits), "down since the first failure, not the last"


def test_retry_after_lengthens_the_wait_but_never_past_max() -> None:
    breaker = circuit(Clock())
    assert breaker.failed("429", retry_after_s=5.0) == 5.0
    assert breaker.failed("429", retry_after_s=0.1) == 2.0, "the backoff when it is the longer"
    assert breaker.failed("429", retry_after_s=600) == 8.0


def test_a_failure_soon_after_closing_keeps_backing_off_a_long_quiet_spell_starts_over() -> None:
    clock = Clock()
    breaker = circuit(clock)
    breaker.failed("503")
    breaker.failed("503")
    breaker.succeeded()
    clock.now += 1
    assert breaker.failed("503") == 4.0, "failing right after a passed probe: the third in a row"
    breaker.succeeded()
    clock.now += 8  # closed for max_s
    assert breaker.failed("503") == 1.0


def test_breakers_hold_off_for_the_longest_open_circuit_and_probe_with_one_record() -> None:
    clock = Clock()
    breakers = Breakers(initial_s=1.0, max_s=8.0, clock=clock)
    assert breakers.wait_s() == 0 and not breakers.probing() and breakers.describe() == []
    breakers.failed("postgresql", "database unavailable")
    breakers.failed("hubspot", "HubSpot 503", retry_after_s=3.0)
    assert breakers.wait_s() == 3.0
    assert [c.dependency for c in breakers.not_closed()] == ["postgresql", "hubspot"]
    clock.now += 1
    assert breakers.probing() and breakers.wait_s() == 2.0, "postgresql half-open, hubspot still open"
    clock.now += 2
    described = breakers.describe()
    assert described[1].startswith("waiting for hubspot: circuit half-open for 3 s after 1 failure(s) (HubSpot 503")
    breakers.succeeded()
    assert breakers.not_closed() == [] and breakers.wait_s() == 0


# -- what opens a circuit, and that it is never waited out inside the transaction ------------------

def test_a_database_away_or_starting_up_is_unavailable_on_the_postgresql_circuit() -> None:
    # what Database.connection/transaction/run raise: psycopg's errors, classified
    for away in (errors.CannotConnectNow("the database system is starting up"),
                 psycopg.OperationalError("connection failed: Connection refused"),
                 errors.AdminShutdown("terminating"), psycopg.OperationalError("server closed the connection"),
                 PoolTimeout("couldn't get a connection after 5.00 sec")):
        with pytest.raises(Unavailable) as raised, classified():
            raise away
        assert raised.value.dependency == "postgresql" and raised.value.retry_after_s is None, away
        assert raised.value.__cause__ is away
    for not_away in (errors.SerializationFailure("retry"), errors.UniqueViolation("x")):
        with pytest.raises(Exception) as raised, classified():
            raise not_away
        assert not isinstance(raised.value, Unavailable), not_away
    with pytest.raises(errors.UniqueViolation), classified():  # the record's fault: as psycopg raised it
        raise errors.UniqueViolation("dup")
    # a connection psycopg already closed (used after the server dropped it): retried, never
    # dead-lettered after one try as an unknown error
    with pytest.raises(TransientError) as raised, classified():
        raise psycopg.InterfaceError("the connection is closed")
    assert not isinstance(raised.value, Unavailable)


def test_only_the_drivers_errors_are_the_databases() -> None:
    """A remote CRM's connection error inside a transaction (the deal lock, the ledger) is not an outage
    of PostgreSQL: it passes unchanged, for its own circuit."""
    refused = ConnectionRefusedError(111, "HubSpot refused")
    with pytest.raises(ConnectionRefusedError) as raised, classified():
        raise refused
    assert raised.value is refused
    hubspot = Unavailable("HubSpot 503", dependency="hubspot")
    with pytest.raises(Unavailable) as raised, classified():
        raise hubspot
    assert raised.value is hubspot


def test_unavailable_is_tried_once_inside_the_transaction_a_plain_transient_error_is_retried() -> None:
    processor = StreamProcessor(settings=StageSettings(triage_retry_initial_s=0.0, triage_max_attempts=4), service="t",
                                inputs=[], handler=None, serde=None)  # type: ignore[arg-type]
    for exc, tries in ((Unavailable("HubSpot 503", dependency="hubspot"), 1), (Throttled("budget"), 1),
                       (TransientError("lock timeout"), 4)):
        calls = []

        def attempt(exc: Exception = exc, calls: list[int] = calls) -> None:
            calls.append(1)
            raise exc

        with pytest.raises(type(exc)):
            processor._retrying(attempt)
        assert len(calls) == tries, exc
        assert is_transient(exc)
    failures = []
    assert processor._retry_transient(lambda: failures.append(1) or Unavailable("away")) is not None
    assert failures == [1], "a whole transaction is not tried again while its dependency is away"


def test_a_batch_must_close_well_inside_the_transaction_timeout() -> None:
    StageSettings(triage_batch_max_s=10, triage_transaction_timeout_ms=30_000)
    with pytest.raises(ValueError, match="TRIAGE_BATCH_MAX_S"):
        StageSettings(triage_batch_max_s=20, triage_transaction_timeout_ms=30_000)


def test_a_stage_waiting_for_a_dependency_is_healthy_says_why_and_its_stall_clock_restarts() -> None:
    clock = Clock()
    live = Liveness(max_silence_s=10_000, max_stall_s=10, clock=clock)
    live.holding()
    live.waiting(["waiting for hubspot: circuit open for 0 s after 1 failure(s) (HubSpot 503)"])
    clock.now += 300  # a 5-minute outage: held records, no commit
    assert live() and live.reasons() == []
    assert live.notes() == ["waiting for hubspot: circuit open for 0 s after 1 failure(s) (HubSpot 503)"]
    live.waiting([])  # the probe passed: the stall clock starts again now, not at the first hold
    clock.now += 9
    assert live()
    clock.now += 1
    assert live.reasons() == ["no commit for 10 s with records waiting"]

    server = serve_health("127.0.0.1", 0, live)
    try:
        live.committed()
        live.waiting(["waiting for postgresql: circuit open for 3 s after 2 failure(s) (database unavailable)"])
        with urllib.request.urlopen(f"http://127.0.0.1:{server.server_port}/healthz", timeout=5) as answer:
            assert answer.status == 200
            assert answer.read().decode() == ("ok\nwaiting for postgresql: circuit open for 3 s after 2 failure(s) "
                                              "(database unavailable)\n")
    finally:
        server.shutdown()
