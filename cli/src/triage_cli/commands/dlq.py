"""``triage dlq list|show|replay``: the dead-letter topic, read and replayed (triage.platform.dlq).

Exit codes: 0 ok; 1 Kafka or PostgreSQL failed or a replay was not acknowledged; 2 bad input
or a letter that does not exist; 3 parked letters were refused (``--force``), or letters
already replayed or discarded (``--again``).

What people decided about each letter (replayed, discarded: by whom, when, why) is in
``dead_letter_states`` (triage.platform.dlq_states), shared with the admin UI: a replay
claims the letter's row in the transaction that waits for the broker's acknowledgement, so
the UI and the CLI never replay a letter twice by accident. The actor is ``cli:<user>``.
"""

from __future__ import annotations

import getpass
import json
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import UTC, datetime

import typer
from confluent_kafka import KafkaException
from rich.console import Console
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn
from rich.table import Table

from triage.platform.db import Database
from triage.platform.dlq import Filters, Letter, Replayer, fetch_letter, parse_id, read_letters
from triage.platform.dlq_states import AlreadyDecided, LetterState, LetterStates
from triage.platform.settings import CliSettings, load_settings
from triage.platform.topics import DLQ
from triage_cli.reach import require_database, require_kafka

console = Console(width=None if Console().is_terminal else 160)
err = Console(stderr=True)
dlq = typer.Typer(help="The dead-letter topic: list, show, replay and discard letters.", no_args_is_help=True)
PARKED_EXIT = 3

SERVICE = typer.Option(None, "--service", help="Only letters from this service (extract, route, ...)")
ERROR_CLASS = typer.Option(None, "--error-class", help="Only this error class (SerdeError, ...)")
TOPIC = typer.Option(None, "--topic", help="Only letters whose original came from this topic (email.raw, ...)")
SINCE = typer.Option(None, "--since", help="Failed at or after (ISO 8601; UTC if no offset)")
UNTIL = typer.Option(None, "--until", help="Failed at or before (ISO 8601; UTC if no offset)")
AS_JSON = typer.Option(False, "--json", help="JSON on stdout")


def parse_time(value: str | None, name: str) -> datetime | None:
    if value is None:
        return None
    try:
        moment = datetime.fromisoformat(value)
    except ValueError as exc:
        raise typer.BadParameter(f"{value!r} is not an ISO 8601 time", param_hint=name) from exc
    return moment if moment.tzinfo else moment.replace(tzinfo=UTC)


def filters(service: str | None, error_class: str | None, topic: str | None, since: str | None,
            until: str | None) -> Filters:
    return Filters(service, error_class, topic, parse_time(since, "--since"), parse_time(until, "--until"))


def cli_actor() -> str:
    return f"cli:{getpass.getuser()}"


@contextmanager
def letter_states(settings: CliSettings) -> Iterator[LetterStates]:
    """The letters' states on a pool of one connection for the command's life (ADR 0037), closed after."""
    database = Database(require_database(settings), max_size=1).connect()
    try:
        yield LetterStates(database, settings.topic(DLQ))
    finally:
        database.close()


def with_state(summary: dict[str, object], state: LetterState | None) -> dict[str, object]:
    """The letter as the admin UI shows it: our replays counted, and what was decided."""
    replays = int(summary["replays"]) + (state.replays if state else 0)  # type: ignore[call-overload]
    return {**summary, "replays": replays, "state": state.state if state else "new",
            "state_detail": state.describe() if state else ""}


def collect(settings: CliSettings, chosen: Filters) -> list[Letter]:
    require_kafka(settings)
    try:
        return list(read_letters(settings, chosen))
    except (KafkaException, TimeoutError) as exc:
        err.print(f"[red]error:[/red] reading {settings.topic('email.dlq')}: {exc}")
        raise typer.Exit(1) from exc


@dlq.command("list")
def list_letters(service: str | None = SERVICE, error_class: str | None = ERROR_CLASS, topic: str | None = TOPIC,
                 since: str | None = SINCE, until: str | None = UNTIL, limit: int = typer.Option(200, min=1),
                 as_json: bool = AS_JSON) -> None:
    """Letters on email.dlq, oldest first per partition (id = PARTITION:OFFSET)."""
    settings = load_settings(CliSettings)
    letters = collect(settings, filters(service, error_class, topic, since, until))
    limit_n = settings.triage_dlq_max_replays
    with letter_states(settings) as known:
        states = known.of((x.partition, x.offset) for x in letters[:limit])
    rows = [with_state(letter.summary(limit_n), states.get((letter.partition, letter.offset)))
            for letter in letters[:limit]]
    if as_json:
        typer.echo(json.dumps({"total": len(letters), "letters": rows}))
        return
    table = Table("id", "failed at", "service", "source", "error", "attempts", "replays", "state", "message")
    for r in rows:
        replays = f"{r['replays']}" + (" parked" if r["parked"] else "")
        table.add_row(str(r["id"]), str(r["failed_at"])[:19], str(r["service"]),
                      f"{r['source_topic']}[{r['source_partition']}]@{r['source_offset']}", str(r["error_class"]),
                      str(r["attempts"]), replays, str(r["state_detail"] or r["state"]),
                      str(r["error_message"]).splitlines()[0][:60] if r["error_message"] else "")
    console.print(table)
    shown = f" (first {limit} shown)" if len(letters) > limit else ""
    err.print(f"{len(letters)} letter(s) on {settings.topic('email.dlq')}{shown}")


