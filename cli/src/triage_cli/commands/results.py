"""``triage results``: where ingested emails ended up, read from the audit trail."""

from __future__ import annotations

import json
import time
from pathlib import Path

import psycopg
import typer
from rich.console import Console
from rich.table import Table

from triage.platform.settings import load_settings

# A table wants room: when stdout is not a terminal (make, CI, a pipe) do not wrap at 80 columns.
console = Console(width=None if Console().is_terminal else 160)
err = Console(stderr=True)

QUERY = """
SELECT e.email_id, e.from_email, e.subject, x.intent, x.confidence, r.queue, r.priority,
       r.sla_minutes, r.rule,
       string_agg(CASE WHEN c.status = 'ignored' THEN 'none'
                       ELSE coalesce(c.object_type, c.action) || ' ' || c.status END,
                  ', ' ORDER BY c.action) FILTER (WHERE c.action IS NOT NULL)
FROM emails e
-- the newest extraction only: an email extracted again (a replay, a new model version) is one row
LEFT JOIN LATERAL (SELECT intent, confidence FROM extractions
                   WHERE email_id = e.email_id ORDER BY created_at DESC LIMIT 1) x ON true
LEFT JOIN routes r ON r.email_id = e.email_id
LEFT JOIN crm_events c ON c.email_id = e.email_id
WHERE e.email_id = ANY(%s)
GROUP BY e.email_id, e.from_email, e.subject, x.intent, x.confidence, r.queue, r.priority,
         r.sla_minutes, r.rule
ORDER BY CASE r.priority WHEN 'high' THEN 0 WHEN 'normal' THEN 1 ELSE 2 END, r.queue, e.subject
"""
COLUMNS = ("email_id", "sender", "subject", "intent", "confidence", "queue", "priority",
           "sla_minutes", "rule", "crm")


def fetch(database_url: str, ids: list[str]) -> list[dict]:
    with psycopg.connect(database_url) as conn:
        return [dict(zip(COLUMNS, row, strict=True)) for row in conn.execute(QUERY, (ids,))]


def results(
    ids_file: Path = typer.Option(..., "--ids", help="File of email ids, one per line (triage ingest --ids-out)"),
    wait: float = typer.Option(0, help="Wait up to this many seconds for every email to reach crm.events"),
    as_json: bool = typer.Option(False, "--json"),
) -> None:
    """Print sender, subject, intent, queue, priority, SLA and CRM action for each email."""
    settings = load_settings()
    ids = [line.strip() for line in ids_file.read_text().splitlines() if line.strip()]
    deadline = time.monotonic() + wait
    rows = fetch(settings.require_database_url(), ids)
    while sum(1 for r in rows if r["crm"]) < len(ids) and time.monotonic() < deadline:
        time.sleep(0.5)
        rows = fetch(settings.require_database_url(), ids)
    done = sum(1 for r in rows if r["crm"])
    if as_json:
        typer.echo(json.dumps({"expected": len(ids), "done": done, "emails": rows}, default=str))
    else:
        console.print(results_table(rows))
        console.print(f"{done}/{len(ids)} emails reached crm.events (ignored ones included)")
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
