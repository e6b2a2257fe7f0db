"""faust-streaming vs our confluent-kafka transactional runtime, for the route stage's state.

THROWAWAY: this script runs ONLY with the throwaway virtualenv below, never with
the project's .venv (faust is not a project dependency, see docs/adr/0008):

    python3 -m venv .local/faust-venv
    .local/faust-venv/bin/pip install faust-streaming confluent-kafka fastavro psutil
    .local/faust-venv/bin/python bench/faust_route.py [N]      # default N=5000

It needs the local Kafka 4.1 broker (scripts/local-stack.sh up) and the project's
.venv (used as a subprocess to create the topics and produce the inputs with the
project's own Serde). Loopback only; every wait is bounded.

Three scenarios, one run, each with its own random topic prefix (3 partitions):

- ``faust``: a faust app doing the route stage's essential job: consume
  ``email.extracted`` (Avro single-object), look the dedupe key up in a faust
  Table (in-memory store, changelog = faust's compacted ``<app>-dedupe-changelog``
  topic, co-partitioned with the input), skip a duplicate, else produce the
  routed record and set the table entry. processing_guarantee=exactly_once.
- ``ck``: the SAME per-record work (same decode, same key, same output bytes) on
  our runtime's design: confluent-kafka, read_committed, one transaction per
  batch of 200 (outputs + markers + offsets), a dict rebuilt from the
  co-partitioned compacted ``email.dedupe`` partition on assignment. This is the
  apples-to-apples comparison: only the runtime differs.
- ``service``: the real ``triage-route`` service (pydantic models, rules, CRM
  plan, schema validation): the full stage, as a reference; it does more work
  per record than the other two.

Per scenario: N unique records are produced first, then the worker starts.
Reported: time from worker start to first output; throughput = (N-1) / (last
output timestamp - first output timestamp); peak RSS of the worker process;
then the worker is stopped (SIGTERM), 500 already-processed records plus one
new probe record are produced, the worker restarted, and the time from restart
to the probe's output is the state-recovery time (its state then holds N
entries); outputs after the restart must be exactly 1 (the 500 duplicates
skipped: the state was recovered). The total of committed outputs must be N+1.
"""

from __future__ import annotations

import io
import json
import os
import signal
import subprocess
import sys
import time
import uuid
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
PROJECT_PY = ROOT / ".venv" / "bin" / "python"
BOOTSTRAP = os.environ.get("KAFKA_BOOTSTRAP_SERVERS", "127.0.0.1:39092")
DUPLICATES = 500
WAIT_S = 300.0  # bound on every wait

# --------------------------------------------------------------------------------------
# The per-record work shared by the faust and ck workers (fastavro only, no pydantic).


def _schemas():
    import fastavro
    from fastavro.schema import fingerprint, to_parsing_canonical_form

    def load(name):
        parsed = fastavro.parse_schema(json.loads((ROOT / "libs/triage/src/triage/schemas" / name).read_text()))
        fp = int(fingerprint(to_parsing_canonical_form(parsed), "CRC-64-AVRO"), 16).to_bytes(8, "little")
        return parsed, b"\xc3\x01" + fp

    return load("email_extracted.avsc"), load("dedupe_marker.avsc")


_SCHEMAS = None


def transform(value: bytes) -> tuple[str, bytes, bytes]:
    """(dedupe key, routed bytes, marker bytes) for one email.extracted value."""
    global _SCHEMAS
    import fastavro

    if _SCHEMAS is None:
        _SCHEMAS = _schemas()
    (ext_schema, ext_header), (marker_schema, marker_header) = _SCHEMAS
    record = fastavro.schemaless_reader(io.BytesIO(value[10:]), ext_schema, ext_schema)
    key = f"{record['message_id'] or record['email_id']}|{record['thread_id']}"
    marker = {
        "email_id": record["email_id"], "thread_id": record["thread_id"],
        "message_id": record["message_id"], "intent": record["extraction"]["intent"],
        "confidence": record["extraction"]["confidence"], "processed_at": int(time.time() * 1000),
    }
    buf = io.BytesIO()
    buf.write(marker_header)
    try:
        fastavro.schemaless_writer(buf, marker_schema, marker)
    except Exception:  # processed_at as a datetime if the schema has a logical type
        from datetime import UTC, datetime
        marker["processed_at"] = datetime.now(UTC)
        buf = io.BytesIO()
        buf.write(marker_header)
        fastavro.schemaless_writer(buf, marker_schema, marker)
    routed = io.BytesIO()
    routed.write(ext_header)
    fastavro.schemaless_writer(routed, ext_schema, record)  # re-encode: the "routed" record
    return key, routed.getvalue(), buf.getvalue()


