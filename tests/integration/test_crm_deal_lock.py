"""The 45-day deal rule across crm-sink instances: two writers, two emails of one company, one deal.

Two adapters (two "instances": each its own database pool, ledger and CRM
client) handle ``create_deal`` for two different emails of one company at the
same moment, against one fake CRM and a real PostgreSQL ledger database. The
fake holds back the answer of the fresh open-deal read until both writers have
made it (a barrier with a little patience), so without the deal lock both read
"no open deal" and both create; with it the second writer cannot read before
the first has created, and finds that deal.
"""

from __future__ import annotations

import contextlib
import threading
import time
import uuid
from collections.abc import Callable, Iterator

import pytest

from tests.support.fake_hubspot import FakeHubSpot
from tests.support.fake_salesforce import FakeSalesforce
from tests.support.stack import Stack
from triage.domain.crm_decisions import ActionResult
from triage.domain.models import CrmAction
from triage.platform.db import Database, migrate
from triage.platform.errors import TransientError
from triage_crm.adapters.hubspot.crm import HubSpotCrm, hubspot_client
from triage_crm.adapters.salesforce.crm import SalesforceCrm, TimedSession, salesforce_client
from triage_crm.deal_lock import UNLOCKED, DealLock
from triage_crm.ledger import Ledger, LedgeredCrm
from triage_crm.limits import RequestBudget
from triage_crm.writer import crm_writer

PATIENCE_S = 2.0  # how long a writer's open-deal read waits for the other writer's


@pytest.fixture
def url(stack: Stack) -> Iterator[str]:
    database_url = stack.new_database()
    migrate(database_url)
    yield database_url
    stack.drop_database(database_url)


@pytest.fixture
def databases(url: str) -> Iterator[list[Database]]:
    opened = [Database(url).connect() for _ in range(2)]  # one pool per instance, as in production
    yield opened
    for database in opened:
        database.close()


class BothReadFirst:
    """The fake's ``on_answer`` hook: the open-deal read is answered only once both writers have read.

    When the other writer cannot read (it waits for the deal lock), the barrier breaks after
    ``PATIENCE_S`` and every later read passes at once.
    """

    def __init__(self, is_open_deal_read: Callable[..., bool]) -> None:
        self.is_open_deal_read = is_open_deal_read
        self.barrier = threading.Barrier(2, timeout=PATIENCE_S)
        self.reads = 0

    def __call__(self, *request: str) -> None:
        if not self.is_open_deal_read(*request):
            return
        self.reads += 1
        with contextlib.suppress(threading.BrokenBarrierError):  # the other writer waits for the lock
            self.barrier.wait()


def action(kind: str, object_type: str, email_id: str, **properties: str) -> CrmAction:
    return CrmAction(action=kind, object_type=object_type, idempotency_key=f"{email_id}:{kind}",
                     properties={"email_id": email_id, "queue": "sales_inbound", **properties})


def company(email_id: str, domain: str) -> CrmAction:
    return action("upsert_company", "company", email_id, domain=domain, name="Acme Robotics")


def deal(email_id: str, domain: str, person: str) -> CrmAction:
    return action("create_deal", "deal", email_id, name="Acme Robotics — Revenue Radar", amount="50000",
                  currency="USD", company_domain=domain, company_name="Acme Robotics",
                  contact_email=f"{person}@{domain}")


