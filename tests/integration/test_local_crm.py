"""The local CRM on a fresh PostgreSQL database: idempotent, search before create, one deal per 45 days."""

from __future__ import annotations

import threading
import time
import uuid
from collections.abc import Iterator
from dataclasses import dataclass

import psycopg
import pytest

from tests.support.stack import Stack
from triage.domain.crm_decisions import ActionResult
from triage.domain.models import CrmAction
from triage.platform.db import Database, migrate
from triage_crm.backends import local_crm
from triage_crm.ledger import LedgeredCrm

OBJECT_TYPES = {"upsert_company": "company", "upsert_contact": "contact", "create_deal": "deal",
                "associate_contact": "association"}


@dataclass
class Crm:
    url: str
    crm: LedgeredCrm

    def count(self, query: str, *params: object) -> int:
        with psycopg.connect(self.url) as conn:
            return conn.execute(query, params).fetchone()[0]

    def execute(self, query: str, *params: object) -> None:
        with psycopg.connect(self.url) as conn:
            conn.execute(query, params)


@pytest.fixture
def local(stack: Stack) -> Iterator[Crm]:
    url = stack.new_database()
    migrate(url)
    database = Database(url).connect()
    yield Crm(url, local_crm(database))
    database.close()
    stack.drop_database(url)


def token() -> str:
    return uuid.uuid4().hex[:10]


def action(kind: str, email_id: str, **properties: str) -> CrmAction:
    return CrmAction(action=kind, object_type=OBJECT_TYPES[kind], idempotency_key=f"{email_id}:{kind}",
                     properties={"email_id": email_id, "queue": "sales_inbound", **properties})


def company(email_id: str, domain: str, name: str = "Acme Robotics") -> CrmAction:
    return action("upsert_company", email_id, domain=domain, name=name)


def contact(email_id: str, address: str, domain: str) -> CrmAction:
    return action("upsert_contact", email_id, email=address, name="Jane Doe", company_domain=domain)


def deal(email_id: str, domain: str) -> CrmAction:
    return action("create_deal", email_id, name="Acme — Revenue Radar", company_domain=domain,
                  amount="50000", currency="USD")


# ------------------------------------------------------------------ idempotency


def test_the_same_action_twice_returns_the_same_object_and_writes_one_row(local: Crm) -> None:
    the_action = company(f"e-{token()}", f"acme-{token()}.com")
    first = local.crm.apply(the_action)
    again = local.crm.apply(the_action)
    assert first.status == "created"
    assert again == first, "the recorded result, not a second write ('updated')"
    assert local.count("SELECT count(*) FROM crm_companies") == 1
    assert local.count("SELECT count(*) FROM crm_actions_done WHERE idempotency_key = %s",
                       the_action.idempotency_key) == 1


def test_replaying_an_action_returns_the_same_result_instead_of_writing_again(local: Crm) -> None:
    email_id, domain = f"e-{token()}", f"acme-{token()}.com"
    actions = [company(email_id, domain), contact(email_id, f"jane@{domain}", domain), deal(email_id, domain)]
    first = [local.crm.apply(a) for a in actions]
    replayed = [local.crm.apply(a) for a in actions]
    # The recorded result comes back: "created" again, not "updated"/"unchanged" from a second write.
    assert replayed == first
    assert [r.status for r in first] == ["created", "created", "created"]
    assert all(r.object_id for r in first)
    assert local.count("SELECT count(*) FROM crm_companies") == 1
    assert local.count("SELECT count(*) FROM crm_contacts") == 1
    assert local.count("SELECT count(*) FROM crm_deals") == 1
    assert local.count("SELECT count(*) FROM crm_actions_done WHERE idempotency_key LIKE %s",
                       f"{email_id}:%") == 3


# ------------------------------------------------------------------ search before create


