"""The seed design's metrics, counted by the stage that owns each in its handler's ``observe``
(ADR 0033): every handler runs ``handle`` on a real record, then ``observe`` with its outputs,
as the runtime does once the outputs are encoded."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from prometheus_client import REGISTRY

from tests.unit.services.test_crm_sink_handler import FakeCrm as RecordingCrm
from tests.unit.services.test_crm_sink_handler import routed as routed_lead
from tests.unit.services.test_extract_handler import LUMORA, raw_record
from tests.unit.services.test_route_handler import extracted as extracted_lead
from tests.unit.services.test_route_handler import handler as route_handler
from triage.domain.models import RoutedEmail
from triage.domain.normalize import clean_email
from triage.platform import metrics
from triage.platform.runtime import Inbound
from triage.platform.topics import CLEAN, EXTRACTED, ROUTED
from triage_crm_sink.handler import CrmSinkHandler
from triage_extract.handler import ExtractHandler


def sample(name: str, **labels: str) -> float:
    return REGISTRY.get_sample_value(name, labels) or 0.0


def inbound(topic: str, value) -> Inbound:
    return Inbound(topic=topic, partition=0, offset=1, key=value.thread_id.encode(), value=value, headers={},
                   timestamp_ms=0)


def test_extract_counts_each_extractions_confidence_and_llm_cost() -> None:
    handler = ExtractHandler(LUMORA)
    record = inbound(CLEAN, clean_email(raw_record()))
    outputs = handler.handle(record)
    [extracted] = [out.value for out in outputs]
    intent, model = extracted.extraction.intent, extracted.model
    bucket = f"{1.0 if extracted.extraction.confidence > 0.95 else 0.95}"
    before = {"count": sample("extraction_confidence_count", intent=intent),
              "le": sample("extraction_confidence_bucket", intent=intent, le=bucket),
              "tokens": sample("llm_tokens_total", model=model, direction="in")}
    handler.observe(record, outputs)
    assert sample("extraction_confidence_count", intent=intent) == before["count"] + 1
    assert sample("extraction_confidence_bucket", intent=intent, le=bucket) == before["le"] + 1
    assert sample("llm_tokens_total", model=model, direction="in") == before["tokens"] + extracted.tokens_in


def test_extract_counts_what_the_llm_calls_of_an_extraction_cost() -> None:
    record = inbound(CLEAN, clean_email(raw_record()))
    [out] = ExtractHandler(LUMORA).handle(record)
    model = f"test-model-observe-{datetime.now(UTC).timestamp()}"
    priced = out.value.model_copy(update={"model": model, "tokens_in": 100, "tokens_out": 20, "cost_usd": 0.0125})
    ExtractHandler(LUMORA).observe(record, [type(out)(out.topic, out.key, priced)])
    assert sample("llm_cost_usd_total", model=model) == pytest.approx(0.0125)
    assert sample("llm_tokens_total", model=model, direction="in") == 100
    assert sample("llm_tokens_total", model=model, direction="out") == 20


def test_extract_does_not_count_the_clean_hop() -> None:
    handler = ExtractHandler(LUMORA)
    record = inbound("email.raw", raw_record())
    outputs = handler.handle(record)
    assert [out.topic for out in outputs] == [CLEAN]
    before = sum(s.value for m in REGISTRY.collect() if m.name == "extraction_confidence"
                 for s in m.samples if s.name.endswith("_count"))
    handler.observe(record, outputs)
    after = sum(s.value for m in REGISTRY.collect() if m.name == "extraction_confidence"
                for s in m.samples if s.name.endswith("_count"))
    assert after == before


@pytest.fixture
def lumora_inboxes():
    metrics.configure_inboxes(["sales@lumora.io"])
    yield
    metrics.configure_inboxes([])


def routed_count(routed: RoutedEmail, mailbox: str) -> float:
    return sample("emails_routed_total", mailbox=mailbox, queue=routed.queue, intent=routed.extraction.intent,
                  priority=routed.priority)


def test_route_counts_each_routed_email_and_not_its_dedupe_marker(lumora_inboxes) -> None:
    handler = route_handler()
    record = inbound(EXTRACTED, extracted_lead())
    outputs = handler.handle(record)
    [routed] = [out.value for out in outputs if out.topic == ROUTED]
    assert len(outputs) == 2, "the routed email and its dedupe marker"
    before = routed_count(routed, "sales@lumora.io")
    handler.observe(record, outputs)
    assert routed_count(routed, "sales@lumora.io") == before + 1


def test_route_counts_a_mailbox_outside_the_configured_inboxes_as_other(lumora_inboxes) -> None:
    handler = route_handler()
    email = extracted_lead().model_copy(update={"mailbox": "jane.private@gmail.com"})
    record = inbound(EXTRACTED, email)
    outputs = handler.handle(record)
    [routed] = [out.value for out in outputs if out.topic == ROUTED]
    before = routed_count(routed, "other")
    handler.observe(record, outputs)
    assert routed_count(routed, "other") == before + 1
    assert routed_count(routed, "jane.private@gmail.com") == 0


def delivered(queue: str, due_in_s: float) -> tuple[Inbound, list]:
    now = datetime.now(UTC)
    email = routed_lead(queue=queue).model_copy(update={"received_at": now - timedelta(seconds=90),
                                                        "due_at": now + timedelta(seconds=due_in_s)})
    record = inbound(ROUTED, email)
    return record, list(CrmSinkHandler(RecordingCrm()).handle(record))


def test_crm_sink_gives_each_delivered_email_its_lead_time_and_sla() -> None:
    queue = f"q-observe-{datetime.now(UTC).timestamp()}"
    record, outputs = delivered(queue, 60)
    assert outputs, "crm.events records"
    CrmSinkHandler(RecordingCrm()).observe(record, outputs)
    assert sample("email_lead_time_seconds_count", queue=queue) == 1
    assert sample("email_lead_time_seconds_sum", queue=queue) >= 90
    assert sample("email_sla_breaches_total", queue=queue) == 0
    late, outputs = delivered(queue, -1)
    CrmSinkHandler(RecordingCrm()).observe(late, outputs)
    assert sample("email_lead_time_seconds_count", queue=queue) == 2
    assert sample("email_sla_breaches_total", queue=queue) == 1


def test_crm_sink_counts_no_delivery_without_crm_events() -> None:
    queue = f"q-none-{datetime.now(UTC).timestamp()}"
    record, _ = delivered(queue, -1)
    CrmSinkHandler(RecordingCrm()).observe(record, [])
    assert sample("email_lead_time_seconds_count", queue=queue) == 0
    assert sample("email_sla_breaches_total", queue=queue) == 0
