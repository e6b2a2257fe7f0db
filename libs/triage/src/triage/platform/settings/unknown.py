"""A ``TRIAGE_`` variable that no process reads stops start-up, naming the nearest known name.

Each process reads only its own groups and ignores the rest, because operators give every
deployment one shared ConfigMap: a variable another process reads is no mistake. A name that
*no* group reads is one (``TRIAGE_CONFIDENCE_AUTOWRITE`` would silently run on the default).
"""

from __future__ import annotations

import difflib
from collections.abc import Mapping

from triage.platform.settings.groups import GROUPS

#: ``TRIAGE_`` variables that are not settings of a process: read by scripts/local-stack.sh and
#: scripts/services.sh, the CLI's model cache, and the test and benchmark harness. Every other
#: ``TRIAGE_`` name must be a field of a settings group.
NOT_PROCESS_SETTINGS = frozenset({
    "TRIAGE_LOCAL_DIR", "TRIAGE_KAFKA_PORT", "TRIAGE_KAFKA_CONTROLLER_PORT", "TRIAGE_KAFKA_VERSION",
    "TRIAGE_KAFKA_START_TIMEOUT", "TRIAGE_PG_PORT", "TRIAGE_RESTART_MAX_S", "TRIAGE_INGEST_PORT",
    "TRIAGE_EXTRACT_PORT", "TRIAGE_ROUTE_PORT", "TRIAGE_CRM_SINK_PORT", "TRIAGE_AUDIT_PORT", "TRIAGE_CACHE_DIR",
    "TRIAGE_TEST_STACK", "TRIAGE_CHAOS_EMAILS", "TRIAGE_CHAOS_OUTAGE_S", "TRIAGE_SCREENSHOTS_DIR",
})


def setting_names() -> frozenset[str]:
    """Every variable some process reads (upper case): the fields of every group."""
    return frozenset(name.upper() for group in GROUPS for name in group.model_fields)


def unknown_variables(environ: Mapping[str, str]) -> list[str]:
    """One line per ``TRIAGE_`` variable that no process reads, with the nearest known name."""
    known = sorted(setting_names() | NOT_PROCESS_SETTINGS)
    found = []
    for name in sorted(environ):
        upper = name.upper()
        if upper.startswith("TRIAGE_") and upper not in known:
            nearest = difflib.get_close_matches(upper, known, n=1, cutoff=0.6)
            hint = f" (did you mean {nearest[0]}?)" if nearest else ""
            found.append(f"{name} is not a setting{hint}")
    return found


class UnknownSetting(SystemExit):
    """Start-up stops: an operator's variable would have been ignored."""


def refuse_unknown(environ: Mapping[str, str]) -> None:
    unknown = unknown_variables(environ)
    if unknown:
        raise UnknownSetting("refusing to start: " + "; ".join(unknown)
                             + " — see the configuration table in README.md")
