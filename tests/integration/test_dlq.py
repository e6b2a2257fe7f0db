"""triage dlq on the real stack: Slack hears each new letter once, replay takes effect once, parking."""

from __future__ import annotations

import json
from collections import Counter
from datetime import UTC, datetime

import psycopg
import pytest
from confluent_kafka import Producer
from typer.testing import CliRunner

from tests.support.corpus import make_corpus
from tests.support.kafka import decoded, read_topic, wait_until
from tests.support.pipeline import Pipeline
from tests.unit.dlq.fake_slack import FakeSlack
from triage.domain.intake import raw_email
from triage.domain.models import CrmEvent, DeadLetter, RoutedEmail
from triage.platform.serde import Serde
from triage.platform.topics import CRM_EVENTS, DLQ, RAW, ROUTED
from triage_cli.app import app


def hand_made_letter(pipeline: Pipeline, source_offset: int, original: bytes, key: bytes,
                     replays: int | None = None, parked: bool = False) -> None:
    """What the runtime writes when extract fails on an email.raw record."""
    headers = {"triage.replays": str(replays).encode()} if replays is not None else {}
    letter = DeadLetter(source_topic=RAW, source_partition=0, source_offset=source_offset, service="extract",
                        error_class="TransientError", error_message="database unavailable",
                        attempts=4, failed_at=datetime.now(UTC), original_key=key, original_value=original,
                        original_headers=headers)
    dlq_headers = [("triage.source.topic", RAW.encode()), ("triage.service", b"extract"),
                   ("triage.error.class", b"TransientError")]
    if replays is not None:
        dlq_headers.append(("triage.replays", str(replays).encode()))
    if parked:
        dlq_headers.append(("triage.parked", b"true"))
    producer = Producer({"bootstrap.servers": pipeline.stack.bootstrap_servers, "enable.idempotence": True})
    producer.produce(pipeline.settings.topic(DLQ), key=key, value=Serde().encode(DLQ, letter),
                     headers=dlq_headers)
    assert producer.flush(10) == 0


def triage(pipeline: Pipeline, monkeypatch: pytest.MonkeyPatch, *args: str) -> tuple[int, dict]:
    monkeypatch.setenv("KAFKA_BOOTSTRAP_SERVERS", pipeline.stack.bootstrap_servers)
    monkeypatch.setenv("DATABASE_URL", pipeline.database_url)
    monkeypatch.setenv("TRIAGE_TOPIC_PREFIX", pipeline.prefix)
    result = CliRunner().invoke(app, [*args, "--json"])
    assert result.exception is None or isinstance(result.exception, SystemExit), result.output
    return result.exit_code, json.loads(result.stdout)


def routed_for(pipeline: Pipeline, email_id: str) -> list[RoutedEmail]:
    return [r for r in decoded(pipeline.settings, ROUTED) if r.email_id == email_id]


