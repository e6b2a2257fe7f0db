"""Under 2% injected transient faults the retries absorb them: CRM write error rate <= 0.5%, no duplicates."""

from __future__ import annotations

import pytest
from tenacity import Retrying, retry_if_exception_type, stop_after_attempt, wait_exponential_jitter

from tests.support.fake_hubspot import FakeHubSpot
from tests.support.fake_salesforce import FakeSalesforce
from tests.unit.crm.conftest import MemoryLedger, hubspot_crm, lead, token
from tests.unit.crm.test_salesforce_backend import salesforce_crm
from triage.platform.errors import TransientError
from triage_crm.ledger import LedgeredCrm

LEADS = 125  # x 4 actions = 500 CRM writes


def the_runtimes_retries() -> Retrying:
    """The runtime's policy (4 tries, exponential backoff with jitter), with a test-sized wait."""
    return Retrying(stop=stop_after_attempt(4), wait=wait_exponential_jitter(max=0.05, jitter=0.01),
                    retry=retry_if_exception_type(TransientError), reraise=True)


def write_leads(crm: LedgeredCrm, domains: list[str]) -> tuple[int, int]:
    """Each routed email is one record: all its actions, retried together; returns (actions, failed)."""
    actions = failed = 0
    for n, domain in enumerate(domains):
        steps = lead(f"e{n}-{token()}", domain, person=f"p{n}")
        actions += len(steps)
        try:
            the_runtimes_retries()(lambda steps=steps: [crm.apply(s) for s in steps])
        except TransientError:
            failed += sum(1 for s in steps if s.idempotency_key not in crm.ledger.done)
    return actions, failed


def test_hubspot_under_2_percent_transient_faults() -> None:
    fake = FakeHubSpot(transient_rate=0.02, timeout_s=0.4, seed=11)
    try:
        crm = LedgeredCrm(hubspot_crm(fake, timeout_s=0.2, budget=100_000), MemoryLedger())
        run = token()
        domains = [f"co{n % 40}-{run}.com" for n in range(LEADS)]
        actions, failed = write_leads(crm, domains)
        assert actions == 500
        print(f"hubspot: {len(fake.calls)} requests, {len(fake.injected)} faults injected, "
              f"{failed} of {actions} actions failed")
        assert len(fake.injected) >= 0.01 * len(fake.calls), "the faults were really injected"
        assert failed / actions <= 0.005
        companies = [c["properties"]["domain"] for c in fake.all("companies")]
        contacts = [c["properties"]["email"] for c in fake.all("contacts")]
        assert len(companies) == len(set(companies)), "a duplicate company"
        assert len(contacts) == len(set(contacts)), "a duplicate contact"
        open_deals_per_company = [len(fake.associated("companies", c["id"], "deals")) for c in fake.all("companies")]
        assert max(open_deals_per_company) == 1, "a second open deal within 45 days"
    finally:
        fake.close()


@pytest.mark.parametrize("seed", [5])
def test_salesforce_under_2_percent_transient_faults(seed: int) -> None:
    fake = FakeSalesforce(transient_rate=0.02, timeout_s=0.4, seed=seed)
    try:
        crm = LedgeredCrm(salesforce_crm(fake, timeout_s=0.2), MemoryLedger("salesforce"))
        run = token()
        domains = [f"co{n % 40}-{run}.com" for n in range(LEADS)]
        actions, failed = write_leads(crm, domains)
        print(f"salesforce: {len(fake.calls)} requests, {len(fake.injected)} faults injected, "
              f"{failed} of {actions} actions failed")
        assert len(fake.injected) >= 0.01 * len(fake.calls)
        assert failed / actions <= 0.005
        accounts = [a["Triage_Domain__c"] for a in fake.all("Account")]
        contacts = [c["Email"] for c in fake.all("Contact")]
        assert len(accounts) == len(set(accounts)) and len(contacts) == len(set(contacts))
        per_account = {}
        for opportunity in fake.all("Opportunity"):
            per_account[opportunity["AccountId"]] = per_account.get(opportunity["AccountId"], 0) + 1
        assert max(per_account.values()) == 1
    finally:
        fake.close()
