"""Entrypoint of the route service."""

from datetime import timedelta

from triage.platform.changelog import partition_count, read_partition
from triage.platform.check import check_requested, run_check
from triage.platform.mailbox_file import load_mailbox_file
from triage.platform.pipeline_config import queue_table, routing_rules
from triage.platform.serde import Serde
from triage.platform.service import run_stage
from triage.platform.settings import RouteSettings, load_settings
from triage.platform.topics import DEDUPE, EXTRACTED
from triage_route.handler import RouteHandler


def build(settings: RouteSettings) -> RouteHandler:
    rules, queues = routing_rules(settings), queue_table(settings)
    inputs, state = partition_count(settings, EXTRACTED), partition_count(settings, DEDUPE)
    if inputs != state:
        raise SystemExit(f"{DEDUPE} has {state} partitions but {EXTRACTED} has {inputs}: "
                         "the dedupe state must be co-partitioned with its input")
    serde = Serde()
    return RouteHandler(
        mailbox=load_mailbox_file(settings),
        rules=rules,
        changelog=lambda partition: read_partition(settings, serde, DEDUPE, partition),
        window=timedelta(hours=settings.triage_dedupe_window_hours),
        reuse_within=timedelta(hours=settings.triage_thread_reuse_hours),
        reuse_below_confidence=settings.triage_thread_reuse_below_confidence,
        bands=settings.confidence_bands(),
        queues=queues,
    )


def main() -> None:
    if check_requested():  # the start-up check: settings and shipped data, no Kafka (ADR 0031)
        raise SystemExit(run_check("route", RouteSettings))
    run_stage("route", [EXTRACTED], build, load_settings(RouteSettings))


if __name__ == "__main__":
    main()
