"""MVP mode: auto-writes off per intent -> awaiting_approval events; POST /admin/crm/create performs them."""

from __future__ import annotations

from fastapi.testclient import TestClient

from tests.unit.crm.conftest import MemoryLedger, lead, token
from tests.unit.services.test_crm_sink_handler import FakeCrm, inbound, routed
from triage.domain.models import CrmEvent
from triage_admin.app import EventPublisher, PlannedRoute, RouteStore, create_admin_app
from triage_crm.ledger import LedgeredCrm
from triage_crm_sink.handler import CrmSinkHandler

ADMIN_TOKEN = "s3cret-admin-token-0123456789"


def test_an_intent_without_auto_write_is_announced_not_written() -> None:
    crm = FakeCrm()
    email = routed(intent="support", queue="support_escalated")
    outputs = CrmSinkHandler(crm, auto_write_intents=frozenset({"lead"})).handle(inbound(email))
    assert crm.applied == []
    events = [o.value for o in outputs]
    assert [e.status for e in events] == ["awaiting_approval"] * len(email.crm_actions)
    assert [e.idempotency_key for e in events] == [a.idempotency_key for a in email.crm_actions]
    assert [e.object_type for e in events] == [a.object_type for a in email.crm_actions]
    assert "Create in CRM button" in events[0].response_summary


def test_an_intent_with_auto_write_is_written_as_before() -> None:
    crm = FakeCrm()
    outputs = CrmSinkHandler(crm, auto_write_intents=frozenset({"lead", "support"})).handle(inbound(routed()))
    assert len(crm.applied) == 3
    assert {o.value.status for o in outputs} == {"created"}


class MemoryRoutes(RouteStore):
    def __init__(self, planned: dict[str, PlannedRoute]) -> None:
        self.rows = planned

    def planned(self, email_id: str) -> PlannedRoute | None:
        return self.rows.get(email_id)


class MemoryPublisher(EventPublisher):
    def __init__(self) -> None:
        self.published: list[CrmEvent] = []

    def publish(self, events: list[CrmEvent]) -> None:
        self.published.extend(events)


def admin(crm, read_only: bool = False) -> tuple[TestClient, MemoryPublisher, str]:
    email_id = f"e-{token()}"
    routes = MemoryRoutes({email_id: PlannedRoute(f"t-{token()}", "sales_inbound", False,
                                                  lead(email_id, f"acme-{token()}.com"))})
    publisher = MemoryPublisher()
    app = create_admin_app(ADMIN_TOKEN, routes, crm, publisher, read_only=read_only)
    return TestClient(app), publisher, email_id


def test_one_click_performs_the_planned_actions_and_emits_their_events() -> None:
    crm = FakeCrm()
    client, publisher, email_id = admin(crm)
    response = client.post("/admin/crm/create", json={"email_id": email_id},
                           headers={"Authorization": f"Bearer {ADMIN_TOKEN}"})
    assert response.status_code == 200, response.text
    assert [a.action for a in crm.applied] == ["upsert_company", "upsert_contact", "create_deal",
                                               "associate_contact"]
    assert all(a.properties["email_id"] == email_id for a in crm.applied)
    assert [e.status for e in publisher.published] == ["created"] * 4
    assert [e["idempotency_key"] for e in response.json()["events"]] == [e.idempotency_key for e in
                                                                         publisher.published]


def test_a_second_click_returns_the_recorded_results() -> None:
    ledgered = LedgeredCrm(FakeCrm(), MemoryLedger("fake"))
    client, publisher, email_id = admin(ledgered)
    for _ in range(2):
        client.post("/admin/crm/create", json={"email_id": email_id},
                    headers={"Authorization": f"Bearer {ADMIN_TOKEN}"})
    assert len(ledgered.crm.applied) == 4
    assert ledgered.ledger.conflicts == 4
    first, second = publisher.published[:4], publisher.published[4:]
    assert [(e.object_id, e.status) for e in second] == [(e.object_id, e.status) for e in first]


def test_without_the_right_bearer_token_it_is_401_and_nothing_changes() -> None:
    crm = FakeCrm()
    client, publisher, email_id = admin(crm)
    for headers in ({}, {"Authorization": "Bearer wrong"}, {"Authorization": ADMIN_TOKEN},
                    {"Authorization": f"Basic {ADMIN_TOKEN}"}, {"Authorization": f"Bearer {ADMIN_TOKEN}x"}):
        response = client.post("/admin/crm/create", json={"email_id": email_id}, headers=headers)
        assert response.status_code == 401
        assert response.headers["WWW-Authenticate"] == "Bearer"
    assert crm.applied == [] and publisher.published == []


def test_an_unknown_email_is_404() -> None:
    client, publisher, _ = admin(FakeCrm())
    response = client.post("/admin/crm/create", json={"email_id": "nope"},
                           headers={"Authorization": f"Bearer {ADMIN_TOKEN}"})
    assert response.status_code == 404
    assert publisher.published == []


def test_a_read_only_standby_admin_refuses_to_write() -> None:
    crm = FakeCrm()
    client, publisher, email_id = admin(crm, read_only=True)
    response = client.post("/admin/crm/create", json={"email_id": email_id},
                           headers={"Authorization": f"Bearer {ADMIN_TOKEN}"})
    assert response.status_code == 403
    assert "read-only" in response.json()["detail"]
    assert crm.applied == [] and publisher.published == []
    assert client.get("/healthz").status_code == 200
