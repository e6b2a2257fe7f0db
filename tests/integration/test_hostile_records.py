"""No record wedges a stage (ADR 0014), on the real broker and database, services as processes.

Each stage gets one record its sink refuses — a topic whose ``max.message.bytes`` is lower
than the record (the issue's deployment, where email.clean kept the broker's 1 MiB), an
index entry PostgreSQL cannot hold — between ordinary ones: that record is dead-lettered
by the stage with its error, the records around it flow, and /healthz stays ok. An email
with a NUL character is stored, not refused. The largest allowed mail, with an
incompressible forwarded block, goes through every stage. A sink that keeps failing for a
reason that is not the record (a missing table) rewinds, and /healthz turns 503 until it
recovers.
"""

from __future__ import annotations

import random
import string
import urllib.error
import urllib.request
import uuid
from datetime import UTC, datetime

import psycopg
from confluent_kafka import Producer
from confluent_kafka.admin import AdminClient, AlterConfigOpType, ConfigEntry, ConfigResource

from tests.integration.test_crm_hubspot_kill import produce_routed, routed_lead
from tests.support.kafka import decoded, wait_until
from tests.support.pipeline import Pipeline
from triage.domain.intake import raw_email
from triage.domain.models import CrmEvent, DeadLetter, ExtractedEmail, RoutedEmail
from triage.platform.admin import apply_topics
from triage.platform.publisher import RawPublisher
from triage.platform.runtime import producer_config
from triage.platform.serde import Serde
from triage.platform.topics import CLEAN, CRM_EVENTS, DLQ, EXTRACTED, RAW, ROUTED, max_message_bytes

FAST_RETRIES = {"TRIAGE_RETRY_INITIAL_S": "0.05", "TRIAGE_RETRY_MAX_S": "0.2"}


def limit_topic(pipeline: Pipeline, logical: str, max_bytes: int) -> None:
    """What a topic created with the broker's defaults accepts: less than the stage emits."""
    admin = AdminClient({"bootstrap.servers": pipeline.stack.bootstrap_servers})
    resource = ConfigResource(ConfigResource.Type.TOPIC, pipeline.settings.topic(logical), incremental_configs=[
        ConfigEntry("max.message.bytes", str(max_bytes), incremental_operation=AlterConfigOpType.SET)])
    for future in admin.incremental_alter_configs([resource]).values():
        future.result(30)


def topic_max_bytes(pipeline: Pipeline, logical: str) -> int:
    admin = AdminClient({"bootstrap.servers": pipeline.stack.bootstrap_servers})
    resource = ConfigResource(ConfigResource.Type.TOPIC, pipeline.settings.topic(logical))
    configs = admin.describe_configs([resource])[resource].result(30)
    return int(configs["max.message.bytes"].value)


def health(pipeline: Pipeline, name: str) -> tuple[int, str]:
    try:
        with urllib.request.urlopen(f"http://127.0.0.1:{pipeline.ports[name]}/healthz", timeout=5) as response:
            return response.status, response.read().decode()
    except urllib.error.HTTPError as error:
        return error.code, error.read().decode()


def letters(pipeline: Pipeline) -> list[DeadLetter]:
    return decoded(pipeline.settings, DLQ)


def mail(uid: str, body: str, subject: str = "Question about pricing") -> bytes:
    return (f"From: Dana Reyes <dana-{uid}@brightwater.example>\r\nTo: sales@lumora.io\r\n"
            f"Subject: {subject}\r\nMessage-ID: <{uid}@brightwater.example>\r\n"
            "Date: Mon, 02 Mar 2026 10:00:00 +0000\r\nMIME-Version: 1.0\r\n"
            "Content-Type: text/plain; charset=utf-8\r\nContent-Transfer-Encoding: 8bit\r\n\r\n"
            f"{body}\r\n").encode()


