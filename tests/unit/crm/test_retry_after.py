"""HubSpot's and Salesforce's 429/503 through limits.waiting_out (tenacity) and retrying.parse_retry_after.

Through the real SDKs against the fakes: a Retry-After as an HTTP date is honoured (capped), one
that cannot be read falls back to 1 s then 2 s, a CRM that keeps refusing gets 3 requests and 2
waits, then ``Unavailable`` with its last Retry-After; inside a transaction never a wait (ADR 0022).
"""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from email.utils import format_datetime

import pytest

from tests.support.fake_hubspot import FakeHubSpot
from tests.support.fake_salesforce import FakeSalesforce
from tests.unit.crm.conftest import hubspot_crm, lead, token
from tests.unit.crm.test_salesforce_backend import salesforce_crm
from triage.platform.errors import Unavailable

CREATE = r"POST /crm/v3/objects/companies$"


def http_date(seconds_from_now: float) -> str:
    return format_datetime(datetime.now(UTC) + timedelta(seconds=seconds_from_now), usegmt=True)


@pytest.fixture
def salesforce() -> Iterator[FakeSalesforce]:
    fake = FakeSalesforce()
    yield fake
    fake.close()


def test_a_hubspot_retry_after_http_date_is_waited_capped(hubspot: FakeHubSpot) -> None:
    sleeps: list[float] = []
    hubspot.fail(CREATE, 429, retry_after=http_date(60))
    assert hubspot_crm(hubspot, sleeps=sleeps).apply(lead("e1", f"acme-{token()}.com")[0]).status == "created"
    assert sleeps == [2.0], "a minute off, capped at 2 s (an unread date would be the 1 s fallback)"


def test_a_hubspot_retry_after_http_date_inside_the_transaction_goes_to_the_circuit(hubspot: FakeHubSpot) -> None:
    sleeps: list[float] = []
    crm = hubspot_crm(hubspot, sleeps=sleeps)
    crm.port.in_transaction = True
    hubspot.fail(CREATE, 429, retry_after=http_date(60))
    with pytest.raises(Unavailable, match="HubSpot 429") as raised:
        crm.apply(lead("e1", f"acme-{token()}.com")[0])
    assert raised.value.dependency == "hubspot" and raised.value.retry_after_s == 2.0
    assert sleeps == []


def test_an_unreadable_retry_after_falls_back_to_1_then_2_seconds(hubspot: FakeHubSpot) -> None:
    sleeps: list[float] = []
    hubspot.fail(CREATE, 429, times=2, retry_after="soon")
    assert hubspot_crm(hubspot, sleeps=sleeps).apply(lead("e1", f"acme-{token()}.com")[0]).status == "created"
    assert sleeps == [1.0, 2.0]
    crm = hubspot_crm(hubspot, sleeps=sleeps)
    crm.port.in_transaction = True
    hubspot.fail(CREATE, 429, retry_after="soon")
    with pytest.raises(Unavailable, match="HubSpot 429") as raised:
        crm.apply(lead("e2", f"acme-{token()}.com")[0])
    assert raised.value.retry_after_s is None, "none given: the circuit's own backoff applies"
    assert sleeps == [1.0, 2.0]


def test_hubspot_refusing_three_times_is_unavailable_after_two_waits(hubspot: FakeHubSpot) -> None:
    sleeps: list[float] = []
    hubspot.fail(CREATE, 429, times=5, retry_after="1.5")
    with pytest.raises(Unavailable, match="3 times in a row") as raised:
        hubspot_crm(hubspot, sleeps=sleeps).apply(lead("e1", f"acme-{token()}.com")[0])
    assert [kind for _, path, kind in hubspot.injected if path.endswith("/objects/companies")] == [429] * 3
    assert sleeps == [1.5, 1.5], "no wait after the last request"
    assert raised.value.dependency == "hubspot" and raised.value.retry_after_s == 1.5


def test_a_salesforce_retry_after_http_date_is_waited_capped_and_a_past_one_is_no_wait(
        salesforce: FakeSalesforce) -> None:
    sleeps: list[float] = []
    crm = salesforce_crm(salesforce, sleeps=sleeps)
    salesforce.fail("/query", 429, retry_after=http_date(60))
    assert crm.apply(lead("e1", f"a-{token()}.com")[0]).status == "created"
    salesforce.fail("/query", 503, retry_after=http_date(-60))
    assert crm.apply(lead("e2", f"b-{token()}.com")[0]).status == "created"
    assert sleeps == [2.0, 0.0]


def test_a_salesforce_retry_after_http_date_inside_the_transaction_goes_to_the_circuit(
        salesforce: FakeSalesforce) -> None:
    sleeps: list[float] = []
    crm = salesforce_crm(salesforce, sleeps=sleeps)
    crm.port.in_transaction = True
    salesforce.fail("/query", 503, retry_after=http_date(60))
    with pytest.raises(Unavailable, match="Salesforce 503") as raised:
        crm.apply(lead("e1", f"a-{token()}.com")[0])
    assert raised.value.dependency == "salesforce" and raised.value.retry_after_s == 2.0
    assert sleeps == []