def one_letter(settings: CliSettings, letter_id: str) -> Letter:
    """The letter at PARTITION:OFFSET; exit 2 for a malformed id or none there, 1 when Kafka is away."""
    try:
        parse_id(letter_id)
        require_kafka(settings)
        letter = fetch_letter(settings, letter_id)
    except ValueError as exc:
        err.print(f"[red]error:[/red] {exc}")
        raise typer.Exit(2) from exc
    except (KafkaException, TimeoutError) as exc:
        err.print(f"[red]error:[/red] {exc}")
        raise typer.Exit(1) from exc
    if letter is None:
        err.print(f"[red]error:[/red] no letter {letter_id} on {settings.topic('email.dlq')}")
        raise typer.Exit(2)
    return letter


@dlq.command("show")
def show(letter_id: str = typer.Argument(..., help="PARTITION:OFFSET, as `triage dlq list` shows"),
         as_json: bool = AS_JSON) -> None:
    """One letter: the error, its stack, the original's headers and size."""
    settings = load_settings(CliSettings)
    letter = one_letter(settings, letter_id)
    d = letter.letter
    with letter_states(settings) as known:
        state = known.one(letter.partition, letter.offset)
    detail = {
        **with_state(letter.summary(settings.triage_dlq_max_replays), state),
        "stack": d.stack,
        "original_key": (d.original_key or b"").decode(errors="replace"),
        "original_value_bytes": len(d.original_value or b""),
        "original_headers": {k: v.decode(errors="replace") for k, v in d.original_headers.items()},
        "headers": {k: v.decode(errors="replace") for k, v in letter.headers.items()},
    }
    if as_json:
        typer.echo(json.dumps(detail))
        return
    table = Table("field", "value", show_header=False)
    for name, value in detail.items():
        if name not in ("stack", "original_headers", "headers"):
            table.add_row(name, str(value))
    for name, value in detail["original_headers"].items():
        table.add_row(f"original header {name}", value)
    console.print(table)
    console.print(d.stack or "(no stack)", markup=False, highlight=False)


