"""The benchmark's own logic, free of Kafka: the open-loop schedule, percentiles, the step search.

Open loop: emails are sent at scheduled times (a fixed rate), whatever the pipeline does. A
sender that waited for each email's acknowledgement or result (closed loop) would slow down
with the pipeline and hide its queue ("coordinated omission"); here a late pipeline only makes
lead times longer. Lead times are measured from each email's *scheduled* send time, so a
sender that falls behind cannot hide a queue either; how far behind it fell is reported.
"""

from __future__ import annotations

import math
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass


def arrival_offsets(rate_per_s: float, duration_s: float) -> list[float]:
    """Send times in seconds from the start: ``rate_per_s`` evenly spaced for ``duration_s``."""
    if rate_per_s <= 0 or duration_s <= 0:
        raise ValueError("rate and duration must be positive")
    return [i / rate_per_s for i in range(math.floor(rate_per_s * duration_s + 1e-9))]


@dataclass(frozen=True)
class SendLog:
    """When each email was due and when it went out (seconds, on the clock ``run_open_loop`` got)."""

    scheduled: list[float]
    sent: list[float]

    @property
    def lateness_s(self) -> list[float]:
        return [max(s - d, 0.0) for d, s in zip(self.scheduled, self.sent, strict=True)]


def run_open_loop(offsets: Sequence[float], send: Callable[[int], None],
                  clock: Callable[[], float] = time.time,
                  sleep: Callable[[float], None] = time.sleep,
                  idle: Callable[[], None] = lambda: None) -> SendLog:
    """Call ``send(i)`` at ``start + offsets[i]`` for every i; never waits for anything else.

    ``send`` must not block on the pipeline (produce and return); ``idle`` runs between sends
    (serving the producer's delivery reports). An email whose time has passed goes out at once:
    a late sender catches up instead of shifting every later email.
    """
    start = clock()
    scheduled, sent = [], []
    for index, offset in enumerate(offsets):
        due = start + offset
        while (wait := due - clock()) > 0:
            idle()
            sleep(min(wait, 0.005))
        send(index)
        scheduled.append(due)
        sent.append(clock())
    return SendLog(scheduled, sent)


def percentile(values: Sequence[float], q: float) -> float:
    """The q-th percentile (0..100) with linear interpolation between ranks (numpy's default)."""
    if not values:
        raise ValueError("no values")
    if not 0 <= q <= 100:
        raise ValueError("q is a percentage")
    ordered = sorted(values)
    position = (len(ordered) - 1) * q / 100
    low = math.floor(position)
    high = min(low + 1, len(ordered) - 1)
    return ordered[low] + (ordered[high] - ordered[low]) * (position - low)


def lead_time_summary(lead_times_ms: Sequence[float], missing: int = 0) -> dict:
    """P50/P95/P99/max of lead times; ``missing`` emails never arrived and count as infinitely late."""
    values = [*lead_times_ms, *[math.inf] * missing]
    if not values:
        return {"emails": 0, "missing": 0}
    return {
        "emails": len(values),
        "missing": missing,
        **{f"p{q}_ms": _ms(percentile(values, q)) for q in (50, 95, 99)},
        "max_ms": _ms(max(values)),
    }


def _ms(value: float) -> float | None:
    return None if math.isinf(value) else round(value, 1)


@dataclass(frozen=True)
class Step:
    rate_per_s: float
    summary: dict
    held: bool


def holds(summary: dict, p95_limit_ms: float) -> bool:
    """Every email arrived and the P95 lead time is under the limit."""
    p95 = summary.get("p95_ms")
    return summary.get("missing", 1) == 0 and p95 is not None and p95 < p95_limit_ms


def step_search(rates: Sequence[float], measure: Callable[[float], dict],
                p95_limit_ms: float) -> tuple[float | None, list[Step]]:
    """Measure ``rates`` in increasing order until one does not hold; the highest that held.

    A rate that fails ends the search: a higher one would fail as well (or only by luck), and
    its backlog would spoil the next step.
    """
    steps: list[Step] = []
    best: float | None = None
    for rate in sorted(rates):
        summary = measure(rate)
        held = holds(summary, p95_limit_ms)
        steps.append(Step(rate, summary, held))
        if not held:
            break
        best = rate
    return best, steps


def parse_rates(text: str) -> list[float]:
    """``"25,50,100"`` -> [25.0, 50.0, 100.0] (BENCH_RATES)."""
    rates = [float(part) for part in text.split(",") if part.strip()]
    if not rates or any(rate <= 0 for rate in rates):
        raise ValueError(f"BENCH_RATES: positive rates, comma-separated (got {text!r})")
    return rates
