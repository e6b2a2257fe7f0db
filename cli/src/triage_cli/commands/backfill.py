"""``triage backfill``: the nightly backstop. Re-drives emails stuck without ``crm_events``.

Stuck = routed with an SLA due time in the past (``--older-than-sla``, the default) and no
``crm_events`` row for the email; ``--any-age`` widens it to every email without a
``crm_events`` row first seen more than ``--min-age-minutes`` ago (routed or not).

Where it is re-driven from depends on how far it got. An email that was routed has a
dedupe marker (written in the same transaction as its ``email.routed`` record), so the
route stage would skip its raw record: its ``email.routed`` record is rebuilt from the audit
rows (``routes``, ``emails``, latest ``extractions``) and re-published to ``email.routed``
for crm-sink, whose idempotency keys make a second delivery harmless. An email that never
got routed is re-published from its stored raw record (``emails.raw``) to ``email.raw``.
Every record is acknowledged (idempotent producer). An unrouted email whose raw body was
purged cannot be re-driven: it is counted. Exit codes: 0 ok (nothing stuck included);
1 database or Kafka failed; 2 bad input.
"""

from __future__ import annotations

import json

import psycopg
import typer
from confluent_kafka import KafkaException, Producer
from rich.console import Console
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn

from triage.domain.models import CrmAction, Extraction, RawEmail, RoutedEmail
from triage.platform.publisher import RawPublisher
from triage.platform.runtime import producer_config
from triage.platform.serde import Serde
from triage.platform.settings import CliSettings, load_settings
from triage.platform.topics import ROUTED
from triage_cli.reach import require_database, require_kafka

err = Console(stderr=True)

COLUMNS = """
SELECT e.email_id, e.thread_id, e.message_id, e.mailbox, e.source, e.gmail_id, e.received_at,
       e.size_bytes, e.truncated, e.raw IS NOT NULL, r.email_id IS NOT NULL
"""
STUCK_PAST_SLA = COLUMNS + """
FROM routes r JOIN emails e ON e.email_id = r.email_id
WHERE r.due_at < now()
  AND NOT EXISTS (SELECT 1 FROM crm_events c WHERE c.email_id = r.email_id)
ORDER BY r.due_at
LIMIT %(limit)s
"""
STUCK_ANY_AGE = COLUMNS + """
FROM emails e LEFT JOIN routes r ON r.email_id = e.email_id
WHERE e.created_at < now() - make_interval(mins => %(min_age)s)
  AND NOT EXISTS (SELECT 1 FROM crm_events c WHERE c.email_id = e.email_id)
ORDER BY e.received_at
LIMIT %(limit)s
"""
RAW_OF = "SELECT raw FROM emails WHERE email_id = %s"
ROUTED_OF = """
SELECT e.email_id, e.thread_id, e.mailbox, e.received_at, e.message_id, e.from_email, e.subject,
       x.data, r.queue, r.priority, r.sla_minutes, r.due_at, r.rule, r.reason, r.ignored, r.actions
FROM routes r JOIN emails e ON e.email_id = r.email_id
JOIN LATERAL (SELECT data FROM extractions WHERE email_id = r.email_id ORDER BY created_at DESC LIMIT 1) x
  ON true
WHERE r.email_id = %s
"""


