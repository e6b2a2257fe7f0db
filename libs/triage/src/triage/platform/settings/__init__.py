"""Typed settings, one class per process, composed from small groups (ADR 0038).

Nothing else reads the environment. ``groups.py``: the variables, by concern; ``processes.py``:
each process's class; ``secrets.py``: every secret rule; ``unknown.py``: a ``TRIAGE_`` name no
process reads stops start-up. A composition root calls ``load_settings(ItsSettings)`` once.
"""

from __future__ import annotations

import os
from typing import TypeVar

from pydantic import ValidationError

from triage.platform.settings.groups import (
    PARTITIONER,
    BandSettings,
    CommaList,
    DatabaseSettings,
    Group,
    KafkaSettings,
    TelemetrySettings,
)
from triage.platform.settings.processes import (
    PROCESSES,
    AdminSettings,
    AuditSettings,
    CliSettings,
    CrmSinkSettings,
    ExtractSettings,
    GmailFetchSettings,
    IngestSettings,
    RouteSettings,
    StageSettings,
)
from triage.platform.settings.secrets import MissingSecret, require_secrets
from triage.platform.settings.unknown import (
    NOT_PROCESS_SETTINGS,
    UnknownSetting,
    refuse_unknown,
    unknown_variables,
)

__all__ = [
    "NOT_PROCESS_SETTINGS", "PARTITIONER", "PROCESSES", "AdminSettings", "AuditSettings", "BandSettings",
    "CliSettings", "CommaList", "CrmSinkSettings", "DatabaseSettings", "ExtractSettings", "GmailFetchSettings",
    "IngestSettings", "InvalidSetting", "KafkaSettings", "MissingSecret", "RouteSettings", "StageSettings",
    "TelemetrySettings", "UnknownSetting", "load_settings", "require_secrets", "unknown_variables",
]

S = TypeVar("S", bound=Group)


class InvalidSetting(SystemExit):
    """Start-up stops: a variable has a value its setting refuses (named, the value never quoted)."""


def load_settings(settings_class: type[S], /, *, check_secrets: bool = True, **overrides: object) -> S:
    """Read the environment once, in the composition root: refuse a ``TRIAGE_`` name no process
    reads, an invalid value, and (``check_secrets``) a secret the process needs and lacks."""
    refuse_unknown(os.environ)
    try:
        settings = settings_class(**overrides)
    except ValidationError as exc:
        raise InvalidSetting("refusing to start: " + "; ".join(map(_described, exc.errors()))) from None
    if check_secrets:
        require_secrets(settings)
    return settings


def _described(error: object) -> str:
    """"TRIAGE_BATCH_SIZE: Input should be less than or equal to 10000" — never the input itself."""
    assert isinstance(error, dict)
    where = ".".join(str(part) for part in error.get("loc", ())).upper()
    message = str(error.get("msg", "invalid")).removeprefix("Value error, ")
    return f"{where}: {message}" if where else message
