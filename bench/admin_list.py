"""The admin's email list at 100,000 emails: each filter's first page and a deep page, timed.

``python -m bench.admin_list`` (``DATABASE_URL`` names the server; ``BENCH_LIST_EMAILS``,
default 100,000). Creates a private database on that server, migrates it, seeds the audit
tables with generated rows (``generate_series``: inboxes, intents, queues, bands, review
items, CRM events, a year of receipt times), ANALYZEs, then runs the list's own query
(``triage_admin.email_list.page_query``, the statement the page sends) for the first page and for pages
deep into the list, and drops the database. Prints one JSON object: per case the median
wall time of ``BENCH_LIST_ROUNDS`` (default 5) runs after one warm-up, the server's
``Execution Time`` from EXPLAIN ANALYZE and the plan's top nodes. A measurement, not a test:
nothing asserts a time.
"""

from __future__ import annotations

import json
import os
import platform
import statistics
import time
import uuid
from dataclasses import replace
from datetime import date, timedelta
from typing import Any

import psycopg
from psycopg import sql

from triage.domain.bands import ConfidenceBands
from triage.platform.db import Connection, Database, Record, migrate
from triage_admin.email_list import (
    DISTINCT_MAILBOXES,
    DISTINCT_QUEUES,
    Cursor,
    EmailFilter,
    page_query,
)
from triage_admin.store import fetch_page_rows

SEED = """
INSERT INTO emails (email_id, thread_id, message_id, mailbox, source, received_at, from_email, subject)
SELECT 'bench-' || lpad(n::text, 7, '0'), 'thread-' || (n / 3), '<' || n || '@bench.example>',
       (ARRAY['sales@lumora.io', 'info@lumora.io', 'partnerships@lumora.io', 'support@lumora.io'])[1 + n %% 4],
       'gmail', now() - make_interval(secs => n * (31536000.0 / $1)),
       'person' || n || '@company' || (n %% 5000) || '.example',
       (ARRAY['Pipeline forecaster demo', 'Revenue Radar dashboards stuck', 'Invoice for services',
              'Weekly newsletter', 'Application: data engineer', 'Your domain expires'])[1 + n %% 6]
         || ' #' || n
FROM generate_series(1, $1) n"""
SEED_EXTRACTIONS = """
INSERT INTO extractions (email_id, model, model_version, schema_name, thread_id, decided_by, intent, confidence, data)
SELECT email_id, 'local', '1', 'Extraction', thread_id, 'model',
       (ARRAY['lead', 'support', 'vendor', 'newsletter', 'job_applicant', 'spam'])[1 + n % 6],
       0.3 + (n * 7919 % 70) / 100.0, '{}'::jsonb
FROM (SELECT email_id, thread_id, substr(email_id, 7)::int n FROM emails) e"""
SEED_ROUTES = """
INSERT INTO routes (email_id, thread_id, queue, priority, sla_minutes, due_at, rule, reason, ignored, actions,
                    received_at)
SELECT e.email_id, e.thread_id,
       CASE x.intent WHEN 'lead' THEN 'sales_inbound' WHEN 'support' THEN 'support_escalated'
                     WHEN 'vendor' THEN 'ops_vendors' WHEN 'job_applicant' THEN 'ops_hiring' ELSE 'ignored' END,
       'normal', 60, e.received_at + interval '1 hour', 'bench', 'bench', x.intent IN ('newsletter', 'spam'),
       '[]'::jsonb, e.received_at
FROM emails e JOIN extractions x USING (email_id)"""
#: the suggest and review bands get an item (about a third of the mail), a few resolved
SEED_REVIEW = """
INSERT INTO review_queue (email_id, thread_id, reason, band, queue, intent, confidence, status)
SELECT x.email_id, x.thread_id, 'suggest', CASE WHEN x.confidence >= 0.6 THEN 'suggest' ELSE 'review' END,
       r.queue, x.intent, x.confidence,
       (ARRAY['open', 'corrected', 'approved', 'dismissed'])[1 + (substr(x.email_id, 7)::int / 6) % 4]
FROM extractions x JOIN routes r USING (email_id) WHERE x.confidence < 0.85 AND NOT r.ignored"""
#: leads and support mail have two CRM events; one email in 40 of them waits for approval, one in 400 failed
SEED_CRM = """
INSERT INTO crm_events (idempotency_key, email_id, thread_id, action, status, backend, at)
SELECT r.email_id || ':' || a, r.email_id, r.thread_id, a,
       CASE WHEN n % 400 = 0 THEN 'failed' WHEN n % 40 = 0 THEN 'awaiting_approval' ELSE 'created' END,
       'local', r.received_at + interval '1 second'
FROM (SELECT *, substr(email_id, 7)::int n FROM routes WHERE queue IN ('sales_inbound', 'support_escalated')) r,
     unnest(ARRAY['upsert_company', 'upsert_contact']) a"""

