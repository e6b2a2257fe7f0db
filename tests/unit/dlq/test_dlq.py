"""Replay headers, parking, letter ids and filters (triage.platform.dlq), and the runtime's carry."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from triage.domain.models import DeadLetter
from triage.platform.dlq import Filters, Letter, parse_id, replay_headers
from triage.platform.runtime import StreamProcessor
from triage.platform.serde import Serde
from triage.platform.settings import StageSettings

NOW = datetime(2026, 11, 25, 10, 0, tzinfo=UTC)


def letter(replays: int | None = None, parked: bool = False, **fields) -> Letter:
    headers = {"traceparent": b"00-abc-def-01"}
    if replays is not None:
        headers["triage.replays"] = str(replays).encode()
    value = DeadLetter(**{"source_topic": "email.raw", "source_partition": 1, "source_offset": 5,
                          "service": "extract", "error_class": "SerdeError", "error_message": "bad",
                          "attempts": 1, "failed_at": NOW, "original_key": b"k", "original_value": b"v",
                          "original_headers": headers, **fields})
    return Letter(2, 9, value, {"triage.parked": b"true"} if parked else {})


def test_a_replay_raises_the_count_and_keeps_the_original_headers() -> None:
    assert dict(replay_headers(letter())) == {"traceparent": b"00-abc-def-01", "triage.replays": b"1",
                                              "triage.replay.of": b"email.dlq:2:9"}
    assert dict(replay_headers(letter(replays=2)))["triage.replays"] == b"3"


def test_a_letter_is_parked_by_its_header_or_its_count() -> None:
    assert not letter(replays=2).parked(3)
    assert letter(replays=3).parked(3)
    assert letter(replays=0, parked=True).parked(3)
    assert letter().replays == 0
    assert letter(replays="x").replays == 0  # type: ignore[arg-type]


def test_letter_ids() -> None:
    assert parse_id("2:17") == (2, 17)
    for bad in ("2", "a:1", "1:-1", ""):
        with pytest.raises(ValueError):
            parse_id(bad)


def test_filters() -> None:
    one = letter()
    assert Filters().match(one)
    assert Filters(service="extract", error_class="SerdeError", topic="email.raw").match(one)
    assert not Filters(service="route").match(one)
    assert not Filters(error_class="PermanentError").match(one)
    assert not Filters(topic="email.clean").match(one)
    assert Filters(since=NOW - timedelta(minutes=1), until=NOW).match(one)
    assert not Filters(since=NOW + timedelta(seconds=1)).match(one)
    assert not Filters(until=NOW - timedelta(seconds=1)).match(one)


class FakeMessage:
    def __init__(self, headers: list[tuple[str, bytes]]) -> None:
        self._headers = headers

    def partition(self) -> int:
        return 0

    def offset(self) -> int:
        return 12

    def key(self) -> bytes:
        return b"thread"

    def value(self) -> bytes:
        return b"\x00poison"

    def headers(self) -> list[tuple[str, bytes]]:
        return self._headers


def processor(max_replays: int = 3) -> StreamProcessor:
    return StreamProcessor(settings=StageSettings(triage_dlq_max_replays=max_replays), service="extract",
                           inputs=["email.raw"], handler=None, serde=Serde())  # type: ignore[arg-type]


def test_the_runtime_carries_the_replay_count_into_the_letter_and_parks_at_the_limit() -> None:
    first = processor().dead_letter("email.raw", FakeMessage([]), ValueError("x"), 1)
    assert "triage.replays" not in first.headers and "triage.parked" not in first.headers

    again = processor().dead_letter("email.raw", FakeMessage([("triage.replays", b"2")]), ValueError("x"), 1)
    assert again.headers["triage.replays"] == b"2"
    assert "triage.parked" not in again.headers
    assert again.value.original_headers["triage.replays"] == b"2"

    parked = processor().dead_letter("email.raw", FakeMessage([("triage.replays", b"3")]), ValueError("x"), 1)
    assert parked.headers["triage.parked"] == b"true"
    assert processor(max_replays=1).dead_letter(
        "email.raw", FakeMessage([("triage.replays", b"1")]), ValueError("x"), 1).headers["triage.parked"] == b"true"
