"""Queues lead to action in the CRM: the queue's owner on contact/deal/ticket, support mail as one ticket or Case.

The real hubspot-api-client and simple-salesforce against the fakes (``/crm/v3/objects/tickets``
with pipeline and stage, ``sobjects/Case`` upserted by its external id), through the same
wrapper crm-sink builds (QueueOwnedCrm) and the ledger's contract.
"""

from __future__ import annotations

import pytest

from tests.support.fake_hubspot import FakeHubSpot
from tests.support.fake_salesforce import FakeSalesforce
from tests.unit.crm.conftest import MemoryLedger, action, hubspot_crm, lead, token
from tests.unit.crm.test_salesforce_backend import salesforce, salesforce_crm  # noqa: F401 - the fixture
from triage.domain.models import CrmAction
from triage.domain.queues import QueueTable
from triage.platform.errors import CrmRejected
from triage_crm.ledger import LedgeredCrm
from triage_crm.queue_owners import QueueOwnedCrm, owned

SF_OWNER = "005000000000077AAA"
QUEUES = QueueTable.model_validate({"queues": {
    "support": {"owner": {"hubspot_owner_id": "77", "salesforce_owner_id": SF_OWNER, "local": "Support desk"},
                "ticket": {"hubspot_pipeline": "0", "hubspot_stage": "2", "salesforce_status": "Working"}},
    "sales_inbound": {"owner": {"hubspot_owner_id": "88", "salesforce_owner_id": "00G000000000088AAA"}},
}})


def support(email_id: str, domain: str, priority: str = "high") -> list[CrmAction]:
    """What crm_plan plans for support mail in a ticket queue (company, contact, association, ticket)."""
    address = f"pat@{domain}"
    actions = [
        action("upsert_company", email_id, domain=domain, name="Globex"),
        action("upsert_contact", email_id, email=address, name="Pat Lee", company_domain=domain, company_name="Globex"),
        action("associate_contact", email_id, contact_email=address, company_domain=domain, company_name="Globex"),
        action("create_ticket", email_id, subject="Revenue Radar sync stuck", content="Sync stuck since Monday",
               priority=priority, contact_email=address, company_domain=domain, company_name="Globex"),
    ]
    return [a.model_copy(update={"properties": {**a.properties, "queue": "support"}}) for a in actions]


def test_the_queue_settings_join_the_action_and_an_unlisted_queue_adds_nothing() -> None:
    ticket = owned(support("e1", "globex.com")[-1], QUEUES, "hubspot")
    assert ticket.properties["owner"] == "77"
    assert (ticket.properties["ticket_pipeline"], ticket.properties["ticket_stage"]) == ("0", "2")
    assert owned(support("e1", "globex.com")[0], QUEUES, "salesforce").properties["owner"] == SF_OWNER
    other = action("upsert_company", "e2", domain="x.com").model_copy(
        update={"properties": {"queue": "ops_vendors", "domain": "x.com"}})
    assert owned(other, QUEUES, "hubspot") is other


def test_hubspot_support_mail_becomes_one_owned_ticket_on_the_pipeline_linked_to_contact_and_company(
        hubspot: FakeHubSpot) -> None:
    hubspot.owners = {"77", "88"}
    crm = LedgeredCrm(QueueOwnedCrm(hubspot_crm(hubspot), QUEUES), MemoryLedger())
    domain = f"globex-{token()}.com"
    results = [crm.apply(a) for a in support("e1", domain)]
    assert results[-1].status == "created" and results[-1].object_type == "ticket"

    [ticket] = hubspot.all("tickets")
    props = ticket["properties"]
    assert (props["hs_pipeline"], props["hs_pipeline_stage"], props["hs_ticket_priority"]) == ("0", "2", "HIGH")
    assert (props["hubspot_owner_id"], props["subject"]) == ("77", "Revenue Radar sync stuck")
    assert props["triage_idempotency_key"] == "e1:create_ticket"
    [contact], [company] = hubspot.all("contacts"), hubspot.all("companies")
    assert contact["properties"]["hubspot_owner_id"] == "77"
    assert hubspot.associated("tickets", ticket["id"], "contacts") == {contact["id"]}
    assert hubspot.associated("tickets", ticket["id"], "companies") == {company["id"]}
    assert hubspot.count("POST", r"/crm/v3/objects/tickets$") == 1


def test_a_hubspot_ticket_is_made_once_across_a_replay_and_a_lost_ledger_row(hubspot: FakeHubSpot) -> None:
    adapter = QueueOwnedCrm(hubspot_crm(hubspot), QUEUES)
    crm = LedgeredCrm(adapter, MemoryLedger())
    actions = support("e1", f"globex-{token()}.com")
    for a in actions:
        crm.apply(a)
    assert crm.apply(actions[-1]).status == "created"  # the ledger answers the replay
    # a crash after HubSpot wrote and before the ledger's row: a fresh ledger, the key property finds it
    again = LedgeredCrm(QueueOwnedCrm(hubspot_crm(hubspot), QUEUES), MemoryLedger()).apply(actions[-1])
    assert again.object_id == hubspot.all("tickets")[0]["id"]
    assert len(hubspot.all("tickets")) == 1
    assert hubspot.properties["tickets"]["triage_idempotency_key"]["hasUniqueValue"] is True


