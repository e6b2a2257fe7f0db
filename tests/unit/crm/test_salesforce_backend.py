"""The Salesforce backend with the real simple-salesforce against the fake Salesforce (HTTPS, loopback)."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime, timedelta

import pytest

from tests.support.fake_salesforce import FakeSalesforce
from tests.unit.crm.conftest import MemoryLedger, action, lead, token
from triage.platform.errors import PermanentError, TransientError
from triage_crm.adapters.salesforce.crm import SalesforceCrm, TimedSession, salesforce_client
from triage_crm.ledger import LedgeredCrm
from triage_crm.writer import CrmWriter


@pytest.fixture
def salesforce() -> Iterator[FakeSalesforce]:
    fake = FakeSalesforce()
    yield fake
    fake.close()


def salesforce_crm(fake: FakeSalesforce, *, timeout_s: float = 0.5, sleeps: list[float] | None = None) -> CrmWriter:
    """The writer on the Salesforce adapter, without a ledger (``.port``: the adapter)."""
    session = TimedSession(timeout_s)
    session.trust_env = False  # REQUESTS_CA_BUNDLE would override verify
    session.verify = fake.ca_file
    client = salesforce_client(instance_url=fake.instance_url, access_token=fake.token, username=None,
                               password=None, security_token=None, domain="login", version=fake.version,
                               session=session)
    return CrmWriter(SalesforceCrm(client, retry_after_cap_s=2.0,
                                   sleep=(sleeps.append if sleeps is not None else lambda _s: None)))


def test_a_lead_becomes_account_contact_opportunity_and_contact_role(salesforce: FakeSalesforce) -> None:
    crm = salesforce_crm(salesforce)
    domain = f"acme-{token()}.com"
    results = [crm.apply(a) for a in lead("e1", domain)]
    assert [r.status for r in results] == ["created", "created", "created", "created"]
    [account], [contact], [opportunity] = (salesforce.all(t) for t in ("Account", "Contact", "Opportunity"))
    assert (account["Name"], account["Triage_Domain__c"], account["Website"]) == ("Acme Robotics", domain, domain)
    assert (contact["Email"], contact["LastName"], contact["AccountId"]) == (f"jane@{domain}", "Doe", account["Id"])
    assert (opportunity["AccountId"], opportunity["Amount"], opportunity["Triage_Email_Id__c"]) == \
        (account["Id"], 50000.0, "e1")
    [role] = salesforce.all("OpportunityContactRole")
    assert (role["OpportunityId"], role["ContactId"]) == (opportunity["Id"], contact["Id"])
    assert [r.object_type for r in results] == ["account", "contact", "opportunity", "association"]
    [task] = salesforce.all("Task")
    assert (task["WhoId"], task["Subject"], task["Status"]) == (contact["Id"], "Inbound email e1", "Completed")
    crm.apply(lead("e1", domain)[1])  # the same email's contact step again (a replay without the ledger)
    assert len(salesforce.all("Task")) == 1 and len(salesforce.all("Contact")) == 1


def test_existing_records_are_found_by_soql_and_one_open_opportunity_per_45_days(salesforce: FakeSalesforce) -> None:
    domain = f"acme-{token()}.com"
    account = salesforce.seed_record("Account", {"Name": "Acme", "Website": f"https://www.{domain}"})
    salesforce.seed_record("Contact", {"LastName": "Doe", "Email": f"jane@{domain}"})
    old = salesforce.seed_record("Opportunity", {"Name": "old", "StageName": "Prospecting", "CloseDate": "2027-01-01",
                                                 "AccountId": account},
                                 created=datetime.now(UTC) - timedelta(days=44))
    results = [salesforce_crm(salesforce).apply(a) for a in lead("e1", domain)]
    assert [r.status for r in results] == ["updated", "updated", "unchanged", "created"]
    assert results[2].object_id == old
    assert len(salesforce.all("Account")) == 1 and len(salesforce.all("Contact")) == 1
    assert salesforce.all("Contact")[0]["AccountId"] == account
    assert salesforce.all("Account")[0]["Triage_Domain__c"] == domain


def test_an_opportunity_older_than_45_days_does_not_block(salesforce: FakeSalesforce) -> None:
    domain = f"acme-{token()}.com"
    account = salesforce.seed_record("Account", {"Name": "Acme", "Triage_Domain__c": domain})
    salesforce.seed_record("Opportunity", {"Name": "old", "StageName": "Prospecting", "CloseDate": "2027-01-01",
                                           "AccountId": account}, created=datetime.now(UTC) - timedelta(days=46))
    assert salesforce_crm(salesforce).apply(lead("e1", domain)[2]).status == "created"
    assert len(salesforce.all("Opportunity")) == 2


def test_a_validation_error_is_permanent_with_salesforces_error_code(salesforce: FakeSalesforce) -> None:
    crm = salesforce_crm(salesforce)
    with pytest.raises(PermanentError, match="INVALID_EMAIL_ADDRESS: Email: invalid email address"):
        crm.apply(action("upsert_contact", "e1", email="not-an-address", name="Jane Doe"))


def test_limits_5xx_and_timeouts_are_transient_and_429_waits_for_retry_after(salesforce: FakeSalesforce) -> None:
    sleeps: list[float] = []
    crm = salesforce_crm(salesforce, timeout_s=0.3, sleeps=sleeps)
    salesforce.timeout_s = 0.6
    salesforce.fail("/query", 403)
    with pytest.raises(TransientError, match="REQUEST_LIMIT_EXCEEDED"):
        crm.apply(lead("e1", f"a-{token()}.com")[0])
    salesforce.fail("/query", 500)
    with pytest.raises(TransientError, match="UNKNOWN_EXCEPTION"):
        crm.apply(lead("e1", f"a-{token()}.com")[0])
    salesforce.fail("/query", "timeout")
    with pytest.raises(TransientError, match="unreachable"):
        crm.apply(lead("e1", f"a-{token()}.com")[0])
    salesforce.fail("/query", 429, retry_after="1")
    assert crm.apply(lead("e1", f"a-{token()}.com")[0]).status == "created"
    assert sleeps == [1.0]


def test_a_timed_out_upsert_that_happened_is_not_created_twice(salesforce: FakeSalesforce) -> None:
    crm = LedgeredCrm(salesforce_crm(salesforce, timeout_s=0.3), MemoryLedger("salesforce"))
    salesforce.timeout_s = 0.6
    salesforce.fail(r"PATCH .*/sobjects/(Account|Contact|Opportunity)/Triage_", "timeout", times=3)
    for step in lead("e1", f"acme-{token()}.com"):
        for _attempt in range(4):
            try:
                crm.apply(step)
                break
            except TransientError:
                continue
    assert [len(salesforce.all(t)) for t in ("Account", "Contact", "Opportunity", "OpportunityContactRole")] == \
        [1, 1, 1, 1]
