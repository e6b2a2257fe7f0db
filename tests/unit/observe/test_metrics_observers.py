"""The seed design's metrics, observed from the records the stages produce."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

import pytest
from prometheus_client import REGISTRY

from triage.domain.models import CrmAction, CrmEvent, ExtractedEmail, Extraction, RoutedEmail
from triage.platform import metrics
from triage.platform.metrics_observers import MeasuredCrm, observe_record

# Only for records whose time does not matter: a module-level "now" goes stale when
# the suite runs long before this file (SLA and lead-time inputs are computed per test).
NOW = datetime.now(UTC)


def sample(name: str, **labels: str) -> float:
    return REGISTRY.get_sample_value(name, labels) or 0.0


@dataclass
class Record:
    value: object


def extraction(intent: str = "lead", confidence: float = 0.42) -> Extraction:
    return Extraction(intent=intent, confidence=confidence, summary="s", required_action="schedule_demo")


def envelope(**extra) -> dict:
    return {"email_id": "e1", "thread_id": "t1", "mailbox": "sales@lumora.io",
            "received_at": datetime.now(UTC) - timedelta(seconds=90), **extra}


def test_an_extraction_feeds_confidence_and_llm_cost() -> None:
    model = "test-model-observe"
    extracted = ExtractedEmail(**envelope(), extraction=extraction(), model=model, model_version="1",
                               decided_by="model", tokens_in=100, tokens_out=20, cost_usd=0.0125)
    before = sample("extraction_confidence_bucket", intent="lead", le="0.5")
    observe_record("extract", Record(None), [Record(extracted)])
    assert sample("extraction_confidence_bucket", intent="lead", le="0.5") == before + 1
    assert sample("llm_cost_usd_total", model=model) == pytest.approx(0.0125)
    assert sample("llm_tokens_total", model=model, direction="in") == 100


def routed(queue: str, due_in_s: float) -> RoutedEmail:
    return RoutedEmail(**envelope(), extraction=extraction(), queue=queue, priority="high",
                       sla_minutes=1, due_at=datetime.now(UTC) + timedelta(seconds=due_in_s), rule="r",
                       reason="x",
                       ignored=False)


def crm_event() -> CrmEvent:
    return CrmEvent(email_id="e1", thread_id="t1", action="create_deal", object_type="deal",
                    object_id="7", status="created", idempotency_key="k", backend="local", at=NOW)


@pytest.fixture
def lumora_inboxes():
    metrics.configure_inboxes(["sales@lumora.io"])
    yield
    metrics.configure_inboxes([])


def test_a_routed_email_is_counted_and_its_delivery_gives_lead_time_and_sla(lumora_inboxes) -> None:
    observe_record("route", Record(None), [Record(routed("q-observe", 60))])
    assert sample("emails_routed_total", mailbox="sales@lumora.io", queue="q-observe", intent="lead",
                  priority="high") == 1
    observe_record("crm-sink", Record(routed("q-observe", 60)), [Record(crm_event())])
    assert sample("email_lead_time_seconds_count", queue="q-observe") == 1
    assert sample("email_lead_time_seconds_sum", queue="q-observe") >= 90
    assert sample("email_sla_breaches_total", queue="q-observe") == 0
    observe_record("crm-sink", Record(routed("q-observe", -1)), [Record(crm_event())])
    assert sample("email_sla_breaches_total", queue="q-observe") == 1


@dataclass(frozen=True)
class Result:
    status: str


class FakeCrm:
    backend = "fake-observe"

    def __init__(self, fail: bool = False) -> None:
        self.fail = fail

    def apply(self, action: CrmAction) -> Result:
        if self.fail:
            raise ConnectionError("CRM down")
        return Result("created")


ACTION = CrmAction(action="upsert_contact", object_type="contact", idempotency_key="k1")


def test_measured_crm_times_every_write_and_counts_errors() -> None:
    assert MeasuredCrm(FakeCrm()).apply(ACTION) == Result("created")
    with pytest.raises(ConnectionError):
        MeasuredCrm(FakeCrm(fail=True)).apply(ACTION)
    labels = {"backend": "fake-observe", "action": "upsert_contact"}
    assert sample("crm_write_latency_seconds_count", **labels) == 2
    assert sample("crm_writes_total", **labels, outcome="created") == 1
    assert sample("crm_writes_total", **labels, outcome="error") == 1


def test_a_mailbox_outside_the_configured_inboxes_is_counted_as_other(lumora_inboxes) -> None:
    private = routed("q-private", 60).model_copy(update={"mailbox": "jane.private@gmail.com"})
    before = sample("emails_routed_total", mailbox="other", queue="q-private", intent="lead", priority="high")

    observe_record("route", Record(None), [Record(private)])

    assert sample("emails_routed_total", mailbox="other", queue="q-private", intent="lead",
                  priority="high") == before + 1
    assert sample("emails_routed_total", mailbox="jane.private@gmail.com", queue="q-private",
                  intent="lead", priority="high") == 0