def test_two_contacts_from_one_company_domain_share_one_company(local: Crm) -> None:
    domain = f"acme-{token()}.com"
    first_email, second_email = f"e-{token()}", f"e-{token()}"
    first = local.crm.apply(company(first_email, domain))
    second = local.crm.apply(company(second_email, domain.upper(), name="ACME Robotics Inc."))
    jane = local.crm.apply(contact(first_email, f"jane@{domain}", domain))
    john = local.crm.apply(contact(second_email, f"john@{domain}", domain.upper()))
    assert (first.status, second.status) == ("created", "updated")
    assert second.object_id == first.object_id
    assert local.count("SELECT count(*) FROM crm_companies") == 1
    assert jane.object_id != john.object_id
    assert local.count("SELECT count(DISTINCT company_id) FROM crm_contacts WHERE company_id = %s",
                       int(first.object_id)) == 1
    assert local.count("SELECT count(*) FROM crm_contacts WHERE company_id = %s", int(first.object_id)) == 2


def test_the_same_contact_from_two_emails_is_one_contact(local: Crm) -> None:
    domain = f"acme-{token()}.com"
    first = local.crm.apply(contact(f"e-{token()}", f"Jane@{domain}", domain))
    second = local.crm.apply(contact(f"e-{token()}", f"jane@{domain}", domain))
    assert (first.status, second.status) == ("created", "updated")
    assert first.object_id == second.object_id
    assert local.count("SELECT count(*) FROM crm_contacts") == 1


# ------------------------------------------------------------------ one open deal per 45 days


def test_a_second_deal_for_the_same_company_within_45_days_points_to_the_first(local: Crm) -> None:
    domain = f"acme-{token()}.com"
    local.crm.apply(company(f"e-{token()}", domain))
    first = local.crm.apply(deal(f"e-{token()}", domain))
    second = local.crm.apply(deal(f"e-{token()}", domain))
    assert first.status == "created"
    assert second == ActionResult("deal", first.object_id, "unchanged", second.summary)
    assert local.count("SELECT count(*) FROM crm_deals") == 1


@pytest.mark.parametrize(("age_days", "expected"), [(44, "unchanged"), (46, "created")])
def test_an_open_deal_blocks_a_new_one_only_for_45_days(local: Crm, age_days: int, expected: str) -> None:
    domain = f"acme-{token()}.com"
    local.crm.apply(company(f"e-{token()}", domain))
    first = local.crm.apply(deal(f"e-{token()}", domain))
    local.execute("UPDATE crm_deals SET created_at = now() - make_interval(days => %s) WHERE id = %s",
                  age_days, int(first.object_id))
    later = local.crm.apply(deal(f"e-{token()}", domain))
    assert later.status == expected
    if expected == "created":
        assert later.object_id != first.object_id
        assert local.count("SELECT count(*) FROM crm_deals") == 2
    else:
        assert later.object_id == first.object_id
        assert local.count("SELECT count(*) FROM crm_deals") == 1


def test_deals_of_different_companies_do_not_block_each_other(local: Crm) -> None:
    one, other = f"one-{token()}.com", f"other-{token()}.com"
    for domain in (one, other):
        local.crm.apply(company(f"e-{token()}", domain))
    first = local.crm.apply(deal(f"e-{token()}", one))
    second = local.crm.apply(deal(f"e-{token()}", other))
    assert (first.status, second.status) == ("created", "created")
    assert first.object_id != second.object_id


# ------------------------------------------------------------------ concurrency


def waiting_on_locks(url: str, expected: int, timeout_s: float = 10) -> None:
    """Wait until ``expected`` sessions of this database are blocked on a lock."""
    database = url.rsplit("/", 1)[1]
    deadline = time.monotonic() + timeout_s
    with psycopg.connect(url, autocommit=True) as conn:
        while time.monotonic() < deadline:
            waiting = conn.execute(
                "SELECT count(*) FROM pg_stat_activity WHERE datname = %s AND wait_event_type = 'Lock'",
                (database,),
            ).fetchone()[0]
            if waiting >= expected:
                return
            time.sleep(0.02)
    raise AssertionError(f"{expected} sessions never reached the lock")


