"""``make bench``: emails/s and end-to-end latency through the five services, and, in the
same run, through a bare passthrough of the same five hops (the client's ceiling here).

Prints one JSON object. Latency per email = the Kafka timestamp of its crm.events
record minus that of its email.raw record (both stamped by producers on this host).
"""

from __future__ import annotations

import json
import os
import statistics
import subprocess
import sys
import tempfile
import time
import uuid
from datetime import UTC, datetime
from pathlib import Path

from confluent_kafka import Producer
from confluent_kafka.admin import AdminClient, NewTopic

from tests.support.corpus import make_corpus
from tests.support.kafka import read_topic, wait_until
from tests.support.pipeline import Pipeline
from tests.support.stack import ROOT, start_stack
from triage.domain.intake import raw_email
from triage.platform.publisher import RawPublisher
from triage.platform.runtime import producer_config
from triage.platform.serde import Serde
from triage.platform.settings import Settings
from triage.platform.topics import CRM_EVENTS, RAW

N = int(os.environ.get("BENCH_EMAILS", "1000"))
HOPS = 5


def percentile(values: list[float], q: float) -> float:
    return statistics.quantiles(values, n=100)[int(q) - 1] if len(values) > 1 else values[0]


def summarise(first_in_ms: int, latencies_ms: list[float], last_out_ms: int) -> dict:
    seconds = max((last_out_ms - first_in_ms) / 1000, 1e-9)
    return {
        "emails": len(latencies_ms),
        "emails_per_s": round(len(latencies_ms) / seconds, 1),
        "latency_p50_ms": round(percentile(latencies_ms, 50), 1),
        "latency_p95_ms": round(percentile(latencies_ms, 95), 1),
    }


def bench_pipeline(stack, corpus: list[bytes], log_dir: Path) -> dict:
    pipeline = Pipeline(stack=stack, log_dir=log_dir, database_url=stack.new_database())
    pipeline.prepare()
    pipeline.start_all()
    try:
        publisher = RawPublisher(pipeline.settings)
        records = [raw_email(raw, source="file", received_at=datetime.now(UTC), max_bytes=25 << 20)
                   for raw in corpus]
        for record in records:
            publisher.publish(record)
        publisher.flush()
        serde = Serde()
        wanted = {r.email_id for r in records}

        def done() -> bool:
            return {serde.decode(CRM_EVENTS, r.value).email_id for r in read_topic(pipeline.settings, CRM_EVENTS)} >= wanted

        wait_until(done, 600, "every email on crm.events", interval_s=1)
        sent = {serde.decode(RAW, r.value).email_id: r.timestamp_ms for r in read_topic(pipeline.settings, RAW)}
        arrived: dict[str, int] = {}
        for r in read_topic(pipeline.settings, CRM_EVENTS):
            email_id = serde.decode(CRM_EVENTS, r.value).email_id
            arrived[email_id] = max(arrived.get(email_id, 0), r.timestamp_ms)
        latencies = [arrived[e] - sent[e] for e in wanted]
        return summarise(min(sent.values()), latencies, max(arrived.values()))
    finally:
        pipeline.stop_all()
        stack.drop_database(pipeline.database_url)


def bench_passthrough(stack, corpus: list[bytes], log_dir: Path) -> dict:
    prefix = f"bench-{uuid.uuid4().hex[:8]}."
    topics = [f"{prefix}hop{i}" for i in range(HOPS + 1)]
    admin = AdminClient({"bootstrap.servers": stack.bootstrap_servers})
    for future in admin.create_topics([NewTopic(t, 3, 1) for t in topics]).values():
        future.result(30)
    env = {**os.environ, "KAFKA_BOOTSTRAP_SERVERS": stack.bootstrap_servers, "TRIAGE_BATCH_SIZE": "100"}
    stages = [
        subprocess.Popen([sys.executable, "-m", "bench.passthrough_stage", topics[i], topics[i + 1],
                          f"{prefix}g{i}"], env=env, cwd=ROOT,
                         stdout=(log_dir / f"hop{i}.log").open("wb"), stderr=subprocess.STDOUT)
        for i in range(HOPS)
    ]
    try:
        time.sleep(3)  # let the five consumers join their groups, as the services did above
        serde = Serde()
        producer = Producer(producer_config(_settings(stack), None))
        for raw in corpus:
            record = raw_email(raw, source="file", received_at=datetime.now(UTC), max_bytes=25 << 20)
            producer.produce(topics[0], key=record.thread_id.encode(), value=serde.encode(RAW, record))
            producer.poll(0)
        producer.flush(30)
        settings = _settings(stack)
        wait_until(lambda: len(read_topic(settings, topics[-1])) >= len(corpus), 600, "passthrough", 1)
        sent = {r.value: r.timestamp_ms for r in read_topic(settings, topics[0])}
        out = {r.value: r.timestamp_ms for r in read_topic(settings, topics[-1])}
        latencies = [out[v] - sent[v] for v in sent]
        return summarise(min(sent.values()), latencies, max(out.values()))
    finally:
        for stage in stages:
            stage.terminate()
        for stage in stages:
            stage.wait(30)


def _settings(stack) -> Settings:
    return Settings(kafka_bootstrap_servers=stack.bootstrap_servers)


def main() -> None:
    stack, _ = start_stack()
    corpus = [raw for _, raw in make_corpus(N, seed=int(time.time()))]
    with tempfile.TemporaryDirectory() as tmp:
        passthrough = bench_passthrough(stack, corpus, Path(tmp))
        corpus = [raw for _, raw in make_corpus(N, seed=int(time.time()) + 1)]
        pipeline = bench_pipeline(stack, corpus, Path(tmp))
    result = {
        "machine": {"cpus": os.cpu_count()},
        "pipeline": pipeline,
        "passthrough": passthrough,
        "pipeline_vs_passthrough_throughput": round(pipeline["emails_per_s"] / passthrough["emails_per_s"], 3),
    }
    print(json.dumps(result))


if __name__ == "__main__":
    main()
