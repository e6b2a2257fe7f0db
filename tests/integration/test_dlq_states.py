"""A dead letter is replayed once: the database row is the guard (two replicas, the CLI and the UI).

Real Kafka and PostgreSQL. The race is forced, not hoped for: the first replay holds its claim
until PostgreSQL shows the second one waiting on it, then publishes; the second then finds the
letter replayed and publishes nothing.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Iterator
from datetime import UTC, datetime

import psycopg
import pytest

from tests.integration.test_dlq import hand_made_letter, triage
from tests.support.kafka import read_topic
from tests.support.pipeline import Pipeline
from triage.domain.intake import raw_email
from triage.platform import metrics
from triage.platform.db import Database
from triage.platform.dlq import Replayer, read_letters
from triage.platform.dlq_states import AlreadyDecided, LetterStates
from triage.platform.serde import Serde
from triage.platform.topics import DLQ, RAW


@pytest.fixture
def database(pipeline: Pipeline) -> Iterator[Database]:
    """A pool on the pipeline's database, as the admin's (the CLI's is one connection)."""
    pool = Database(pipeline.database_url).connect()
    yield pool
    pool.close()


def one_letter(pipeline: Pipeline, offset: int = 7):
    email = raw_email(b"Subject: hi\r\nFrom: a@b.example\r\n\r\nbody", source="file", received_at=datetime.now(UTC),
                      max_bytes=1 << 20)
    hand_made_letter(pipeline, offset, Serde().encode(RAW, email), email.thread_id.encode())
    [letter] = [x for x in read_letters(pipeline.settings) if x.letter.source_offset == offset]
    return letter


def waiting_on_a_lock(url: str) -> bool:
    with psycopg.connect(url) as conn:
        return conn.execute("SELECT count(*) FROM pg_stat_activity WHERE datname = current_database() "
                            "AND wait_event_type = 'Lock'").fetchone()[0] > 0


def test_two_concurrent_replays_of_one_letter_publish_it_once(pipeline: Pipeline, database: Database) -> None:
    settings, url = pipeline.settings, pipeline.database_url
    letter = one_letter(pipeline)
    other_replica = Database(url).connect()  # each replica its own pool
    replica_a, replica_b = LetterStates(database, settings.topic(DLQ)), LetterStates(other_replica, settings.topic(DLQ))
    claimed, outcomes = threading.Event(), {}

    def publish() -> None:
        replayer = Replayer(settings)
        replayer.replay(letter)
        assert replayer.flush(30) == 0 and not replayer.failed

    def first_publish() -> None:  # holds the claim until the second replay waits on it
        claimed.set()
        deadline = time.monotonic() + 20
        while not waiting_on_a_lock(url):
            assert time.monotonic() < deadline, "the second replay never waited on the first one's claim"
            time.sleep(0.05)
        publish()

    def run(name: str, states: LetterStates, hook) -> None:
        try:
            outcomes[name] = states.replay(letter.partition, letter.offset, name, hook, {})
        except AlreadyDecided as exc:
            outcomes[name] = exc

    a = threading.Thread(target=run, args=("alice", replica_a, first_publish))
    a.start()
    assert claimed.wait(20)
    b = threading.Thread(target=run, args=("bob", replica_b, publish))
    b.start()
    a.join(40)
    b.join(40)
    other_replica.close()

    assert outcomes["alice"].state == "replayed" and outcomes["alice"].actor == "alice"
    assert isinstance(outcomes["bob"], AlreadyDecided) and "replayed by alice" in str(outcomes["bob"])
    assert len([r for r in read_topic(settings, RAW) if r.headers.get("triage.replays")]) == 1, "published once"
    with psycopg.connect(url) as conn:
        assert conn.execute("SELECT actor, detail->>'letter' FROM admin_actions WHERE action = 'replay_letter'"
                            ).fetchall() == [("alice", letter.id)]


def test_a_replay_the_broker_did_not_take_leaves_the_letter_replayable(pipeline: Pipeline, database: Database) -> None:
    letter = one_letter(pipeline)
    states = LetterStates(database, pipeline.settings.topic(DLQ))

    def refused() -> None:
        raise RuntimeError("not acknowledged")

    with pytest.raises(RuntimeError):
        states.replay(letter.partition, letter.offset, "alice", refused, {})
    assert states.one(letter.partition, letter.offset) is None, "the claim rolled back"
    assert states.replay(letter.partition, letter.offset, "alice", lambda: None, {}).replays == 1
    with pytest.raises(AlreadyDecided):
        states.discard(letter.partition, letter.offset, "bob", "too late: it was replayed")


def test_the_states_run_on_the_pool_they_are_given_and_open_no_connection_of_their_own(
        pipeline: Pipeline, monkeypatch: pytest.MonkeyPatch) -> None:
    """ADR 0037: the admin's DLQ page reads and decides letters on the admin's pool. A connection
    of LetterStates' own (``psycopg.connect``) fails here; every call borrows from the pool given,
    each statement counted (``triage_db_statements_total``), the claim and its trail in one
    transaction of that pool."""
    database = Database(pipeline.database_url, max_size=1).connect()

    def own_connection(*_args: object, **_kwargs: object) -> None:
        raise AssertionError("LetterStates opened a connection of its own")

    monkeypatch.setattr(psycopg, "connect", own_connection)
    try:
        states = LetterStates(database, pipeline.settings.topic(DLQ))
        borrowed, statements = database.pool.get_stats().get("requests_num", 0), metrics.DB_STATEMENTS._value.get()
        assert states.one(0, 41) is None and states.of([(0, 41), (0, 42)]) == {}
        assert states.replay(0, 41, "alice", lambda: None, {"replay": 1}).replays == 1
        assert states.discard(0, 42, "bob", "  test\x00 data ").reason == "test data"
        with pytest.raises(AlreadyDecided, match="replayed by alice"):
            states.replay(0, 41, "carol", lambda: None, {})
        assert states.replay(0, 41, "carol", lambda: None, {}, again=True).replays == 2
        decided = states.of([(0, 41), (0, 42), (0, 43)])
        assert {p: (s.state, s.replays, s.actor) for p, s in decided.items()} == {
            (0, 41): ("replayed", 2, "carol"), (0, 42): ("discarded", 0, "bob")}
        assert database.pool.get_stats().get("requests_num", 0) - borrowed == 7, "one borrowed connection a call"
        # one, of: the read, BEGIN and COMMIT; a claim: the claim, its record, BEGIN and COMMIT; a
        # refused claim: the claim and the state read, BEGIN and ROLLBACK
        assert metrics.DB_STATEMENTS._value.get() - statements == 3 + 3 + 4 + 4 + 4 + 4 + 3
        trail = database.run(lambda conn: conn.fetch(
            "SELECT actor, action, detail->>'letter', detail->>'times' FROM admin_actions ORDER BY id"))
        assert [tuple(r) for r in trail] == [("alice", "replay_letter", "0:41", "1"),
                                             ("bob", "discard_letter", "0:42", None),
                                             ("carol", "replay_letter", "0:41", "2")]
    finally:
        database.close()


def test_the_cli_shows_states_refuses_a_second_replay_and_discards_with_a_reason(
        pipeline: Pipeline, monkeypatch: pytest.MonkeyPatch) -> None:
    first, second = one_letter(pipeline, 7), one_letter(pipeline, 8)
    code, done = triage(pipeline, monkeypatch, "dlq", "replay", first.id)
    assert code == 0 and done["replayed"] == [first.id]
    code, again = triage(pipeline, monkeypatch, "dlq", "replay", first.id)
    assert code == 3 and again["replayed"] == [] and again["refused_decided"] == [first.id]
    code, discarded = triage(pipeline, monkeypatch, "dlq", "discard", second.id, "--reason", "test data")
    assert code == 0 and discarded["state"] == "discarded" and discarded["actor"].startswith("cli:")

    _, listed = triage(pipeline, monkeypatch, "dlq", "list")
    by_id = {row["id"]: row for row in listed["letters"]}
    assert by_id[first.id]["state"] == "replayed" and by_id[first.id]["replays"] == 1
    assert by_id[second.id]["state"] == "discarded" and "test data" in by_id[second.id]["state_detail"]
    code, forced = triage(pipeline, monkeypatch, "dlq", "replay", first.id, "--again")
    assert code == 0 and forced["replayed"] == [first.id]
    _, shown = triage(pipeline, monkeypatch, "dlq", "show", first.id)
    assert shown["replays"] == 2 and "2 times" in shown["state_detail"]
    assert len([r for r in read_topic(pipeline.settings, RAW) if r.headers.get("triage.replays")]) == 2