def apply_concurrently(url: str, actions: list[CrmAction], hold_table: str) -> list[ActionResult | BaseException]:
    """Apply each action from its own LocalCrm (own pool, own connection), at the same moment.

    A third session holds ``hold_table`` in SHARE mode: reads go through, writes wait. Both
    actions therefore search, find nothing and reach their INSERT before either can commit,
    which is exactly the interleaving two crm-sink instances hit in production.
    """
    outcomes: list[ActionResult | BaseException | None] = [None] * len(actions)
    databases = [Database(url).connect() for _ in actions]

    def run(index: int) -> None:
        try:
            outcomes[index] = local_crm(databases[index]).apply(actions[index])
        except BaseException as exc:  # reported by the assertion, not lost in the thread
            outcomes[index] = exc

    with psycopg.connect(url) as holder:
        holder.execute(f"LOCK TABLE {hold_table} IN SHARE MODE")
        threads = [threading.Thread(target=run, args=(i,)) for i in range(len(actions))]
        for thread in threads:
            thread.start()
        waiting_on_locks(url, len(actions))
        holder.commit()
    for thread in threads:
        thread.join(30)
    for database in databases:
        database.close()
    return outcomes  # type: ignore[return-value]


def test_concurrent_upserts_of_one_company_domain_end_with_one_company(local: Crm) -> None:
    domain = f"acme-{token()}.com"
    outcomes = apply_concurrently(local.url, [company(f"e-{token()}", domain),
                                              company(f"e-{token()}", domain)], "crm_companies")
    failures = [o for o in outcomes if isinstance(o, BaseException)]
    assert not failures, f"a concurrent upsert failed instead of finding the company: {failures!r}"
    assert local.count("SELECT count(*) FROM crm_companies") == 1
    assert outcomes[0].object_id == outcomes[1].object_id
    assert sorted(o.status for o in outcomes) == ["created", "updated"]


def test_concurrent_deals_for_one_company_create_only_one(local: Crm) -> None:
    domain = f"acme-{token()}.com"
    local.crm.apply(company(f"e-{token()}", domain))
    outcomes = apply_concurrently(local.url, [deal(f"e-{token()}", domain), deal(f"e-{token()}", domain)],
                                  "crm_deals")
    failures = [o for o in outcomes if isinstance(o, BaseException)]
    assert not failures, f"a concurrent create_deal failed: {failures!r}"
    assert local.count("SELECT count(*) FROM crm_deals") == 1, "two open deals for one company"
    assert sorted(o.status for o in outcomes) == ["created", "unchanged"]


def test_the_same_action_applied_concurrently_is_performed_once(local: Crm) -> None:
    """A rebalance can hand a batch to a new instance while the old one still writes it."""
    domain = f"acme-{token()}.com"
    the_action = contact(f"e-{token()}", f"jane@{domain}", domain)
    outcomes = apply_concurrently(local.url, [the_action, the_action], "crm_contacts")
    failures = [o for o in outcomes if isinstance(o, BaseException)]
    assert not failures, f"a replayed action failed instead of returning the recorded result: {failures!r}"
    assert outcomes[0] == outcomes[1]
    assert local.count("SELECT count(*) FROM crm_contacts") == 1
    assert local.count("SELECT count(*) FROM crm_actions_done") == 1


# ------------------------------------------------------------------ associations

def associate(email_id: str, address: str, domain: str) -> CrmAction:
    return action("associate_contact", email_id, contact_email=address, company_domain=domain)


def test_a_second_contact_of_a_company_joins_its_open_deal(local: Crm) -> None:
    domain = f"acme-{token()}.com"
    first, second = f"jane@{domain}", f"omar@{domain}"
    for step in (company("e1", domain), contact("e1", first, domain), deal("e1", domain),
                 associate("e1", first, domain)):
        local.crm.apply(step)
    # A colleague writes in later: the company's open deal already exists, no new deal.
    local.crm.apply(contact("e2", second, domain))
    assert local.crm.apply(deal("e2", domain)).status == "unchanged"
    linked = local.crm.apply(associate("e2", second, domain))

    assert linked.status == "created"
    assert local.count("SELECT count(*) FROM crm_deals") == 1
    assert local.count(
        "SELECT count(*) FROM crm_deal_contacts dc JOIN crm_contacts c ON c.id = dc.contact_id "
        "WHERE c.email = ANY(%s)", [first, second]) == 2
    again = local.crm.apply(associate("e3", second, domain))  # a new email of the same person
    assert again.status == "unchanged"
    assert local.count("SELECT count(*) FROM crm_deal_contacts") == 2


