"""``triage ingest PATH...``: .eml files, folders, mbox files and Maildirs into email.raw."""

from __future__ import annotations

import json
from datetime import UTC, datetime
from pathlib import Path

import typer
from confluent_kafka import KafkaException
from rich.console import Console
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn

from triage.domain.intake import not_a_message, raw_email
from triage.platform.admin import apply_topics
from triage.platform.publisher import RawPublisher
from triage.platform.settings import CliSettings, load_settings
from triage.platform.sources import SourceError, count_messages, iter_messages
from triage.platform.telemetry import setup_telemetry, shutdown_telemetry
from triage_cli.commands.results import INGESTED_AT
from triage_cli.reach import require_kafka

err = Console(stderr=True)


def ingest(
    paths: list[Path] = typer.Argument(..., help=".eml files, folders of them, mbox files or Maildirs"),
    inbox: str | None = typer.Option(None, help="Receiving inbox (default: Delivered-To/To of each message)"),
    ids_out: Path | None = typer.Option(None, help="Write the ingested email ids here, one per line (after a '# ingested at' line)"),
    as_json: bool = typer.Option(False, "--json", help="Print a JSON summary on stdout"),
    skip_invalid: bool = typer.Option(False, "--skip-invalid",
                                      help="Publish the messages and leave out what is no RFC 5322 message"),
) -> None:
    """Publish messages to email.raw, keyed by thread id; each is acknowledged before it counts.

    Input that is no RFC 5322 message (binary, JSON, empty, no header block) is refused before
    anything is published (exit 2), or left out and listed with ``--skip-invalid``.
    """
    settings = load_settings(CliSettings)
    setup_telemetry("ingest-cli", settings)  # the file door starts each email's trace (when OTEL_* is set)
    try:
        refused = refused_messages(paths)
        total = count_messages(paths) - len(refused)
    except (SourceError, OSError) as exc:
        err.print(f"[red]error:[/red] {exc}")
        raise typer.Exit(2) from exc
    for origin, problem in refused.items():
        err.print(f"[red]{'skipped' if skip_invalid else 'error'}:[/red] {origin} is not an RFC 5322 "
                  f"message: {problem}", highlight=False)
    if refused and not skip_invalid:
        err.print(f"refused {len(refused)} input(s); nothing published (--skip-invalid publishes the rest)")
        raise typer.Exit(2)
    require_kafka(settings)
    publisher = RawPublisher(settings)
    ids: list[str] = []
    started = datetime.now(UTC)  # before the first publish: what results compares CRM events with
    try:
        apply_topics(settings)
        with Progress(TextColumn("ingest"), BarColumn(), MofNCompleteColumn(), TimeElapsedColumn(),
                      console=err, disable=as_json) as progress:
            task = progress.add_task("ingest", total=total)
            for message in iter_messages(paths):
                if message.origin in refused:
                    continue
                record = raw_email(message.raw, source="file", received_at=datetime.now(UTC),
                                   max_bytes=settings.triage_ingest_max_bytes, mailbox=inbox)
                publisher.publish(record)
                ids.append(record.email_id)
                progress.advance(task)
            publisher.flush()
        shutdown_telemetry()
    except KafkaException as exc:
        err.print(f"[red]error:[/red] Kafka at {settings.kafka_bootstrap_servers}: {exc}")
        raise typer.Exit(1) from exc
    if ids_out:
        ids_out.write_text(f"{INGESTED_AT}{started.isoformat()}\n" + "".join(f"{i}\n" for i in ids))
    if as_json:
        typer.echo(json.dumps({"ingested": len(ids), "email_ids": ids}))
    else:
        err.print(f"ingested {len(ids)} message(s) into {settings.topic('email.raw')}")


def refused_messages(paths: list[Path]) -> dict[str, str]:
    """Each input that is no RFC 5322 message, by where it came from, with why."""
    return {m.origin: problem for m in iter_messages(paths) if (problem := not_a_message(m.raw))}


def register(app: typer.Typer) -> None:
    app.command("ingest")(ingest)
