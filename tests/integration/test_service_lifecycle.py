"""A service's life as an operator sees it: graceful SIGTERM, restart, /healthz and /metrics."""

from __future__ import annotations

import random
import signal
import time
import urllib.request
from collections import Counter

from prometheus_client.parser import text_string_to_metric_families

from tests.integration.test_pipeline import crm_event_emails, ingest
from tests.support.kafka import decoded, read_topic, wait_until
from tests.support.pipeline import Pipeline
from triage.domain.models import CrmEvent, RoutedEmail
from triage.platform.topics import CLEAN, CRM_EVENTS, EXTRACTED, RAW, ROUTED


def get(pipeline: Pipeline, service: str, path: str) -> tuple[int, str]:
    with urllib.request.urlopen(f"http://127.0.0.1:{pipeline.ports[service]}{path}", timeout=5) as response:
        return response.status, response.read().decode()


def processed(metrics_text: str, service: str) -> dict[str, float]:
    """triage_records_processed_total of one service, per input topic."""
    return {
        sample.labels["topic"]: sample.value
        for family in text_string_to_metric_families(metrics_text)
        for sample in family.samples
        if sample.name == "triage_records_processed_total" and sample.labels.get("service") == service
    }


def test_sigterm_stops_route_cleanly_and_a_restart_delivers_every_email_once(pipeline: Pipeline) -> None:
    n = 150
    pipeline.start_all(("ingest", "extract", "crm-sink", "audit"))
    ids = ingest(pipeline, n, seed=random.randrange(1_000, 1_000_000))
    # One record per transaction: routing takes seconds, so the signal lands mid-stream.
    route = pipeline.start("route", TRIAGE_BATCH_SIZE="1")

    def routed_count() -> int:
        return len(read_topic(pipeline.settings, ROUTED))

    wait_until(lambda: routed_count() >= 15, 120, "routing to start", interval_s=0.05)
    route.send_signal(signal.SIGTERM)
    signalled = time.monotonic()
    exit_code = route.wait(15)
    stopped_in = time.monotonic() - signalled
    pipeline.processes.pop("route")
    assert exit_code == 0, f"route exited with {exit_code}:\n{pipeline.log('route')[-3000:]}"
    assert stopped_in < 15
    partial = routed_count()
    assert partial < n, "the signal has to land mid-stream for this test to mean anything"
    assert "received signal 15" in pipeline.log("route")

    pipeline.start("route")
    wait_until(lambda: crm_event_emails(pipeline) >= set(ids), 180, f"all {n} emails on crm.events")

    routed: list[RoutedEmail] = decoded(pipeline.settings, ROUTED)
    per_email = Counter(r.email_id for r in routed)
    assert set(per_email) == set(ids)
    assert max(per_email.values()) == 1, "an email was routed twice across the restart"
    events: list[CrmEvent] = decoded(pipeline.settings, CRM_EVENTS)
    keys = Counter(e.idempotency_key for e in events)
    assert max(keys.values()) == 1, f"twice on crm.events: {[k for k, c in keys.items() if c > 1][:5]}"
    assert {e.email_id for e in events} == set(ids)


def test_extract_reports_health_and_what_it_processed(pipeline: Pipeline) -> None:
    n = 40
    pipeline.start("extract")
    status, body = get(pipeline, "extract", "/healthz")
    assert (status, body.strip()) == (200, "ok")

    ingest(pipeline, n, seed=random.randrange(1_000, 1_000_000))
    wait_until(lambda: len(read_topic(pipeline.settings, EXTRACTED)) >= n, 120, f"{n} emails extracted")

    status, text = get(pipeline, "extract", "/metrics")
    assert status == 200
    counts = processed(text, "extract")
    assert counts.get(RAW, 0) >= n, counts
    assert counts.get(CLEAN, 0) >= n, counts
    assert get(pipeline, "extract", "/healthz")[0] == 200, "still healthy after the work"
