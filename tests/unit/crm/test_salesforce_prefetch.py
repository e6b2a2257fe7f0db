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
        # New people are mostly writes; and a snapshot's "no open opportunity" is asked again before one is
        # created (another writer may have made one since), prefetched or not.
        (new_one_by_one, new_bulk), (known_one_by_one, known_bulk) = figures
        assert new_bulk < 0.85 * new_one_by_one and known_bulk < 0.5 * known_one_by_one
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


def test_what_another_writer_made_after_the_prefetch_is_found_not_duplicated() -> None:
    """B (another instance; or a zombie owner that wrote e1's Task and failed before its ledger row)."""
    fake = FakeSalesforce()
    try:
        domain = f"acme-{token()}.com"
        earlier = salesforce_crm(fake)
        for step in lead("e0", domain)[:2]:  # the account and a known person, no opportunity
            earlier.apply(step)
        a, b = salesforce_crm(fake), salesforce_crm(fake)
        e1, e2 = lead("e1", domain), lead("e2", domain, person="omar")
        a.prefetch(e1)  # the snapshot: no open opportunity, no Task for e1
        for step in e2:
            b.apply(step)
        b.apply(e1[1])
        results = [a.apply(step) for step in e1]
        assert len(fake.all("Opportunity")) == 1, "the 45-day rule: one open opportunity per account"
        assert results[2].status == "unchanged" and "younger than 45 days" in results[2].summary
        subjects = sorted(t["Subject"] for t in fake.all("Task"))
        assert subjects == ["Inbound email e0", "Inbound email e1", "Inbound email e2"], "one Task per email"
    finally:
        fake.close()


def test_a_contact_role_another_email_of_the_person_made_after_the_prefetch_is_not_duplicated() -> None:
    fake = FakeSalesforce()
    try:
        domain = f"acme-{token()}.com"
        earlier = salesforce_crm(fake)
        for step in lead("e0", domain)[:3]:  # the account, jane and the open opportunity; jane has no role yet
            earlier.apply(step)
        a, b = salesforce_crm(fake), salesforce_crm(fake)
        a.prefetch(lead("e1", domain))  # the snapshot: the opportunity has no contact role
        b.apply(lead("e2", domain)[3])  # another email of jane, on another instance
        assert a.apply(lead("e1", domain)[3]).status == "unchanged"
        assert len(fake.all("OpportunityContactRole")) == 1
    finally:
        fake.close()
