"""The pure parts of ADR 0014: health reasons, what counts as transient, record sizes, storable text."""

from __future__ import annotations

import psycopg
import pytest
from confluent_kafka import KafkaError, KafkaException
from psycopg import errors

from triage.platform.db import is_outage, storable_json, storable_text
from triage.platform.errors import TransientError
from triage.platform.health import Liveness
from triage.platform.runtime import RecordTooLarge, check_size, is_transient
from triage.platform.topics import (
    CLEAN,
    DEDUPE,
    DLQ,
    NORMALISED_BOUND_BYTES,
    RAW,
    largest_record_bytes,
    max_message_bytes,
)


class Clock:
    def __init__(self) -> None:
        self.now = 0.0

    def __call__(self) -> float:
        return self.now


def test_healthz_fails_after_repeated_rewinds_and_a_commit_heals_it() -> None:
    clock = Clock()
    live = Liveness(max_rewinds=3, clock=clock)
    for _ in range(2):
        live.rewound()
    assert live()
    live.rewound()
    assert not live() and live.reasons() == ["3 batches rewound in a row"]
    live.committed()
    assert live()


def test_healthz_fails_when_records_wait_without_a_commit() -> None:
    clock = Clock()
    live = Liveness(max_silence_s=1000, max_stall_s=10, clock=clock)
    live.holding()
    clock.now = 5
    live.holding()  # the same records consumed again: the wait counts from the first time
    assert live()
    clock.now = 10
    assert live.reasons() == ["no commit for 10 s with records waiting"]
    live.released()  # the partitions went to another instance
    assert live()
    clock.now = 2000
    assert live.reasons() == ["no poll for 2000 s"]


def test_only_cluster_trouble_and_transient_errors_rewind() -> None:
    assert is_transient(TransientError("db away"))
    assert is_transient(KafkaException(KafkaError(KafkaError._TIMED_OUT)))
    assert is_transient(KafkaException(KafkaError(KafkaError.NOT_COORDINATOR)))
    assert not is_transient(KafkaException(KafkaError(KafkaError.MSG_SIZE_TOO_LARGE)))
    assert not is_transient(ValueError("a value the sink refuses"))


def test_database_errors_blame_the_record_only_for_data_classes() -> None:
    assert not is_outage(errors.UntranslatableCharacter("\\u0000"))  # 22P05
    assert not is_outage(errors.ProgramLimitExceeded("index row size"))  # 54000
    assert not is_outage(errors.UniqueViolation("dup"))  # 23505
    assert not is_outage(psycopg.DataError("cannot dump"))  # a value psycopg could not send: no SQLSTATE
    assert is_outage(errors.UndefinedTable("no table"))  # 42P01
    assert is_outage(errors.InvalidCatalogName("no database"))  # 3D000
    assert is_outage(errors.SerializationFailure("retry"))  # 40001: retried
    assert is_outage(psycopg.OperationalError("connection lost"))
    assert is_outage(ConnectionRefusedError())


def test_text_for_postgresql_loses_nul_and_lone_surrogates() -> None:
    assert storable_text("a\x00b\ud800c") == "ab\ufffdc"
    assert storable_text("plain") == "plain"
    assert storable_json('{"summary": "x\\u0000y", "k\\u0000": ["\\ud83d"]}') == '{"summary": "xy", "k": ["\ufffd"]}'
    escaped_backslash = '{"path": "C:\\\\u0000"}'  # the text C:\u0000, no NUL in it
    assert storable_json(escaped_backslash) == escaped_backslash


def test_topics_fit_what_the_stage_before_them_emits() -> None:
    ingest = 25 * 1024 * 1024
    assert max_message_bytes(RAW, ingest) > ingest
    assert max_message_bytes(CLEAN, ingest) > NORMALISED_BOUND_BYTES
    assert max_message_bytes(DLQ, ingest) > largest_record_bytes(ingest)
    assert max_message_bytes(RAW, 64 * 1024 * 1024) > 64 * 1024 * 1024, "follows TRIAGE_INGEST_MAX_BYTES"
    assert max_message_bytes(DEDUPE, ingest) == 1024 * 1024 + 12


def test_an_output_its_topic_would_refuse_is_refused_before_it_is_produced() -> None:
    check_size(CLEAN, 2_000_000, 25 * 1024 * 1024)
    with pytest.raises(RecordTooLarge):
        check_size(DEDUPE, 2_000_000, 25 * 1024 * 1024)
