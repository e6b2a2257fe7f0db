"""One hop of the bare passthrough: consume and produce unchanged bytes, transactionally,
with the same client settings and batch size as the real runtime. The ceiling of
what the client can do on this machine, against which the pipeline is compared.

    python -m bench.passthrough_stage SOURCE_TOPIC TARGET_TOPIC GROUP
"""

from __future__ import annotations

import signal
import sys
import threading

from confluent_kafka import Consumer, Producer

from triage.platform.runtime import consumer_config, next_offsets, producer_config
from triage.platform.settings import CliSettings, load_settings


def main(source: str, target: str, group: str) -> None:
    settings = load_settings(CliSettings)
    stop = threading.Event()
    signal.signal(signal.SIGTERM, lambda *_: stop.set())
    producer = Producer(producer_config(settings, f"{group}-0"))
    consumer = Consumer(consumer_config(settings, group))
    producer.init_transactions(30)
    consumer.subscribe([source])
    while not stop.is_set():
        batch = [m for m in consumer.consume(settings.triage_batch_size, 0.5) if m.error() is None]
        if not batch:
            continue
        producer.begin_transaction()
        for message in batch:
            producer.produce(target, key=message.key(), value=message.value(), headers=message.headers())
            producer.poll(0)
        producer.send_offsets_to_transaction(next_offsets(batch), consumer.consumer_group_metadata(), 30)
        producer.commit_transaction(60)
    consumer.close()


if __name__ == "__main__":
    main(*sys.argv[1:4])
