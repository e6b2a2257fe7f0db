"""CRM adapters against local fakes that speak HubSpot's and Salesforce's wire formats (loopback only)."""

from __future__ import annotations

import uuid
from collections.abc import Iterator

import pytest

from tests.support.fake_hubspot import FakeHubSpot
from triage.domain.crm_decisions import ActionResult
from triage.domain.models import CrmAction
from triage_crm.adapters.hubspot.crm import HubSpotCrm, hubspot_client
from triage_crm.ledger import Ledger
from triage_crm.limits import RequestBudget
from triage_crm.writer import CrmWriter

OBJECT_TYPES = {"upsert_company": "company", "upsert_contact": "contact", "create_deal": "deal",
                "associate_contact": "association", "create_ticket": "ticket"}


class MemoryLedger(Ledger):
    """The ledger's contract without PostgreSQL: one recorded result per key, replays return it."""

    def __init__(self, backend: str = "hubspot") -> None:
        self.backend = backend
        self.done: dict[str, ActionResult] = {}
        self.conflicts = 0

    def prefetch(self, keys):
        return {key: self.done[key] for key in keys if key in self.done}

    def once(self, action, perform):
        if action.idempotency_key in self.done:
            self.conflicts += 1
            return self.done[action.idempotency_key]
        result = perform(action)
        self.done[action.idempotency_key] = result
        return result


@pytest.fixture
def hubspot() -> Iterator[FakeHubSpot]:
    fake = FakeHubSpot()
    yield fake
    fake.close()


def hubspot_crm(fake: FakeHubSpot, *, budget: int = 1000, timeout_s: float = 0.5,
                sleeps: list[float] | None = None) -> CrmWriter:
    """The writer on the HubSpot adapter, without a ledger (``.port``: the adapter)."""
    return CrmWriter(HubSpotCrm(hubspot_client(fake.token, fake.url), RequestBudget(budget, 10.0),
                                timeout_s=timeout_s, retry_after_cap_s=2.0,
                                sleep=(sleeps.append if sleeps is not None else lambda _s: None)))


def token() -> str:
    return uuid.uuid4().hex[:8]


def action(kind: str, email_id: str, **properties: str) -> CrmAction:
    return CrmAction(action=kind, object_type=OBJECT_TYPES[kind], idempotency_key=f"{email_id}:{kind}",
                     properties={"email_id": email_id, "queue": "sales_inbound", **properties})


def lead(email_id: str, domain: str, person: str = "jane", name: str = "Acme Robotics") -> list[CrmAction]:
    """What crm_plan plans for a lead with a company, a person and confidence >= 0.6."""
    address = f"{person}@{domain}"
    return [
        action("upsert_company", email_id, domain=domain, name=name),
        action("upsert_contact", email_id, email=address, name=f"{person.title()} Doe", company_domain=domain,
               company_name=name),
        action("create_deal", email_id, name=f"{name} — Revenue Radar", amount="50000", currency="USD",
               company_domain=domain, company_name=name, contact_email=address),
        action("associate_contact", email_id, contact_email=address, company_domain=domain, company_name=name),
    ]
