"""Routing is exactly once per message: across kill -9, re-ingest and rebalances."""

from __future__ import annotations

from collections import Counter

from tests.integration.test_pipeline import ingest
from tests.support.kafka import decoded, read_topic, wait_until
from tests.support.pipeline import Pipeline
from triage.domain.models import RoutedEmail
from triage.platform.topics import ROUTED

SKIPPED = "route_duplicates_skipped_total"


def routed(pipeline: Pipeline) -> list[RoutedEmail]:
    return decoded(pipeline.settings, ROUTED)


def assert_routed_once(pipeline: Pipeline, ids: list[str]) -> None:
    per_email = Counter(r.email_id for r in routed(pipeline))
    assert set(per_email) == set(ids), "an email was lost"
    assert max(per_email.values()) == 1, f"routed twice: {[e for e, n in per_email.items() if n > 1]}"


def test_kill_9_of_route_then_reingest_routes_nothing_twice(pipeline: Pipeline) -> None:
    pipeline.start_all(("extract", "crm-sink", "audit"))
    pipeline.start("route", TRIAGE_BATCH_SIZE="1")
    ids = ingest(pipeline, 100, seed=44)
    wait_until(lambda: len(read_topic(pipeline.settings, ROUTED)) >= 30, 120, "routing to start", 0.05)
    pipeline.kill("route")
    assert len(read_topic(pipeline.settings, ROUTED)) < 100, "the kill has to land mid-stream"

    assert ingest(pipeline, 100, seed=44) == ids  # the very same 100 messages again
    pipeline.start("route")
    wait_until(lambda: pipeline.metric("route", SKIPPED) >= 100, 180, "the 100 re-ingested copies")
    wait_until(lambda: len(read_topic(pipeline.settings, ROUTED)) >= 100, 60, "all 100 routed")
    assert pipeline.metric("route", SKIPPED) == 100
    assert_routed_once(pipeline, ids)


def test_two_instances_and_a_rebalance_lose_nothing_and_route_nothing_twice(pipeline: Pipeline) -> None:
    pipeline.start_all(("extract", "crm-sink", "audit"))
    pipeline.start("route", instance="a", name="route-a", TRIAGE_BATCH_SIZE="1")
    first = ingest(pipeline, 100, seed=55)
    wait_until(lambda: len(read_topic(pipeline.settings, ROUTED)) >= 20, 120, "routing to start", 0.05)
    # b joins mid-stream: the group rebalances while a is routing and a second wave arrives,
    # so records flow before, during and after the hand-over whatever the machine's speed.
    pipeline.start("route", instance="b", name="route-b", TRIAGE_BATCH_SIZE="1")
    second = ingest(pipeline, 100, seed=56)
    wait_until(lambda: "assigned {'email.extracted'" in pipeline.log("route-b"), 60, "b to take partitions")
    ids = first + second
    wait_until(lambda: len(read_topic(pipeline.settings, ROUTED)) >= 200, 180, "all 200 routed")

    # Both instances rebuilt their state on assignment: re-ingested copies are all recognised.
    ingest(pipeline, 100, seed=55)
    ingest(pipeline, 100, seed=56)

    def skipped() -> float:
        return pipeline.metric("route-a", SKIPPED) + pipeline.metric("route-b", SKIPPED)

    wait_until(lambda: skipped() >= 200, 180, "the 200 re-ingested copies")
    assert skipped() == 200
    assert pipeline.metric("route-b", SKIPPED) > 0, "b routed nothing after the rebalance"
    assert_routed_once(pipeline, ids)
