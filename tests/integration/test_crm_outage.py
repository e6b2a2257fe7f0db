"""A CRM outage pauses crm-sink, it does not dead-letter (issue #18, point 2; ADR 0022).

crm-sink writes to the fake HubSpot (over loopback, the real hubspot-api-client) as a process.
A burst of leads is on ``email.routed``; once the first events are on ``crm.events`` HubSpot
goes down — every request answered 503, or nothing listening (connection refused) — and
comes back after a while. What must hold: no dead letter, every planned action on
``crm.events`` exactly once, no duplicate object in HubSpot, the stage healthy (waiting)
during the outage with the reason on ``/healthz`` and its circuit gauge open.

Before ADR 0022 a 503 was a plain TransientError: its 4 tries lasted ~3 s, then email.dlq (see
docs/reliability.md for the numbers since).

The second test runs a burst at HubSpot's real limit (100 requests per 10 s, enforced by the
fake with its real 429): no transaction aborted, no dead letter, no 429 let through.
"""

from __future__ import annotations

import os
import time
import urllib.request
import uuid
from collections import Counter
from collections.abc import Iterator

import psycopg
import pytest

from tests.integration.test_crm_hubspot_kill import duplicates, events, produce_routed, routed_lead
from tests.support import chaos_results
from tests.support.fake_hubspot import FakeHubSpot
from tests.support.kafka import read_topic, wait_until
from tests.support.pipeline import Pipeline
from triage.platform.topics import DLQ

EMAILS_AT_THE_LIMIT = 100  # ~5 requests each: ~50 s at HubSpot's 100 per 10 s


@pytest.fixture
def hubspot() -> Iterator[FakeHubSpot]:
    fake = FakeHubSpot(latency_s=0.002)
    yield fake
    fake.close()


def env_for(hubspot: FakeHubSpot, requests_per_10s: int) -> dict[str, str]:
    return {"TRIAGE_CRM_BACKEND": "hubspot", "TRIAGE_HUBSPOT_BASE_URL": hubspot.url,
            "TRIAGE_HUBSPOT_ACCESS_TOKEN": hubspot.token, "TRIAGE_CRM_TIMEOUT_S": "2",
            "TRIAGE_HUBSPOT_REQUESTS_PER_10S": str(requests_per_10s), "TRIAGE_BATCH_SIZE": "100"}


def healthz(pipeline: Pipeline, name: str) -> tuple[int, str]:
    try:
        with urllib.request.urlopen(f"http://127.0.0.1:{pipeline.ports[name]}/healthz", timeout=5) as response:
            return response.status, response.read().decode()
    except urllib.error.HTTPError as exc:
        return exc.code, exc.read().decode()


def accounted(pipeline: Pipeline, planned: dict[str, set[str]]) -> tuple[int, int]:
    """(emails with every action on crm.events, emails dead-lettered): together, every email once."""
    done = {e.idempotency_key for e in events(pipeline)}
    lettered = {(r.key or b"").decode() for r in read_topic(pipeline.settings, DLQ)}
    complete = sum(1 for thread, keys in planned.items() if keys <= done and thread not in lettered)
    return complete, len(lettered & set(planned))


def run_outage(pipeline: Pipeline, hubspot: FakeHubSpot, how: str, emails_n: int, outage_s: float,
               settle_s: float, requests_per_10s: int = 5000) -> None:
    run = uuid.uuid4().hex[:6]
    emails = [routed_lead(n, run) for n in range(emails_n)]
    planned = {e.thread_id: {a.idempotency_key for a in e.crm_actions} for e in emails}
    every_key = set().union(*planned.values())
    produce_routed(pipeline, emails)
    pipeline.start("crm-sink", **env_for(hubspot, requests_per_10s))
    wait_until(lambda: len(events(pipeline)) >= 40, 120, "the first events on crm.events")

    hubspot.go_down(how)
    down_at = time.monotonic()
    seen_open, health_during = 0.0, []
    while time.monotonic() - down_at < outage_s:
        seen_open = max(seen_open, pipeline.metric(
            "crm-sink", 'triage_circuit_state{dependency="hubspot",service="crm-sink"}'))
        health_during.append(healthz(pipeline, "crm-sink"))
        time.sleep(1)
    before_return = len(events(pipeline))
    hubspot.come_back()
    back_at = time.monotonic()

    wait_until(lambda: len(events(pipeline)) > before_return or sum(accounted(pipeline, planned)) == emails_n,
               settle_s, "the first event after HubSpot's return")
    flow_back_s = time.monotonic() - back_at
    wait_until(lambda: sum(accounted(pipeline, planned)) == emails_n, settle_s, "every email written or dead-lettered")
    resumed_s = time.monotonic() - back_at
    complete, lettered = accounted(pipeline, planned)
    keys = Counter(e.idempotency_key for e in events(pipeline))
    lost = len(every_key - set(keys))
    print(f"HubSpot down ({how}) {outage_s:.0f} s under {emails_n} emails: {lettered} dead-lettered, {lost} actions "
          f"lost, {sum(n - 1 for n in keys.values())} twice on crm.events, duplicates {duplicates(hubspot)}; "
          f"{before_return} events before the return, the first event {flow_back_s:.1f} s after it, all "
          f"{complete} emails written {resumed_s:.1f} s after it; {hubspot.refused_while_down} requests answered 503 during it")

    chaos_results.record({
        "experiment": f"HubSpot {how} {outage_s:.0f} s", "emails": emails_n, "lost": lost,
        "duplicated": sum(n - 1 for n in keys.values()) + sum(duplicates(hubspot).values()),
        "dead_lettered": lettered, "resumed_s": round(flow_back_s, 1), "recovered_s": round(resumed_s, 1),
        "exited": "crm-sink" if pipeline.processes["crm-sink"].poll() is not None else "none"})
    assert lettered == 0, f"{lettered} email(s) dead-lettered by a CRM outage"
    assert set(keys) >= every_key and max(keys.values()) == 1, "an action missing or twice on crm.events"
    assert duplicates(hubspot) == {"companies": 0, "contacts": 0, "deals": 0, "notes": 0}
    with psycopg.connect(pipeline.database_url) as conn:
        ledger = conn.execute("SELECT count(*) FROM crm_ledger WHERE backend = 'hubspot'").fetchone()[0]
    assert ledger == len(every_key)
    assert pipeline.processes["crm-sink"].poll() is None, "crm-sink exited during the outage"
    assert seen_open == 2, "the circuit gauge never showed the HubSpot circuit open"
    assert all(status == 200 for status, _ in health_during), f"/healthz failed while waiting: {health_during}"
    assert any("waiting for hubspot" in body for _, body in health_during), health_during
    assert "circuit open" in pipeline.log("crm-sink")