def forwarded(uid: str, raw_bytes: int) -> bytes:
    """A forward whose block is random 4-byte UTF-8 characters (incompressible), ~raw_bytes long."""
    rng = random.Random(uid)
    chars = [chr(0x20000 + rng.randrange(0xA6DF)) for _ in range(raw_bytes * 19 // 77)]  # 19 a line
    block = "\n".join("".join(chars[i:i + 19]) for i in range(0, len(chars), 19))
    return mail(uid, "Hi, please see the request below.\n\n---------- Forwarded message ---------\n"
                     f"From: Sam Lee <sam@partner.example>\nDate: Mon, 2 Mar 2026 09:00:00 +0000\n"
                     f"Subject: big request\nTo: dana@brightwater.example\n\n{block}", subject="Fwd: big request")


def ordinary(uid: str) -> bytes:
    return mail(uid, "Hello, we are evaluating the Pipeline Forecaster for our team of 40 and would "
                     "like a demo this quarter. Budget is around 30k a year.\n\nThanks,\nDana")


def publish(pipeline: Pipeline, raws: list[bytes]) -> list[str]:
    publisher = RawPublisher(pipeline.settings)
    ids = []
    for raw in raws:
        record = raw_email(raw, source="file", received_at=datetime.now(UTC), max_bytes=25 << 20)
        publisher.publish(record)
        ids.append(record.email_id)
    publisher.flush()
    return ids


def produce(pipeline: Pipeline, logical: str, records: list) -> None:
    producer = Producer(producer_config(pipeline.settings, transactional_id=None))
    serde = Serde()
    for record in records:
        producer.produce(pipeline.settings.topic(logical), key=record.thread_id.encode(),
                         value=serde.encode(logical, record))
    assert producer.flush(30) == 0


def random_text(n: int, seed: str) -> str:
    rng = random.Random(seed)
    return "".join(rng.choice(string.ascii_letters + string.digits) for _ in range(n))


def emails_of(pipeline: Pipeline, logical: str) -> set[str]:
    return {record.email_id for record in decoded(pipeline.settings, logical)}


def test_extract_dead_letters_the_email_whose_clean_record_its_topic_refuses(pipeline: Pipeline) -> None:
    pipeline.start("extract", **FAST_RETRIES)  # it sets the registry's sizes at start-up: limit after
    limit_topic(pipeline, CLEAN, 1024 * 1024)  # the broker's default, as in the issue
    uid = uuid.uuid4().hex[:8]
    ids = publish(pipeline, [ordinary(f"{uid}-a"), forwarded(f"{uid}-big", 800_000), ordinary(f"{uid}-b"),
                             ordinary(f"{uid}-c")])
    big = ids[1]
    wait_until(lambda: emails_of(pipeline, EXTRACTED) >= {ids[0], ids[2], ids[3]}, 90,
               "the other emails on email.extracted")
    wait_until(lambda: any(letter.service == "extract" for letter in letters(pipeline)), 30, "the letter")
    (letter,) = letters(pipeline)
    assert letter.source_topic == RAW and letter.error_class == "KafkaException"
    assert Serde().decode(RAW, letter.original_value).email_id == big, "the big email, and only it"
    assert big not in emails_of(pipeline, EXTRACTED)
    assert health(pipeline, "extract")[0] == 200

    # the restart crashed: now it starts, sets the topic's size back, and the same mail passes
    pipeline.stop_all()
    pipeline.start("extract", **FAST_RETRIES)
    wanted = max_message_bytes(CLEAN, pipeline.settings.triage_ingest_max_bytes)
    wait_until(lambda: topic_max_bytes(pipeline, CLEAN) == wanted, 30, "the registry's size set at start-up")
    (again,) = publish(pipeline, [forwarded(f"{uid}-big", 800_000)])
    wait_until(lambda: again in emails_of(pipeline, EXTRACTED), 60, "the big email after the restart")
    assert len(letters(pipeline)) == 1


def test_route_dead_letters_the_record_its_output_topic_refuses(pipeline: Pipeline) -> None:
    pipeline.start("route", **FAST_RETRIES)
    limit_topic(pipeline, ROUTED, 20_000)
    run = uuid.uuid4().hex[:6]
    leads = [routed_lead(n, run) for n in range(4)]
    extracted = [ExtractedEmail(email_id=e.email_id, thread_id=e.thread_id, mailbox=e.mailbox,
                                received_at=e.received_at, extraction=e.extraction, model="test", model_version="1",
                                decided_by="test",
                                subject=random_text(40_000, run) if n == 1 else "pricing")
                 for n, e in enumerate(leads)]
    produce(pipeline, EXTRACTED, extracted)
    others = {leads[0].email_id, leads[2].email_id, leads[3].email_id}
    wait_until(lambda: emails_of(pipeline, ROUTED) >= others, 60, "the other emails on email.routed")
    wait_until(lambda: any(letter.service == "route" for letter in letters(pipeline)), 30, "the letter")
    (letter,) = letters(pipeline)
    assert letter.source_topic == EXTRACTED
    assert Serde().decode(EXTRACTED, letter.original_value).email_id == leads[1].email_id
    assert leads[1].email_id not in emails_of(pipeline, ROUTED)
    assert health(pipeline, "route")[0] == 200


def test_crm_sink_dead_letters_the_record_whose_events_its_topic_refuses(pipeline: Pipeline) -> None:
    pipeline.start("crm-sink", **FAST_RETRIES)
    limit_topic(pipeline, CRM_EVENTS, 20_000)
    run = uuid.uuid4().hex[:6]
    leads = [routed_lead(n, run) for n in range(4)]
    huge = leads[1].model_copy(update={"email_id": random_text(30_000, run)})
    routed: list[RoutedEmail] = [leads[0], huge, leads[2], leads[3]]
    produce_routed(pipeline, routed)
    others = {leads[0].email_id, leads[2].email_id, leads[3].email_id}
    wait_until(lambda: emails_of(pipeline, CRM_EVENTS) >= others, 60, "the other emails' events")
    wait_until(lambda: any(letter.service == "crm-sink" for letter in letters(pipeline)), 30, "the letter")
    (letter,) = letters(pipeline)
    assert letter.source_topic == ROUTED
    assert Serde().decode(ROUTED, letter.original_value).email_id == huge.email_id
    assert huge.email_id not in emails_of(pipeline, CRM_EVENTS)
    assert health(pipeline, "crm-sink")[0] == 200


def db_value(pipeline: Pipeline, query: str, *args: object) -> object:
    with psycopg.connect(pipeline.database_url) as conn:
        row = conn.execute(query, args).fetchone()
        return None if row is None else row[0]


def test_audit_stores_a_nul_email_and_dead_letters_a_row_postgresql_refuses(pipeline: Pipeline) -> None:
    uid = uuid.uuid4().hex[:8]
    nul_mail = mail(f"{uid}-nul", "Hello,\x00 we would like a demo of the Pipeline Forecaster this quarter.\n"
                                  "Budget 30k.\n\nThanks,\nDana", subject="Demo request")
    pipeline.start_all()
    nul_id, *others = publish(pipeline, [nul_mail, ordinary(f"{uid}-a")])
    wait_until(lambda: db_value(pipeline, "SELECT count(*) FROM routes WHERE email_id = %s", nul_id) == 1, 90,
               "the NUL email's route row")
    summary = db_value(pipeline, "SELECT data->>'summary' FROM extractions WHERE email_id = %s", nul_id)
    assert summary is not None and "\x00" not in summary

    # a crm.events record whose key no btree index can hold (SQLSTATE 54000), then an ordinary one
    poison = CrmEvent(email_id=f"poison-{uid}", thread_id=f"t-{uid}", action="upsert_company", status="created",
                      idempotency_key=random_text(20_000, uid), backend="local", at=datetime.now(UTC))
    after = poison.model_copy(update={"email_id": f"after-{uid}", "idempotency_key": f"k-{uid}"})
    produce(pipeline, CRM_EVENTS, [poison, after])
    wait_until(lambda: db_value(pipeline, "SELECT count(*) FROM crm_events WHERE email_id = %s", after.email_id)
               == 1, 60, "the record behind the poison")
    wait_until(lambda: db_value(pipeline, "SELECT count(*) FROM dead_letters WHERE service = 'audit'") == 1, 30,
               "audit's letter, stored")
    assert db_value(pipeline, "SELECT source_topic FROM dead_letters WHERE service = 'audit'") == CRM_EVENTS
    assert "index row" in db_value(pipeline, "SELECT error_message FROM dead_letters WHERE service = 'audit'")
    wait_until(lambda: db_value(pipeline, "SELECT count(DISTINCT email_id) FROM crm_events WHERE email_id = ANY(%s)",
                                [nul_id, *others]) == 2, 60, "both emails' CRM events")
    assert [letter.service for letter in letters(pipeline)] == ["audit"], "the NUL email was not dead-lettered"
    assert health(pipeline, "audit")[0] == 200


def test_the_largest_allowed_mail_goes_through_every_stage(pipeline: Pipeline) -> None:
    uid = uuid.uuid4().hex[:8]
    largest = forwarded(f"{uid}-max", 25 * 1024 * 1024 - 4096)
    assert 25 * 1024 * 1024 - 16_384 < len(largest) <= 25 * 1024 * 1024
    pipeline.start_all()
    (email_id,) = publish(pipeline, [largest])
    wait_until(lambda: db_value(pipeline, "SELECT count(*) FROM crm_events WHERE email_id = %s", email_id) > 0,
               240, "its CRM events in PostgreSQL")
    assert db_value(pipeline, "SELECT size_bytes FROM emails WHERE email_id = %s", email_id) == len(largest)
    assert db_value(pipeline, "SELECT count(*) FROM routes WHERE email_id = %s", email_id) == 1
    assert letters(pipeline) == []


def test_a_sink_that_keeps_failing_turns_healthz_unhealthy_until_it_recovers(pipeline: Pipeline) -> None:
    pipeline.start("audit", TRIAGE_HEALTH_MAX_REWINDS="3", **FAST_RETRIES)
    with psycopg.connect(pipeline.database_url, autocommit=True) as conn:
        conn.execute("ALTER TABLE crm_events RENAME TO crm_events_away")
    uid = uuid.uuid4().hex[:8]
    event = CrmEvent(email_id=f"e-{uid}", thread_id=f"t-{uid}", action="upsert_company", status="created",
                     idempotency_key=f"k-{uid}", backend="local", at=datetime.now(UTC))
    produce(pipeline, CRM_EVENTS, [event])
    wait_until(lambda: health(pipeline, "audit")[0] == 503, 60, "/healthz 503")
    assert "rewound in a row" in health(pipeline, "audit")[1]
    assert letters(pipeline) == [], "an outage dead-letters nothing"

    with psycopg.connect(pipeline.database_url, autocommit=True) as conn:
        conn.execute("ALTER TABLE crm_events_away RENAME TO crm_events")
    wait_until(lambda: db_value(pipeline, "SELECT count(*) FROM crm_events WHERE email_id = %s", event.email_id)
               == 1, 60, "the row once the table is back")
    wait_until(lambda: health(pipeline, "audit")[0] == 200, 30, "/healthz ok again")


def test_topics_apply_sets_the_record_size_on_existing_topics(pipeline: Pipeline) -> None:
    limit_topic(pipeline, CLEAN, 1024 * 1024)
    limit_topic(pipeline, DLQ, 1024 * 1024)
    applied = apply_topics(pipeline.settings)
    assert not any(topic.created for topic in applied)
    ingest_max = pipeline.settings.triage_ingest_max_bytes
    for logical in (RAW, CLEAN, EXTRACTED, ROUTED, CRM_EVENTS, DLQ):
        wanted = max_message_bytes(logical, ingest_max)
        wait_until(lambda logical=logical, wanted=wanted: topic_max_bytes(pipeline, logical) == wanted, 30,
                   f"{logical}'s max.message.bytes")
    assert max_message_bytes(DLQ, ingest_max) > max_message_bytes(RAW, ingest_max) > ingest_max
