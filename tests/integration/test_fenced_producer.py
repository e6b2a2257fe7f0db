"""A fenced producer is replaced, not fatal (ADR 0019): on the real broker, a second producer
with the same transactional.id fences the stage's open transaction, as the coordinator does
after timing a transaction out during a broker outage. The abort then fails with a fatal
``_FENCED``; the runtime starts a fresh producer (same transactional.id) that commits."""

from __future__ import annotations

import threading
from collections.abc import Sequence

from confluent_kafka import KafkaException, Producer

from tests.support.kafka import read_topic
from tests.support.pipeline import Pipeline
from triage.platform.handler import Handler
from triage.platform.runtime import Inbound, Outbound, StreamProcessor, producer_config
from triage.platform.serde import Serde
from triage.platform.topics import RAW


class Nothing(Handler):
    """The abort under test calls the handler's ``discard``; no record is handled."""

    def handle(self, record: Inbound) -> Sequence[Outbound]:
        raise AssertionError("no record is handled here")


def test_a_fenced_producer_gives_way_to_a_fresh_one_that_commits(pipeline: Pipeline) -> None:
    settings = pipeline.settings.model_copy(update={"triage_instance_id": "fenced"})
    processor = StreamProcessor(settings=settings, service="fence-test", inputs=[RAW], handler=Nothing(),
                                serde=Serde())
    processor._stop = threading.Event()
    processor._producer = processor._transactional_producer()
    fenced = processor._producer
    topic = settings.topic(RAW)

    fenced.begin_transaction()
    fenced.produce(topic, key=b"lost", value=b"never visible", partition=0)
    fenced.flush(10)
    newer = Producer(producer_config(settings, f"{processor.group_id}-fenced"))
    newer.init_transactions(30)  # bumps the epoch: the open transaction is fenced and aborted
    try:
        fenced.commit_transaction(30)
        raise AssertionError("the old producer was not fenced")
    except KafkaException as exc:
        failure = exc
    assert failure.args[0].fatal() or failure.args[0].txn_requires_abort()

    processor._abort([], failure)  # must not raise
    assert processor._producer is not fenced
    fresh = processor._producer
    fresh.begin_transaction()
    fresh.produce(topic, key=b"kept", value=b"committed after the fence", partition=0)
    fresh.commit_transaction(30)
    keys = [r.key for r in read_topic(settings, RAW)]
    assert keys == [b"kept"]
