"""Which CRM failures open the circuit (ADR 0022): the real SDKs against the local fakes.

A CRM that is away — 5xx, 408/423, 429, a timeout, a refused connection — raises ``Unavailable``
naming its circuit, with HubSpot's/Salesforce's ``Retry-After`` when given, and inside crm-sink's
transaction (``in_transaction``) never sleeps. What is wrong with the record or our request (a
400 naming invalid values, a 401) stays a ``CrmRejected``/``PermanentError``: the review queue or
``email.dlq``, never a circuit. Our own budget spent inside a transaction is ``Throttled``.
"""

from __future__ import annotations

import pytest

from tests.support.fake_hubspot import FakeHubSpot
from tests.support.fake_salesforce import FakeSalesforce
from tests.unit.crm.conftest import lead, token
from tests.unit.crm.test_salesforce_backend import salesforce_crm
from triage.platform.errors import CrmRejected, PermanentError, Throttled, Unavailable
from triage_crm.adapters.hubspot.crm import HubSpotCrm, hubspot_client
from triage_crm.limits import RequestBudget
from triage_crm.writer import CrmWriter


def in_transaction(fake: FakeHubSpot, sleeps: list[float], budget: RequestBudget | None = None) -> CrmWriter:
    return CrmWriter(HubSpotCrm(hubspot_client(fake.token, fake.url),
                                budget or RequestBudget(1000, 10.0, max_wait_s=0.5), timeout_s=0.3,
                                retry_after_cap_s=2.0, sleep=sleeps.append, in_transaction=True))


def first_action() -> object:
    return lead("e1", f"acme-{token()}.com")[0]


@pytest.mark.parametrize("status", [500, 502, 503, 504, 408, 423])
def test_hubspot_5xx_408_423_open_the_hubspot_circuit(hubspot: FakeHubSpot, status: int) -> None:
    sleeps: list[float] = []
    hubspot.fail(r"/companies/search$", status)
    with pytest.raises(Unavailable, match=str(status)) as raised:
        in_transaction(hubspot, sleeps).apply(first_action())
    assert raised.value.dependency == "hubspot" and not isinstance(raised.value, Throttled)
    assert sleeps == []


def test_a_hubspot_429_inside_the_transaction_is_not_slept_its_retry_after_goes_to_the_circuit(
        hubspot: FakeHubSpot) -> None:
    sleeps: list[float] = []
    hubspot.fail(r"/companies/search$", 429, retry_after="1.5")
    with pytest.raises(Unavailable, match="429") as raised:
        in_transaction(hubspot, sleeps).apply(first_action())
    assert raised.value.dependency == "hubspot" and raised.value.retry_after_s == 1.5
    assert sleeps == [], "no wait inside the Kafka transaction"


def test_hubspot_timed_out_refused_or_down_answers_open_the_circuit(hubspot: FakeHubSpot) -> None:
    sleeps: list[float] = []
    crm = in_transaction(hubspot, sleeps)
    hubspot.timeout_s = 0.6
    hubspot.fail(r"/companies/search$", "timeout")
    with pytest.raises(Unavailable, match="unreachable"):
        crm.apply(first_action())
    hubspot.go_down("503")
    with pytest.raises(Unavailable, match="503"):
        crm.apply(first_action())
    hubspot.come_back()
    hubspot.go_down("refused")
    try:
        with pytest.raises(Unavailable, match="unreachable") as raised:
            crm.apply(first_action())
        assert raised.value.dependency == "hubspot"
    finally:
        hubspot.come_back()
    assert crm.apply(first_action()).status == "created", "back on the same port"


def test_a_record_hubspot_refuses_or_a_bad_token_never_opens_the_circuit(hubspot: FakeHubSpot) -> None:
    crm = in_transaction(hubspot, [])
    domain = f"acme-{token()}.com"
    hubspot.invalid_emails.add(f"jane@{domain}")
    with pytest.raises(CrmRejected) as rejected:
        crm.apply(lead("e1", domain)[1])
    assert not isinstance(rejected.value, Unavailable)
    hubspot.token = "pat-na1-revoked"
    with pytest.raises(PermanentError, match="401") as refused:
        crm.apply(first_action())
    assert not isinstance(refused.value, Unavailable)


def test_our_budget_spent_inside_a_transaction_is_throttled_with_the_wait_never_slept() -> None:
    now = [0.0]
    sleeps: list[float] = []

    def sleep(seconds: float) -> None:
        sleeps.append(seconds)
        now[0] += seconds

    budget = RequestBudget(2, 10.0, clock=lambda: now[0], sleep=sleep, max_wait_s=0.5)
    budget.acquire()
    now[0] = 1.0
    budget.acquire()
    now[0] = 9.7  # the oldest slot frees at 10.0: 0.3 s, short enough to wait for
    assert budget.acquire() == pytest.approx(0.3)
    with pytest.raises(Throttled) as throttled:
        budget.acquire()  # the next frees at 11.0: 1 s off, past max_wait_s
    assert throttled.value.dependency == "hubspot" and throttled.value.retry_after_s == pytest.approx(1.0)
    assert sleeps == [pytest.approx(0.3)], "never a wait past max_wait_s"


def test_salesforce_away_opens_its_circuit_a_429_inside_the_transaction_is_not_slept(
        salesforce: FakeSalesforce) -> None:
    sleeps: list[float] = []
    crm = salesforce_crm(salesforce, timeout_s=0.3, sleeps=sleeps)
    crm.port.in_transaction = True
    salesforce.timeout_s = 0.6
    for fault, match in ((500, "UNKNOWN_EXCEPTION"), (403, "REQUEST_LIMIT_EXCEEDED"), ("timeout", "unreachable"),
                         (503, "503"), (429, "429")):
        salesforce.fail("/query", fault, retry_after="1")
        with pytest.raises(Unavailable, match=match) as raised:
            crm.apply(lead("e1", f"a-{token()}.com")[0])
        assert raised.value.dependency == "salesforce", fault
    assert sleeps == []


@pytest.fixture
def salesforce():
    fake = FakeSalesforce()
    yield fake
    fake.close()
