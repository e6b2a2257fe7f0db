"""Trace context in Kafka headers: extracted from the input, replaced by the current span's."""

from __future__ import annotations

from opentelemetry import trace
from opentelemetry.sdk.trace import TracerProvider
from opentelemetry.sdk.trace.export import SimpleSpanProcessor
from opentelemetry.sdk.trace.export.in_memory_span_exporter import InMemorySpanExporter

from triage.platform import tracing

PARENT = b"00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-01"


class FakeMessage:
    """The three Message methods consume_span reads."""

    def __init__(self, headers: list[tuple[str, bytes]]) -> None:
        self._headers = headers

    def headers(self) -> list[tuple[str, bytes]]:
        return self._headers

    def partition(self) -> int:
        return 2

    def offset(self) -> int:
        return 41


def sdk_tracer() -> tuple[trace.Tracer, InMemorySpanExporter]:
    exporter = InMemorySpanExporter()
    provider = TracerProvider()
    provider.add_span_processor(SimpleSpanProcessor(exporter))
    return provider.get_tracer("test"), exporter


def test_without_a_tracer_provider_the_input_context_passes_on_unchanged() -> None:
    with tracing.consume_span("route", "email.extracted", FakeMessage([("traceparent", PARENT)])):
        assert tracing.carry({"traceparent": PARENT, "x": b"1"}) == {"traceparent": PARENT, "x": b"1"}


def test_without_any_context_headers_are_left_alone() -> None:
    assert tracing.carry({"x": b"1"}) == {"x": b"1"}
    assert tracing.parent_context({"x": b"1"}) is None


def test_the_current_span_becomes_the_next_hops_parent(monkeypatch) -> None:
    tracer, exporter = sdk_tracer()
    monkeypatch.setattr(tracing, "tracer", lambda: tracer)
    monkeypatch.setitem(tracing._state, "on", True)
    with tracing.consume_span("route", "email.extracted", FakeMessage([("traceparent", PARENT)])) as span:
        out = tracing.carry({"traceparent": PARENT, "tracestate": b"old=1", "x": b"1"})
        context = span.get_span_context()
    (finished,) = exporter.get_finished_spans()
    assert finished.parent.span_id == 0xB7AD6B7169203331
    assert finished.context.trace_id == 0x0AF7651916CD43DD8448EB211C80319C
    assert out["traceparent"].decode() == f"00-{context.trace_id:032x}-{context.span_id:016x}-01"
    assert "tracestate" not in out and out["x"] == b"1"
    assert finished.attributes["messaging.destination.partition.id"] == "2"


def test_a_dead_lettered_record_marks_its_span_failed(monkeypatch) -> None:
    tracer, exporter = sdk_tracer()
    monkeypatch.setattr(tracing, "tracer", lambda: tracer)
    monkeypatch.setitem(tracing._state, "on", True)
    with tracing.consume_span("extract", "email.raw", FakeMessage([])):
        tracing.mark_failed(ValueError("bad"))
    (finished,) = exporter.get_finished_spans()
    assert finished.status.status_code == trace.StatusCode.ERROR
    assert finished.attributes["triage.dead_lettered"] is True
    assert finished.parent is None
