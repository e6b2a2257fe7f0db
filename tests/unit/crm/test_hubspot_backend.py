"""The HubSpot backend with the real hubspot-api-client against the fake HubSpot's wire format."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from tests.support.fake_hubspot import FakeHubSpot
from tests.unit.crm.conftest import MemoryLedger, action, hubspot_crm, lead, token
from triage.platform.errors import PermanentError, TransientError
from triage_crm.adapters.hubspot.crm import HubSpotCrm, hubspot_client
from triage_crm.ledger import LedgeredCrm
from triage_crm.limits import RequestBudget
from triage_crm.writer import CrmWriter


def test_a_lead_creates_company_contact_and_deal_and_associates_them(hubspot: FakeHubSpot) -> None:
    crm = hubspot_crm(hubspot)
    domain = f"acme-{token()}.com"
    results = [crm.apply(a) for a in lead("e1", domain)]
    assert [r.status for r in results] == ["created", "created", "created", "created"]
    [company], [contact], [deal] = hubspot.all("companies"), hubspot.all("contacts"), hubspot.all("deals")
    assert company["properties"]["domain"] == domain
    assert contact["properties"]["email"] == f"jane@{domain}"
    assert (contact["properties"]["firstname"], contact["properties"]["lastname"]) == ("Jane", "Doe")
    assert deal["properties"]["amount"] == "50000"
    assert deal["properties"]["dealstage"] == "appointmentscheduled"
    assert hubspot.associated("contacts", contact["id"], "companies") == {company["id"]}
    assert hubspot.associated("deals", deal["id"], "contacts") == {contact["id"]}
    assert hubspot.associated("deals", deal["id"], "companies") == {company["id"]}
    assert results[3].object_id == f"deal:{deal['id']}/contact:{contact['id']}"
    [note] = hubspot.all("notes")
    assert "triage-e1" in note["properties"]["hs_note_body"] and note["properties"]["hs_timestamp"]
    assert hubspot.associated("notes", note["id"], "contacts") == {contact["id"]}


def test_an_existing_contact_and_company_are_found_updated_and_joined_to_the_open_deal(hubspot: FakeHubSpot) -> None:
    crm = hubspot_crm(hubspot)
    domain = f"acme-{token()}.com"
    for step in lead("e1", domain):
        crm.apply(step)
    second = [hubspot_crm(hubspot).apply(a) for a in lead("e2", domain, person="omar")]  # a new process: no cache
    again = [hubspot_crm(hubspot).apply(a) for a in lead("e3", domain)]  # Jane writes again
    assert [r.status for r in second] == ["updated", "created", "unchanged", "created"]
    assert [r.status for r in again][:3] == ["updated", "updated", "unchanged"]
    assert len(hubspot.all("companies")) == 1
    assert len(hubspot.all("contacts")) == 2
    assert len(hubspot.all("deals")) == 1, "an open deal younger than 45 days blocks a new one"
    [deal] = hubspot.all("deals")
    assert len(hubspot.associated("deals", deal["id"], "contacts")) == 2


@pytest.mark.parametrize(("age_days", "deals"), [(44, 1), (46, 2)])
def test_an_open_deal_blocks_a_new_one_only_for_45_days(hubspot: FakeHubSpot, age_days: int, deals: int) -> None:
    domain = f"acme-{token()}.com"
    company = hubspot.seed_object("companies", {"domain": domain, "name": "Acme"})
    old = hubspot.seed_object("deals", {"dealname": "old", "dealstage": "appointmentscheduled"},
                              created_at=datetime.now(UTC) - timedelta(days=age_days))
    hubspot.link("deals", old, "companies", company)
    crm = hubspot_crm(hubspot)
    result = crm.apply(lead("e1", domain)[2])
    assert len(hubspot.all("deals")) == deals
    assert result.status == ("unchanged" if deals == 1 else "created")


def test_a_closed_deal_does_not_block_a_new_one(hubspot: FakeHubSpot) -> None:
    domain = f"acme-{token()}.com"
    company = hubspot.seed_object("companies", {"domain": domain, "name": "Acme"})
    won = hubspot.seed_object("deals", {"dealname": "won", "dealstage": "closedwon"})
    hubspot.link("deals", won, "companies", company)
    assert hubspot_crm(hubspot).apply(lead("e1", domain)[2]).status == "created"


def test_the_company_cache_saves_the_search_for_a_known_domain(hubspot: FakeHubSpot) -> None:
    crm = hubspot_crm(hubspot)
    domain = f"acme-{token()}.com"
    for step in lead("e1", domain) + lead("e2", domain, person="omar"):
        crm.apply(step)
    assert hubspot.count("POST", "/companies/search$") == 1
    assert hubspot.count("POST", "/contacts/batch/read$") == 2, "one batch read per new contact, then cached"


def test_a_429_is_waited_out_per_retry_after_and_the_call_succeeds(hubspot: FakeHubSpot) -> None:
    sleeps: list[float] = []
    crm = hubspot_crm(hubspot, sleeps=sleeps)
    hubspot.fail(r"POST /crm/v3/objects/companies$", 429, times=2, retry_after="3")
    result = crm.apply(lead("e1", f"acme-{token()}.com")[0])
    assert result.status == "created"
    assert sleeps == [2.0, 2.0], "Retry-After 3 s, capped at 2 s"


def test_5xx_and_timeouts_are_transient(hubspot: FakeHubSpot) -> None:
    crm = hubspot_crm(hubspot, timeout_s=0.3)
    hubspot.timeout_s = 0.6
    hubspot.fail(r"/companies/search$", 503)
    with pytest.raises(TransientError, match="503"):
        crm.apply(lead("e1", f"acme-{token()}.com")[0])
    hubspot.fail(r"/companies/search$", "timeout")
    with pytest.raises(TransientError, match="unreachable"):
        crm.apply(lead("e1", f"acme-{token()}.com")[0])


def test_a_validation_error_is_permanent_and_carries_hubspots_message(hubspot: FakeHubSpot) -> None:
    crm = hubspot_crm(hubspot)
    bad = action("create_deal", "e1", name="Acme", amount="fifty thousand", currency="USD")
    with pytest.raises(PermanentError, match="VALIDATION_ERROR: Property values were not valid.*INVALID_FLOAT"):
        crm.apply(bad)


def test_a_timed_out_create_that_happened_is_found_on_the_retry_not_created_twice(hubspot: FakeHubSpot) -> None:
    crm = hubspot_crm(hubspot, timeout_s=0.3)
    hubspot.timeout_s = 0.6
    steps = lead("e1", f"acme-{token()}.com")
    hubspot.fail(r"POST /crm/v3/objects/companies$", "timeout")
    hubspot.fail(r"POST /crm/v3/objects/deals$", "timeout")
    for step in steps:
        for _attempt in range(4):  # what the runtime does
            try:
                crm.apply(step)
                break
            except TransientError:
                continue
    hubspot.fail(r"POST /crm/v3/objects/notes$", "timeout")
    replay = steps[1]  # the same email's contact step again, without a ledger in front
    for _attempt in range(2):
        try:
            crm.apply(replay)
        except TransientError:
            continue
    assert (len(hubspot.all("companies")), len(hubspot.all("contacts")), len(hubspot.all("deals"))) == (1, 1, 1)
    assert len(hubspot.all("notes")) == 1, "one note per email, found again by its marker"


def test_a_failed_association_is_retried_alone(hubspot: FakeHubSpot) -> None:
    """Contact created, association failed: the replay performs only the association."""
    crm = LedgeredCrm(hubspot_crm(hubspot), MemoryLedger())
    steps = lead("e1", f"acme-{token()}.com")
    hubspot.fail(r"PUT /crm/v4/objects/contacts/.*/associations/default/companies/", 500)
    with pytest.raises(TransientError):
        for step in steps:
            crm.apply(step)
    writes_before = hubspot.count("POST", r"/objects/(companies|deals)$") + hubspot.count("POST", "batch/upsert")
    results = [crm.apply(step) for step in steps]  # the runtime's retry of the whole record
    writes_after = hubspot.count("POST", r"/objects/(companies|deals)$") + hubspot.count("POST", "batch/upsert")
    assert writes_after == writes_before, "company, contact and deal were not written again"
    assert crm.ledger.conflicts == 3
    assert results[3].status == "created"
    [contact] = hubspot.all("contacts")
    assert hubspot.associated("contacts", contact["id"], "companies")


def test_the_client_side_budget_never_sends_more_than_the_limit_in_any_10_seconds() -> None:
    clock = [0.0]

    def sleep(seconds: float) -> None:
        clock[0] += seconds

    budget = RequestBudget(5, 10.0, clock=lambda: clock[0], sleep=sleep)
    sent = []
    for _ in range(23):
        budget.acquire()
        sent.append(clock[0])
        clock[0] += 0.1
    assert all(sum(1 for t in sent if start <= t < start + 10 - 1e-9) <= 5 for start in sent)
    assert sent[-1] >= 40, "23 requests at 5 per 10 s take more than 40 s"


@pytest.mark.parametrize(("ours", "refused"), [(9, False), (30, True)])
def test_the_budget_keeps_a_burst_under_hubspots_limit(ours: int, refused: bool) -> None:
    """HubSpot (the fake) allows 10 requests per window (1 s here, 10 s for real); a burst of 12 company creates (24 requests)."""
    fake = FakeHubSpot(budget_per_10s=10, budget_window_s=1.0)
    try:
        crm = CrmWriter(HubSpotCrm(hubspot_client(fake.token, fake.url), RequestBudget(ours, 1.0), timeout_s=2,
                                   retry_after_cap_s=2.0))
        for n in range(12):
            assert crm.apply(action("upsert_company", f"e{n}", domain=f"c{n}-{token()}.com")).status == "created"
        refusals = [f for f in fake.injected if f[0] == "budget"]
        assert bool(refusals) is refused
        assert len(fake.all("companies")) == 12, "a 429 is waited out (Retry-After), not a lost write"
    finally:
        fake.close()
