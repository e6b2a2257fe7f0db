"""crm-sink: every routed email yields crm.events: one per CRM action, or one 'none' decision."""

from __future__ import annotations

import uuid
from datetime import UTC, datetime, timedelta

from triage.domain.crm_decisions import ActionResult
from triage.domain.models import CrmAction, CrmEvent, Extraction, RoutedEmail
from triage.platform.runtime import Inbound
from triage.platform.topics import CRM_EVENTS, ROUTED
from triage_crm_sink.handler import CrmBackend, CrmSinkHandler

RECEIVED = datetime(2026, 1, 12, 9, 30, tzinfo=UTC)
TRACE = {"traceparent": b"00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01"}


class FakeCrm(CrmBackend):
    """Records what it was asked to write; answers with a fresh id per action and a set status."""

    backend = "fake"

    def __init__(self, statuses: dict[str, str] | None = None) -> None:
        self.applied: list[CrmAction] = []
        self.results: list[ActionResult] = []
        self.statuses = statuses or {}

    def apply(self, action: CrmAction) -> ActionResult:
        self.applied.append(action)
        object_id = f"{action.object_type}-{len(self.applied)}-{uuid.uuid4().hex[:6]}"
        status = self.statuses.get(action.action, "created")
        self.results.append(ActionResult(action.object_type, object_id, status, f"fake {status}"))
        return self.results[-1]


def action(kind: str, object_type: str, email_id: str, **properties: str) -> CrmAction:
    return CrmAction(action=kind, object_type=object_type, idempotency_key=f"{email_id}:{kind}",
                     properties=properties)


def routed(*, intent: str = "lead", ignored: bool = False, queue: str = "sales_inbound",
           actions: list[CrmAction] | None = None) -> RoutedEmail:
    email_id = f"e-{uuid.uuid4().hex[:12]}"
    if actions is None:
        actions = [
            action("upsert_company", "company", email_id, name="Acme", domain="acme.com"),
            action("upsert_contact", "contact", email_id, email="jane@acme.com", company_domain="acme.com"),
            action("create_deal", "deal", email_id, name="Acme — Radar", company_domain="acme.com",
                   queue=queue),
        ]
    return RoutedEmail(
        email_id=email_id, thread_id=f"t-{uuid.uuid4().hex[:12]}", mailbox="sales@lumora.io",
        received_at=RECEIVED, message_id=f"{email_id}@acme.com", from_email="jane@acme.com",
        subject="Demo", extraction=Extraction(intent=intent, required_action="schedule_demo", confidence=0.9),
        queue=queue, priority="high", sla_minutes=15, due_at=RECEIVED + timedelta(minutes=15),
        rule="spam" if ignored else "hot_lead", reason="test", ignored=ignored,
        crm_actions=[] if ignored else actions,
    )


def inbound(value: RoutedEmail, headers: dict[str, bytes] | None = None) -> Inbound:
    return Inbound(topic=ROUTED, partition=0, offset=1, key=value.thread_id.encode(), value=value,
                   headers=dict(TRACE) if headers is None else headers, timestamp_ms=0)


def events(outputs) -> list[CrmEvent]:
    return [out.value for out in outputs]


def test_an_ignored_email_yields_one_none_ignored_event_and_writes_nothing() -> None:
    crm = FakeCrm()
    email = routed(intent="spam", ignored=True, queue="ignored")
    outputs = CrmSinkHandler(crm).handle(inbound(email))
    assert crm.applied == []
    [event] = events(outputs)
    assert (event.action, event.status) == ("none", "ignored")
    assert (event.email_id, event.thread_id) == (email.email_id, email.thread_id)
    assert event.idempotency_key == f"{email.email_id}:none"
    assert event.backend == "fake"
    assert (event.object_type, event.object_id) == (None, None)
    assert "spam" in event.response_summary


def test_an_email_with_no_planned_writes_also_yields_one_none_event() -> None:
    crm = FakeCrm()
    email = routed(intent="vendor", queue="ops_vendors", actions=[])
    [event] = events(CrmSinkHandler(crm).handle(inbound(email)))
    assert crm.applied == []
    assert (event.action, event.status) == ("none", "ignored")
    assert "ops_vendors" in event.response_summary


def test_a_lead_yields_one_event_per_planned_action_in_order() -> None:
    crm = FakeCrm()
    email = routed()
    outputs = CrmSinkHandler(crm).handle(inbound(email))
    assert [o.topic for o in outputs] == [CRM_EVENTS] * 3
    assert {o.key for o in outputs} == {email.thread_id}
    got = events(outputs)
    assert [e.action for e in got] == ["upsert_company", "upsert_contact", "create_deal"]
    assert [e.email_id for e in got] == [email.email_id] * 3
    assert {e.backend for e in got} == {"fake"}


def test_each_event_carries_the_backends_object_id_and_status() -> None:
    crm = FakeCrm(statuses={"upsert_company": "updated", "create_deal": "unchanged"})
    got = events(CrmSinkHandler(crm).handle(inbound(routed())))
    assert [e.status for e in got] == ["updated", "created", "unchanged"]
    assert [e.object_type for e in got] == ["company", "contact", "deal"]
    assert [e.object_id for e in got] == [r.object_id for r in crm.results]
    assert [e.response_summary for e in got] == ["fake updated", "fake created", "fake unchanged"]


def test_idempotency_keys_go_to_the_backend_and_onto_the_events() -> None:
    crm = FakeCrm()
    email = routed()
    got = events(CrmSinkHandler(crm).handle(inbound(email)))
    planned = [a.idempotency_key for a in email.crm_actions]
    assert [a.idempotency_key for a in crm.applied] == planned
    assert [e.idempotency_key for e in got] == planned


def test_the_backend_gets_the_email_id_and_queue_on_top_of_the_planned_properties() -> None:
    crm = FakeCrm()
    email = routed(queue="sales_inbound")
    CrmSinkHandler(crm).handle(inbound(email))
    for sent, planned in zip(crm.applied, email.crm_actions, strict=True):
        assert sent.properties == {"email_id": email.email_id, "queue": "sales_inbound",
                                   **planned.properties}
        assert (sent.action, sent.object_type) == (planned.action, planned.object_type)


def test_replaying_the_same_routed_email_sends_the_same_idempotency_keys() -> None:
    crm = FakeCrm()
    email = routed()
    handler = CrmSinkHandler(crm)
    first = events(handler.handle(inbound(email)))
    second = events(handler.handle(inbound(email)))
    assert [e.idempotency_key for e in first] == [e.idempotency_key for e in second]


def test_trace_headers_are_carried_to_crm_events() -> None:
    outputs = CrmSinkHandler(FakeCrm()).handle(inbound(routed(), {**TRACE, "x-other": b"1"}))
    assert [o.headers for o in outputs] == [TRACE] * 3
