"""Client-side limits shared by the remote CRM adapters: a request budget, and a CRM's refusals waited out.

HubSpot allows a private app a fixed number of requests per rolling
10 seconds (100 on most tiers); going over costs 429s that count against the
app. ``RequestBudget`` spends that budget on our side: a caller waits for a
free slot instead of being refused. A slot counts from when its request's answer
came (``slot``), not from when it was sent: HubSpot counts a request when it
receives it, which is in between, so our window is never shorter than HubSpot's.

Inside a Kafka transaction (crm-sink, ``max_wait_s`` set) a caller never waits
long: when the next slot is further off than ``max_wait_s`` it raises ``Throttled``
with that wait, and the runtime commits what the batch has done and waits outside
the transaction (ADR 0022).

``waiting_out`` is the adapters' one request path for a CRM that refuses for a while (a 429;
Salesforce's 503 too), ``RateLimited``: outside a transaction (the admin process) tenacity
waits the CRM's ``Retry-After`` (read by ``triage.platform.retrying``, at most the cap), else 1 s
then 2 s, and tries again, ``ATTEMPTS`` requests in all; inside one it never waits: the first
refusal is ``Unavailable`` with its ``Retry-After``, for the runtime's circuit (ADR 0022, 0033).
"""

from __future__ import annotations

import logging
import threading
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import TypeVar

from tenacity import RetryCallState, Retrying, retry_if_exception_type, stop_after_attempt

from triage.platform.errors import Throttled, Unavailable
from triage.platform.logs import scrub
from triage.platform.retrying import RetryAfterError, backoff

log = logging.getLogger(__name__)
T = TypeVar("T")

#: Outside a Kafka transaction: how many requests a CRM's refusal (429/503) gets in all.
ATTEMPTS = 3
#: Without a ``Retry-After``: the first wait (then doubled, at most the cap).
FIRST_WAIT_S = 1.0


class RequestBudget:
    """At most ``limit`` requests in any rolling ``window_s`` seconds (thread-safe)."""

    def __init__(self, limit: int, window_s: float = 10.0, clock: Callable[[], float] = time.monotonic,
                 sleep: Callable[[float], None] = time.sleep, max_wait_s: float | None = None,
                 dependency: str = "hubspot") -> None:
        self.limit = limit
        self.window_s = window_s
        self.max_wait_s = max_wait_s
        self.dependency = dependency
        self._clock = clock
        self._sleep = sleep
        self._sent: list[list[float]] = []  # one [time] per slot: sent, then answered
        self._lock = threading.Lock()

    def acquire(self) -> float:
        """Wait for a slot (counted from now); returns how long it waited."""
        return self._take()[1]

    @contextmanager
    def slot(self) -> Iterator[None]:
        """One request: a slot taken before it, counted from its answer after it."""
        stamp, _ = self._take()
        try:
            yield
        finally:
            with self._lock:
                stamp[0] = max(stamp[0], self._clock())

    def _take(self) -> tuple[list[float], float]:
        # Not a retry (nothing failed, nothing is sent again): the wait for our own token bucket's
        # next free slot, computed from its window, so it stays a loop on the clock, not tenacity.
        waited = 0.0
        while True:
            with self._lock:
                now = self._clock()
                self._sent = [s for s in self._sent if now - s[0] < self.window_s]
                if len(self._sent) < self.limit:
                    stamp = [now]
                    self._sent.append(stamp)
                    return stamp, waited
                pause = self.window_s - (now - min(s[0] for s in self._sent))
            if self.max_wait_s is not None and pause > self.max_wait_s:
                raise Throttled(f"{self.dependency}: our budget of {self.limit} requests per {self.window_s:g} s "
                                f"is spent for {pause:.1f} s", dependency=self.dependency, retry_after_s=pause)
            self._sleep(pause)
            waited += pause


class RateLimited(RetryAfterError):
    """The CRM refuses for a while (429, Salesforce's 503): its ``Retry-After``, capped (None: it gave none)."""


def waiting_out(request: Callable[[], T], *, dependency: str, in_transaction: bool, cap_s: float,
                sleep: Callable[[float], None] = time.sleep) -> T:
    """``request()``, its ``RateLimited`` waited out and tried again (see the module doc); ``Unavailable``
    (``dependency``, the last ``Retry-After``) when the CRM still refuses, or at once in a transaction."""
    attempts = Retrying(stop=stop_after_attempt(1 if in_transaction else ATTEMPTS),
                        wait=backoff(FIRST_WAIT_S, cap_s, jitter_s=0.0), retry=retry_if_exception_type(RateLimited),
                        sleep=sleep, before_sleep=_waiting, reraise=True)
    try:
        return attempts(request)
    except RateLimited as exc:
        message = str(exc) if in_transaction else f"{exc}, {ATTEMPTS} times in a row: retried later"
        raise Unavailable(message, dependency=dependency, retry_after_s=exc.retry_after_s) from exc.__cause__


def _waiting(state: RetryCallState) -> None:
    exc = state.outcome.exception() if state.outcome is not None else None
    log.warning("%s: waiting %.1f s", scrub(str(exc)), state.next_action.sleep if state.next_action else 0.0)
