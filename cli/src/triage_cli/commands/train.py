"""``triage train``: rebuild the intent model from the gold sets plus people's corrections.

Scores the new model on every labelled set, fitted and left out (as ``triage eval --all
--loso``), compares each score with gold/ratchet.json and writes the model only when none
fell below: to ``--out``, else ``TRIAGE_INTENT_MODEL_PATH`` (what the extract service and the
admin read), else the package's own file. The write is atomic, so a refused or interrupted
run leaves the old model as it was. Exit codes: 0 written (or, with --dry-run, would be); 1 a
score fell below the ratchet (nothing written) or the database failed; 2 bad input.
"""

from __future__ import annotations

import json
import os
import subprocess
import tempfile
from datetime import UTC, datetime
from importlib import resources
from pathlib import Path

import typer
from rich.console import Console
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn
from rich.table import Table

from triage.platform.settings import CliSettings, load_settings
from triage_cli import retraining
from triage_cli.eval_sets import sources
from triage_cli.intent_training import model_version
from triage_cli.retraining import Correction, Fallen, Trained

out = Console(width=160)
err = Console(stderr=True)
SHIPPED_FILE = "intent_model.json"
_COLUMNS = {"intent_accuracy": "intent", "person_email_f1": "person.email", "company_name_f1": "company",
            "lead_budget_exact": "budget", "lead_timeline_exact": "timeline", "region_accuracy": "region",
            "required_action_accuracy": "action"}


def train_model(
    corrections: list[Path] = typer.Option([], "--corrections", metavar="FILE.jsonl|DIR",
                                           help="A set written by `triage labels export` (its labels.jsonl or "
                                                "folder); repeatable"),
    from_db: bool = typer.Option(False, "--from-db", help="The corrections in eval_labels (DATABASE_URL), "
                                                          "with the mailbox of TRIAGE_MAILBOX_FILE or --mailbox"),
    mailbox_file: Path | None = typer.Option(None, "--mailbox", help="--from-db: mailbox.json of the corrections"),
    out_path: Path | None = typer.Option(None, "--out", metavar="PATH",
                                         help="Where to write (default TRIAGE_INTENT_MODEL_PATH, else the "
                                              "package's intent_model.json)"),
    root: Path = typer.Option(Path("."), "--root", help="The repository root: gold/*/, samples/"),
    ratchet: Path | None = typer.Option(None, "--ratchet", help="Levels to hold (default ROOT/gold/ratchet.json)"),
    dry_run: bool = typer.Option(False, "--dry-run", help="Train, score and check; write nothing"),
    loso: bool = typer.Option(True, "--loso/--no-loso", help="Also score each set left out (--no-loso: only "
                                                             "with --dry-run)"),
    trained_at: str | None = typer.Option(None, "--trained-at", help="The clock to record (ISO 8601; default "
                                                                     "now): same inputs, same bytes"),
    as_json: bool = typer.Option(False, "--json", help="JSON summary on stdout"),
) -> None:
    """Train the intent model on the gold sets plus corrections; write it only if no score falls below the ratchet."""
    settings = load_settings(CliSettings)
    if not loso and not dry_run:
        fail("--no-loso skips the left-out levels of the ratchet: only with --dry-run", 2)
    if not [f for f in sources(root) if (f / "labels.jsonl").exists()]:
        fail(f"no labelled sets under {root} (looked for gold/*/labels.jsonl and samples/)", 2)
    clock = recorded_time(trained_at)
    target = out_path or settings.triage_intent_model_path or shipped_path()
    levels = read_ratchet(ratchet or root / "gold" / "ratchet.json")
    given = read_corrections(corrections) + (database_corrections(settings, mailbox_file) if from_db else [])
    chosen = retraining.sort_out(given, retraining.held_out_keys(sources(root)))
    trained = run(root, chosen.kept, loso, quiet=as_json)
    fallen = retraining.below(trained.reports(), levels)
    before = retraining.read_about(target)
    meta = retraining.metadata(trained, len(chosen.dropped_held_out), clock, code_version(root))
    text = retraining.model_file(trained, meta)
    written = not fallen and not dry_run
    if written:
        write_atomically(target, text)
    summary = {"out": str(target), "written": written, "dry_run": dry_run, "refused": [vars(f) for f in fallen],
               "unchecked": retraining.unchecked(trained.reports(), levels), "corrections_given": len(given),
               **meta, "model_version": model_version(trained.weights)}
    report(summary, trained, before, fallen, as_json)
    if fallen:
        raise typer.Exit(1)


def register(app: typer.Typer) -> None:
    app.command("train")(train_model)


# ---------------------------------------------------------------- inputs


def shipped_path() -> Path:
    """The package's model file: where the extractor reads it when no path is configured."""
    return Path(str(resources.files("triage.domain.extraction").joinpath(SHIPPED_FILE)))


def recorded_time(value: str | None) -> str:
    moment = datetime.now(UTC) if value is None else _parse(value)
    return moment.astimezone(UTC).replace(microsecond=0).isoformat().replace("+00:00", "Z")


def _parse(value: str) -> datetime:
    try:
        moment = datetime.fromisoformat(value)
    except ValueError:
        fail(f"--trained-at {value!r} is not an ISO 8601 time", 2)
    return moment if moment.tzinfo else moment.replace(tzinfo=UTC)


