"""``triage labels export DIR``: the labels people gave (``eval_labels``) as a gold set.

The corrections made in the review queue feed the next evaluation or training run: the
export writes gold-format.md's layout (``emails/<email_id>.eml`` from ``emails.raw``,
``labels.jsonl``, ``mailbox.json``, ``README.md``), which ``triage eval --gold DIR`` scores.
A label whose email has no raw body any more (``triage purge-raw``), or only a truncated one
(ingest cut an oversized message: not the message as received), or no ``emails`` row, or
which is not a valid gold label is skipped and named in the summary. The set is written
in a sibling folder and moved into place at the end, so an interrupted export leaves DIR as
it was. Exit codes: 0 ok (nothing to export included: nothing is written); 1 database failed
or DIR could not be written; 2 bad input (DIR not empty without ``--force``, no mailbox
configuration, a bad ``--since``).
"""

from __future__ import annotations

import json
import shutil
import tempfile
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path

import psycopg
import typer
from pydantic import ValidationError
from rich.console import Console
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn

from triage.domain.evaluation import GoldLabel
from triage.domain.models import INTENTS, Mailbox
from triage.platform.settings import CliSettings, load_settings
from triage_cli.commands.dlq import parse_time
from triage_cli.reach import require_database

err = Console(stderr=True)
labels = typer.Typer(help="Labels people gave in the review queue (eval_labels).", no_args_is_help=True)

LABELLED = """
SELECT l.email_id, l.labels, l.labelled_by, l.labelled_at, l.source,
       e.email_id IS NOT NULL, e.raw IS NOT NULL, COALESCE(e.truncated, false)
FROM eval_labels l LEFT JOIN emails e ON e.email_id = l.email_id
WHERE %(since)s::timestamptz IS NULL OR l.labelled_at >= %(since)s::timestamptz
ORDER BY l.labelled_at, l.email_id
"""
RAW_OF = "SELECT raw FROM emails WHERE email_id = %s"


@dataclass(frozen=True)
class Labelled:
    """One eval_labels row and what the emails table holds for it."""

    email_id: str
    labels: dict
    labelled_by: str
    labelled_at: datetime
    source: str
    has_email: bool
    has_raw: bool
    truncated: bool


@dataclass
class Export:
    """What an export found: the lines to write and the labels it had to skip."""

    lines: list[tuple[Labelled, dict]] = field(default_factory=list)
    raw_purged: list[str] = field(default_factory=list)
    truncated: list[str] = field(default_factory=list)
    no_email: list[str] = field(default_factory=list)
    invalid: list[str] = field(default_factory=list)


def gold_line(email_id: str, stored: dict) -> dict | None:
    """labels.jsonl's line for one stored label (its id is the email id); None when invalid."""
    try:
        label = GoldLabel.model_validate({**stored, "id": email_id})
    except ValidationError:
        return None
    if label.intent not in INTENTS or not is_file_name(email_id):
        return None
    return label.model_dump(mode="json")


def is_file_name(email_id: str) -> bool:
    """Email ids are hex digests; anything else must not become a path."""
    return bool(email_id) and all(c.isalnum() or c in "-_." for c in email_id) and not email_id.startswith(".")


def sort_out(rows: list[Labelled]) -> Export:
    export = Export()
    for row in rows:
        line = gold_line(row.email_id, row.labels)
        if line is None:
            export.invalid.append(row.email_id)
        elif not row.has_email:
            export.no_email.append(row.email_id)
        elif not row.has_raw:
            export.raw_purged.append(row.email_id)
        elif row.truncated:
            export.truncated.append(row.email_id)
        else:
            export.lines.append((row, line))
    return export


def readme(export: Export, mailbox: Mailbox, since: datetime | None, now: datetime) -> str:
    table = "\n".join(f"| `{row.email_id}` | {line['intent']} | {row.source} | {row.labelled_by} | "
                      f"{row.labelled_at.isoformat()} |" for row, line in export.lines)
    window = f"labelled at or after {since.isoformat()}" if since else "every label"
    return f"""# Gold set, exported from the review queue: {mailbox.company}

Written by `triage labels export` at {now.isoformat()} from the audit database's
`eval_labels` ({window}): the labels people gave in the review queue, each with the
email exactly as it was received (`emails.raw`). Format: gold-format.md; score it with
`triage eval --gold <this folder>`.

{len(export.lines)} messages. Skipped: {len(export.raw_purged)} whose raw body was purged,
{len(export.truncated)} truncated at ingest, {len(export.no_email)} without an email row, {len(export.invalid)} not a valid gold label.

| id | intent | source | labelled by | labelled at |
| --- | --- | --- | --- | --- |
{table}
"""


def summary(directory: Path, since: datetime | None, rows: int, export: Export, written: bool) -> dict:
    return {"dir": str(directory), "since": since.isoformat() if since else None, "labels": rows,
            "exported": len(export.lines) if written else 0, "written": written,
            "raw_purged": export.raw_purged, "truncated": export.truncated, "no_email": export.no_email, "invalid": export.invalid}


# ---------------------------------------------------------------- the command