def test_letters_are_announced_listed_replayed_once_and_parked(pipeline: Pipeline,
                                                                monkeypatch: pytest.MonkeyPatch) -> None:
    slack = FakeSlack()
    pipeline.extra_env["TRIAGE_SLACK_WEBHOOK_URL"] = slack.url
    pipeline.start_all()
    serde = Serde()
    emails = [raw_email(raw, source="file", received_at=datetime.now(UTC), max_bytes=25 << 20)
              for _, raw in make_corpus(12, seed=81)]
    lead = next(e for e in emails if b"X-Triage-Test-Intent: lead" in e.raw)
    other = next(e for e in emails if e is not lead)
    hand_made_letter(pipeline, 7, serde.encode(RAW, lead), lead.thread_id.encode())  # valid original
    hand_made_letter(pipeline, 8, serde.encode(RAW, other), other.thread_id.encode(), replays=3, parked=True)
    hand_made_letter(pipeline, 9, b"\x00still poison", b"poison-key", replays=2)  # fails once more

    # Slack hears of each letter once, with the command that replays it
    wait_until(lambda: sum(m["text"].count("triage dlq replay") for m in slack.received) >= 3, 30,
               "Slack notifications")
    texts = "\n".join(m["text"] for m in slack.received)
    assert "--force" in texts, "the parked letter's command says it needs --force"

    code, listed = triage(pipeline, monkeypatch, "dlq", "list", "--service", "extract")
    assert code == 0 and listed["total"] == 3
    by_replays = {row["replays"]: row for row in listed["letters"]}
    assert by_replays[3]["parked"] and not by_replays[0]["parked"] and not by_replays[2]["parked"]
    table = CliRunner().invoke(app, ["dlq", "list"])
    assert table.exit_code == 0 and by_replays[3]["id"] in table.stdout and "parked" in table.stdout
    shown = CliRunner().invoke(app, ["dlq", "show", by_replays[0]["id"]])
    assert shown.exit_code == 0 and "TransientError" in shown.stdout
    assert CliRunner().invoke(app, ["dlq", "show", "0:99999"]).exit_code == 2
    code, one = triage(pipeline, monkeypatch, "dlq", "show", by_replays[3]["id"])
    assert code == 0 and one["headers"]["triage.parked"] == "true" and one["original_headers"]["triage.replays"] == "3"
    _, none = triage(pipeline, monkeypatch, "dlq", "list", "--service", "route")
    assert none["total"] == 0
    _, future = triage(pipeline, monkeypatch, "dlq", "list", "--since", "2999-01-01T00:00:00")
    assert future["total"] == 0

    code, dry = triage(pipeline, monkeypatch, "dlq", "replay", "--service", "extract", "--dry-run")
    assert code == 3, "a parked letter is refused"
    assert len(dry["would_replay"]) == 2 and dry["refused_parked"] == [by_replays[3]["id"]]
    assert dry["replayed"] == []
    assert read_topic(pipeline.settings, RAW) == [], "a dry run publishes nothing"

    good, poison = by_replays[0]["id"], by_replays[2]["id"]
    code, done = triage(pipeline, monkeypatch, "dlq", "replay", good, poison)
    assert code == 0 and sorted(done["replayed"]) == sorted([good, poison])
    replayed_raw = read_topic(pipeline.settings, RAW)
    assert {r.headers["triage.replays"] for r in replayed_raw} == {b"1", b"3"}
    original = serde.encode(RAW, lead)
    assert next(r.value for r in replayed_raw if r.headers["triage.replays"] == b"1") == original, "byte for byte"

    wait_until(lambda: any(e.email_id == lead.email_id for e in decoded(pipeline.settings, CRM_EVENTS)),
               60, "the replayed email on crm.events")
    # replay the same letter once more: refused by accident, done on purpose (--again), and then the
    # route dedupe and the CRM keys make it a no-op
    code, refused_again = triage(pipeline, monkeypatch, "dlq", "replay", good)
    assert code == 3 and refused_again["refused_decided"] == [good]
    code, _ = triage(pipeline, monkeypatch, "dlq", "replay", good, "--again")
    assert code == 0
    wait_until(lambda: sum(1 for r in read_topic(pipeline.settings, RAW) if r.key == lead.thread_id.encode()) == 2,
               10, "the second replay")

    # the poison record failed again with replay count 3: its new letter is parked
    def parked_poison() -> list:
        return [r for r in read_topic(pipeline.settings, DLQ)
                if r.key == b"poison-key" and r.headers.get("triage.parked") == b"true"]
    wait_until(lambda: len(parked_poison()) == 1, 30, "the poison's new letter, parked")
    new_letter = serde.decode(DLQ, parked_poison()[0].value)
    assert new_letter.original_headers["triage.replays"] == b"3"
    code, refused = triage(pipeline, monkeypatch, "dlq", "replay", f"{parked_poison()[0].partition}:"
                                                                  f"{parked_poison()[0].offset}")
    assert code == 3 and refused["replayed"] == [], "no replay loop"

    with psycopg.connect(pipeline.database_url) as conn:
        wait_until(lambda: conn.execute("SELECT count(*) FROM dead_letters").fetchone()[0] == 4, 30,
                   "4 dead_letters rows")
    wait_until(lambda: sum(m["text"].count("triage dlq replay") for m in slack.received) == 4, 30,
               "Slack told of the fourth letter")
    # processed once: one email.routed record, each CRM action once, for two replays
    wait_until(lambda: len(read_topic(pipeline.settings, RAW)) == 3 and
               pipeline.metric("route", "route_duplicates_skipped_total") >= 1, 30, "the dedupe skip")
    assert len(routed_for(pipeline, lead.email_id)) == 1
    events: list[CrmEvent] = [e for e in decoded(pipeline.settings, CRM_EVENTS) if e.email_id == lead.email_id]
    assert events and max(Counter(e.idempotency_key for e in events).values()) == 1
    assert not any(r.key == other.thread_id.encode() for r in read_topic(pipeline.settings, RAW)), \
        "the parked letter was not replayed"
    slack.close()
