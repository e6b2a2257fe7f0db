"""Client-side limits shared by the remote CRM adapters: a request budget and Retry-After.

HubSpot allows a private app a fixed number of requests per rolling
10 seconds (100 on most tiers); going over costs 429s that count against the
app. ``RequestBudget`` spends that budget on our side: a caller waits for a
free slot instead of being refused.
"""

from __future__ import annotations

import threading
import time
from collections import deque
from collections.abc import Callable
from email.utils import parsedate_to_datetime


class RequestBudget:
    """At most ``limit`` requests in any rolling ``window_s`` seconds (thread-safe)."""

    def __init__(self, limit: int, window_s: float = 10.0, clock: Callable[[], float] = time.monotonic,
                 sleep: Callable[[float], None] = time.sleep) -> None:
        self.limit = limit
        self.window_s = window_s
        self._clock = clock
        self._sleep = sleep
        self._sent: deque[float] = deque()
        self._lock = threading.Lock()

    def acquire(self) -> float:
        """Wait for a slot; returns how long it waited."""
        waited = 0.0
        while True:
            with self._lock:
                now = self._clock()
                while self._sent and now - self._sent[0] >= self.window_s:
                    self._sent.popleft()
                if len(self._sent) < self.limit:
                    self._sent.append(now)
                    return waited
                pause = self.window_s - (now - self._sent[0])
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
