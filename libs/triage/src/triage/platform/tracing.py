"""OpenTelemetry spans: one email is one trace, from its door to crm-sink (and audit).

The W3C trace context (``traceparent``/``tracestate``) travels in each Kafka
record's headers. A door (``RawPublisher``) starts the trace; every stage
continues it with one CONSUMER span per record (``consume_span``), whose
context replaces the input's in the headers of what the record yields
(``carry``). Attributes: ``email_id``, ``gmail_id``, ``model``, ``crm_object_id``.

Without a configured exporter (telemetry.py) tracing is off: no span is made
(about 1 µs per record) and the headers the handlers copy pass the
door's context on unchanged, so a downstream process that does trace still
joins the door's trace.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping, Sequence
from contextlib import contextmanager

from confluent_kafka import Message
from opentelemetry import trace
from opentelemetry.context import Context
from opentelemetry.trace import Span, SpanKind, Status, StatusCode
from opentelemetry.trace.propagation.tracecontext import TraceContextTextMapPropagator
from pydantic import BaseModel

from triage.domain.models import CrmEvent, ExtractedEmail, RawEmail

CONTEXT_HEADERS = ("traceparent", "tracestate")
W3C = TraceContextTextMapPropagator()
_state = {"on": False}


def enable() -> None:
    """telemetry.setup_tracing installed a tracer provider: make spans from now on."""
    _state["on"] = True


def tracer() -> trace.Tracer:
    return trace.get_tracer("triage")


def parent_context(headers: Mapping[str, bytes]) -> Context | None:
    """The trace context a record's headers carry, or None (then the current one is the parent)."""
    carrier = {k: v.decode("latin-1") for k, v in headers.items() if k in CONTEXT_HEADERS and v}
    return W3C.extract(carrier) if "traceparent" in carrier else None


def carry(headers: Mapping[str, bytes]) -> dict[str, bytes]:
    """``headers`` with the current span's context in place of whatever context they held."""
    if not _state["on"] or not trace.get_current_span().get_span_context().is_valid:
        return dict(headers)
    carrier: dict[str, str] = {}
    W3C.inject(carrier)
    kept = {k: v for k, v in headers.items() if k not in CONTEXT_HEADERS}
    return {**kept, **{k: v.encode("latin-1") for k, v in carrier.items()}}


@contextmanager
def consume_span(service: str, topic: str, message: Message) -> Iterator[Span]:
    """The span of one consumed record, a child of the context in its headers."""
    if not _state["on"]:
        yield trace.INVALID_SPAN
        return
    headers = {name: value or b"" for name, value in (message.headers() or [])}
    attributes = {
        "messaging.system": "kafka",
        "messaging.operation.type": "process",
        "messaging.destination.name": topic,
        "messaging.destination.partition.id": str(message.partition()),
        "messaging.kafka.offset": message.offset(),
        "triage.service": service,
    }
    with tracer().start_as_current_span(
        f"{service} process {topic}", context=parent_context(headers), kind=SpanKind.CONSUMER,
        attributes=attributes,
    ) as span:
        yield span


@contextmanager
def door_span(email: RawEmail, headers: Mapping[str, bytes]) -> Iterator[dict[str, bytes]]:
    """A door publishing ``email``: the trace's root (or a child of the caller's context).

    Yields the headers to publish with, carrying the new span's context.
    """
    if not _state["on"]:
        yield dict(headers)
        return
    with tracer().start_as_current_span(
        "publish email.raw", context=parent_context(headers), kind=SpanKind.PRODUCER,
        attributes={"messaging.system": "kafka", "messaging.destination.name": "email.raw",
                    "triage.source": email.source},
    ) as span:
        annotate(span, email)
        yield carry(headers)


def annotate(span: Span, value: BaseModel | None) -> None:
    """The attributes an email's records contribute: ids, the model, the CRM object."""
    if value is None or not span.is_recording():
        return
    for name in ("email_id", "thread_id", "gmail_id"):
        found = getattr(value, name, None)
        if found:
            span.set_attribute(name, found)
    if isinstance(value, ExtractedEmail):
        span.set_attribute("model", value.model)
        span.set_attribute("model_version", value.model_version)
    if isinstance(value, CrmEvent) and value.object_id:
        span.set_attribute("crm_object_id", value.object_id)
        span.set_attribute("crm_object_type", value.object_type or "")


def annotate_outputs(values: Sequence[BaseModel | None]) -> None:
    span = trace.get_current_span()
    crm_ids = [v.object_id for v in values if isinstance(v, CrmEvent) and v.object_id]
    for value in values:
        if not isinstance(value, CrmEvent):
            annotate(span, value)
    if crm_ids and span.is_recording():
        span.set_attribute("crm_object_id", crm_ids if len(crm_ids) > 1 else crm_ids[0])


def mark_failed(exc: BaseException) -> None:
    """The current record goes to the DLQ: its span says why."""
    span = trace.get_current_span()
    if span.is_recording():
        span.record_exception(exc)
        span.set_status(Status(StatusCode.ERROR, type(exc).__name__))
        span.set_attribute("triage.dead_lettered", True)