# --------------------------------------------------------------------------------------
# faust worker


def faust_worker(prefix: str) -> None:
    import faust

    guarantee = os.environ.get("BENCH_FAUST_GUARANTEE", "exactly_once")
    (ROOT / ".local" / "faust-data").mkdir(parents=True, exist_ok=True)
    app = faust.App(
        f"{prefix}faust-route",
        broker=f"kafka://{BOOTSTRAP}",
        store="memory://",
        processing_guarantee=guarantee,
        topic_partitions=3,
        topic_replication_factor=1,
        table_standby_replicas=0,
        web_enabled=False,
        datadir=str(ROOT / ".local" / "faust-data" / prefix),
    )
    source = app.topic(f"{prefix}email.extracted", key_type=bytes, value_type=bytes,
                       key_serializer="raw", value_serializer="raw")
    routed = app.topic(f"{prefix}email.routed", key_type=bytes, value_type=bytes,
                       key_serializer="raw", value_serializer="raw")
    dedupe = app.Table("dedupe", default=None, partitions=3, key_type=bytes, value_type=bytes)

    @app.agent(source)
    async def route(stream):  # noqa: ANN001
        async for event in stream.events():
            key, out, marker = transform(event.value)
            bkey = key.encode()
            if dedupe.get(bkey) is not None:
                continue
            await routed.send(key=event.key, value=out)
            dedupe[bkey] = marker

    sys.argv = [sys.argv[0], "worker", "-l", "warn", "--without-web"]
    app.main()


# --------------------------------------------------------------------------------------
# ck worker: the same work on our runtime's design (confluent-kafka, batch transactions)


def ck_worker(prefix: str) -> None:
    from confluent_kafka import Consumer, Producer, TopicPartition

    src, out_topic, state_topic = f"{prefix}email.extracted", f"{prefix}email.routed", f"{prefix}email.dedupe"
    group = f"{prefix}ck-route"
    stop = [False]
    signal.signal(signal.SIGTERM, lambda *_: stop.__setitem__(0, True))
    producer = Producer({
        "bootstrap.servers": BOOTSTRAP, "partitioner": "murmur2_random", "enable.idempotence": True,
        "acks": "all", "linger.ms": 5, "compression.type": "lz4", "transactional.id": f"{group}-0",
        "transaction.timeout.ms": 30_000,
    })
    consumer = Consumer({
        "bootstrap.servers": BOOTSTRAP, "group.id": group, "isolation.level": "read_committed",
        "enable.auto.commit": False, "auto.offset.reset": "earliest", "session.timeout.ms": 10_000,
        "heartbeat.interval.ms": 2_000,
    })
    state: dict[int, set[str]] = {}

    def rebuild(partition: int) -> set[str]:
        reader = Consumer({"bootstrap.servers": BOOTSTRAP, "group.id": f"reader-{uuid.uuid4().hex}",
                           "isolation.level": "read_committed", "enable.auto.commit": False})
        keys: set[str] = set()
        try:
            low, high = reader.get_watermark_offsets(TopicPartition(state_topic, partition), timeout=10)
            if high > low:
                reader.assign([TopicPartition(state_topic, partition, low)])
                position, deadline = low, time.monotonic() + 60
                while position < high and time.monotonic() < deadline:
                    m = reader.poll(0.5)
                    if m is not None and m.error() is None:
                        k = m.key().decode()
                        if m.value() is None:
                            keys.discard(k)
                        else:
                            keys.add(k)
                    position = max(position, reader.position([TopicPartition(state_topic, partition)])[0].offset)
        finally:
            reader.close()
        return keys

    def on_assign(_c, partitions):
        for tp in partitions:
            state[tp.partition] = rebuild(tp.partition)

    def on_revoke(_c, partitions):
        for tp in partitions:
            state.pop(tp.partition, None)

    producer.init_transactions(30)
    consumer.subscribe([src], on_assign=on_assign, on_revoke=on_revoke)
    while not stop[0]:
        batch = [m for m in consumer.consume(200, 0.5) if m.error() is None]
        if not batch:
            continue
        producer.begin_transaction()
        pending: list[tuple[int, str]] = []
        for m in batch:
            key, out, marker = transform(m.value())
            seen = state.setdefault(m.partition(), set())
            if key in seen or (m.partition(), key) in pending:
                continue
            producer.produce(out_topic, key=m.key(), value=out)
            producer.produce(state_topic, key=key.encode(), value=marker, partition=m.partition())
            pending.append((m.partition(), key))
            producer.poll(0)
        offsets: dict[tuple[str, int], int] = {}
        for m in batch:
            offsets[(m.topic(), m.partition())] = max(offsets.get((m.topic(), m.partition()), 0), m.offset() + 1)
        producer.send_offsets_to_transaction([TopicPartition(t, p, o) for (t, p), o in offsets.items()],
                                             consumer.consumer_group_metadata(), 30)
        producer.commit_transaction(60)
        for partition, key in pending:
            state.setdefault(partition, set()).add(key)
    consumer.close()
    producer.flush(10)


