"""Queues lead to action: owners, tickets, notices per queue, and the SLA clock that a person stops."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from pydantic import ValidationError

from tests.unit.domain.test_crm_plan import extracted
from triage.domain.crm_plan import plan_crm_actions
from triage.domain.models import RouteDecision
from triage.domain.queues import QueueTable, sla_breached, sla_running, stopped_in_time

SUPPORT = RouteDecision(queue="support", priority="normal", sla_minutes=480, rule="support", reason="r",
                        ignored=False)
TABLE = QueueTable.model_validate({"queues": {
    "support": {"owner": {"hubspot_owner_id": "77", "salesforce_owner_id": "005000000000001AAA",
                          "local": "Support desk"}, "ticket": {"hubspot_pipeline": "0", "hubspot_stage": "1"},
                "slack": {"channel": "C0123ABCD"}},
    "sales_inbound": {"owner": {"hubspot_owner_id": "88"}},
}})
DUE = datetime(2026, 1, 12, 10, tzinfo=UTC)


def test_support_mail_in_a_ticket_queue_plans_one_ticket_last() -> None:
    actions = plan_crm_actions(extracted("support"), SUPPORT, TABLE)

    assert [a.action for a in actions][-1] == "create_ticket"
    ticket = actions[-1]
    assert (ticket.object_type, ticket.idempotency_key) == ("ticket", "e1:create_ticket")
    assert ticket.properties["priority"] == "normal"
    assert ticket.properties["contact_email"] == "jane@acme.com"
    assert ticket.properties["company_domain"] == "acme.com"


def test_no_ticket_without_the_queue_asking_or_for_a_lead() -> None:
    assert "create_ticket" not in [a.action for a in plan_crm_actions(extracted("support"), SUPPORT)]
    lead_in_support = plan_crm_actions(extracted("lead"), SUPPORT, TABLE)
    assert "create_ticket" not in [a.action for a in lead_in_support]


def test_owners_per_backend_and_nothing_for_an_unlisted_queue() -> None:
    assert TABLE.owner("support", "hubspot") == "77"
    assert TABLE.owner("support", "salesforce") == "005000000000001AAA"
    assert TABLE.owner("support", "local") == "Support desk"
    assert TABLE.owner("sales_inbound", "salesforce") is None
    assert TABLE.owner("ops_vendors", "hubspot") is None
    assert TABLE.of("ops_vendors").ticket is None and TABLE.of("ops_vendors").slack is None


@pytest.mark.parametrize("queues", [
    {"support": {"owner": {"hubspot_owner_id": "not-a-number"}}},
    {"support": {"owner": {"salesforce_owner_id": "001000000000001AAA"}}},  # an Account id, not a User/Queue
    {"support": {"slack": {"channel": "support desk"}}},
    {"support": {"tickets": {}}},  # a typo is an error, not silently nothing
    {"sup port": {}},
], ids=["hubspot-owner", "salesforce-owner", "channel", "unknown-key", "queue-name"])
def test_invalid_settings_are_refused(queues: dict) -> None:
    with pytest.raises(ValidationError):
        QueueTable.model_validate({"queues": queues})


def test_the_clock_runs_until_a_person_acts_and_only_a_running_clock_breaches() -> None:
    late = DUE + timedelta(minutes=1)
    assert sla_running(DUE, None) and sla_breached(DUE, None, late)
    assert not sla_breached(DUE, None, DUE - timedelta(minutes=1))
    assert not sla_running(DUE, DUE) and not sla_breached(DUE, DUE - timedelta(hours=1), late)
    assert not sla_breached(DUE, late, late + timedelta(days=1))  # stopped late: no longer open
    assert not sla_breached(None, None, late)  # no SLA
    assert stopped_in_time(DUE, DUE - timedelta(seconds=1)) is True
    assert stopped_in_time(DUE, late) is False
    assert stopped_in_time(DUE, None) is None
