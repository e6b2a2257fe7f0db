"""Settings -> the configuration the extract and route services run with, read in one place.

The route service, the extract service, the admin and ``triage process`` all call these, so a
band threshold, a routing rules file or a retrained intent model means the same everywhere; an
invalid one stops start-up with a message naming the setting. The band thresholds themselves are
checked once, when the settings are read (``BandSettings``).
"""

from __future__ import annotations

from triage.domain.extraction.intent_model import IntentWeights, shipped_weights, weights_from_json
from triage.domain.pipeline import PipelineConfig
from triage.domain.queues import QueueTable
from triage.domain.rules import Rule
from triage.platform.queues_config import QueuesConfigError, load_queues_file
from triage.platform.routing_config import RulesConfigError, load_rules_file
from triage.platform.settings import CliSettings
from triage.platform.settings.groups import (
    IntentModelSettings,
    QueueFileSettings,
    RoutingSettings,
)


def routing_rules(settings: RoutingSettings) -> tuple[Rule, ...]:
    """TRIAGE_ROUTING_RULES_FILE, else the shipped triage/config/routing.yaml (package data)."""
    try:
        return load_rules_file(settings.triage_routing_rules_file)
    except RulesConfigError as exc:
        raise SystemExit(f"invalid routing rules: {exc}") from exc


def queue_table(settings: QueueFileSettings) -> QueueTable:
    """TRIAGE_QUEUES_FILE, else the shipped triage/config/queues.yaml (package data)."""
    try:
        return load_queues_file(settings.triage_queues_file)
    except QueuesConfigError as exc:
        raise SystemExit(f"invalid queue settings: {exc}") from exc


def intent_model(settings: IntentModelSettings) -> IntentWeights | None:
    """The model ``triage train`` wrote at TRIAGE_INTENT_MODEL_PATH, else the package's; ``None``
    with TRIAGE_INTENT_MODEL=false. Read once, at start-up (a retrained model takes effect when
    the process restarts)."""
    if not settings.triage_intent_model:
        return None
    path = settings.triage_intent_model_path
    if path is None:
        return shipped_weights()
    try:
        return weights_from_json(path.read_text(encoding="utf-8"))
    except (OSError, ValueError, KeyError, TypeError) as exc:
        raise SystemExit(f"TRIAGE_INTENT_MODEL_PATH={path}: not a readable intent model ({exc})") from exc


def pipeline_config(settings: CliSettings) -> PipelineConfig:
    """Everything ``triage process`` needs to run the services' steps as they are configured."""
    return PipelineConfig(rules=routing_rules(settings), bands=settings.confidence_bands(),
                          queues=queue_table(settings), intent_model=intent_model(settings))