# --------------------------------------------------------------------------------------
# the driver


PRODUCE = r"""
import sys, uuid
from datetime import UTC, datetime
from confluent_kafka import Producer
from triage.domain.models import Budget, Company, ExtractedEmail, Extraction, Interest, Person
from triage.platform.admin import apply_topics
from triage.platform.serde import Serde
from triage.platform.settings import CliSettings, load_settings
from triage.platform.topics import EXTRACTED
prefix, start, count, create = sys.argv[1], int(sys.argv[2]), int(sys.argv[3]), sys.argv[4] == "1"
settings = load_settings(CliSettings, triage_topic_prefix=prefix)
if create:
    apply_topics(settings, 3)
serde = Serde()
producer = Producer({**settings.kafka_config(), "linger.ms": 20, "enable.idempotence": True})
for i in range(start, start + count):
    s = f"{prefix}{i:07d}"
    x = Extraction(intent="lead", person=Person(name="Jane Doe", email=f"jane@acme-{i}.com"),
                   company=Company(name="Acme Robotics", domain=f"acme-{i}.com"),
                   interest=Interest(products=["Revenue Radar"]), budget=Budget(annual_amount_usd=50_000),
                   timeline="now", region="US", summary="wants a demo", required_action="schedule_demo",
                   confidence=0.9)
    e = ExtractedEmail(email_id=f"e-{s}", thread_id=f"t-{s}", mailbox="sales@lumora.io",
                       received_at=datetime(2026, 1, 12, 9, 30, tzinfo=UTC), message_id=f"{s}@acme.com",
                       from_email=f"jane@acme-{i}.com", subject="Demo please", extraction=x,
                       model="rules", model_version="1", decided_by="rules")
    producer.produce(settings.topic(EXTRACTED), key=e.thread_id.encode(), value=serde.encode(EXTRACTED, e))
    producer.poll(0)
assert producer.flush(60) == 0
"""


def produce(prefix: str, start: int, count: int, create: bool) -> None:
    subprocess.run([str(PROJECT_PY), "-c", PRODUCE, prefix, str(start), str(count), "1" if create else "0"],
                   check=True, cwd=ROOT, timeout=WAIT_S)


class OutputCounter:
    """Counts committed records on the output topic, keeping first/last timestamps."""

    def __init__(self, topic: str) -> None:
        from confluent_kafka import Consumer

        self.consumer = Consumer({"bootstrap.servers": BOOTSTRAP, "group.id": f"count-{uuid.uuid4().hex}",
                                  "isolation.level": "read_committed", "auto.offset.reset": "earliest",
                                  "enable.auto.commit": False})
        self.consumer.subscribe([topic])
        self.count, self.first_ts, self.last_ts = 0, None, None

    def poll(self, timeout: float = 0.2) -> None:
        for m in self.consumer.consume(1000, timeout):
            if m.error() is None:
                self.count += 1
                ts = m.timestamp()[1]
                self.first_ts = ts if self.first_ts is None else min(self.first_ts, ts)
                self.last_ts = ts if self.last_ts is None else max(self.last_ts, ts)