@labels.command("export")
def export_labels(
    directory: Path = typer.Argument(..., metavar="DIR", help="The gold-set folder to write"),
    since: str | None = typer.Option(None, "--since", help="Only labels given at or after (ISO 8601; UTC if no offset)"),
    mailbox_file: Path | None = typer.Option(None, "--mailbox",
                                             help="mailbox.json of the set (default TRIAGE_MAILBOX_FILE)"),
    force: bool = typer.Option(False, "--force", help="Replace DIR when it exists and is not empty"),
    as_json: bool = typer.Option(False, "--json", help="JSON summary on stdout"),
) -> None:
    """Write the labels people gave (eval_labels) and their emails as a gold set for triage eval."""
    settings = load_settings(CliSettings)
    since_at = parse_time(since, "--since")
    directory = directory.resolve()  # "." or "sets/.." have no name to build the sibling folders from
    if directory.exists() and not force and (not directory.is_dir() or any(directory.iterdir())):
        fail(f"{directory} exists and is not empty: choose another folder, or --force to replace it", 2)
    mailbox = read_mailbox(mailbox_file or settings.triage_mailbox_file)
    try:
        with psycopg.connect(require_database(settings)) as conn:
            rows = [Labelled(*row) for row in conn.execute(LABELLED, {"since": since_at}).fetchall()]
            export = sort_out(rows)
            if export.lines:
                write_set(conn, directory, export, mailbox, since_at, as_json)
    except psycopg.Error as exc:
        hint = " (run `triage db migrate`)" if isinstance(exc, psycopg.errors.UndefinedTable) else ""
        fail(f"database: {exc}{hint}", 1)
    report(summary(directory, since_at, len(rows), export, bool(export.lines)), as_json)


def register(app: typer.Typer) -> None:
    app.add_typer(labels, name="labels")


def read_mailbox(path: Path | None) -> Mailbox:
    if path is None:
        fail("a gold set needs its mailbox.json: pass --mailbox FILE or set TRIAGE_MAILBOX_FILE", 2)
    try:
        return Mailbox.model_validate_json(path.read_text(encoding="utf-8"))
    except OSError as exc:
        fail(f"cannot read the mailbox file {path}: {exc.strerror or exc}", 2)
    except ValidationError as exc:
        fail(f"{path} is not a valid mailbox.json: {exc.error_count()} error(s), e.g. "
             f"{exc.errors()[0]['loc']}: {exc.errors()[0]['msg']}", 2)


def write_set(conn: psycopg.Connection, directory: Path, export: Export, mailbox: Mailbox,
              since: datetime | None, quiet: bool) -> None:
    """Build the set next to DIR, then move it into place."""
    directory.parent.mkdir(parents=True, exist_ok=True)
    staging = Path(tempfile.mkdtemp(prefix=f".{directory.name}.partial-", dir=directory.parent))
    try:
        write_emails(conn, staging, export, quiet)
        (staging / "labels.jsonl").write_text(
            "".join(json.dumps(line, ensure_ascii=False) + "\n" for _, line in export.lines), encoding="utf-8")
        (staging / "mailbox.json").write_text(mailbox.model_dump_json(indent=2) + "\n", encoding="utf-8")
        (staging / "README.md").write_text(readme(export, mailbox, since, datetime.now(UTC)), encoding="utf-8")
        replace(directory, staging)
    except OSError as exc:
        fail(f"cannot write {directory}: {exc.strerror or exc}", 1)
    finally:
        shutil.rmtree(staging, ignore_errors=True)


def write_emails(conn: psycopg.Connection, folder: Path, export: Export, quiet: bool) -> None:
    (folder / "emails").mkdir()
    with Progress(TextColumn("export"), BarColumn(), MofNCompleteColumn(), TimeElapsedColumn(),
                  console=err, disable=quiet) as progress:
        task = progress.add_task("export", total=len(export.lines))
        for row, _ in export.lines:  # one at a time: raw messages can be large
            raw = conn.execute(RAW_OF, (row.email_id,)).fetchone()[0]
            (folder / "emails" / f"{row.email_id}.eml").write_bytes(bytes(raw))
            progress.advance(task)


def replace(directory: Path, staging: Path) -> None:
    if not directory.exists():
        staging.rename(directory)
        return
    old = directory.with_name(f".{directory.name}.old-{datetime.now(UTC):%Y%m%dT%H%M%S%f}")
    directory.rename(old)
    try:
        staging.rename(directory)
    except OSError:
        old.rename(directory)  # the previous set stays where it was
        raise
    try:
        shutil.rmtree(old) if old.is_dir() else old.unlink()
    except OSError as exc:  # the new set is in place: say what is left over, do not fail the export
        err.print(f"[yellow]warning:[/yellow] could not remove the previous set at {old}: {exc.strerror or exc}")


def report(result: dict, as_json: bool) -> None:
    if as_json:
        typer.echo(json.dumps(result))
        return
    if result["written"]:
        err.print(f"exported {result['exported']} of {result['labels']} label(s) to {result['dir']}")
    else:
        err.print(f"nothing to export ({result['labels']} label(s) found); {result['dir']} not written")
    skipped = {k: len(result[k]) for k in ("raw_purged", "truncated", "no_email", "invalid") if result[k]}
    if skipped:
        err.print(f"[yellow]skipped: {skipped}[/yellow]")


def fail(message: str, code: int) -> typer.Exit:
    err.print(f"[red]error:[/red] {message}", markup=True, highlight=False)
    raise typer.Exit(code)
