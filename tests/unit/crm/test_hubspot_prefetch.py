"""One Kafka batch, read in bulk: fewer HubSpot requests per email, the same writes."""

from __future__ import annotations

import dataclasses
from collections import Counter
from datetime import UTC, datetime

from tests.support.fake_hubspot import FakeHubSpot
from tests.unit.crm.conftest import MemoryLedger, hubspot_crm, lead, token
from triage.domain.models import Extraction, RoutedEmail
from triage.platform.runtime import Inbound
from triage_crm.ledger import LedgeredCrm
from triage_crm_sink.handler import CrmSinkHandler

EMAILS, COMPANIES = 100, 25


def batch(run: str, first: int = 0) -> list[list]:
    """100 leads, four people per company: each email's four planned actions."""
    return [lead(f"e{n}-{run}", f"co{n % COMPANIES}-{run}.com", person=f"p{n % EMAILS}")
            for n in range(first, first + EMAILS)]


def write(fake: FakeHubSpot, emails: list[list], *, prefetch: bool) -> float:
    """Requests per email for one batch through a fresh process (empty caches)."""
    crm = hubspot_crm(fake)
    crm.port.ensure_key_property()
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
        # Known people cost one association read each for their note: a snapshot's "no note yet" is
        # read again before the note is written (another writer may have logged it since).
        assert bulk < 0.75 * one_by_one and again_bulk < 0.6 * again_one_by_one
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


# -- another writer between the prefetch and the action (another instance, the admin's Create in CRM) --
def known_company(fake: FakeHubSpot) -> str:
    """A company crm-sink wrote before (keyed), with a contact and no deal: the next lead creates one."""
    domain = f"acme-{token()}.com"
    crm = hubspot_crm(fake)
    crm.apply(lead("e0", domain)[0])
    crm.apply(lead("e0", domain, person="old")[1])
    return domain


def test_a_deal_another_writer_made_after_the_prefetch_is_found_not_duplicated(hubspot: FakeHubSpot) -> None:
    domain = known_company(hubspot)
    a, b = hubspot_crm(hubspot), hubspot_crm(hubspot)
    e1, e2 = lead("e1", domain), lead("e2", domain, person="omar")
    a.prefetch(e1)  # the snapshot: the company has no deal
    for step in e2:
        b.apply(step)  # B writes e2's deal after A's snapshot
    results = [a.apply(step) for step in e1]
    assert len(hubspot.all("deals")) == 1, "the 45-day rule: one open deal per company"
    assert results[2].status == "unchanged" and "younger than 45 days" in results[2].summary
    [deal] = hubspot.all("deals")
    assert results[2].object_id == results[3].object_id.split("/")[0].removeprefix("deal:") == deal["id"]


def test_a_note_another_writer_logged_after_the_prefetch_is_not_logged_twice(hubspot: FakeHubSpot) -> None:
    """A zombie owner logged e1 (known person, and a new one) and failed before its ledger row."""
    domain = known_company(hubspot)
    a, zombie = hubspot_crm(hubspot), hubspot_crm(hubspot)
    known, new = lead("e1", domain, person="old"), lead("e2", domain, person="nadia")
    a.prefetch(known + new)  # e1's person has no note for e1; e2's person does not exist
    zombie.apply(known[1])
    zombie.apply(new[1])
    results = [a.apply(known[1]), a.apply(new[1])]
    notes = Counter(n["properties"]["hs_note_body"].rsplit("Ref: ", 1)[-1] for n in hubspot.all("notes"))
    assert notes == {"triage-e0": 1, "triage-e1": 1, "triage-e2": 1}, "one note per email"
    assert [r.status for r in results] == ["updated", "updated"], "e2's person was made by the zombie"
    assert len(hubspot.all("contacts")) == 2


def test_a_company_another_writer_made_after_the_prefetch_is_not_duplicated(hubspot: FakeHubSpot) -> None:
    domain = f"acme-{token()}.com"
    a, b = hubspot_crm(hubspot), hubspot_crm(hubspot)
    a.prefetch(lead("e1", domain))  # nobody has the company
    made = b.apply(lead("e2", domain)[0])
    assert a.apply(lead("e1", domain)[0]).object_id == made.object_id
    assert len(hubspot.all("companies")) == 1, "the keyed create finds the other writer's company"


# -- the prefetch is an optimisation only -------------------------------------------------------
class FailingPrefetch:
    """A backend whose bulk read fails with something that is neither Transient nor Permanent."""

    backend = "hubspot"

    def __init__(self, crm: object) -> None:
        self.crm = crm

    def prefetch(self, actions: list) -> None:
        raise RuntimeError(f"connection reset while reading {actions[1].properties['email']} (psycopg/SDK)")

    def apply(self, step):
        return self.crm.apply(step)


def test_a_prefetch_that_fails_in_any_way_falls_back_to_per_action_reads(hubspot: FakeHubSpot, caplog) -> None:
    handler = CrmSinkHandler(FailingPrefetch(hubspot_crm(hubspot)), frozenset({"lead"}))
    domain = f"acme-{token()}.com"
    record = inbound("e1", lead("e1", domain))
    handler.prepare([record])  # does not raise: the batch is not aborted and rewound
    events = handler.handle(record)
    assert [e.value.status for e in events] == ["created", "created", "created", "created"]
    assert (len(hubspot.all("companies")), len(hubspot.all("deals"))) == (1, 1)
    [warning] = [r.getMessage() for r in caplog.records if "prefetch" in r.getMessage()]
    assert "RuntimeError" in warning and "reading per action" in warning
    assert f"jane@{domain}" not in warning and "email:" in warning, "the address is logged as its hash"


def test_crm_events_carry_the_trace_context_but_not_the_replay_id(hubspot: FakeHubSpot) -> None:
    handler = CrmSinkHandler(hubspot_crm(hubspot), frozenset({"lead"}))
    record = inbound("e1", lead("e1", f"acme-{token()}.com"))
    trace = {"traceparent": b"00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-01", "tracestate": b"t=1"}
    record = dataclasses.replace(record, headers={**trace, "triage.replay": b"admin-1", "x-other": b"1"})
    assert all(event.headers == trace for event in handler.handle(record))
