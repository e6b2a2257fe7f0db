"""The email list's query against a real PostgreSQL: keyset pages with tied receipt times, a
search for a rare sender after the statement is cached, and the plan setting that keeps it fast
(bench/admin_list.py measures the speed; nothing here times anything), and each filter against
rows that differ in one thing at a time."""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, datetime

import pytest

from triage.domain.bands import ConfidenceBands
from triage.platform.db import Connection, Database
from triage_admin.email_list import EmailFilter, parse_filter
from triage_admin.store import AdminStore, fetch_page_rows

SAME_MOMENT = datetime(2026, 3, 1, 9, 0, tzinfo=UTC)


def seed(db: Database, count: int) -> None:
    def go(conn: Connection) -> None:
        conn.executemany(
            "INSERT INTO emails (email_id, thread_id, mailbox, received_at, subject, from_email) "
            "VALUES ($1, $1, 'sales@lumora.io', $2, $3, $4)",
            [(f"tie-{n:03d}", SAME_MOMENT, f"Same minute {n}", f"person{n}@tied.example") for n in range(count)])
    db.run(go)


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
    def go(conn: Connection) -> tuple[str, str]:
        inside = fetch_page_rows(conn, "SELECT current_setting('plan_cache_mode') AS mode", [])
        after = conn.fetchval("SELECT current_setting('plan_cache_mode')")
        return inside[0]["mode"], after
    assert database.run(go) == ("force_custom_plan", "auto"), "SET LOCAL: only the list's transaction"


#: email id -> (mailbox, received_at, queue, intent, confidence, review item (band, status) or None, CRM statuses)
MIXED = {
    "m-lead": ("sales@lumora.io", datetime(2026, 3, 2, 23, 59, tzinfo=UTC), "sales_inbound", "lead", 0.95, None,
               ["created"]),
    "m-held": ("sales@lumora.io", datetime(2026, 3, 2, 8, 0, tzinfo=UTC), "support_escalated", "support", 0.9,
               ("auto_write", "open"), ["awaiting_approval"]),
    "m-suggest": ("info@lumora.io", datetime(2026, 3, 3, 0, 0, tzinfo=UTC), "sales_inbound", "lead", 0.7,
                  ("suggest", "corrected"), ["created", "failed"]),
    "m-review": ("info@lumora.io", datetime(2026, 3, 1, 12, 0, tzinfo=UTC), "human_review", "vendor", 0.4,
                 ("review", "open"), []),
    "m-bare": ("info@lumora.io", datetime(2026, 3, 1, 0, 0, tzinfo=UTC), None, None, None, None, []),
}


def seed_mixed(db: Database) -> None:
    def go(conn: Connection) -> None:
        for email_id, (mailbox, at, queue, intent, confidence, item, statuses) in MIXED.items():
            conn.command("INSERT INTO emails (email_id, thread_id, mailbox, received_at, subject, "
                         "from_email) VALUES ($1, $1, $2, $3, $1, $1 || '@mixed.example')",
                         email_id, mailbox, at)
            if intent is not None:
                conn.command(
                    "INSERT INTO extractions (email_id, model, model_version, schema_name, thread_id, decided_by,"
                    " intent, confidence, data) VALUES ($1, 'local', '1', 'x', $1, 'model', $2, $3, '{}')",
                    email_id, intent, confidence)
            if queue is not None:
                conn.command(
                    "INSERT INTO routes (email_id, thread_id, queue, priority, rule, reason, ignored, actions, "
                    "received_at) VALUES ($1, $1, $2, 'normal', 'r', 'why', false, '[]', $3)", email_id, queue, at)
            if item is not None:
                conn.command(
                    "INSERT INTO review_queue (email_id, thread_id, reason, band, queue, intent, confidence, status)"
                    " VALUES ($1, $1, 'suggest', $2, $3, $4, $5, $6)", email_id, item[0], queue, intent,
                    confidence, item[1])
            for n, status in enumerate(statuses):
                conn.command(
                    "INSERT INTO crm_events (idempotency_key, email_id, thread_id, action, status, backend, at) "
                    "VALUES ($1, $2, $2, 'a', $3, 'local', now())", f"{email_id}:{n}", email_id, status)
    db.run(go)


@pytest.mark.parametrize(("params", "expected"), [
    ({"mailbox": "sales@lumora.io"}, {"m-lead", "m-held"}),
    ({"queue": "sales_inbound"}, {"m-lead", "m-suggest"}),
    ({"intent": "lead"}, {"m-lead", "m-suggest"}),
    ({"band": "auto_write"}, {"m-lead", "m-held"}),  # m-held: its review item's band
    ({"band": "suggest"}, {"m-suggest"}),
    ({"band": "review"}, {"m-review"}),
    ({"review": "open"}, {"m-held", "m-review"}),
    ({"review": "corrected"}, {"m-suggest"}),
    ({"review": "none"}, {"m-lead", "m-bare"}),
    ({"crm": "awaiting_approval"}, {"m-held"}),
    ({"crm": "failed"}, {"m-suggest"}),
    ({"crm": "created"}, {"m-lead", "m-suggest"}),
    ({"crm": "none"}, {"m-review", "m-bare"}),
    ({"received_from": "2026-03-02", "received_to": "2026-03-02"}, {"m-lead", "m-held"}),  # the whole day
    ({"received_from": "2026-03-03"}, {"m-suggest"}),
    ({"received_to": "2026-03-01"}, {"m-review", "m-bare"}),
    ({"q": "M-SUG"}, {"m-suggest"}),  # the subject, any case
    ({"q": "bare@mixed"}, {"m-bare"}),  # the sender
    ({"intent": "lead", "review": "none", "mailbox": "sales@lumora.io"}, {"m-lead"}),
])
def test_each_filter_keeps_exactly_the_emails_it_names(database: Database, params: dict, expected: set) -> None:
    seed_mixed(database)
    page = AdminStore(database).email_page(parse_filter(params), ConfidenceBands(0.85, 0.6))
    assert {r["email_id"] for r in page.rows} == expected


def test_a_corrected_email_is_listed_and_filtered_by_the_persons_intent(database: Database) -> None:
    seed_mixed(database)

    def correct(conn: Connection) -> None:
        conn.command("INSERT INTO eval_labels (email_id, labels, labelled_by) VALUES "
                     "('m-review', '{\"intent\": \"lead\"}', 'alice')")
    database.run(correct)
    store, bands = AdminStore(database), ConfidenceBands(0.85, 0.6)
    leads = store.email_page(parse_filter({"intent": "lead"}), bands).rows
    assert {r["email_id"] for r in leads} == {"m-lead", "m-suggest", "m-review"}
    assert {r["email_id"]: r["corrected_intent"] for r in leads}["m-review"] == "lead"
    assert store.email_page(parse_filter({"intent": "vendor"}), bands).rows == []  # the model's, overruled
