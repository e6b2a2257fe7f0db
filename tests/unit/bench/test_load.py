"""The steady-load benchmark's arithmetic: an open loop, honest percentiles, the step search,
and the tables docs/benchmarks.md is written from."""

from __future__ import annotations

import math

import pytest

from bench import load
from bench.render import render


class FakeClock:
    """Time that moves only when slept or when a send takes long."""

    def __init__(self) -> None:
        self.now = 100.0

    def __call__(self) -> float:
        return self.now

    def sleep(self, seconds: float) -> None:
        self.now += seconds


def test_arrivals_are_evenly_spaced_at_the_rate_for_the_duration() -> None:
    offsets = load.arrival_offsets(50, 2)
    assert len(offsets) == 100 and offsets[0] == 0 and offsets[1] == pytest.approx(0.02)
    assert offsets[-1] == pytest.approx(1.98)
    with pytest.raises(ValueError):
        load.arrival_offsets(0, 10)


def test_a_slow_send_does_not_shift_later_arrivals_the_loop_stays_open() -> None:
    """Coordinated omission: the emails after a stall keep their scheduled times, and the stall
    is reported as lateness, never hidden by a later schedule."""
    clock = FakeClock()

    def send(i: int) -> None:
        if i == 2:
            clock.now += 0.35  # the third send stalls for 350 ms

    log = load.run_open_loop(load.arrival_offsets(10, 1), send, clock=clock, sleep=clock.sleep)
    assert log.scheduled == pytest.approx([100 + i / 10 for i in range(10)])
    late = log.lateness_s
    assert late[2] == pytest.approx(0.35) and late[3] == pytest.approx(0.25) and late[4] == pytest.approx(0.15)
    assert late[6] == pytest.approx(0.0), "a late sender catches up instead of shifting every later email"


def test_percentiles_interpolate_and_missing_emails_count_as_infinitely_late() -> None:
    assert load.percentile([1, 2, 3, 4], 50) == pytest.approx(2.5)
    summary = load.lead_time_summary([float(v) for v in range(1, 100)], missing=1)
    assert summary["emails"] == 100 and summary["missing"] == 1
    assert summary["p50_ms"] == pytest.approx(50.5) and summary["max_ms"] is None
    assert not load.holds(summary, math.inf), "an email that never arrived fails the step"


def test_the_step_search_stops_at_the_first_rate_that_does_not_hold() -> None:
    measured: list[float] = []

    def measure(rate: float) -> dict:
        measured.append(rate)
        return {"missing": 0, "p95_ms": rate * 20}

    best, steps = load.step_search([200, 50, 100, 150], measure, 3000)
    assert best == 100 and measured == [50, 100, 150], "ascending; 150 (P95 3,000 ms) ends the search"
    assert [s.held for s in steps] == [True, True, False]
    with pytest.raises(ValueError):
        load.parse_rates("50,-1")


def stage(cpu: float) -> dict:
    return {"process_cpu_ms": cpu, "phases_cpu_ms": {"handle email.raw": cpu}, "avro_cpu_ms": {},
            "db_statements": 0.0, "db_transactions": 0.0, "peak_rss_mb": 100.0}


def test_the_rendered_tables_take_every_ratio_within_the_run() -> None:
    run = {"emails_per_s": 200.0, "stages": {"extract": stage(3.0), "route": stage(1.0)},
           "server_cpu_ms_per_email": {"kafka": 1.0}}
    steady = {"rate_per_s": 50, "duration_s": 120, "emails": 6000, "missing": 0, "p50_ms": 400.0, "p95_ms": 900.0,
              "p99_ms": 1100.0, "sender_late_p99_ms": 5.0}
    result = {"started_at": "t", "emails": 1000, "machine": {"cpus": 2, "load_average_1m_at_start": 0.5,
                                                             "load_average_1m_at_end": 1.0},
              "burst": {"passthrough_first": {"emails_per_s": 900.0}, "passthrough_second": {"emails_per_s": 1100.0},
                        "passthrough_noise": 0.2, "after": run},
              "steady": {"p95_limit_ms": 3000, "before": steady, "after": steady,
                         "step_search": {"highest_rate_held": 100.0, "steps": []}}}
    text = render(result)
    assert "| after | 200.0 | 0.20× | 5.00 ms |" in text, "against the mean of this run's two passthroughs"
    assert "2 cores serve at most 400 emails/s" in text and "would need 4.00 ms per email" in text
    assert "**100.0 emails/s**" in text and "| after | 50 | 120 | 6000 | 0 | 400.0 | 900.0 | 1100.0 | 5.0 |" in text


def test_a_scale_out_that_did_not_happen_says_why() -> None:
    from bench.pipeline import machine_busy, machine_cpu, why_no_scale_out

    assert "no spare CPU" in why_no_scale_out(0.93, 2, 1.05) and "93%" in why_no_scale_out(0.93, 2, 1.05)
    # 56 % busy with one instance: at most 1.79x was possible, so 1.58x is near the limit ...
    near = why_no_scale_out(0.56, 2, 1.58)
    assert "near what the spare CPU allowed" in near and "1.79x" in near and "1.58x" in near
    # ... while 1.1x with a core to spare is held back by something else.
    assert "something other than CPU" in why_no_scale_out(0.4, 2, 1.1)
    assert machine_busy((100, 1000), (190, 1100)) == 0.9
    busy, total = machine_cpu()
    assert 0 <= busy <= total
