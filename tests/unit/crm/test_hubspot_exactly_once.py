"""Exactly once on HubSpot while its search index lags: the unique key property and consistent reads."""

from __future__ import annotations

import json
from collections import Counter

import pytest
from hubspot.crm.companies import ApiException

from tests.support.fake_hubspot import FakeHubSpot
from tests.unit.crm.conftest import hubspot_crm, lead, token
from triage_crm.adapters.hubspot.crm import HubSpotCrm, hubspot_client
from triage_crm.adapters.hubspot.schema import KEY_PROPERTY, HubSpotSetupError
from triage_crm.limits import RequestBudget

LAG_S = 30.0  # longer than the test: search finds nothing written during it


@pytest.fixture
def lagging() -> FakeHubSpot:
    fake = FakeHubSpot(search_lag_s=LAG_S)
    yield fake
    fake.close()


def crashed_before_the_ledger(fake: FakeHubSpot, email_id: str, domain: str) -> None:
    """A process wrote every action of a lead to HubSpot and died before any ledger row committed."""
    crm = hubspot_crm(fake)
    for step in lead(email_id, domain):
        crm.apply(step)


def test_a_restart_inside_the_search_lag_duplicates_no_company_deal_or_note(lagging: FakeHubSpot) -> None:
    domain = f"acme-{token()}.com"
    crashed_before_the_ledger(lagging, "e1", domain)
    restarted = hubspot_crm(lagging)  # no caches; the replay and another email of the company
    results = [restarted.apply(step) for step in lead("e2", domain, person="omar") + lead("e1", domain)]
    assert (len(lagging.all("companies")), len(lagging.all("deals"))) == (1, 1)
    assert len(lagging.all("contacts")) == 2
    notes = Counter(n["properties"]["hs_note_body"].rsplit("Ref: ", 1)[-1] for n in lagging.all("notes"))
    assert notes == {"triage-e1": 1, "triage-e2": 1}, "one note per email"
    assert [r.status for r in results[4:7]] == ["updated", "updated", "created"], "e1's deal found by its key"
    [deal] = lagging.all("deals")
    assert results[2].object_id == results[6].object_id == deal["id"]
    assert deal["properties"][KEY_PROPERTY] == "e1:create_deal"
    assert lagging.all("companies")[0]["properties"][KEY_PROPERTY] == f"company:{domain}"
    assert lagging.associated("deals", deal["id"], "contacts") == {c["id"] for c in lagging.all("contacts")}


def test_inside_the_lag_search_misses_the_crashed_write_and_a_read_by_the_key_finds_it(lagging: FakeHubSpot) -> None:
    """Why the key: search alone cannot see what the crashed process wrote (the code has no key-less mode)."""
    domain = f"acme-{token()}.com"
    crashed_before_the_ledger(lagging, "e1", domain)
    found = lagging._route("POST", "/crm/v3/objects/companies/search", {}, {"filterGroups": [
        {"filters": [{"propertyName": "domain", "operator": "EQ", "value": domain}]}]})[1]
    assert found["total"] == 0, "the search index has not seen the company yet"
    by_key = lagging._route("GET", f"/crm/v3/objects/companies/company:{domain}", {"idProperty": KEY_PROPERTY}, {})
    assert by_key[0] == 200, "a read by the unique property sees it at once"


def test_a_second_object_with_a_unique_value_is_refused_with_hubspots_validation_error(hubspot: FakeHubSpot) -> None:
    hubspot_crm(hubspot).port.ensure_key_property()
    client = hubspot_client(hubspot.token, hubspot.url)
    body = {"properties": {"name": "Acme", KEY_PROPERTY: "company:acme.com"}}
    client.crm.companies.basic_api.create(simple_public_object_input_for_create=body)
    with pytest.raises(ApiException) as refused:
        client.crm.companies.basic_api.create(simple_public_object_input_for_create=body)
    answer = json.loads(refused.value.body)
    assert (refused.value.status, answer["category"]) == (400, "VALIDATION_ERROR")
    assert "company:acme.com already has that value" in answer["message"]
    assert len(hubspot.all("companies")) == 1


def test_the_key_property_is_created_once_unique_and_found_on_the_next_start(hubspot: FakeHubSpot) -> None:
    hubspot_crm(hubspot).port.ensure_key_property()
    hubspot_crm(hubspot).port.ensure_key_property()
    assert hubspot.count("POST", "/crm/v3/properties/") == 2, "companies and deals, once each"
    for object_type in ("companies", "deals"):
        definition = hubspot.properties[object_type][KEY_PROPERTY]
        assert (definition["hasUniqueValue"], definition["type"], definition["fieldType"]) == (True, "string", "text")


def test_a_token_without_the_schema_scope_stops_the_process_naming_it() -> None:
    fake = FakeHubSpot(scopes=frozenset({"crm.schemas.companies.read", "crm.schemas.deals.read"}))
    try:
        crm = hubspot_crm(fake)
        with pytest.raises(HubSpotSetupError, match=r"crm\.schemas\.companies\.write.*triage_idempotency_key"):
            crm.apply(lead("e1", f"acme-{token()}.com")[0])
        assert fake.all("companies") == [], "nothing written without the key"
    finally:
        fake.close()


def test_check_only_mode_stops_on_a_missing_property_and_accepts_one_made_by_hand(hubspot: FakeHubSpot) -> None:
    def check_only() -> HubSpotCrm:
        return HubSpotCrm(hubspot_client(hubspot.token, hubspot.url), RequestBudget(100, 10.0),
                          create_properties=False)

    with pytest.raises(HubSpotSetupError, match="has no companies property triage_idempotency_key"):
        check_only().ensure_key_property()
    hubspot_crm(hubspot).port.ensure_key_property()  # e.g. an admin made it
    check_only().ensure_key_property()


def test_a_key_property_that_is_not_unique_stops_the_process(hubspot: FakeHubSpot) -> None:
    client = hubspot_client(hubspot.token, hubspot.url)
    client.crm.properties.core_api.create("companies", property_create={
        "name": KEY_PROPERTY, "label": "x", "type": "string", "fieldType": "text", "groupName": "companyinformation"})
    with pytest.raises(HubSpotSetupError, match="not unique"):
        hubspot_crm(hubspot).port.ensure_key_property()


def test_a_company_made_by_a_person_is_found_by_search_and_claimed(hubspot: FakeHubSpot) -> None:
    domain = f"acme-{token()}.com"
    existing = hubspot.seed_object("companies", {"domain": domain})
    result = hubspot_crm(hubspot).apply(lead("e1", domain)[0])
    assert (result.object_id, result.status) == (existing, "updated")
    [company] = hubspot.all("companies")
    assert company["properties"][KEY_PROPERTY] == f"company:{domain}"
    assert company["properties"]["name"] == "Acme Robotics", "a name only where there was none"
    hubspot.search_lag_s = LAG_S
    assert hubspot_crm(hubspot).apply(lead("e2", domain)[0]).object_id == existing
    assert len(hubspot.all("companies")) == 1
