"""Client-side limits shared by the remote CRM adapters: a request budget and Retry-After.

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
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from email.utils import parsedate_to_datetime

from triage.platform.errors import Throttled


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


def retry_after_seconds(value: str | None, default: float = 1.0) -> float:
    """``Retry-After`` as delta-seconds or an HTTP date; ``default`` when absent or unreadable."""
    if not value:
        return default
    try:
        return max(float(value), 0.0)
    except ValueError:
        pass
    try:
        return max(parsedate_to_datetime(value).timestamp() - time.time(), 0.0)
    except (TypeError, ValueError):
        return default
