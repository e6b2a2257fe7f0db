"""``triage purge-raw``: the raw-body TTL. Nulls ``emails.raw`` older than the retention, in batches,
and with it ``emails.clean_parts`` (the email's text the admin shows, ADR 0025): as personal as the raw body.

Age is the email's receipt (``received_at``); the row and everything derived from it stay.
Each batch is its own short transaction (``FOR UPDATE SKIP LOCKED``), so a large purge never
holds the audit writers. Idempotent: a second run finds nothing. Exit codes: 0 ok; 1 database
failed; 2 bad input.
"""

from __future__ import annotations

import json

import psycopg
import typer
from rich.console import Console

from triage.platform.settings import CliSettings, load_settings
from triage_cli.reach import require_database

err = Console(stderr=True)

#: a body is the raw message or its normalised text (clean_parts): either one makes the row due
BODY = "(raw IS NOT NULL OR clean_parts IS NOT NULL)"
COUNT = f"SELECT count(*) FROM emails WHERE {BODY} AND received_at < now() - make_interval(days => %s)"
PURGE_BATCH = f"""
WITH batch AS (
  SELECT email_id FROM emails
  WHERE {BODY} AND received_at < now() - make_interval(days => %(days)s)
  LIMIT %(batch)s FOR UPDATE SKIP LOCKED
)
UPDATE emails e SET raw = NULL, clean_parts = NULL, updated_at = now() FROM batch WHERE e.email_id = batch.email_id
"""


def purge_raw(
    days: int | None = typer.Option(None, "--days", min=1, help="Retention in days (default TRIAGE_RAW_TTL_DAYS, 30)"),
    batch_size: int = typer.Option(1000, "--batch-size", min=1, help="Rows per transaction"),
    dry_run: bool = typer.Option(False, "--dry-run", help="Count what would be purged; change nothing"),
    as_json: bool = typer.Option(False, "--json", help="JSON summary on stdout"),
) -> None:
    """Delete raw message bodies (emails.raw) and their text (emails.clean_parts) older than the retention."""
    settings = load_settings(CliSettings)
    retention = days if days is not None else settings.triage_raw_ttl_days
    purged, batches = 0, 0
    try:
        with psycopg.connect(require_database(settings), autocommit=True) as conn:
            due = conn.execute(COUNT, (retention,)).fetchone()[0]
            while not dry_run:
                with conn.transaction():
                    changed = conn.execute(PURGE_BATCH, {"days": retention, "batch": batch_size}).rowcount
                if changed <= 0:
                    break
                purged += changed
                batches += 1
    except psycopg.Error as exc:
        err.print(f"[red]error:[/red] database: {exc}")
        raise typer.Exit(1) from exc
    summary = {"dry_run": dry_run, "days": retention, "due": due, "purged": purged, "batches": batches}
    if as_json:
        typer.echo(json.dumps(summary))
    elif dry_run:
        err.print(f"{due} raw bod(ies) older than {retention} days would be purged")
    else:
        err.print(f"purged {purged} raw bod(ies) older than {retention} days in {batches} batch(es)")


def register(app: typer.Typer) -> None:
    app.command("purge-raw")(purge_raw)
