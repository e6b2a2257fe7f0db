"""What the pipeline's records say about it, turned into the seed design's metrics.

The runtime calls ``observe_record`` for every handled record, with its
outputs, so stages report confidence, cost, routing, lead time and SLA
without a metrics line in their handlers. Counts are at least once: a batch
that aborts and is consumed again is observed again (metrics are for trends;
the audit rows are the exact record).
"""

from __future__ import annotations

import time
from collections.abc import Sequence
from datetime import UTC, datetime
from typing import Any, Protocol

from opentelemetry import trace
from pydantic import BaseModel

from triage.domain.models import CrmAction, CrmEvent, ExtractedEmail, RoutedEmail
from triage.platform import metrics, tracing


class _HasValue(Protocol):
    @property
    def value(self) -> BaseModel | None: ...


def observe_record(service: str, inbound: _HasValue, outputs: Sequence[_HasValue]) -> None:
    values = [out.value for out in outputs]
    tracing.annotate(trace.get_current_span(), inbound.value)
    tracing.annotate_outputs(values)
    for value in values:
        if isinstance(value, ExtractedEmail):
            observe_extraction(value)
        elif isinstance(value, RoutedEmail):
            observe_route(value)
    if isinstance(inbound.value, RoutedEmail) and any(isinstance(v, CrmEvent) for v in values):
        observe_delivery(inbound.value, datetime.now(UTC))


def observe_extraction(extracted: ExtractedEmail) -> None:
    metrics.EXTRACTION_CONFIDENCE.labels(extracted.extraction.intent).observe(extracted.extraction.confidence)
    metrics.LLM_COST_USD.labels(extracted.model).inc(max(extracted.cost_usd, 0.0))
    metrics.LLM_TOKENS.labels(extracted.model, "in").inc(max(extracted.tokens_in, 0))
    metrics.LLM_TOKENS.labels(extracted.model, "out").inc(max(extracted.tokens_out, 0))


def observe_route(routed: RoutedEmail) -> None:
    metrics.EMAILS_ROUTED.labels(
        metrics.inbox_label(routed.mailbox), routed.queue, routed.extraction.intent, routed.priority
    ).inc()


def observe_delivery(routed: RoutedEmail, now: datetime) -> None:
    """The email's crm.events records are written: its lead time, and whether its SLA was spent."""
    metrics.LEAD_TIME_SECONDS.labels(routed.queue).observe(
        max((now - routed.received_at).total_seconds(), 0.0)
    )
    if routed.due_at is not None and now > routed.due_at:
        metrics.SLA_BREACHES.labels(routed.queue).inc()


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