@pytest.mark.parametrize("how", ["503", "refused"])
def test_a_20_s_hubspot_outage_under_a_burst_pauses_crm_sink_and_dead_letters_nothing(
        pipeline: Pipeline, hubspot: FakeHubSpot, how: str) -> None:
    run_outage(pipeline, hubspot, how, emails_n=200, outage_s=20, settle_s=180)


#: The chaos experiment's size (issue #18: HubSpot down 5 minutes under 1,000 emails); shorter runs
#: by environment, e.g. TRIAGE_CHAOS_OUTAGE_S=60 TRIAGE_CHAOS_EMAILS=300 make chaos.
CHAOS_OUTAGE_S = float(os.environ.get("TRIAGE_CHAOS_OUTAGE_S", "300"))
CHAOS_EMAILS = int(os.environ.get("TRIAGE_CHAOS_EMAILS", "1000"))


@pytest.mark.chaos
@pytest.mark.timeout(3600)
def test_a_5_minute_hubspot_outage_under_1000_emails_dead_letters_nothing(
        pipeline: Pipeline, hubspot: FakeHubSpot) -> None:
    run_outage(pipeline, hubspot, "refused", emails_n=CHAOS_EMAILS, outage_s=CHAOS_OUTAGE_S,
               settle_s=max(600.0, CHAOS_EMAILS * 0.6))


def run_burst(pipeline: Pipeline, emails_n: int, settle_s: float) -> None:
    hubspot = FakeHubSpot(latency_s=0.002, budget_per_10s=100, budget_retry_after=False)
    try:
        run = uuid.uuid4().hex[:6]
        emails = [routed_lead(n, run) for n in range(emails_n)]
        every_key = {a.idempotency_key for e in emails for a in e.crm_actions}
        produce_routed(pipeline, emails)
        started = time.monotonic()
        pipeline.start("crm-sink", **env_for(hubspot, 100))
        wait_until(lambda: {e.idempotency_key for e in events(pipeline)} >= every_key, settle_s, "every action's event")
        took = time.monotonic() - started
        aborted = pipeline.metric("crm-sink", 'triage_transactions_total{outcome="aborted",service="crm-sink"}')
        committed = pipeline.metric("crm-sink", 'triage_transactions_total{outcome="committed",service="crm-sink"}')
        refused = [f for f in hubspot.injected if f[0] == "budget"]
        keys = Counter(e.idempotency_key for e in events(pipeline))
        letters = read_topic(pipeline.settings, DLQ)
        print(f"{emails_n} emails at 100 requests/10 s: {len(hubspot.calls)} requests in {took:.0f} s, {committed:.0f} "
              f"transactions committed, {aborted:.0f} aborted, {len(refused)} 429s, {len(letters)} dead letters, "
              f"{sum(n - 1 for n in keys.values())} twice on crm.events, duplicates {duplicates(hubspot)}")
        assert letters == []
        assert aborted == 0, f"{aborted} transaction(s) aborted at the rate limit"
        assert refused == [], "the client-side budget let a 429 through"
        assert max(keys.values()) == 1
        assert duplicates(hubspot) == {"companies": 0, "contacts": 0, "deals": 0, "notes": 0}
    finally:
        hubspot.close()


def test_a_burst_at_hubspots_real_limit_aborts_no_transaction_and_dead_letters_nothing(
        pipeline: Pipeline) -> None:
    run_burst(pipeline, EMAILS_AT_THE_LIMIT, settle_s=300)


@pytest.mark.chaos
@pytest.mark.timeout(3600)
def test_1000_emails_at_hubspots_real_limit_abort_no_transaction(pipeline: Pipeline) -> None:
    """~5,000 requests at 100 per 10 s: ~8.5 minutes of writing, each batch cut by the budget."""
    run_burst(pipeline, CHAOS_EMAILS, settle_s=max(900.0, CHAOS_EMAILS * 1.2))
