"""One Kafka batch, read in bulk: fewer HubSpot requests per email, the same writes."""

from __future__ import annotations

from datetime import UTC, datetime

from tests.support.fake_hubspot import FakeHubSpot
from tests.unit.crm.conftest import MemoryLedger, hubspot_crm, lead, token
from triage.domain.models import Extraction, RoutedEmail
from triage.platform.runtime import Inbound
from triage_crm_sink.handler import CrmSinkHandler
from triage_crm_sink.ledger import LedgeredCrm

EMAILS, COMPANIES = 100, 25


def batch(run: str, first: int = 0) -> list[list]:
    """100 leads, four people per company: each email's four planned actions."""
    return [lead(f"e{n}-{run}", f"co{n % COMPANIES}-{run}.com", person=f"p{n % EMAILS}")
            for n in range(first, first + EMAILS)]


def write(fake: FakeHubSpot, emails: list[list], *, prefetch: bool) -> float:
    """Requests per email for one batch through a fresh process (empty caches)."""
    crm = hubspot_crm(fake)
    crm.ensure_key_property()
    before = len(fake.calls)
    if prefetch:
        crm.prefetch([step for steps in emails for step in steps])
    for steps in emails:
        for step in steps:
            crm.apply(step)
    return (len(fake.calls) - before) / len(emails)


def test_a_prefetched_batch_costs_fewer_requests_and_writes_the_same(hubspot: FakeHubSpot) -> None:
    other = FakeHubSpot()
    try:
        run = token()
        one_by_one, bulk = write(other, batch(run), prefetch=False), write(hubspot, batch(run), prefetch=True)
        again_one_by_one = write(other, batch(run, EMAILS), prefetch=False)  # the same people write again
        again_bulk = write(hubspot, batch(run, EMAILS), prefetch=True)
        print(f"requests per email: new people {one_by_one:.2f} -> {bulk:.2f}; "
              f"known people {again_one_by_one:.2f} -> {again_bulk:.2f}")
        assert bulk < 0.7 * one_by_one and again_bulk < 0.5 * again_one_by_one
        for fake in (hubspot, other):
            assert (len(fake.all("companies")), len(fake.all("contacts")), len(fake.all("deals"))) == \
                (COMPANIES, EMAILS, COMPANIES)
            assert len(fake.all("notes")) == 2 * EMAILS
        assert sorted(c["properties"]["email"] for c in hubspot.all("contacts")) == \
            sorted(c["properties"]["email"] for c in other.all("contacts"))
    finally:
        other.close()


def test_the_handler_prefetches_only_what_it_writes_on_its_own_with_the_ledger_first(hubspot: FakeHubSpot) -> None:
    ledger = MemoryLedger()
    crm = LedgeredCrm(hubspot_crm(hubspot), ledger)
    handler = CrmSinkHandler(crm, frozenset({"lead"}))
    domain = f"acme-{token()}.com"
    done, todo, held = lead("e1", domain), lead("e2", domain, person="omar"), lead("e3", domain, person="li")
    ledger.done.update({a.idempotency_key: crm.apply(a) for a in done})
    prefetched: list = []
    crm.crm.prefetch = prefetched.extend  # what reaches the adapter
    handler.prepare([inbound("e1", done), inbound("e2", todo), inbound("e3", held, intent="support")])
    assert [a.idempotency_key for a in prefetched] == [a.idempotency_key for a in todo]
    assert all(a.properties["email_id"] == "e2" and a.properties["queue"] == "sales_inbound" for a in prefetched)


def inbound(email_id: str, actions: list, intent: str = "lead") -> Inbound:
    extraction = Extraction.model_validate({"intent": intent, "confidence": 0.9,
                                             "required_action": "schedule_demo"})
    routed = RoutedEmail(email_id=email_id, thread_id=f"t-{email_id}", mailbox="sales@lumora.io",
                         received_at=datetime.now(UTC), extraction=extraction, queue="sales_inbound",
                         priority="high", sla_minutes=15, rule="hot_lead", reason="test", ignored=False,
                         crm_actions=actions)
    return Inbound("email.routed", 0, 0, None, routed, {}, 0)
