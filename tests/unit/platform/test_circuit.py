"""The circuit breaker's states and backoff (ADR 0022): a pure core on an injected clock, no sleeping."""

from __future__ import annotations

from triage.platform.circuit import Breakers, Circuit, State


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
