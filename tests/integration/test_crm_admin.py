"""MVP mode end to end: a held-back intent waits; POST /admin/crm/create writes it to HubSpot once."""

from __future__ import annotations

import json
import urllib.error
import urllib.request
import uuid
from collections.abc import Iterator

import psycopg
import pytest

from tests.integration.test_crm_hubspot_kill import events, produce_routed, routed_lead
from tests.support.fake_hubspot import FakeHubSpot
from tests.support.kafka import wait_until
from tests.support.pipeline import Pipeline, free_port

ADMIN_TOKEN = uuid.uuid4().hex


@pytest.fixture
def hubspot() -> Iterator[FakeHubSpot]:
    fake = FakeHubSpot()
    yield fake
    fake.close()


def click(port: int, email_id: str, token: str) -> tuple[int, dict]:
    request = urllib.request.Request(f"http://127.0.0.1:{port}/admin/crm/create",
                                     data=json.dumps({"email_id": email_id}).encode(), method="POST",
                                     headers={"Content-Type": "application/json", "Authorization": f"Bearer {token}"})
    try:
        with urllib.request.urlopen(request, timeout=30) as response:
            return response.status, json.loads(response.read())
    except urllib.error.HTTPError as error:
        return error.code, json.loads(error.read() or b"{}")


def sql_count(pipeline: Pipeline, query: str, *params: object) -> int:
    with psycopg.connect(pipeline.database_url) as conn:
        return conn.execute(query, params).fetchone()[0]


def test_a_held_back_lead_is_written_on_one_authenticated_click(pipeline: Pipeline, hubspot: FakeHubSpot) -> None:
    env = {"TRIAGE_CRM_BACKEND": "hubspot", "TRIAGE_HUBSPOT_BASE_URL": hubspot.url,
           "TRIAGE_HUBSPOT_ACCESS_TOKEN": hubspot.token, "TRIAGE_CRM_AUTO_WRITE_INTENTS": "support",
           "TRIAGE_ADMIN_TOKEN": ADMIN_TOKEN}
    pipeline.start("crm-sink", **env)
    pipeline.start("audit")
    email = routed_lead(1, uuid.uuid4().hex[:6])
    produce_routed(pipeline, [email])
    keys = {a.idempotency_key for a in email.crm_actions}
    wait_until(lambda: {e.idempotency_key for e in events(pipeline) if e.status == "awaiting_approval"} >= keys,
               60, "the awaiting_approval events")
    assert hubspot.calls == [], "nothing was written before the approval"

    pipeline.ports["admin"] = port = free_port()
    pipeline.start("admin", TRIAGE_ADMIN_PORT=str(port), **env)
    wait_until(lambda: click(port, email.email_id, "wrong")[0] == 401, 30, "the admin endpoint")
    assert hubspot.calls == [], "a refused click changes nothing"

    def approved() -> bool:  # audit writes the routes row shortly after the routed record
        status, _ = click(port, email.email_id, ADMIN_TOKEN)
        assert status in (200, 404)
        return status == 200

    wait_until(approved, 60, "the approval")
    wait_until(lambda: sql_count(pipeline, "SELECT count(*) FROM crm_events WHERE email_id = %s AND status = "
                                           "'created'", email.email_id) == 4, 30, "the written actions recorded")
    calls = len(hubspot.calls)
    status, body = click(port, email.email_id, ADMIN_TOKEN)  # a second click: already in CRM, nothing written
    assert status == 200 and body["already_in_crm"] is True
    assert [e["status"] for e in body["events"]] == ["created"] * 4, "the recorded results, not new writes"
    assert len(hubspot.calls) == calls, "not a single CRM request"
    assert (len(hubspot.all("companies")), len(hubspot.all("contacts")), len(hubspot.all("deals"))) == (1, 1, 1)
    created = [e for e in events(pipeline) if e.status == "created"]
    assert sorted(e.idempotency_key for e in created) == sorted(keys), "announced once: by the first click"
    with psycopg.connect(pipeline.database_url) as conn:  # TRIAGE_ADMIN_TOKEN alone is the actor "admin"
        trail = conn.execute("SELECT actor FROM admin_actions WHERE action = 'create_in_crm' AND email_id = %s",
                             (email.email_id,)).fetchall()
    assert trail == [("admin",), ("admin",)], "each click is in the trail of admin actions"
