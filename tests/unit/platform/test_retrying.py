"""Retry-After read one way (RFC 9110) and the one tenacity wait strategy (platform/retrying.py)."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from tenacity import Retrying, retry_if_exception_type, stop_after_attempt

from triage.platform.errors import TransientError, Unavailable
from triage.platform.retrying import (
    RetryAfterError,
    backoff,
    carried_retry_after,
    parse_retry_after,
)
from triage.platform.runtime import StreamProcessor
from triage.platform.settings import StageSettings

NOW = datetime(2026, 12, 7, 12, 0, 0, tzinfo=UTC)


@pytest.mark.parametrize(("value", "seconds"), [("120", 120.0), ("0", 0.0), (" 7 ", 7.0), ("0.15", 0.15),
                                                (b"3", 3.0)])
def test_delay_seconds(value: str | bytes, seconds: float) -> None:
    assert parse_retry_after(value) == seconds


@pytest.mark.parametrize("value", [
    "Mon, 07 Dec 2026 12:01:30 GMT",  # IMF-fixdate, the preferred form
    "Monday, 07-Dec-26 12:01:30 GMT",  # obsolete RFC 850
    "Mon Dec  7 12:01:30 2026",  # obsolete asctime: no zone, GMT by definition
])
def test_an_http_date_in_any_of_the_three_forms_is_the_time_until_then(value: str) -> None:
    assert parse_retry_after(value, now=NOW) == 90.0


def test_an_http_date_in_the_past_means_now() -> None:
    assert parse_retry_after("Mon, 07 Dec 2026 11:00:00 GMT", now=NOW) == 0.0


def test_without_now_a_date_is_measured_from_the_clock() -> None:
    soon = (datetime.now(UTC) + timedelta(seconds=60)).strftime("%a, %d %b %Y %H:%M:%S GMT")
    assert 50 <= parse_retry_after(soon) <= 60


@pytest.mark.parametrize("value", [None, "", "   ", "soon", "1e3", "0x10", "inf", "nan", "12 seconds",
                                   "Mon, 32 Dec 2026 12:00:00 GMT", "-5", "-0.5"])
def test_garbage_and_negative_values_are_unreadable(value: str | None) -> None:
    assert parse_retry_after(value, cap_s=10) is None


def test_the_cap_bounds_either_form() -> None:
    assert parse_retry_after("3600", cap_s=5) == 5
    assert parse_retry_after("2", cap_s=5) == 2
    assert parse_retry_after("Tue, 08 Dec 2026 12:00:00 GMT", cap_s=30, now=NOW) == 30
    assert parse_retry_after("99999999999999999999999999", cap_s=30) == 30
    assert parse_retry_after("9" * 400) is None, "an overflowing delay without a cap is unusable"


def test_carried_retry_after_takes_only_a_usable_number() -> None:
    assert carried_retry_after(Unavailable("429", dependency="x", retry_after_s=3)) == 3.0
    assert carried_retry_after(RetryAfterError("503")) is None
    assert carried_retry_after(ValueError("plain")) is None
    assert carried_retry_after(None) is None
    for bad in (-1.0, float("nan"), float("inf"), True, "5"):
        assert carried_retry_after(RetryAfterError("x", retry_after_s=bad)) is None, bad  # type: ignore[arg-type]


def waits_for(failures: list[Exception], **options: float) -> list[float]:
    """The sleeps tenacity takes with ``backoff(**options)`` while ``failures`` are raised in turn."""
    sleeps: list[float] = []
    remaining = list(failures)

    def attempt() -> str:
        if remaining:
            raise remaining.pop(0)
        return "done"

    retrying = Retrying(wait=backoff(**options), stop=stop_after_attempt(len(failures) + 1),
                        retry=retry_if_exception_type(Exception), sleep=sleeps.append, reraise=True)
    assert retrying(attempt) == "done"
    return sleeps


def test_the_wait_is_exponential_without_a_retry_after() -> None:
    failures = [ConnectionError("refused")] * 5
    assert waits_for(failures, initial_s=0.5, max_s=3.0, jitter_s=0) == [0.5, 1.0, 2.0, 3.0, 3.0]


def test_the_jitter_adds_at_most_jitter_s() -> None:
    waits = waits_for([ConnectionError("refused")] * 8, initial_s=0.1, max_s=100.0, jitter_s=0.5)
    assert all(0.1 * 2 ** n <= w <= 0.1 * 2 ** n + 0.5 for n, w in enumerate(waits))
    assert len({round(w - 0.1 * 2 ** n, 9) for n, w in enumerate(waits)}) > 1, "the jitter varies"


def test_a_carried_retry_after_is_waited_instead_and_capped() -> None:
    failures = [RetryAfterError("429", retry_after_s=2.5), ConnectionError("reset"),
                Unavailable("503", dependency="x", retry_after_s=600), RetryAfterError("503")]
    waits = waits_for(failures, initial_s=0.5, max_s=8.0, jitter_s=0, retry_after_cap_s=30)
    assert waits == [2.5, 1.0, 30, 4.0], "Retry-After, backoff, Retry-After capped, backoff (none carried)"


def test_the_retry_after_cap_defaults_to_the_backoffs_max() -> None:
    assert waits_for([RetryAfterError("429", retry_after_s=99)], initial_s=1, max_s=4, jitter_s=0) == [4]


def stage(**settings: float) -> StreamProcessor:
    return StreamProcessor(settings=StageSettings(**settings), service="retry-test", inputs=[], handler=None,  # type: ignore[arg-type]
                           serde=None)  # type: ignore[arg-type]


class CarriedTransient(TransientError):
    def __init__(self, retry_after_s: float) -> None:
        super().__init__("429 from a dependency of one record")
        self.retry_after_s = retry_after_s


def test_the_runtime_waits_a_records_carried_retry_after_between_its_attempts() -> None:
    processor = stage(triage_retry_initial_s=0.2, triage_retry_max_s=5.0, triage_max_attempts=3)
    sleeps: list[float] = []
    processor._retrying.sleep = sleeps.append
    outcomes: list[Exception | None] = [CarriedTransient(0.7), CarriedTransient(60), None]

    def attempt() -> str:
        failure = outcomes.pop(0)
        if failure is not None:
            raise failure
        return "handled"

    assert processor._retrying(attempt) == "handled"
    assert sleeps == [0.7, 5.0], "the record's Retry-After, capped at TRIAGE_RETRY_MAX_S"


def test_the_runtime_tries_a_transaction_again_after_a_transient_failure_only() -> None:
    processor = stage(triage_retry_initial_s=0.0, triage_max_attempts=3)
    tries: list[int] = []
    hiccup = TransientError("the coordinator moved")
    assert processor._retry_transient(lambda: tries.append(1) or hiccup) is hiccup
    assert len(tries) == 3, "every attempt, then the last failure is returned"
    tries.clear()
    outcomes: list[Exception | None] = [hiccup, None]
    assert processor._retry_transient(lambda: tries.append(1) or outcomes.pop(0)) is None
    assert len(tries) == 2
    tries.clear()
    refused = ValueError("a record the sink refuses")
    assert processor._retry_transient(lambda: tries.append(1) or refused) is refused
    assert len(tries) == 1, "not transient: bisected by the caller, never tried again"