def read_ratchet(path: Path) -> dict:
    try:
        return json.loads(path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        fail(f"no ratchet at {path}: a model is written only once it is checked (give --ratchet)", 2)
    except (OSError, ValueError) as exc:
        fail(f"cannot read the ratchet {path}: {exc}", 2)


def read_corrections(paths: list[Path]) -> list[Correction]:
    found: list[Correction] = []
    for path in paths:
        try:
            found += retraining.read_exported(path)
        except OSError as exc:
            fail(f"cannot read the corrections {path}: {exc.strerror or exc} ({getattr(exc, 'filename', '')})", 2)
        except ValueError as exc:
            fail(f"invalid corrections {path}: {' '.join(str(exc).split())[:300]}", 2)
    return found


def database_corrections(settings: CliSettings, mailbox_file: Path | None) -> list[Correction]:
    """eval_labels with their raw messages, as ``triage labels export`` would write them."""
    import psycopg

    from triage_cli.commands.labels import LABELLED, RAW_OF, Labelled, read_mailbox
    from triage_cli.commands.labels import sort_out as sort_labels
    from triage_cli.reach import require_database

    mailbox = read_mailbox(mailbox_file or settings.triage_mailbox_file)
    try:
        with psycopg.connect(require_database(settings)) as conn:
            rows = [Labelled(*row) for row in conn.execute(LABELLED, {"since": None}).fetchall()]
            usable = sort_labels(rows)
            found = [Correction(row.email_id, bytes(conn.execute(RAW_OF, (row.email_id,)).fetchone()[0]),
                                line["intent"], mailbox) for row, line in usable.lines]
    except psycopg.Error as exc:
        fail(f"database: {exc}", 1)
    skipped = len(rows) - len(found)
    if skipped:
        err.print(f"[yellow]{skipped} label(s) without a usable raw message skipped "
                  "(see `triage labels export`)[/yellow]")
    return found


def code_version(root: Path) -> str | None:
    """``git describe`` of the checkout trained from; None outside a git work tree."""
    try:
        done = subprocess.run(["git", "-C", str(root), "describe", "--always", "--dirty", "--abbrev=12"],
                              capture_output=True, text=True, timeout=10, check=False)
    except (OSError, subprocess.SubprocessError):
        return None
    return done.stdout.strip() or None if done.returncode == 0 else None


# ---------------------------------------------------------------- work and output


def run(root: Path, corrections: list[Correction], loso: bool, quiet: bool) -> Trained:
    with Progress(TextColumn("{task.description}"), BarColumn(), MofNCompleteColumn(), TimeElapsedColumn(),
                  console=err, disable=quiet) as progress:
        task = progress.add_task("training", total=retraining.steps(root, loso))

        def step(what: str) -> None:
            progress.update(task, advance=1, description=what)

        return retraining.train_and_score(root, corrections, loso, step)


def write_atomically(target: Path, text: str) -> None:
    try:
        target.parent.mkdir(parents=True, exist_ok=True)
        handle, staging = tempfile.mkstemp(prefix=f".{target.name}.", dir=target.parent)
        with os.fdopen(handle, "w", encoding="utf-8") as file:
            file.write(text)
        os.replace(staging, target)
    except OSError as exc:
        fail(f"cannot write {target}: {exc.strerror or exc}", 1)


def report(summary: dict, trained: Trained, before: dict, fallen: list[Fallen], as_json: bool) -> None:
    if as_json:
        typer.echo(json.dumps(summary, ensure_ascii=False))
        for f in fallen:  # the refusal is said on stderr in every mode
            err.print(f"below the ratchet: {f}", markup=False, highlight=False)
        return
    out.print(scores_table(trained, before.get("scores") or {}, fallen))
    err.print(f"{summary['n_training']} training rows, {summary['n_corrections']} of them corrections "
              f"({summary['corrections_dropped_held_out']} dropped: their email is in a labelled set)")
    for key in summary["unchecked"]:
        err.print(f"[yellow]not checked:[/yellow] ratchet {key} (no such score in this run)")
    for f in fallen:
        err.print(f"[red]below the ratchet:[/red] {f}", highlight=False)
    if fallen:
        err.print(f"[red]refused:[/red] {summary['out']} not written", highlight=False)
    elif summary["written"]:
        err.print(f"wrote {summary['out']} (model {summary['model_version']})", highlight=False)
    else:
        err.print(f"dry run: {summary['out']} not written; the model passes the ratchet", highlight=False)


def scores_table(trained: Trained, before: dict, fallen: list[Fallen]) -> Table:
    low = {(f.key, f.metric) for f in fallen}
    table = Table("set", "n", *_COLUMNS.values(), "intent before",
                  title="new model: each set fitted, then left out (loso:)")
    for key, report in trained.reports().items():
        cells = []
        for name in _COLUMNS:
            value = getattr(report, name)
            text = "-" if value is None else f"{value:.3f}"
            cells.append(f"[red]{text}[/red]" if (key, name) in low else text)
        was = (before.get(key) or {}).get("intent_accuracy")
        table.add_row(key, str(report.n), *cells, "-" if was is None else f"{was:.3f}")
    return table


def fail(message: str, code: int) -> typer.Exit:
    err.print(f"[red]error:[/red] {message}", markup=True, highlight=False)
    raise typer.Exit(code)