def test_association_without_an_open_deal_only_links_the_company(local: Crm) -> None:
    domain = f"initech-{token()}.com"
    local.crm.apply(company("e1", domain))
    local.crm.apply(contact("e1", f"bill@{domain}", domain))
    result = local.crm.apply(associate("e1", f"bill@{domain}", domain))
    assert (result.status, result.object_id.startswith("contact:")) == ("updated", True)
    assert local.count("SELECT count(*) FROM crm_deal_contacts") == 0


# ------------------------------------------------------------------ a Kafka batch in one transaction


def statements() -> float:
    from triage.platform.metrics import DB_STATEMENTS

    return DB_STATEMENTS._value.get()


def test_a_batch_prefetched_in_one_transaction_gives_what_each_action_alone_gives(local: Crm) -> None:
    domain, other = f"acme-{token()}.com", f"globex-{token()}.com"
    batch = [company("e1", domain), contact("e1", f"jane@{domain}", domain), deal("e1", domain),
             associate("e1", f"jane@{domain}", domain),
             company("e2", domain), contact("e2", f"omar@{domain}", domain), deal("e2", domain),
             company("e3", other)]
    local.crm.prefetch(batch)
    assert local.count("SELECT count(*) FROM crm_actions_done") == len(batch), "committed before apply"
    before = statements()
    results = [local.crm.apply(a) for a in batch]
    assert statements() == before, "apply returns the batch's results without a round trip"
    assert [r.status for r in results] == ["created", "created", "created", "created",
                                           "updated", "created", "unchanged", "created"]
    assert results[6].object_id == results[2].object_id, "the 45-day rule holds inside one batch"
    assert local.count("SELECT count(*) FROM crm_deals") == 1
    assert local.count("SELECT count(*) FROM crm_companies") == 2


def runs() -> float:
    from triage.platform.metrics import DB_RUNS

    return DB_RUNS._value.get()


def test_a_batch_is_one_database_run_and_an_action_alone_one_run(local: Crm) -> None:
    """triage_db_runs_total counts transactions (bench: db_transactions), not the statements inside."""
    domain = f"acme-{token()}.com"
    batch = [company("e1", domain), contact("e1", f"jane@{domain}", domain), deal("e1", domain)]
    before, statements_before = runs(), statements()
    local.crm.prefetch(batch)
    assert runs() - before == 1 and statements() - statements_before > 3
    before = runs()
    local.crm.apply(deal("e2", domain))
    assert runs() - before == 1


def test_a_prefetched_batch_replayed_returns_the_recorded_results(local: Crm) -> None:
    domain = f"acme-{token()}.com"
    batch = [company("e1", domain), contact("e1", f"jane@{domain}", domain), deal("e1", domain)]
    local.crm.prefetch(batch)
    first = [local.crm.apply(a) for a in batch]
    local.crm.prefetch(batch)  # the batch consumed again after its Kafka transaction aborted
    assert [local.crm.apply(a) for a in batch] == first
    assert local.count("SELECT count(*) FROM crm_deals") == 1
    assert local.count("SELECT count(*) FROM crm_actions_done") == 3


def test_one_refused_action_rolls_the_batch_back_and_each_action_runs_alone(local: Crm) -> None:
    domain = f"acme-{token()}.com"
    bad = action("create_deal", "e2", name="x", company_domain=domain, amount="not a number", currency="USD")
    good = [company("e1", domain), contact("e1", f"jane@{domain}", domain)]
    local.crm.prefetch([*good, bad])
    assert local.count("SELECT count(*) FROM crm_companies") == 0, "nothing of the failed batch stays"
    assert [local.crm.apply(a).status for a in good] == ["created", "created"]
    with pytest.raises(ValueError):
        local.crm.apply(bad)  # alone, as before: the runtime dead-letters its record
    assert local.count("SELECT count(*) FROM crm_actions_done") == 2


def test_without_the_batch_transaction_prefetch_writes_nothing(stack: Stack) -> None:
    url = stack.new_database()
    migrate(url)
    database = Database(url).connect()
    try:
        crm = local_crm(database, batch_transaction=False)
        crm.prefetch([company("e1", f"acme-{token()}.com")])
        with psycopg.connect(url) as conn:
            assert conn.execute("SELECT count(*) FROM crm_actions_done").fetchone()[0] == 0
    finally:
        database.close()
        stack.drop_database(url)
