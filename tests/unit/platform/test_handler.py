"""The Handler base class (ADR 0033): ``handle`` is abstract, every hook a no-op, and the runtime
calls the hooks directly, decoding a batch for ``prepare`` only when the hook reads it."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import UTC, datetime

import pytest
from confluent_kafka import TopicPartition

from triage.domain.models import DeadLetter
from triage.platform.handler import Handler
from triage.platform.runtime import DecodedOnRead, Inbound, Outbound, StreamProcessor
from triage.platform.serde import Serde
from triage.platform.settings import StageSettings
from triage.platform.topics import DLQ

HOOKS = ("prepare", "observe", "flush", "committed", "discard", "assigned", "revoked")


def letter(offset: int) -> DeadLetter:
    return DeadLetter(source_topic="email.raw", source_partition=0, source_offset=offset, service="seed",
                      error_class="Seed", error_message="", attempts=1, failed_at=datetime.now(UTC))


class Message:
    """What the runtime reads of a consumed confluent-kafka message."""

    def __init__(self, topic: str, offset: int, value: bytes) -> None:
        self._topic, self._offset, self._value = topic, offset, value

    def topic(self) -> str:
        return self._topic

    def partition(self) -> int:
        return 0

    def offset(self) -> int:
        return self._offset

    def key(self) -> bytes:
        return f"k{self._offset}".encode()

    def value(self) -> bytes:
        return self._value

    def headers(self) -> list[tuple[str, bytes]]:
        return []

    def timestamp(self) -> tuple[int, int]:
        return (1, 0)

    def error(self) -> None:
        return None


class Bare(Handler):
    """Overrides nothing but ``handle``: copies each letter to the DLQ topic."""

    def handle(self, record: Inbound) -> Sequence[Outbound]:
        return [Outbound(DLQ, record.key or b"", record.value)]


class Recording(Bare):
    def __init__(self, reads_records: bool = True) -> None:
        self.reads_records = reads_records
        self.calls: list[tuple[str, object]] = []

    def prepare(self, records: Sequence[Inbound]) -> None:
        self.calls.append(("prepare", [r.offset for r in records] if self.reads_records else None))

    def observe(self, record: Inbound, outputs: Sequence[Outbound]) -> None:
        self.calls.append(("observe", (record.offset, [out.topic for out in outputs])))

    def assigned(self, partitions: dict[str, list[int]]) -> None:
        self.calls.append(("assigned", partitions))

    def revoked(self, partitions: dict[str, list[int]]) -> None:
        self.calls.append(("revoked", partitions))


class CountingSerde(Serde):
    def __init__(self) -> None:
        super().__init__()
        self.decoded = 0

    def decode(self, topic: str, value: bytes):  # type: ignore[override]
        self.decoded += 1
        return super().decode(topic, value)


def processor(handler: Handler, serde: Serde) -> StreamProcessor:
    return StreamProcessor(settings=StageSettings(triage_retry_initial_s=0.0), service="hooks-test", inputs=[DLQ],
                           handler=handler, serde=serde)


def batch(serde: Serde, offsets: Sequence[int]) -> list[Message]:
    topic = StageSettings().topic(DLQ)
    return [Message(topic, n, serde.encode(DLQ, letter(n))) for n in offsets]


def test_handle_is_abstract_and_every_hook_is_a_documented_no_op() -> None:
    with pytest.raises(TypeError, match="handle"):
        Handler()  # type: ignore[abstract]
    bare = Bare()
    for name in HOOKS:
        assert getattr(Handler, name).__doc__, f"{name} has no documentation"
        assert getattr(Bare, name) is getattr(Handler, name), f"{name} is not the base's default"
    assert bare.prepare([]) is None and bare.observe(None, []) is None and bare.flush() is None  # type: ignore[arg-type]
    assert bare.committed() is None and bare.discard() is None
    assert bare.assigned({DLQ: [0]}) is None and bare.revoked({DLQ: [0]}) is None


def test_a_handler_without_overrides_runs_through_every_hook_the_runtime_calls() -> None:
    serde = CountingSerde()
    stage = processor(Bare(), serde)
    messages = batch(serde, [3, 4])
    stage._prepare(messages)
    assert serde.decoded == 0, "the default prepare reads nothing, so nothing is decoded for it"
    outputs = [stage._outputs_for(m) for m in messages]
    assert [len(o) for o in outputs] == [1, 1]
    assert [o[0][1] for o in outputs] == [b"k3", b"k4"], "each record's output, encoded"
    assert serde.decoded == 2, "one decoding per record, for handle"
    stage._on_assign(None, [TopicPartition(StageSettings().topic(DLQ), 0)])  # type: ignore[arg-type]
    stage._on_revoke(None, [TopicPartition(StageSettings().topic(DLQ), 0)])  # type: ignore[arg-type]
    stage._retrying(stage.handler.flush)


def test_the_runtime_calls_the_hooks_a_handler_overrides() -> None:
    serde = CountingSerde()
    handler = Recording()
    stage = processor(handler, serde)
    topic = StageSettings().topic(DLQ)
    stage._on_assign(None, [TopicPartition(topic, 0)])  # type: ignore[arg-type]
    messages = [*batch(serde, [5]), Message(topic, 6, b"\x00not avro"), *batch(serde, [7])]
    stage._prepare(messages)
    assert serde.decoded == 3, "a prepare that reads the records decodes each once"
    outputs = stage._outputs_for(messages[0])
    stage._on_revoke(None, [TopicPartition(topic, 0)])  # type: ignore[arg-type]
    assert handler.calls == [
        ("assigned", {DLQ: [0]}),
        ("prepare", [5, 7]),  # the undecodable record is left to its own turn (dead-lettered)
        ("observe", (5, [DLQ])),
        ("revoked", {DLQ: [0]}),
    ]
    assert len(outputs) == 1


def test_an_undecodable_record_is_dead_lettered_without_being_observed() -> None:
    handler = Recording()
    stage = processor(handler, Serde())
    [encoded] = stage._outputs_for(Message(StageSettings().topic(DLQ), 9, b"\x00not avro"))
    assert encoded[4] == -1 and b"SerdeError" in dict(encoded[3])["triage.error.class"]
    assert handler.calls == []


def test_decoded_on_read_decodes_once_and_only_when_read() -> None:
    calls: list[int] = []

    def decode() -> list[int]:
        calls.append(1)
        return [1, 2, 3]

    records = DecodedOnRead(decode)  # type: ignore[arg-type]
    assert calls == []
    assert len(records) == 3 and list(records) == [1, 2, 3] and records[-1] == 3 and records[:2] == [1, 2]
    assert calls == [1]