def test_a_hubspot_timeout_after_the_ticket_was_written_does_not_make_a_second(hubspot: FakeHubSpot) -> None:
    crm = QueueOwnedCrm(hubspot_crm(hubspot), QUEUES)
    actions = support("e1", f"globex-{token()}.com")
    for a in actions[:-1]:
        crm.apply(a)
    hubspot.fail(r"POST /crm/v3/objects/tickets$", "timeout")
    with pytest.raises(Exception):  # noqa: B017 - the runtime retries whatever the timeout raised
        crm.apply(actions[-1])
    assert crm.apply(actions[-1]).object_id == hubspot.all("tickets")[0]["id"]
    assert len(hubspot.all("tickets")) == 1


def test_hubspot_refuses_an_owner_id_that_is_no_owner_as_this_emails_data(hubspot: FakeHubSpot) -> None:
    hubspot.owners = {"88"}
    crm = QueueOwnedCrm(hubspot_crm(hubspot), QUEUES)
    actions = support("e1", f"globex-{token()}.com")
    crm.apply(actions[0])
    with pytest.raises(CrmRejected, match="INVALID_OWNER_ID"):
        crm.apply(actions[1])


def test_a_hubspot_lead_gets_the_queues_owner_on_contact_and_deal(hubspot: FakeHubSpot) -> None:
    crm = QueueOwnedCrm(hubspot_crm(hubspot), QUEUES)
    for a in lead("e1", f"acme-{token()}.com"):
        crm.apply(a)
    [deal], [contact] = hubspot.all("deals"), hubspot.all("contacts")
    assert deal["properties"]["hubspot_owner_id"] == "88" == contact["properties"]["hubspot_owner_id"]


def test_an_existing_hubspot_contact_keeps_the_owner_a_person_gave_it(hubspot: FakeHubSpot) -> None:
    domain = f"globex-{token()}.com"
    hubspot.seed_object("contacts", {"email": f"pat@{domain}", "hubspot_owner_id": "5"})
    crm = QueueOwnedCrm(hubspot_crm(hubspot), QUEUES)
    for a in support("e1", domain):
        crm.apply(a)
    [contact] = hubspot.all("contacts")
    assert contact["properties"]["hubspot_owner_id"] == "5"
    assert hubspot.all("tickets")[0]["properties"]["hubspot_owner_id"] == "77"


def test_salesforce_support_mail_becomes_one_owned_case_with_contact_and_account(
        salesforce: FakeSalesforce) -> None:  # noqa: F811 - the fixture
    salesforce.owners = {SF_OWNER}
    crm = LedgeredCrm(QueueOwnedCrm(salesforce_crm(salesforce), QUEUES), MemoryLedger("salesforce"))
    actions = support("e1", f"globex-{token()}.com", priority="normal")
    results = [crm.apply(a) for a in actions]
    assert (results[-1].object_type, results[-1].status) == ("case", "created")
    [case], [contact], [account] = (salesforce.all(t) for t in ("Case", "Contact", "Account"))
    assert (case["OwnerId"], case["Status"], case["Origin"], case["Priority"]) == (SF_OWNER, "Working", "Email",
                                                                                   "Medium")
    assert (case["ContactId"], case["AccountId"], case["Triage_Email_Id__c"]) == (contact["Id"], account["Id"], "e1")
    assert contact["OwnerId"] == SF_OWNER
    # a crash before the ledger's row: the upsert by the external id finds the Case, no second one
    again = QueueOwnedCrm(salesforce_crm(salesforce), QUEUES).apply(actions[-1])
    assert (again.object_id, again.status) == (case["Id"], "unchanged")
    assert len(salesforce.all("Case")) == 1
    assert salesforce.count("PATCH", r"/sobjects/Case/Triage_Email_Id__c/e1$") == 2


def test_salesforce_refuses_an_owner_that_is_no_user_or_queue_as_this_emails_data(
        salesforce: FakeSalesforce) -> None:  # noqa: F811 - the fixture
    salesforce.owners = {"005000000000001AAA"}
    crm = QueueOwnedCrm(salesforce_crm(salesforce), QUEUES)
    with pytest.raises(Exception, match="INVALID_CROSS_REFERENCE_KEY"):
        crm.apply(support("e1", f"globex-{token()}.com")[-1])
    assert salesforce.all("Case") == []


def test_a_salesforce_opportunity_gets_the_queues_owner(salesforce: FakeSalesforce) -> None:  # noqa: F811
    crm = QueueOwnedCrm(salesforce_crm(salesforce), QUEUES)
    for a in lead("e1", f"acme-{token()}.com"):
        crm.apply(a)
    [opportunity] = salesforce.all("Opportunity")
    assert opportunity["OwnerId"] == "00G000000000088AAA"