def start_worker(kind: str, prefix: str, env_extra: dict[str, str] | None = None) -> subprocess.Popen:
    env = {**os.environ, **(env_extra or {})}
    log_path = ROOT / ".local" / f"bench-faust-route-{kind}-{prefix.rstrip('.')}.log"
    if kind == "service":
        env.update(KAFKA_BOOTSTRAP_SERVERS=BOOTSTRAP, TRIAGE_TOPIC_PREFIX=prefix, TRIAGE_METRICS_PORT="0",
                   TRIAGE_INSTANCE_ID="bench", TRIAGE_LOG_LEVEL="WARNING")
        cmd = [str(ROOT / ".venv" / "bin" / "triage-route")]
    else:
        cmd = [sys.executable, __file__, f"{kind}-worker", prefix]
    with open(log_path, "ab") as log:  # the child keeps its own copy of the descriptor
        return subprocess.Popen(cmd, cwd=ROOT, env=env, stdout=log, stderr=subprocess.STDOUT,
                                start_new_session=True)


def stop_worker(proc: subprocess.Popen) -> None:
    if proc.poll() is None:
        proc.send_signal(signal.SIGTERM)
        try:
            proc.wait(60)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait(10)


def rss_of(proc: subprocess.Popen) -> int:
    import psutil

    try:
        p = psutil.Process(proc.pid)
        return p.memory_info().rss + sum(c.memory_info().rss for c in p.children(recursive=True))
    except psutil.Error:
        return 0


def wait_for(counter: OutputCounter, target: int, proc: subprocess.Popen, peak: list[int]) -> float | None:
    """Seconds until target outputs were seen (None on timeout or worker death)."""
    t0 = time.monotonic()
    while time.monotonic() - t0 < WAIT_S:
        counter.poll()
        peak[0] = max(peak[0], rss_of(proc))
        if counter.count >= target:
            return time.monotonic() - t0
        if proc.poll() is not None:
            return None
    return None


def scenario(kind: str, n: int, env_extra: dict[str, str] | None = None) -> dict:
    prefix = f"bfr{uuid.uuid4().hex[:6]}{kind}."
    produce(prefix, 0, n, create=True)
    counter = OutputCounter(f"{prefix}email.routed")
    peak = [0]
    proc = start_worker(kind, prefix, env_extra)
    started = time.monotonic()
    first = wait_for(counter, 1, proc, peak)
    done = wait_for(counter, n, proc, peak) if first is not None else None
    result: dict = {"prefix": prefix, "n": n}
    if done is None:
        stop_worker(proc)
        result.update(error=f"stalled at {counter.count}/{n} outputs (exit {proc.poll()})")
        return result
    result.update(
        start_to_first_output_s=round(first, 2),
        wall_s=round(time.monotonic() - started, 2),
        records_per_s=round((n - 1) / max((counter.last_ts - counter.first_ts) / 1000, 1e-3), 1),
    )
    time.sleep(2)  # let the last offsets commit
    stop_worker(proc)
    result["peak_rss_mib"] = round(peak[0] / 2**20, 1)
    produce(prefix, 0, min(DUPLICATES, n), create=False)  # already processed: must be skipped
    produce(prefix, n, 1, create=False)            # the probe: must come out
    before = counter.count
    proc = start_worker(kind, prefix, env_extra)
    restart = wait_for(counter, before + 1, proc, peak)
    time.sleep(5)  # would any duplicate come out?
    for _ in range(10):
        counter.poll()
    stop_worker(proc)
    result.update(
        restart_to_probe_output_s=None if restart is None else round(restart, 2),
        outputs_after_restart=counter.count - before,
        total_outputs=counter.count,
        exact=counter.count == n + 1,
    )
    counter.consumer.close()
    return result


def main() -> None:
    if len(sys.argv) >= 3 and sys.argv[1].endswith("-worker"):
        {"faust-worker": faust_worker, "ck-worker": ck_worker}[sys.argv[1]](sys.argv[2])
        return
    import aiokafka
    import confluent_kafka
    import faust

    n = int(sys.argv[1]) if len(sys.argv) > 1 else 5000
    only = sys.argv[2].split(",") if len(sys.argv) > 2 else ["ck", "service", "faust", "faust-alo"]
    results = {"versions": {"faust": faust.__version__, "aiokafka": aiokafka.__version__,
                            "confluent_kafka": confluent_kafka.version()[0], "python": sys.version.split()[0]}}
    for kind in only:
        if kind == "faust-alo":  # the same faust app with at_least_once, for comparison
            results[kind] = scenario("faust", n, {"BENCH_FAUST_GUARANTEE": "at_least_once"})
        else:
            results[kind] = scenario(kind, n)
        print(kind, json.dumps(results[kind]), file=sys.stderr, flush=True)
    print(json.dumps(results, indent=2))


if __name__ == "__main__":
    main()