def race(writers: list[LedgeredCrm], domain: str) -> list[ActionResult]:
    """Each writer handles one email of the company: its company upsert, then (concurrently) its deal."""
    emails = [f"e-{uuid.uuid4().hex[:8]}" for _ in writers]
    for writer, email_id in zip(writers, emails, strict=True):
        writer.apply(company(email_id, domain))
    results: list[ActionResult] = []
    errors: list[BaseException] = []

    def write(writer: LedgeredCrm, email_id: str, person: str) -> None:
        try:
            results.append(writer.apply(deal(email_id, domain, person)))
        except BaseException as exc:  # noqa: BLE001 - reported by the test
            errors.append(exc)

    threads = [threading.Thread(target=write, args=(w, e, p))
               for w, e, p in zip(writers, emails, ["jane", "john"], strict=True)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(30)
    assert not errors, errors
    return results


# -- HubSpot ---------------------------------------------------------------------------------
@pytest.fixture
def hubspot() -> Iterator[FakeHubSpot]:
    fake = FakeHubSpot()
    yield fake
    fake.close()


def assert_race_outcome(results: list, deal_ids: list[str], locked: bool) -> None:
    if not locked:  # the race the lock closes: both read "no open deal", both create
        assert len(deal_ids) == 2 and [r.status for r in results] == ["created", "created"]
        return
    assert len(deal_ids) == 1
    assert sorted(r.status for r in results) == ["created", "unchanged"]
    assert {r.object_id for r in results} == set(deal_ids)


def hubspot_writers(fake: FakeHubSpot, databases: list[Database], locked: bool) -> list[LedgeredCrm]:
    return [crm_writer(HubSpotCrm(hubspot_client(fake.token, fake.url), RequestBudget(1000, 10.0), timeout_s=5.0),
                       Ledger(d, "hubspot"), DealLock(d, "hubspot") if locked else UNLOCKED)
            for d in databases]


def hubspot_open_deal_read(method: str, path: str) -> bool:
    return method == "POST" and path == "/crm/v4/associations/companies/deals/batch/read"


@pytest.mark.parametrize("locked", [True, False], ids=["with-lock", "without-lock"])
def test_hubspot_two_instances_two_emails_of_one_company_make_one_deal(
        hubspot: FakeHubSpot, databases: list[Database], locked: bool) -> None:
    writers = hubspot_writers(hubspot, databases, locked)
    domain = f"acme-{uuid.uuid4().hex[:6]}.com"
    hubspot.on_answer = hold = BothReadFirst(hubspot_open_deal_read)
    results = race(writers, domain)
    deals = hubspot.all("deals")
    print(f"HubSpot, {'with' if locked else 'without'} the deal lock: {len(deals)} deal(s), "
          f"{sorted(r.status for r in results)}")
    assert hold.reads == 2  # both writers read the company's deals right before deciding
    assert_race_outcome(results, [d["id"] for d in deals], locked)


# -- Salesforce ------------------------------------------------------------------------------
@pytest.fixture
def salesforce() -> Iterator[FakeSalesforce]:
    fake = FakeSalesforce()
    yield fake
    fake.close()


def salesforce_writers(fake: FakeSalesforce, databases: list[Database], locked: bool) -> list[LedgeredCrm]:
    writers = []
    for database in databases:
        session = TimedSession(5.0)
        session.trust_env = False  # REQUESTS_CA_BUNDLE would override verify
        session.verify = fake.ca_file
        client = salesforce_client(instance_url=fake.instance_url, access_token=fake.token, username=None,
                                   password=None, security_token=None, domain="login", version=fake.version,
                                   session=session)
        writers.append(crm_writer(SalesforceCrm(client), Ledger(database, "salesforce"),
                                  DealLock(database, "salesforce") if locked else UNLOCKED))
    return writers


def salesforce_open_deal_read(method: str, path: str, soql: str) -> bool:
    return method == "GET" and "FROM Opportunity WHERE AccountId =" in soql


@pytest.mark.parametrize("locked", [True, False], ids=["with-lock", "without-lock"])
def test_salesforce_two_instances_two_emails_of_one_account_make_one_opportunity(
        salesforce: FakeSalesforce, databases: list[Database], locked: bool) -> None:
    writers = salesforce_writers(salesforce, databases, locked)
    domain = f"acme-{uuid.uuid4().hex[:6]}.com"
    salesforce.on_answer = hold = BothReadFirst(salesforce_open_deal_read)
    results = race(writers, domain)
    opportunities = salesforce.all("Opportunity")
    print(f"Salesforce, {'with' if locked else 'without'} the deal lock: {len(opportunities)} opportunity(ies), "
          f"{sorted(r.status for r in results)}")
    assert hold.reads == 2
    assert_race_outcome(results, [o["Id"] for o in opportunities], locked)


# -- the lock itself -------------------------------------------------------------------------
def test_a_lock_wait_is_bounded_and_transient_and_the_lock_is_released(databases: list[Database]) -> None:
    holder, waiter = DealLock(databases[0], "hubspot"), DealLock(databases[1], "hubspot", wait_s=0.3)
    with holder.held("companies:42"):
        started = time.monotonic()
        with pytest.raises(TransientError, match="companies:42"), waiter.held("companies:42"):
            pass
        assert 0.25 <= time.monotonic() - started < 2.0
        with waiter.held("companies:43"):  # another owner is not held up
            pass
    with waiter.held("companies:42"):  # released when the holder's block ended
        pass


def test_the_lock_is_released_when_the_block_fails(databases: list[Database]) -> None:
    first, second = DealLock(databases[0], "salesforce"), DealLock(databases[1], "salesforce", wait_s=0.3)
    with pytest.raises(TransientError, match="HubSpot 503"), first.held("Account:001A"):
        raise TransientError("HubSpot 503")
    with second.held("Account:001A"):
        pass
