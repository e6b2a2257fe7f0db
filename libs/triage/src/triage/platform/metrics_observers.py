"""crm-sink's CRM write metrics, around its backend port (``MeasuredCrm``).

The pipeline's business metrics (confidence, cost, routing, lead time, SLA) are counted by the
stage that owns each, in its handler's ``observe`` hook (ADR 0033); their metric objects stay
in metrics.py, so dashboards and alerts read the same series.
"""

from __future__ import annotations

import time
from typing import Any, Protocol

from triage.domain.models import CrmAction
from triage.platform import metrics


class _Backend(Protocol):
    """crm-sink's CrmBackend port: an adapter whose results have a ``status``."""

    backend: str

    def __getattr__(self, name: str) -> Any:  # anything else the port grows passes through
        return getattr(self.crm, name)

    def apply(self, action: CrmAction) -> Any: ...


class MeasuredCrm:
    """Wraps a CRM backend: ``crm_write_latency_seconds`` and ``crm_writes_total`` per write."""

    def __init__(self, crm: _Backend) -> None:
        self.crm = crm
        self.backend = crm.backend

    def __getattr__(self, name: str) -> Any:  # anything else the port grows passes through
        return getattr(self.crm, name)

    def apply(self, action: CrmAction) -> Any:
        started = time.perf_counter()
        outcome = "error"
        try:
            result = self.crm.apply(action)
            outcome = result.status
            return result
        finally:
            metrics.CRM_WRITE_LATENCY.labels(self.backend, action.action).observe(
                time.perf_counter() - started
            )
            metrics.CRM_WRITES.labels(self.backend, action.action, outcome).inc()
