"""Salesforce, one Kafka batch read with one SOQL query per object: fewer requests, the same records."""

from __future__ import annotations

from tests.support.fake_salesforce import FakeSalesforce
from tests.unit.crm.conftest import lead, token
from tests.unit.crm.test_salesforce_backend import salesforce_crm

EMAILS, COMPANIES = 100, 25


def write(fake: FakeSalesforce, run: str, first: int, *, prefetch: bool) -> float:
    crm = salesforce_crm(fake)
    emails = [lead(f"e{n}-{run}", f"co{n % COMPANIES}-{run}.com", person=f"p{n % EMAILS}")
              for n in range(first, first + EMAILS)]
    before = len(fake.calls)
    if prefetch:
        crm.prefetch([step for steps in emails for step in steps])
    for steps in emails:
        for step in steps:
            crm.apply(step)
    return (len(fake.calls) - before) / EMAILS


def test_a_prefetched_batch_costs_fewer_requests_and_writes_the_same() -> None:
    bulk, one_by_one = FakeSalesforce(), FakeSalesforce()
    try:
        run = token()
        figures = [(write(one_by_one, run, first, prefetch=False), write(bulk, run, first, prefetch=True))
                   for first in (0, EMAILS)]  # new people, then the same people again
        print("salesforce requests per email (one by one -> prefetched): "
              + ", ".join(f"{a:.2f} -> {b:.2f}" for a, b in figures))
        assert all(b < 0.8 * a for a, b in figures)
        for fake in (bulk, one_by_one):
            assert [len(fake.all(t)) for t in ("Account", "Contact", "Opportunity", "Task")] == \
                [COMPANIES, EMAILS, COMPANIES, 2 * EMAILS]
            assert len(fake.all("OpportunityContactRole")) == EMAILS
    finally:
        bulk.close()
        one_by_one.close()


def test_an_account_known_only_by_its_website_is_still_claimed_with_the_external_id() -> None:
    fake = FakeSalesforce()
    try:
        domain = f"acme-{token()}.com"
        account = fake.seed_record("Account", {"Name": "Acme", "Website": f"https://www.{domain}"})
        crm = salesforce_crm(fake)
        steps = lead("e1", domain)
        crm.prefetch(steps)
        assert [crm.apply(s).status for s in steps] == ["updated", "created", "created", "created"]
        assert fake.all("Account")[0]["Triage_Domain__c"] == domain and len(fake.all("Account")) == 1
        assert fake.all("Opportunity")[0]["AccountId"] == account
    finally:
        fake.close()
