"""The five services carry emails end to end on the real broker and database."""

from __future__ import annotations

from collections import Counter
from datetime import UTC, datetime

import psycopg
from confluent_kafka import Producer

from tests.support.corpus import make_corpus
from tests.support.kafka import decoded, read_topic, wait_until
from tests.support.pipeline import Pipeline
from triage.domain.intake import raw_email
from triage.domain.models import CrmEvent, ExtractedEmail
from triage.platform.publisher import RawPublisher
from triage.platform.serde import Serde
from triage.platform.topics import CRM_EVENTS, DLQ, EXTRACTED, RAW


def ingest(pipeline: Pipeline, n: int, seed: int) -> list[str]:
    publisher = RawPublisher(pipeline.settings)
    ids = []
    for _name, raw in make_corpus(n, seed):
        record = raw_email(raw, source="file", received_at=datetime.now(UTC), max_bytes=25 << 20)
        publisher.publish(record)
        ids.append(record.email_id)
    publisher.flush()
    return ids


def crm_event_emails(pipeline: Pipeline) -> set[str]:
    return {event.email_id for event in decoded(pipeline.settings, CRM_EVENTS)}


def db_count(pipeline: Pipeline, query: str) -> int:
    with psycopg.connect(pipeline.database_url) as conn:
        return conn.execute(query).fetchone()[0]


def test_200_emails_reach_crm_events_and_the_audit_rows_match(pipeline: Pipeline) -> None:
    pipeline.start_all()
    ids = ingest(pipeline, 200, seed=11)
    assert len(set(ids)) == 200

    wait_until(lambda: crm_event_emails(pipeline) >= set(ids), 180, "200 emails on crm.events")
    events: list[CrmEvent] = decoded(pipeline.settings, CRM_EVENTS)
    keys = Counter(e.idempotency_key for e in events)
    assert max(keys.values()) == 1, "an action reached crm.events twice"

    wait_until(lambda: db_count(pipeline, "SELECT count(DISTINCT email_id) FROM crm_events") == 200,
               60, "audit rows for every email")
    assert db_count(pipeline, "SELECT count(*) FROM emails") == 200
    assert db_count(pipeline, "SELECT count(*) FROM emails WHERE raw IS NOT NULL AND subject IS NOT NULL") == 200
    assert db_count(pipeline, "SELECT count(*) FROM extractions") == 200
    assert db_count(pipeline, "SELECT count(*) FROM routes") == 200
    assert db_count(pipeline, "SELECT count(*) FROM crm_events") == len(events)
    ignored = sum(1 for e in events if e.status == "ignored")
    assert db_count(pipeline, "SELECT count(*) FROM crm_events WHERE status = 'ignored'") == ignored
    assert 0 < ignored < 200, "the corpus has both ignored and written emails"
    # every contact the local CRM holds was written once, whatever the replays
    assert db_count(pipeline, "SELECT count(*) - count(DISTINCT lower(email)) FROM crm_contacts") == 0


def test_kill_9_of_extract_loses_and_duplicates_nothing(pipeline: Pipeline) -> None:
    pipeline.start_all(("route", "crm-sink", "audit"))
    ids = ingest(pipeline, 200, seed=22)
    # One record per transaction: the stream takes seconds, so the kill lands inside it,
    # almost surely with a transaction open.
    pipeline.start("extract", TRIAGE_BATCH_SIZE="1")

    def extracted_count() -> int:
        return len(read_topic(pipeline.settings, EXTRACTED))

    wait_until(lambda: extracted_count() >= 20, 120, "extraction to start", interval_s=0.05)
    pipeline.kill("extract")
    partial = extracted_count()
    assert partial < 200, "the kill has to land mid-stream for this test to mean anything"
    pipeline.start("extract")

    wait_until(lambda: extracted_count() >= 200, 180, "all 200 emails on email.extracted")
    wait_until(lambda: crm_event_emails(pipeline) >= set(ids), 120, "all 200 on crm.events")
    extracted: list[ExtractedEmail] = decoded(pipeline.settings, EXTRACTED)
    per_message = Counter(e.message_id for e in extracted)
    assert len(per_message) == 200, "an email was lost"
    assert max(per_message.values()) == 1, "an email was duplicated on email.extracted"


def test_a_poison_record_goes_to_the_dlq_and_the_partition_keeps_moving(pipeline: Pipeline) -> None:
    pipeline.start_all()
    corpus = make_corpus(5, seed=33)
    records = [raw_email(raw, source="file", received_at=datetime.now(UTC), max_bytes=25 << 20)
               for _, raw in corpus]
    # The poison record shares the first email's key, so it sits on the same partition, ahead of it.
    key = records[0].thread_id.encode()
    producer = Producer({"bootstrap.servers": pipeline.stack.bootstrap_servers, "partitioner": "murmur2_random"})
    producer.produce(pipeline.settings.topic(RAW), key=key, value=b"\x00not avro at all")
    producer.flush(10)
    publisher = RawPublisher(pipeline.settings)
    for record in records:
        publisher.publish(record)
    publisher.flush()

    wanted = {r.email_id for r in records}
    wait_until(lambda: crm_event_emails(pipeline) >= wanted, 120, "the records behind the poison")
    letters = read_topic(pipeline.settings, DLQ)
    assert len(letters) == 1
    letter = letters[0]
    assert letter.key == key
    assert letter.headers["triage.source.topic"] == RAW.encode()
    assert letter.headers["triage.service"] == b"extract"
    assert letter.headers["triage.error.class"] == b"SerdeError"
    assert letter.headers["triage.attempts"] == b"1"
    for name in ("triage.source.partition", "triage.source.offset", "triage.error.message", "triage.failed_at"):
        assert letter.headers[name]
    value = Serde().decode(DLQ, letter.value)
    assert value.original_value == b"\x00not avro at all"
    assert value.source_topic == RAW
    wait_until(lambda: db_count(pipeline, "SELECT count(*) FROM dead_letters") == 1, 60, "the DLQ audit row")