CASES: dict[str, EmailFilter] = {
    "no filter": EmailFilter(),
    "inbox": EmailFilter(mailbox="partnerships@lumora.io"),
    "queue": EmailFilter(queue="ops_hiring"),
    "intent": EmailFilter(intent="job_applicant"),
    "band review": EmailFilter(band="review"),
    "review open": EmailFilter(review="open"),
    "CRM awaiting_approval": EmailFilter(crm="awaiting_approval"),
    "CRM failed (rare: 1 in 1,200)": EmailFilter(crm="failed"),
    "search, many hits (subject)": EmailFilter(q="revenue radar"),
    "search, one hit (sender)": EmailFilter(q="PERSON77777@"),
    "one week": EmailFilter(received_from=date.today() - timedelta(days=7), received_to=date.today()),
    "oldest first": EmailFilter(sort="oldest"),
}


def create_database(url: str) -> str:
    name = f"triage_bench_list_{uuid.uuid4().hex[:8]}"
    with psycopg.connect(url, autocommit=True) as conn:
        conn.execute(sql.SQL("CREATE DATABASE {}").format(sql.Identifier(name)))
    return url.rsplit("/", 1)[0] + "/" + name


def drop_database(url: str, bench_url: str) -> None:
    with psycopg.connect(url, autocommit=True) as conn:
        conn.execute(sql.SQL("DROP DATABASE IF EXISTS {} WITH (FORCE)").format(
            sql.Identifier(bench_url.rsplit("/", 1)[1])))


def seed(url: str, emails: int) -> float:
    started = time.perf_counter()
    with psycopg.connect(url) as conn:
        conn.execute(SEED.replace("$1", "%(n)s"), {"n": emails})
        for statement in (SEED_EXTRACTIONS, SEED_ROUTES, SEED_REVIEW, SEED_CRM):
            conn.execute(statement)
    with psycopg.connect(url, autocommit=True) as conn:
        conn.execute("VACUUM ANALYZE")
    return time.perf_counter() - started


def matching(conn: Connection, chosen: EmailFilter, emails: int) -> list[Record]:
    """Every row of this filter's list, in its order (what a reader following Next links sees)."""
    text, params = page_query(replace(chosen, size=emails), ConfidenceBands())
    return conn.fetch(text, *params)


def cursor_at(rows: list[Record], depth: int) -> Cursor:
    return Cursor(rows[depth - 1]["received_at"], rows[depth - 1]["email_id"], True)


def measure(conn: Connection, chosen: EmailFilter, rounds: int) -> dict[str, Any]:
    """The page as the admin fetches it (``fetch_page_rows``, planned for its values)."""
    text, params = page_query(chosen, ConfidenceBands())
    fetch_page_rows(conn, text, params)  # warm-up
    times = []
    for _ in range(rounds):
        started = time.perf_counter()
        rows = fetch_page_rows(conn, text, params)
        times.append((time.perf_counter() - started) * 1000)
    [plan] = json.loads(conn.fetchval("EXPLAIN (ANALYZE, BUFFERS, FORMAT JSON) " + text, *params))
    return {"rows": len(rows), "median_ms": round(statistics.median(times), 2), "max_ms": round(max(times), 2),
            "server_ms": round(plan["Execution Time"], 2), "plan": top_nodes(plan["Plan"])}


def top_nodes(node: dict[str, Any], depth: int = 3) -> str:
    """The plan's first nodes down the outer side, then every scan: ``Limit > Nested Loop > ... |
    Index Scan emails_list_idx, Seq Scan crm_events``."""
    parts, scans, outer = [], [], node
    while outer and depth:
        parts.append(outer["Node Type"])
        outer, depth = (outer.get("Plans") or [None])[0], depth - 1

    def walk(n: dict[str, Any]) -> None:
        if "Scan" in n["Node Type"]:
            scan = f"{n['Node Type']} {n.get('Index Name') or n.get('Relation Name', '')}".strip()
            if scan not in scans:
                scans.append(scan)
        for child in n.get("Plans") or []:
            walk(child)

    walk(node)
    return " > ".join(parts) + " | " + ", ".join(scans)


