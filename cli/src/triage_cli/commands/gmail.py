"""``triage gmail watch`` and ``triage gmail backfill``: the Gmail side an operator (or a CronJob) runs.

``watch`` starts or renews ``users.watch`` for every configured mailbox (a
watch lasts 7 days: run it daily) and records each renewal on
``gmail.notifications``, so the fetch worker's metrics show the expiry and a
new mailbox gets its first sync. ``backfill`` publishes a mailbox's messages
since a date to ``email.raw`` directly, with a progress bar.
"""

from __future__ import annotations

import json
from datetime import UTC, date, datetime

import typer
from confluent_kafka import KafkaException, Producer
from rich.console import Console
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn
from rich.table import Table
from tenacity import Retrying, retry_if_exception_type, stop_after_attempt

from triage.domain.intake import raw_email
from triage.domain.models import GmailNotification
from triage.platform.admin import apply_topics
from triage.platform.errors import TransientError
from triage.platform.gmail import (
    GmailClient,
    GmailNotFound,
    configured_mailboxes,
    decode_raw,
    gmail_client,
)
from triage.platform.publisher import RawPublisher
from triage.platform.retrying import backoff
from triage.platform.runtime import producer_config
from triage.platform.serde import Serde
from triage.platform.settings import CliSettings, load_settings
from triage.platform.topics import GMAIL_NOTIFICATIONS
from triage_cli.reach import require_kafka

console = Console()
err = Console(stderr=True)
gmail = typer.Typer(help="Gmail: watches and backfills.", no_args_is_help=True)


@gmail.command("watch")
def watch(
    mailbox: list[str] = typer.Option(None, help="Only these mailboxes (default: TRIAGE_GMAIL_MAILBOXES)"),
    as_json: bool = typer.Option(False, "--json", help="Print JSON lines instead of a table"),
) -> None:
    """Start or renew the Gmail watch of every configured mailbox (exit 1 if any failed)."""
    settings = load_settings(CliSettings)
    if not settings.triage_gmail_pubsub_topic:
        err.print("[red]error:[/red] TRIAGE_GMAIL_PUBSUB_TOPIC (projects/P/topics/T) is not set")
        raise typer.Exit(2)
    mailboxes = [m.lower() for m in mailbox] if mailbox else configured_mailboxes(settings)
    if not mailboxes:
        err.print("[red]error:[/red] no mailbox: set TRIAGE_GMAIL_MAILBOXES or pass --mailbox")
        raise typer.Exit(2)
    require_kafka(settings)
    rows, failed = [], 0
    notes = []
    for address in mailboxes:
        try:
            answer = with_retries(settings, lambda a=address: gmail_client(settings, a).watch(
                settings.triage_gmail_pubsub_topic, labels(settings)))
        except Exception as exc:  # one mailbox's failure must not stop the others' renewal
            failed += 1
            rows.append({"mailbox": address, "error": f"{type(exc).__name__}: {exc}"})
            continue
        expires = datetime.fromtimestamp(int(answer["expiration"]) / 1000, UTC)
        notes.append(GmailNotification(mailbox=address, history_id=int(answer["historyId"]),
                                       received_at=datetime.now(UTC), source="watch", watch_expires_at=expires))
        rows.append({"mailbox": address, "history_id": int(answer["historyId"]), "expires": expires.isoformat()})
    publish_notifications(settings, notes)
    show(rows, as_json)
    raise typer.Exit(1 if failed else 0)


