"""``triage-<service> check``: the start-up check, without Kafka or PostgreSQL (ADR 0031).

It reads what a service reads before it connects to anything — the settings, every Avro
schema and its history, the routing rules and queue settings (the shipped defaults or the
operator's files named by ``TRIAGE_ROUTING_RULES_FILE`` / ``TRIAGE_QUEUES_FILE``), the SQL
migrations, the intent model — plus the service's own data (``extra``), prints one line per
item and exits 0; the first one missing or invalid is one line on stderr and exit 1. It
proves an installed wheel carries its data files: the image build and the wheel test run it.
"""

from __future__ import annotations

import sys
from collections.abc import Callable
from typing import Any

from triage.platform.queues_config import default_queues_path, load_queues_file
from triage.platform.routing_config import default_rules_path, load_rules_file
from triage.platform.serde import Serde, default_schemas_dir, history_versions
from triage.platform.settings import load_settings
from triage.platform.settings.groups import Group, QueueFileSettings, RoutingSettings
from triage.platform.topics import REGISTRY

Extra = Callable[[Any], str]


def shipped_data(settings: Group) -> list[str]:
    """One line per data file set the shared library reads; raises on the first that fails."""
    from triage.domain.extraction.intent_model import shipped_weights  # read on first use only

    Serde()  # every topic's schema and each committed past version, parsed
    schemas = default_schemas_dir()
    past = sum(len(history_versions(schemas, spec.schema)) for spec in REGISTRY)
    # a process that reads no rules or queues file still checks that its wheel ships the defaults
    rules_file = (settings.triage_routing_rules_file if isinstance(settings, RoutingSettings) else None) \
        or default_rules_path()
    queues_file = (settings.triage_queues_file if isinstance(settings, QueueFileSettings) else None) \
        or default_queues_path()
    rules = load_rules_file(rules_file)
    queues = load_queues_file(queues_file)
    # psycopg and yoyo: loaded for the check, not on every stage's import
    from triage.platform.db import MIGRATIONS

    migrations = sorted(MIGRATIONS.glob("*.sql"))
    if not migrations:
        raise FileNotFoundError(f"{MIGRATIONS}: no SQL migrations")
    weights = shipped_weights()
    return [
        f"schemas: {len(REGISTRY)} topics, {past} past versions ({schemas})",
        f"routing rules: {len(rules)} ({rules_file})",
        f"queues: {len(queues.queues)} ({queues_file})",
        f"migrations: {len(migrations)} ({MIGRATIONS})",
        f"intent model: {len(weights.classes)} classes, {len(weights.coefficients)} features",
    ]


def run_check(service: str, settings_class: type[Group], extra: Extra | None = None) -> int:
    """The process's own settings class, its secrets not required (the image build has none)."""
    try:
        settings = load_settings(settings_class, check_secrets=False)
        lines = shipped_data(settings)
        if extra is not None:
            lines.append(extra(settings))
    except (Exception, SystemExit) as exc:  # anything missing or invalid (a refused setting too): the point
        print(f"{service} check failed: {type(exc).__name__}: {exc}", file=sys.stderr)
        return 1
    for line in lines:
        print(f"{service}: {line}")
    print(f"{service} check ok")
    return 0


def check_requested(argv: list[str] | None = None) -> bool:
    """``triage-<service> check``: the only argument a service entrypoint takes."""
    return (sys.argv[1:] if argv is None else argv) == ["check"]
