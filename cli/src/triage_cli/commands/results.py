"""``triage results``: where ingested emails ended up, read from the audit trail.

An email ingested again that route skipped as a duplicate keeps the CRM events of its first
pass: when the ids file says when it was ingested (``triage ingest --ids-out`` writes
``# ingested at ...`` first) or ``--since`` does, such an email reads "already routed" instead
of repeating a CRM action this run did not take.
"""

from __future__ import annotations

import json
import time
from datetime import UTC, datetime
from pathlib import Path

import psycopg
import typer
from rich.console import Console
from rich.table import Table

from triage.platform.settings import CliSettings, load_settings
from triage_cli.reach import require_database

# A table wants room: when stdout is not a terminal (make, CI, a pipe) do not wrap at 80 columns.
console = Console(width=None if Console().is_terminal else 160)
err = Console(stderr=True)

QUERY = """
SELECT e.email_id, e.from_email, e.subject, x.intent, x.confidence, r.queue, r.priority,
       r.sla_minutes, r.rule,
       string_agg(CASE WHEN c.status = 'ignored' THEN 'none'
                       ELSE coalesce(c.object_type, c.action) || ' ' || c.status END,
                  ', ' ORDER BY c.action) FILTER (WHERE c.action IS NOT NULL),
       max(c.at)
FROM emails e
-- the newest extraction only: an email extracted again (a replay, a new model version) is one row
LEFT JOIN LATERAL (SELECT intent, confidence FROM extractions
                   WHERE email_id = e.email_id ORDER BY created_at DESC LIMIT 1) x ON true
LEFT JOIN routes r ON r.email_id = e.email_id
LEFT JOIN crm_events c ON c.email_id = e.email_id
WHERE e.email_id = ANY(%(ids)s)
GROUP BY e.email_id, e.from_email, e.subject, x.intent, x.confidence, r.queue, r.priority,
         r.sla_minutes, r.rule
ORDER BY CASE r.priority WHEN 'high' THEN 0 WHEN 'normal' THEN 1 ELSE 2 END, r.queue, e.subject
"""
RECENT = "SELECT email_id FROM emails ORDER BY updated_at DESC, email_id LIMIT %s"
COLUMNS = ("email_id", "sender", "subject", "intent", "confidence", "queue", "priority",
           "sla_minutes", "rule", "crm", "crm_at")
#: The first line ``triage ingest --ids-out`` writes: when this ingest began.
INGESTED_AT = "# ingested at "
ALREADY_ROUTED = "already routed"


def fetch(database_url: str, ids: list[str], since: datetime | None = None) -> list[dict]:
    with psycopg.connect(database_url) as conn:
        rows = [dict(zip(COLUMNS, row, strict=True)) for row in conn.execute(QUERY, {"ids": ids})]
    for row in rows:
        # every CRM event older than this ingest: route skipped it as a duplicate, nothing new happened
        if since is not None and row["crm"] and row["crm_at"] is not None and row["crm_at"] < since:
            row["crm"] = ALREADY_ROUTED
        del row["crm_at"]
    return rows


def recent_ids(database_url: str, count: int) -> list[str]:
    with psycopg.connect(database_url) as conn:
        return [row[0] for row in conn.execute(RECENT, (count,))]


def read_ids(path: Path) -> tuple[list[str], datetime | None]:
    """The ids of a file, and when they were ingested if its first line says so."""
    try:
        lines = [line.strip() for line in path.read_text().splitlines() if line.strip()]
    except OSError as exc:
        raise typer.BadParameter(f"cannot read {path}: {exc.strerror or exc}", param_hint="--ids") from exc
    since = None
    if lines and lines[0].startswith(INGESTED_AT):
        since = parse_since(lines[0].removeprefix(INGESTED_AT))
    return [line for line in lines if not line.startswith("#")], since


def parse_since(value: str) -> datetime:
    try:
        moment = datetime.fromisoformat(value.strip())
    except ValueError as exc:
        raise typer.BadParameter(f"{value!r} is not an ISO 8601 time", param_hint="--since") from exc
    return moment if moment.tzinfo else moment.replace(tzinfo=UTC)


def results(
    ids_file: Path | None = typer.Option(None, "--ids",
                                         help="File of email ids, one per line (triage ingest --ids-out)"),
    recent: int | None = typer.Option(None, "--recent", min=1, help="The N emails the audit trail saw last"),
    since: str | None = typer.Option(None, "--since", help="Ingested at (ISO 8601): CRM events before it read "
                                                           "'already routed' (default: the ids file's first line)"),
    wait: float = typer.Option(0, help="Wait up to this many seconds for every email to reach crm.events"),
    as_json: bool = typer.Option(False, "--json"),
) -> None:
    """Print sender, subject, intent, queue, priority, SLA and CRM action for each email."""
    if (ids_file is None) == (recent is None):
        raise typer.BadParameter("pass either --ids FILE or --recent N", param_hint="--ids / --recent")
    ids, ingested_at = read_ids(ids_file) if ids_file else ([], None)
    ingested_at = parse_since(since) if since else ingested_at
    database_url = require_database(load_settings(CliSettings))
    if recent is not None:
        ids = recent_ids(database_url, recent)
    deadline = time.monotonic() + wait
    rows = fetch(database_url, ids, ingested_at)
    while sum(1 for r in rows if r["crm"]) < len(ids) and time.monotonic() < deadline:
        time.sleep(0.5)
        rows = fetch(database_url, ids, ingested_at)
    done = sum(1 for r in rows if r["crm"])
    if as_json:
        typer.echo(json.dumps({"expected": len(ids), "done": done, "emails": rows}, default=str))
    else:
        console.print(results_table(rows))
        already = sum(1 for r in rows if r["crm"] == ALREADY_ROUTED)
        note = f"; {already} already routed before this ingest" if already else ""
        console.print(f"{done}/{len(ids)} emails reached crm.events (ignored ones included{note})")
    if done < len(ids):
        err.print(f"[red]{len(ids) - done} email(s) have not reached crm.events[/red]")
        raise typer.Exit(1)


def results_table(rows: list[dict]) -> Table:
    table = Table("sender", "subject", "intent", "queue", "priority", "SLA", "CRM action", show_lines=False)
    for r in rows:
        sla = f"{r['sla_minutes']} min" if r["sla_minutes"] else "-"
        table.add_row(r["sender"] or "-", (r["subject"] or "")[:48], r["intent"] or "?", r["queue"] or "?",
                      r["priority"] or "?", sla, r["crm"] or "pending")
    return table


def register(app: typer.Typer) -> None:
    app.command("results")(results)