@dlq.command("replay")
def replay(
    letter_ids: list[str] = typer.Argument(None, help="Letters to replay (PARTITION:OFFSET); none: every match"),
    service: str | None = SERVICE, error_class: str | None = ERROR_CLASS, topic: str | None = TOPIC,
    since: str | None = SINCE, until: str | None = UNTIL,
    dry_run: bool = typer.Option(False, "--dry-run", help="Show what would be replayed; publish nothing"),
    force: bool = typer.Option(False, "--force", help="Replay parked letters too"),
    again: bool = typer.Option(False, "--again", help="Replay letters already replayed or discarded too"),
    all_letters: bool = typer.Option(False, "--all", help="Needed to replay every letter when nothing selects"),
    as_json: bool = AS_JSON,
) -> None:
    """Re-publish letters' originals to their topic and partition, with the replay count raised."""
    settings = load_settings(CliSettings)
    chosen = filters(service, error_class, topic, since, until)
    if not letter_ids and chosen == Filters() and not all_letters:
        err.print("[red]error:[/red] name letters, filter them (--service, --since, ...) or pass --all")
        raise typer.Exit(2)
    try:
        wanted = {parse_id(i) for i in letter_ids or []}
    except ValueError as exc:
        err.print(f"[red]error:[/red] {exc}")
        raise typer.Exit(2) from exc
    letters = [x for x in collect(settings, chosen) if not wanted or (x.partition, x.offset) in wanted]
    missing = wanted - {(x.partition, x.offset) for x in letters}
    if missing:
        err.print(f"[red]error:[/red] no such letter: {', '.join(f'{p}:{o}' for p, o in sorted(missing))}")
        raise typer.Exit(2)
    limit = settings.triage_dlq_max_replays
    with letter_states(settings) as states:  # the pool closes once the replays are done
        decided = states.of((x.partition, x.offset) for x in letters)
        refused = [x for x in letters if x.parked(limit) and not force]
        refused_decided = [x for x in letters if (x.partition, x.offset) in decided and not again]
        todo = [x for x in letters if x not in refused and x not in refused_decided]
        replayer = None if dry_run else Replayer(settings)
        unacked = 0
        try:
            with Progress(TextColumn("replay"), BarColumn(), MofNCompleteColumn(), TimeElapsedColumn(),
                          console=err, disable=as_json or dry_run) as progress:
                task = progress.add_task("replay", total=len(todo))
                if replayer is not None:
                    for letter in todo:
                        try:
                            unacked += replay_once(states, replayer, letter, again)
                        except AlreadyDecided:  # decided meanwhile (the UI, another operator)
                            refused_decided.append(letter)
                        progress.advance(task)
        except (KafkaException, BufferError) as exc:
            err.print(f"[red]error:[/red] Kafka at {settings.kafka_bootstrap_servers}: {exc}")
            raise typer.Exit(1) from exc
    failed = replayer.failed if replayer else []
    summary = {
        "dry_run": dry_run, "selected": len(letters),
        "replayed": [] if replayer is None else sorted(replayer.delivered),
        "would_replay": [x.id for x in todo] if dry_run else [],
        "refused_parked": [x.id for x in refused], "failed": [f"{i}: {e}" for i, e in failed],
        "refused_decided": [x.id for x in refused_decided], "unacknowledged": unacked,
    }
    if as_json:
        typer.echo(json.dumps(summary))
    else:
        verb = "would replay" if dry_run else "replayed"
        count = len(todo) if dry_run else len(summary["replayed"])
        err.print(f"{verb} {count} of {len(letters)} letter(s) to their original topics")
        for x in (todo if dry_run else []):
            err.print(f"  {x.id} -> {x.letter.source_topic}[{x.letter.source_partition}] "
                      f"({x.letter.service}, {x.letter.error_class}, replay {x.replays + 1})")
        if refused:
            err.print(f"[yellow]{len(refused)} parked letter(s) refused (replayed {limit}+ times; --force "
                      f"to replay anyway): {', '.join(x.id for x in refused[:20])}[/yellow]")
        if refused_decided:
            err.print(f"[yellow]{len(refused_decided)} letter(s) already replayed or discarded, refused "
                      f"(--again to replay anyway): {', '.join(x.id for x in refused_decided[:20])}[/yellow]")
        for line in summary["failed"]:
            err.print(f"[red]not acknowledged:[/red] {line}")
    if failed or unacked:
        raise typer.Exit(1)
    if refused or refused_decided:
        raise typer.Exit(PARKED_EXIT)


class NotAcknowledged(Exception):
    """The broker did not acknowledge a replay: its claim rolls back."""


def replay_once(states: LetterStates, replayer: Replayer, letter: Letter, again: bool) -> int:
    """One letter: claimed, published and acknowledged in one transaction; returns 1 if unacknowledged."""
    def publish() -> None:
        failed_before = len(replayer.failed)
        replayer.replay(letter)
        if replayer.flush(30) or len(replayer.failed) > failed_before:
            raise NotAcknowledged(letter.id)
    try:
        states.replay(letter.partition, letter.offset, cli_actor(), publish,
                      {"source_topic": letter.letter.source_topic, "replay": letter.replays + 1}, again=again)
    except NotAcknowledged:
        return 0 if len(replayer.failed) else 1
    return 0


@dlq.command("discard")
def discard(letter_id: str = typer.Argument(..., help="PARTITION:OFFSET, as `triage dlq list` shows"),
            reason: str = typer.Option(..., "--reason", help="Why it will not be replayed (recorded)"),
            as_json: bool = AS_JSON) -> None:
    """Set a letter aside for good: it is not replayed (UI or CLI) unless --again; the reason is recorded."""
    settings = load_settings(CliSettings)
    letter = one_letter(settings, letter_id)
    partition, offset = letter.partition, letter.offset
    try:
        with letter_states(settings) as known:
            state = known.discard(partition, offset, cli_actor(), reason)
    except ValueError as exc:
        err.print(f"[red]error:[/red] --reason: {exc}")
        raise typer.Exit(2) from exc
    except AlreadyDecided as exc:
        err.print(f"[yellow]{exc}[/yellow]")
        raise typer.Exit(PARKED_EXIT) from exc
    if as_json:
        typer.echo(json.dumps({"id": letter_id, "state": state.state, "actor": state.actor, "reason": state.reason}))
    else:
        err.print(f"letter {letter_id} {state.describe()}")


def register(app: typer.Typer) -> None:
    app.add_typer(dlq, name="dlq")
