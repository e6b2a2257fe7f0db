"""``triage topics apply`` and ``triage db migrate``: the deploy-time admin steps."""

from __future__ import annotations

import typer
from confluent_kafka import KafkaException
from rich.console import Console
from rich.table import Table

from triage.platform.admin import apply_topics
from triage.platform.db import migrate
from triage.platform.settings import CliSettings, load_settings
from triage_cli.reach import require_database, require_kafka

console = Console()
topics = typer.Typer(help="The topic registry.", no_args_is_help=True)
db = typer.Typer(help="The PostgreSQL schema.", no_args_is_help=True)


@topics.command("apply")
def topics_apply(partitions: int | None = typer.Option(None, help="Override every topic's partition count")) -> None:
    """Create every registry topic that is missing (harmless to run again)."""
    settings = load_settings(CliSettings)
    require_kafka(settings)
    try:
        applied = apply_topics(settings, partitions)
    except KafkaException as exc:
        console.print(f"[red]error:[/red] {exc}")
        raise typer.Exit(1) from exc
    table = Table("topic", "partitions", "state")
    for topic in applied:
        table.add_row(topic.name, str(topic.partitions), "created" if topic.created else "exists")
    console.print(table)


@db.command("migrate")
def db_migrate() -> None:
    """Apply pending migrations (forward-only)."""
    applied = migrate(require_database(load_settings(CliSettings)))
    console.print(f"applied {len(applied)} migration(s): {', '.join(applied) or 'none pending'}")


def register(app: typer.Typer) -> None:
    app.add_typer(topics, name="topics")
    app.add_typer(db, name="db")