def backfill(
    older_than_sla: bool = typer.Option(True, "--older-than-sla/--any-age",
                                        help="Only emails past their SLA due time (default), or any age"),
    min_age_minutes: int = typer.Option(15, min=0, help="--any-age: only emails first seen this long ago"),
    limit: int = typer.Option(10_000, min=1, help="At most this many emails per run"),
    dry_run: bool = typer.Option(False, "--dry-run", help="List what would be re-driven; publish nothing"),
    as_json: bool = typer.Option(False, "--json", help="JSON summary on stdout"),
) -> None:
    """Re-publish emails stuck without crm_events (past their SLA) from their raw record to email.raw."""
    settings = load_settings(CliSettings)
    query = STUCK_PAST_SLA if older_than_sla else STUCK_ANY_AGE
    try:
        with psycopg.connect(require_database(settings)) as conn:
            stuck = conn.execute(query, {"limit": limit, "min_age": min_age_minutes}).fetchall()
            redrivable = [row for row in stuck if row[9] or row[10]]
            published: list[str] = []
            if not dry_run and redrivable:
                require_kafka(settings)
                publisher, routed = RawPublisher(settings), RoutedPublisher(settings)
                with Progress(TextColumn("backfill"), BarColumn(), MofNCompleteColumn(), TimeElapsedColumn(),
                              console=err, disable=as_json) as progress:
                    task = progress.add_task("backfill", total=len(redrivable))
                    for row in redrivable:  # one at a time: raw messages can be large
                        if row[10] and (record := routed_record(conn, row[0])) is not None:
                            routed.publish(record)
                            published.append(row[0])
                        elif (raw := conn.execute(RAW_OF, (row[0],)).fetchone()) and raw[0] is not None:
                            publisher.publish(RawEmail(
                                email_id=row[0], thread_id=row[1], message_id=row[2], mailbox=row[3],
                                source=row[4] or "backfill", gmail_id=row[5], received_at=row[6],
                                size_bytes=row[7] if row[7] is not None else len(raw[0]), truncated=row[8],
                                raw=bytes(raw[0])), headers={"triage.backfill": b"1"})
                            published.append(row[0])
                        progress.advance(task)
                    publisher.flush()
                    routed.flush()
    except psycopg.Error as exc:
        err.print(f"[red]error:[/red] database: {exc}")
        raise typer.Exit(1) from exc
    except KafkaException as exc:
        err.print(f"[red]error:[/red] Kafka at {settings.kafka_bootstrap_servers}: {exc}")
        raise typer.Exit(1) from exc
    no_raw = [row[0] for row in stuck if not row[9] and not row[10]]
    summary = {"dry_run": dry_run, "stuck": len(stuck), "redriven": published,
               "would_redrive": [row[0] for row in redrivable] if dry_run else [],
               "raw_purged": no_raw}
    if as_json:
        typer.echo(json.dumps(summary))
    else:
        verb = "would re-drive" if dry_run else "re-drove"
        count = len(redrivable) if dry_run else len(published)
        err.print(f"{len(stuck)} email(s) stuck without crm_events; {verb} {count} into "
                  f"{settings.topic('email.raw')}")
        if no_raw:
            err.print(f"[yellow]{len(no_raw)} stuck email(s) have no raw body any more (purged): "
                      f"{', '.join(no_raw[:10])}[/yellow]")


def routed_record(conn: psycopg.Connection, email_id: str) -> RoutedEmail | None:
    """The email's ``email.routed`` record, rebuilt from its audit rows (None if they are incomplete)."""
    row = conn.execute(ROUTED_OF, (email_id,)).fetchone()
    if row is None:
        return None
    (email_id, thread_id, mailbox, received_at, message_id, from_email, subject, data, queue, priority,
     sla_minutes, due_at, rule, reason, ignored, actions) = row
    return RoutedEmail(
        email_id=email_id, thread_id=thread_id, mailbox=mailbox, received_at=received_at,
        message_id=message_id, from_email=from_email, subject=subject or "",
        extraction=Extraction.model_validate(data), queue=queue, priority=priority, sla_minutes=sla_minutes,
        due_at=due_at, rule=rule, reason=reason, ignored=ignored,
        crm_actions=[CrmAction.model_validate(a) for a in actions])


class RoutedPublisher:
    """``email.routed`` records, idempotent producer, each acknowledged (``flush`` raises otherwise)."""

    def __init__(self, settings: CliSettings) -> None:
        self.settings = settings
        self.serde = Serde()
        self._producer: Producer | None = None
        self._errors: list[str] = []

    def publish(self, record: RoutedEmail) -> None:
        if self._producer is None:
            self._producer = Producer(producer_config(self.settings, transactional_id=None))
        self._producer.produce(self.settings.topic(ROUTED), key=record.thread_id.encode(),
                               value=self.serde.encode(ROUTED, record), headers=[("triage.backfill", b"1")],
                               on_delivery=lambda error, _m: error is None or self._errors.append(str(error)))
        self._producer.poll(0)

    def flush(self, timeout_s: float = 60) -> None:
        if self._producer is None:
            return
        remaining = self._producer.flush(timeout_s)
        if remaining or self._errors:
            raise KafkaException(f"{remaining} record(s) unacknowledged, {len(self._errors)} failed")


def register(app: typer.Typer) -> None:
    app.command("backfill")(backfill)
