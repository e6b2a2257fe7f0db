"""The composition root every stage shares: settings, logs, health, topics, signals, loop."""

from __future__ import annotations

import logging
import signal
import threading
from collections.abc import Callable, Sequence
from typing import TypeVar

from triage.platform.admin import apply_topics
from triage.platform.health import Liveness, serve_health
from triage.platform.logs import configure_logging
from triage.platform.mailbox_file import configured_inboxes
from triage.platform.metrics import configure_inboxes
from triage.platform.runtime import Handler, StreamProcessor
from triage.platform.serde import Serde
from triage.platform.settings import StageSettings
from triage.platform.telemetry import setup_telemetry, shutdown_telemetry

log = logging.getLogger(__name__)

S = TypeVar("S", bound=StageSettings)


def stop_on_signals() -> threading.Event:
    """SIGTERM/SIGINT ask the loop to finish (or abort) its open transaction and exit."""
    stop = threading.Event()

    def request_stop(signum: int, _frame: object) -> None:
        log.info("received signal %d: finishing the open batch", signum)
        stop.set()

    signal.signal(signal.SIGTERM, request_stop)
    signal.signal(signal.SIGINT, request_stop)
    return stop


def run_stage(
    service: str,
    inputs: Sequence[str],
    build_handler: Callable[[S], Handler],
    settings: S,
    dead_letter_undecodable: bool = True,
) -> None:
    configure_logging(service, settings.triage_log_level)
    setup_telemetry(service, settings)
    configure_inboxes(configured_inboxes(settings))  # the only mailbox labels /metrics may carry
    liveness = Liveness(max_rewinds=settings.triage_health_max_rewinds,
                        max_stall_s=settings.triage_health_max_stall_s)
    server = serve_health(settings.triage_metrics_host, settings.triage_metrics_port, liveness)
    log.info("%s: /healthz and /metrics on port %d", service, server.server_port)
    stop = stop_on_signals()
    apply_topics(settings)
    processor = StreamProcessor(
        settings=settings,
        service=service,
        inputs=inputs,
        handler=build_handler(settings),
        serde=Serde(validate_models=settings.triage_avro_validate_models),
        liveness=liveness,
        dead_letter_undecodable=dead_letter_undecodable,
    )
    try:
        processor.run(stop)
    finally:
        liveness.running = False
        server.shutdown()
        shutdown_telemetry()