@gmail.command("backfill")
def backfill(
    mailbox: str = typer.Option(..., help="The mailbox to read"),
    since: datetime = typer.Option(..., formats=["%Y-%m-%d"], help="First day to ingest (YYYY-MM-DD)"),
    as_json: bool = typer.Option(False, "--json", help="Print a JSON summary on stdout"),
) -> None:
    """Publish a mailbox's messages received since a day to email.raw (keyed by thread id)."""
    settings = load_settings(CliSettings)
    require_kafka(settings)
    client = gmail_client(settings, mailbox.lower())
    publisher = RawPublisher(settings)
    try:
        apply_topics(settings)
        ids = list_since(settings, client, since.date())
        published, deleted = 0, 0
        with Progress(TextColumn("backfill"), BarColumn(), MofNCompleteColumn(), TimeElapsedColumn(),
                      console=err, disable=as_json) as progress:
            task = progress.add_task("backfill", total=len(ids))
            for message_id in ids:
                try:
                    message = with_retries(settings, lambda m=message_id: client.message_raw(m))
                except GmailNotFound:
                    deleted += 1
                else:
                    publisher.publish(raw_email(
                        decode_raw(message["raw"]), source="gmail", received_at=received(message),
                        max_bytes=settings.triage_ingest_max_bytes, mailbox=client.mailbox,
                        gmail_id=message["id"], thread_id=message.get("threadId")))
                    published += 1
                progress.advance(task)
        publisher.flush()
    except KafkaException as exc:
        err.print(f"[red]error:[/red] Kafka at {settings.kafka_bootstrap_servers}: {exc}")
        raise typer.Exit(1) from exc
    except TransientError as exc:
        err.print(f"[red]error:[/red] Gmail still failing after {settings.triage_max_attempts} tries: {exc}")
        raise typer.Exit(1) from exc
    summary = {"mailbox": client.mailbox, "listed": len(ids), "published": published, "deleted": deleted}
    if as_json:
        typer.echo(json.dumps(summary))
    else:
        err.print(f"{client.mailbox}: {published} published, {deleted} deleted before fetch, "
                  f"into {settings.topic('email.raw')}")


def labels(settings: CliSettings) -> list[str]:
    return list(settings.triage_gmail_watch_labels)


def list_since(settings: CliSettings, client: GmailClient, day: date) -> list[str]:
    """Every message id since ``day`` (Gmail's ``after:`` takes epoch seconds), oldest first."""
    query = f"after:{int(datetime(day.year, day.month, day.day, tzinfo=UTC).timestamp())}"
    ids, token = [], None
    while True:
        page = with_retries(settings, lambda t=token: client.messages_page(query, t))
        ids += [m["id"] for m in page.get("messages", [])]
        token = page.get("nextPageToken")
        if not token:
            return ids[::-1]


def with_retries(settings: CliSettings, call):
    """The runtime's retry policy, for the CLI: TransientError, backoff with jitter, bounded tries."""
    return Retrying(stop=stop_after_attempt(settings.triage_max_attempts),
                    wait=backoff(settings.triage_retry_initial_s, settings.triage_retry_max_s, jitter_s=1.0),
                    retry=retry_if_exception_type(TransientError), reraise=True)(call)


def received(message: dict) -> datetime:
    return datetime.fromtimestamp(int(message.get("internalDate", 0)) / 1000, UTC)


def publish_notifications(settings: CliSettings, notes: list[GmailNotification]) -> None:
    if not notes:
        return
    apply_topics(settings)
    producer, serde = Producer(producer_config(settings, None)), Serde()
    for note in notes:
        producer.produce(settings.topic(GMAIL_NOTIFICATIONS), key=note.mailbox.encode(),
                         value=serde.encode(GMAIL_NOTIFICATIONS, note))
    if producer.flush(30):
        raise KafkaException("watch renewals not acknowledged by the broker")


def show(rows: list[dict], as_json: bool) -> None:
    if as_json:
        for row in rows:
            typer.echo(json.dumps(row))
        return
    table = Table("mailbox", "history id", "watch expires", "error")
    for row in rows:
        table.add_row(row["mailbox"], str(row.get("history_id", "")), row.get("expires", ""), row.get("error", ""))
    console.print(table)


def register(app: typer.Typer) -> None:
    app.add_typer(gmail, name="gmail")
