"""Circuit breakers for the dependencies a stage's records need (a CRM, PostgreSQL): ADR 0022.

Pure: no I/O, no sleeping; the clock is injected. The runtime asks how long to hold off
(``wait_s``) and waits itself, outside any Kafka transaction.

A circuit is **closed** while its dependency answers. A failure (``failed``: the dependency
raised ``Unavailable`` — a 5xx, a 429, a timeout, a refused connection, a database starting
up) **opens** it for a backoff: ``initial_s`` doubling with each failure in a row, at most
``max_s``, at least the dependency's own ``Retry-After``. Once that has passed the circuit is
**half-open**: one record is let through as the probe. A record handled without a failure
(``succeeded``) closes it; a failed probe opens it again for the next, longer, backoff. The
run of failures is forgotten only after the circuit stayed closed for ``max_s``: a dependency
that fails again right after a probe passed keeps backing off instead of starting over.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass, field
from enum import Enum


class State(Enum):
    CLOSED = 0
    HALF_OPEN = 1
    OPEN = 2


@dataclass
class Circuit:
    dependency: str
    initial_s: float
    max_s: float
    clock: Callable[[], float] = time.monotonic
    failures: int = 0  # in a row (see the module doc for when the run is forgotten)
    reason: str = ""
    _state: State = State.CLOSED
    _retry_at: float = 0.0
    _opened_at: float | None = None
    _closed_at: float | None = None

    @property
    def state(self) -> State:
        if self._state is State.OPEN and self.clock() >= self._retry_at:
            self._state = State.HALF_OPEN
        return self._state

    def failed(self, reason: str, retry_after_s: float | None = None) -> float:
        """The dependency failed a record (or a probe): open for the next backoff, returned (seconds)."""
        now = self.clock()
        if self._state is State.CLOSED and self._closed_at is not None and now - self._closed_at >= self.max_s:
            self.failures = 0
        self.failures += 1
        wait = self.backoff(self.failures)
        if retry_after_s is not None:
            wait = min(max(wait, retry_after_s), self.max_s)
        self.reason = reason
        self._state, self._retry_at = State.OPEN, now + wait
        self._opened_at = self._opened_at if self._opened_at is not None else now
        return wait

    def succeeded(self) -> None:
        """A record went through: the dependency answers again."""
        if self._state is not State.CLOSED:
            self._state, self._opened_at, self._closed_at = State.CLOSED, None, self.clock()

    def backoff(self, failures: int) -> float:
        return min(self.max_s, self.initial_s * 2 ** max(failures - 1, 0))

    def wait_s(self) -> float:
        """How long records must still be held back (0: closed, or half-open: probe now)."""
        return max(self._retry_at - self.clock(), 0.0) if self.state is State.OPEN else 0.0

    def down_for_s(self) -> float:
        """Since when the dependency has been failing (0 when closed)."""
        return self.clock() - self._opened_at if self._opened_at is not None else 0.0


@dataclass
class Breakers:
    """One circuit per dependency of a stage, made on its first failure."""

    initial_s: float
    max_s: float
    clock: Callable[[], float] = time.monotonic
    circuits: dict[str, Circuit] = field(default_factory=dict)

    def failed(self, dependency: str, reason: str, retry_after_s: float | None = None) -> float:
        circuit = self.circuits.get(dependency)
        if circuit is None:
            circuit = self.circuits[dependency] = Circuit(dependency, self.initial_s, self.max_s, self.clock)
        return circuit.failed(reason, retry_after_s)

    def succeeded(self) -> None:
        """A record was handled: every circuit it could have been held by answers (closes)."""
        for circuit in self.circuits.values():
            circuit.succeeded()

    def wait_s(self) -> float:
        return max((c.wait_s() for c in self.circuits.values()), default=0.0)

    def probing(self) -> bool:
        """Some circuit is half-open: the next batch is a single record, the probe."""
        return any(c.state is State.HALF_OPEN for c in self.circuits.values())

    def not_closed(self) -> list[Circuit]:
        return [c for c in self.circuits.values() if c.state is not State.CLOSED]

    def describe(self) -> list[str]:
        """For /healthz: what the stage is waiting for, and why."""
        return [f"waiting for {c.dependency}: circuit {c.state.name.lower().replace('_', '-')} "
                f"for {c.down_for_s():.0f} s after {c.failures} failure(s) ({c.reason[:200]})"
                for c in self.not_closed()]
