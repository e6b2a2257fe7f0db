"""The email list's query against a real PostgreSQL: keyset pages with tied receipt times, a
search for a rare sender after the statement is cached, and the plan setting that keeps it fast
(bench/admin_list.py measures the speed; nothing here times anything)."""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, datetime

from triage.domain.bands import ConfidenceBands
from triage.platform.db import Database
from triage_crm_sink.admin_list import EmailFilter
from triage_crm_sink.admin_store import AdminStore, fetch_page_rows

SAME_MOMENT = datetime(2026, 3, 1, 9, 0, tzinfo=UTC)


def seed(db: Database, count: int) -> None:
    async def go() -> None:
        async with db.pool.acquire() as conn:
            await conn.executemany(
                "INSERT INTO emails (email_id, thread_id, mailbox, received_at, subject, from_email) "
                "VALUES ($1, $1, 'sales@lumora.io', $2, $3, $4)",
                [(f"tie-{n:03d}", SAME_MOMENT, f"Same minute {n}", f"person{n}@tied.example") for n in range(count)])
    db.run(go())


def every_page(store: AdminStore, chosen: EmailFilter) -> list[list[str]]:
    pages, page = [], store.email_page(chosen, ConfidenceBands())
    pages.append([r["email_id"] for r in page.rows])
    while page.older is not None:
        page = store.email_page(replace(chosen, cursor=page.older), ConfidenceBands())
        pages.append([r["email_id"] for r in page.rows])
    return pages


def test_keyset_pages_through_emails_received_at_the_same_moment_each_once(database: Database) -> None:
    seed(database, 60)
    store = AdminStore(database)
    pages = every_page(store, EmailFilter(size=25))
    assert [len(p) for p in pages] == [25, 25, 10]
    assert sum(pages, []) == [f"tie-{n:03d}" for n in reversed(range(60))], "ties broken by email id, none lost"
    oldest = every_page(store, EmailFilter(size=25, sort="oldest"))
    assert sum(oldest, []) == [f"tie-{n:03d}" for n in range(60)]


def test_a_rare_search_finds_its_email_every_time_the_cached_statement_runs(database: Database) -> None:
    seed(database, 60)
    store = AdminStore(database)
    for _ in range(8):  # past the five runs after which PostgreSQL may pick a generic plan
        assert [r["email_id"] for r in store.email_page(EmailFilter(q="PERSON42@"), ConfidenceBands()).rows] == [
            "tie-042"]


def test_the_list_query_is_planned_for_its_values_and_the_setting_stays_inside_it(database: Database) -> None:
    async def go() -> tuple[str, str]:
        async with database.pool.acquire() as conn:
            inside = await fetch_page_rows(conn, "SELECT current_setting('plan_cache_mode') AS mode", [])
            after = await conn.fetchval("SELECT current_setting('plan_cache_mode')")
            return inside[0]["mode"], after
    assert database.run(go()) == ("force_custom_plan", "auto"), "SET LOCAL: only the list's transaction"
