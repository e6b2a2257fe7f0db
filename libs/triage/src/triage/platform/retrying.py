"""One way to wait before trying again: tenacity, and ``Retry-After`` read one way (ADR 0033).

``parse_retry_after``: an HTTP ``Retry-After`` (RFC 9110 section 10.2.3) as the seconds to wait,
either form: delay-seconds (``120``; a decimal such as ``0.15`` is accepted too) or an HTTP-date
(IMF-fixdate, or the obsolete RFC 850 and asctime forms a recipient must accept). A date in
the past is 0; anything else (absent, empty, negative, garbage) is None: the caller's own
backoff applies. ``cap_s`` bounds the answer, so a remote service cannot park us for hours.

``backoff``: the tenacity wait strategy every hand-written loop used to be: exponential from
``initial_s`` doubling up to ``max_s``, plus a random jitter of up to ``jitter_s``; unless the
exception that ended the attempt carries its service's ``Retry-After`` as ``retry_after_s``
(``errors.Unavailable`` and ``RetryAfterError`` do), which is waited instead, at most
``retry_after_cap_s``.
"""

from __future__ import annotations

import math
import re
from datetime import UTC, datetime
from email.utils import parsedate_to_datetime

from tenacity import RetryCallState, wait_exponential_jitter
from tenacity.wait import wait_base

#: delay-seconds is 1*DIGIT; a fraction is accepted (some services and our fakes send one).
_SECONDS = re.compile(r"\d+(?:\.\d+)?")


def parse_retry_after(value: str | bytes | None, *, cap_s: float | None = None,
                      now: datetime | None = None) -> float | None:
    """Seconds to wait per a ``Retry-After`` header value, at most ``cap_s``; None when unreadable."""
    if value is None:
        return None
    text = (value.decode("latin-1") if isinstance(value, bytes) else value).strip()
    if not text:
        return None
    if _SECONDS.fullmatch(text):
        wait = float(text)
    else:
        try:
            when = parsedate_to_datetime(text)
        except (TypeError, ValueError, IndexError, OverflowError):
            return None
        if when.tzinfo is None:  # asctime carries no zone; an HTTP-date is always GMT
            when = when.replace(tzinfo=UTC)
        wait = max((when - (now or datetime.now(UTC))).total_seconds(), 0.0)
    if not math.isfinite(wait):
        return None if cap_s is None else cap_s
    return wait if cap_s is None else min(wait, cap_s)


class RetryAfterError(Exception):
    """A temporary failure that carries its service's ``Retry-After`` (None: it gave none)."""

    def __init__(self, message: str, *, retry_after_s: float | None = None) -> None:
        super().__init__(message)
        self.retry_after_s = retry_after_s


def carried_retry_after(exc: BaseException | None) -> float | None:
    """The ``Retry-After`` an exception carries as ``retry_after_s`` (a non-negative number), or None."""
    value = getattr(exc, "retry_after_s", None)
    if isinstance(value, bool) or not isinstance(value, int | float) or not math.isfinite(value) or value < 0:
        return None
    return float(value)


class wait_retry_after(wait_base):  # noqa: N801 - tenacity's naming for wait strategies
    """The ``Retry-After`` the failed attempt's exception carries (at most ``cap_s``), else ``fallback``."""

    def __init__(self, fallback: wait_base, cap_s: float) -> None:
        self.fallback = fallback
        self.cap_s = cap_s

    def __call__(self, retry_state: RetryCallState) -> float:
        outcome = retry_state.outcome
        carried = carried_retry_after(outcome.exception()) if outcome is not None and outcome.failed else None
        if carried is not None:
            return min(carried, self.cap_s)
        return self.fallback(retry_state)


def backoff(initial_s: float, max_s: float, *, jitter_s: float | None = None,
            retry_after_cap_s: float | None = None) -> wait_retry_after:
    """Wait ``initial_s * 2**(n-1)`` plus up to ``jitter_s`` (default ``initial_s``) after the n-th
    failed attempt, at most ``max_s``; a carried ``Retry-After`` instead, at most
    ``retry_after_cap_s`` (default ``max_s``)."""
    exponential = wait_exponential_jitter(multiplier=initial_s, max=max_s,
                                          jitter=initial_s if jitter_s is None else jitter_s)
    return wait_retry_after(exponential, max_s if retry_after_cap_s is None else retry_after_cap_s)
