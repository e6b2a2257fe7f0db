"""The runtime calls every Handler hook on the real broker (ADR 0033): a handler that overrides
only ``handle`` runs through the whole loop on the no-op defaults, and one that overrides every
hook sees them in the runtime's order, once per batch or per record."""

from __future__ import annotations

import threading
from collections.abc import Sequence

from tests.support.kafka import read_topic, wait_until
from tests.support.pipeline import Pipeline
from tests.support.seeded_letters import RawAsLetters, seed_letters
from triage.platform.handler import Handler
from triage.platform.runtime import Inbound, Outbound, StreamProcessor
from triage.platform.serde import Serde
from triage.platform.topics import DLQ, RAW

RECORDS = 12


class Bare(Handler):
    """Copies each letter to email.dlq; every hook is the base's no-op."""

    def handle(self, record: Inbound) -> Sequence[Outbound]:
        return [Outbound(DLQ, record.key or b"", record.value)]


class Recording(Bare):
    def __init__(self) -> None:
        self.calls: list[tuple[str, object]] = []
        self.stopping = threading.Event()

    def prepare(self, records: Sequence[Inbound]) -> None:
        self.calls.append(("prepare", [r.offset for r in records]))

    def observe(self, record: Inbound, outputs: Sequence[Outbound]) -> None:
        self.calls.append(("observe", (record.offset, [out.topic for out in outputs])))

    def flush(self) -> None:
        self.calls.append(("flush", None))

    def committed(self) -> None:
        self.calls.append(("committed", None))

    def discard(self) -> None:
        self.calls.append(("discard", None))

    def assigned(self, partitions: dict[str, list[int]]) -> None:
        self.calls.append(("assigned", partitions))

    def revoked(self, partitions: dict[str, list[int]]) -> None:
        self.calls.append(("revoked", partitions))


def seed(settings, serde: Serde, prefix: str) -> list[bytes]:
    keys = [f"{prefix}{i}".encode() for i in range(RECORDS)]
    seed_letters(settings, serde, keys, partition=0)
    return keys


def run_until(processor: StreamProcessor, done, what: str) -> None:
    stop = threading.Event()
    loop = threading.Thread(target=processor.run, args=(stop,), daemon=True)
    loop.start()
    try:
        wait_until(done, 90, what)
    finally:
        stop.set()
        loop.join(30)
    assert not loop.is_alive(), "the stage did not stop"


def test_a_handler_without_overrides_and_one_with_every_hook(pipeline: Pipeline) -> None:
    settings = pipeline.settings.model_copy(update={"triage_batch_size": 5, "triage_instance_id": "hooks"})
    serde = Serde()
    keys = seed(settings, serde, "bare")
    bare = StreamProcessor(settings=settings, service="hooks-bare", inputs=[RAW], handler=Bare(),
                           serde=RawAsLetters(serde))
    run_until(bare, lambda: len(read_topic(settings, DLQ)) >= RECORDS, "every record copied by the bare handler")
    assert sorted(r.key for r in read_topic(settings, DLQ)) == sorted(keys), "lost or copied twice"

    handler = Recording()
    recording = StreamProcessor(settings=settings, service="hooks-recording", inputs=[RAW], handler=handler,
                                serde=RawAsLetters(serde))
    run_until(recording, lambda: sum(1 for name, _ in handler.calls if name == "committed") >= 1
              and sum(1 for name, _ in handler.calls if name == "observe") >= RECORDS,
              "every record observed and committed")

    names = [name for name, _ in handler.calls]
    assert handler.calls[0][0] == "assigned" and 0 in handler.calls[0][1][RAW]
    assert handler.calls[-1][0] == "revoked", "the stop revokes the partition"
    assert "discard" not in names, "nothing aborted"
    observed = [args[0] for name, args in handler.calls if name == "observe"]
    assert observed == list(range(RECORDS)), "each record observed once, in order"
    assert all(args[1] == [DLQ] for name, args in handler.calls if name == "observe"), "with its outputs"
    batches = [args for name, args in handler.calls if name == "prepare"]
    assert sum(len(b) for b in batches) == RECORDS and all(len(b) <= 5 for b in batches)
    # Per batch: prepare (its decoded records), one observe per record, flush, then committed.
    cursor = 1
    for batch in batches:
        assert handler.calls[cursor] == ("prepare", batch)
        assert handler.calls[cursor + 1: cursor + 1 + len(batch)] == [
            ("observe", (offset, [DLQ])) for offset in batch]
        assert names[cursor + 1 + len(batch): cursor + 3 + len(batch)] == ["flush", "committed"]
        cursor += len(batch) + 3