def run_cases(url: str, emails: int, rounds: int) -> dict[str, Any]:
    database = Database(url, max_size=1).connect()
    try:
        with database.pool.connection() as conn:
            conn.autocommit = True  # each call its own transaction, as the admin's
            return cases(conn, emails, rounds)
    finally:
        database.close()


def cases(conn: Connection, emails: int, rounds: int) -> dict[str, Any]:
    results: dict[str, Any] = {}
    for name, chosen in CASES.items():
        rows = matching(conn, chosen, emails)
        results[name] = {"matches": len(rows), "first page": measure(conn, chosen, rounds)}
        for depth in sorted({len(rows) // 2, len(rows) - 50} - {0}):
            if depth > chosen.size:
                results[name][f"page at row {depth:,}"] = measure(
                    conn, replace(chosen, cursor=cursor_at(rows, depth)), rounds)
    offset_text, offset_params = page_query(EmailFilter(), ConfidenceBands())
    results["for comparison: OFFSET instead of a keyset"] = {
        f"OFFSET {emails - 50:,}": measure_text(conn, offset_text.replace(
            "\nLIMIT", f"\nOFFSET {emails - 50}\nLIMIT"), offset_params, rounds)}
    results["for comparison: the one-hit search on a cached generic plan"] = {
        "plain conn.fetch": measure_generic(conn, CASES["search, one hit (sender)"], rounds)}
    results["filter options (inboxes, queues)"] = {
        "loose index scans": measure_text(conn, DISTINCT_MAILBOXES, [], rounds, DISTINCT_QUEUES)}
    return results


def measure_generic(conn: Connection, chosen: EmailFilter, rounds: int) -> dict[str, Any]:
    """The page fetched as psycopg does by default: prepared after five runs, PostgreSQL may then use a
    generic plan."""
    text, params = page_query(chosen, ConfidenceBands())
    times = []
    for n in range(6 + rounds):
        started = time.perf_counter()
        rows = conn.fetch(text, *params)
        if n >= 6:
            times.append((time.perf_counter() - started) * 1000)
    return {"rows": len(rows), "median_ms": round(statistics.median(times), 2), "max_ms": round(max(times), 2),
            "server_ms": None, "plan": "as PostgreSQL chose for the cached statement"}


def measure_text(conn: Connection, text: str, params: list[Any], rounds: int,
                       also: str | None = None) -> dict[str, Any]:
    times = []
    for n in range(rounds + 1):
        started = time.perf_counter()
        rows = fetch_page_rows(conn, text, params)
        if also:
            conn.fetch(also)
        if n:
            times.append((time.perf_counter() - started) * 1000)
    [plan] = json.loads(conn.fetchval("EXPLAIN (ANALYZE, BUFFERS, FORMAT JSON) " + text, *params))
    return {"rows": len(rows), "median_ms": round(statistics.median(times), 2), "max_ms": round(max(times), 2),
            "server_ms": round(plan["Execution Time"], 2), "plan": top_nodes(plan["Plan"])}


def main() -> None:
    server = os.environ["DATABASE_URL"]
    emails = int(os.environ.get("BENCH_LIST_EMAILS", "100000"))
    rounds = int(os.environ.get("BENCH_LIST_ROUNDS", "5"))
    url = create_database(server)
    try:
        migrate(url)
        seeded_s = seed(url, emails)
        with psycopg.connect(url) as conn:
            counts = {t: conn.execute(sql.SQL("SELECT count(*) FROM {}").format(sql.Identifier(t))).fetchone()[0]
                      for t in ("emails", "extractions", "routes", "review_queue", "crm_events")}
            version = conn.execute("SHOW server_version").fetchone()[0]
        results = run_cases(url, emails, rounds)
    finally:
        drop_database(server, url)
    print(json.dumps({"at": time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime()), "host": platform.node(),
                      "cpus": os.cpu_count(), "postgresql": version, "rows": counts, "seed_s": round(seeded_s, 1),
                      "rounds": rounds, "cases": results}, indent=1))


if __name__ == "__main__":
    main()
