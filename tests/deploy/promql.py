"""Which metrics a PromQL expression reads, and which metrics exist."""

from __future__ import annotations

import re

from prometheus_client import REGISTRY, Metric

KEYWORDS = {"by", "without", "on", "ignoring", "group_left", "group_right", "bool", "and", "or",
            "unless", "offset", "inf", "nan", "atan2"}
#: Declared by other components: Prometheus itself, and the Gmail door (issue #3) whose
#: metrics these names are agreed for.
EXTERNAL = {"up", "ALERTS", "ALERTS_FOR_STATE",
            "gmail_last_notification_timestamp_seconds", "gmail_watch_expiry_timestamp_seconds"}
SUFFIXES = {"counter": ("_total", "_created"), "histogram": ("_bucket", "_count", "_sum", "_created"),
            "summary": ("_count", "_sum", "_created"), "gauge": ("",), "info": ("_info",),
            "unknown": ("",)}


def metric_names(expr: str) -> set[str]:
    text = re.sub(r'"(?:[^"\\]|\\.)*"|\'(?:[^\'\\]|\\.)*\'', '""', expr)
    text = re.sub(r"\{[^}]*\}", "", text)
    text = re.sub(r"\[[^\]]*\]", "", text)
    text = re.sub(r"\b(by|without|on|ignoring|group_left|group_right)\s*\([^)]*\)", " ", text)
    names = set()
    for match in re.finditer(r"(?<![\w$.])([a-zA-Z_:][\w:]*)\s*(\()?", text):
        name, call = match.group(1), match.group(2)
        if not call and name.lower() not in KEYWORDS:
            names.add(name)
    return names


def _names(metric: Metric) -> set[str]:
    return {metric.name + suffix for suffix in SUFFIXES.get(metric.type, ("",))}


def known_metrics() -> set[str]:
    """Every series name the code can expose (imports register the modules' metrics)."""
    import triage.platform.metrics  # noqa: F401
    import triage_ingest.app  # noqa: F401  (emails_ingested_total)
    from triage.platform.lag import LagCollector

    known = set(EXTERNAL)
    for metric in REGISTRY.collect():
        known |= _names(metric)
    for metric in LagCollector(reader=None, interval_s=15).collect():  # type: ignore[arg-type]
        known |= _names(metric)
    return known
