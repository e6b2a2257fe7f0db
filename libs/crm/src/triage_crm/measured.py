"""crm-sink's CRM write metrics, around its backend port (``MeasuredCrm``).

crm-sink owns the writes, so it counts them (ADR 0033); the metric objects stay in
``triage.platform.metrics``, so the series' names, labels, dashboards and alerts are unchanged.
"""

from __future__ import annotations

import time
from typing import Any

from triage.domain.crm_decisions import ActionResult
from triage.domain.models import CrmAction
from triage.platform import metrics
from triage_crm.perform import CrmBackend


class MeasuredCrm:
    """Wraps a CRM backend: ``crm_write_latency_seconds`` and ``crm_writes_total`` per write."""

    def __init__(self, crm: CrmBackend) -> None:
        self.crm = crm
        self.backend = crm.backend

    def __getattr__(self, name: str) -> Any:  # anything else the port grows (prefetch...) passes through
        return getattr(self.crm, name)

    def apply(self, action: CrmAction) -> ActionResult:
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
