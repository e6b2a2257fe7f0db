"""The benchmark's runs against real services: a burst, an open-loop steady load, the step search.

Every run starts its own pipeline (fresh topic prefix and database), sends a few warm-up emails
through it first (consumer groups joined, models loaded, connections open), then measures.
"""

from __future__ import annotations

import contextlib
import os
import time
import uuid
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

from confluent_kafka import Consumer, Producer, TopicPartition

from bench import load, observe
from tests.support.corpus import make_corpus
from tests.support.pipeline import SERVICES, Pipeline
from tests.support.stack import Stack
from triage.domain.intake import raw_email
from triage.domain.models import RawEmail
from triage.platform.runtime import producer_config
from triage.platform.serde import Serde
from triage.platform.settings import CliSettings
from triage.platform.topics import CRM_EVENTS, RAW

WARM_UP_EMAILS = 30
_seed = [int(time.time())]


def corpus(n: int) -> list[RawEmail]:
    """``n`` fresh emails (a new seed each call: Message-IDs never repeat across runs)."""
    _seed[0] += 1
    return [raw_email(raw, source="file", received_at=datetime.now(UTC), max_bytes=25 << 20)
            for _, raw in make_corpus(n, seed=_seed[0])]


class Tail:
    """Follows a topic from its beginning (read_committed): email id -> its latest timestamp (ms)."""

    def __init__(self, settings: CliSettings, logical: str, serde: Serde) -> None:
        self.logical, self.serde = logical, serde
        topic = settings.topic(logical)
        self.consumer = Consumer({**settings.kafka_config(), "group.id": f"bench-tail-{uuid.uuid4().hex}",
                                  "isolation.level": "read_committed", "enable.auto.commit": False})
        partitions = self.consumer.list_topics(topic, timeout=10).topics[topic].partitions
        self.consumer.assign([TopicPartition(topic, p, 0) for p in partitions])
        self.seen: dict[str, int] = {}

    def read(self, seconds: float = 0.5) -> None:
        """What arrived, for up to ``seconds`` (0: only what is already fetched)."""
        deadline = time.monotonic() + seconds
        while True:
            messages = self.consumer.consume(1000, min(seconds, 0.1))
            for message in messages:
                if message.error() is None:
                    email_id = self.serde.decode(self.logical, message.value()).email_id
                    self.seen[email_id] = max(self.seen.get(email_id, 0), message.timestamp()[1])
            if not messages or time.monotonic() >= deadline:
                return

    def wait_for(self, email_ids: set[str], timeout_s: float) -> bool:
        deadline = time.monotonic() + timeout_s
        while not email_ids <= self.seen.keys():
            if time.monotonic() > deadline:
                return False
            self.read()
        return True

    def close(self) -> None:
        self.consumer.close()


class Sender:
    """Produces email.raw records without waiting for acknowledgements (open loop)."""

    def __init__(self, settings: CliSettings, serde: Serde) -> None:
        self.settings, self.serde = settings, serde
        self.producer = Producer(producer_config(settings, None))
        self.failed: list[str] = []

    def send(self, email: RawEmail, value: bytes | None = None) -> None:
        self.producer.produce(self.settings.topic(RAW), key=email.thread_id.encode(),
                              value=value or self.serde.encode(RAW, email), on_delivery=self._delivered)
        self.producer.poll(0)

    def _delivered(self, error: object, _message: object) -> None:
        if error is not None:
            self.failed.append(str(error))

    def flush(self) -> None:
        if self.producer.flush(60) or self.failed:
            raise RuntimeError(f"email.raw records not acknowledged: {self.failed[:3]}")


@dataclass
class Running:
    pipeline: Pipeline
    serde: Serde
    tail: Tail
    sender: Sender
    until: str

    def warm_up(self) -> None:
        emails = corpus(WARM_UP_EMAILS)
        for email in emails:
            self.sender.send(email)
        self.sender.flush()
        if not self.tail.wait_for({e.email_id for e in emails}, 180):
            raise TimeoutError(f"warm-up emails did not reach {self.until}")


@contextlib.contextmanager
def running(stack: Stack, log_dir: Path, env: dict[str, str], *, partitions: int = 3,
            services: Sequence[str] = SERVICES, extract_instances: int = 1,
            until: str = CRM_EVENTS) -> Iterator[Running]:
    """A fresh pipeline with ``env`` on top of the tests' settings, warmed up."""
    log_dir.mkdir(parents=True, exist_ok=True)
    pipeline = Pipeline(stack=stack, log_dir=log_dir, database_url=stack.new_database(), extra_env=env)
    pipeline.prepare(partitions)
    serde = Serde()
    tail = sender = None
    try:
        for service in services:
            for instance in range(extract_instances if service == "extract" else 1):
                pipeline.start(service, instance=str(instance), name=f"{service}-{instance}" if instance else service)
        tail, sender = Tail(pipeline.settings, until, serde), Sender(pipeline.settings, serde)
        run = Running(pipeline, serde, tail, sender, until)
        run.warm_up()
        yield run
    finally:
        if tail is not None:
            tail.close()
        pipeline.stop_all()
        stack.drop_database(pipeline.database_url)


def burst(run: Running, emails: Sequence[RawEmail]) -> dict:
    """Every email at once; emails/s from the first email.raw to the last record on ``until``;
    per-email CPU and PostgreSQL figures from each service's own metrics; peak RSS."""
    values = [run.serde.encode(RAW, e) for e in emails]
    before = {name: observe.scrape(port) for name, port in run.pipeline.ports.items()}
    servers = observe.ServerCpu()
    servers.start()
    first_ms = time.time() * 1000
    for email, value in zip(emails, values, strict=True):
        run.sender.send(email, value)
    run.sender.flush()
    wanted = {e.email_id for e in emails}
    if not run.tail.wait_for(wanted, 900):
        raise TimeoutError(f"the burst did not reach {run.until}")
    last_ms = max(run.tail.seen[e] for e in wanted)
    server_cpu = servers.stop()
    seconds = (last_ms - first_ms) / 1000
    stages = {}
    for name, port in run.pipeline.ports.items():
        stages[name] = {**observe.per_email(observe.delta(before[name], observe.scrape(port)), len(emails)),
                        "peak_rss_mb": observe.peak_rss_mb(run.pipeline.processes[name].pid)}
    return {
        "emails": len(emails),
        "seconds": round(seconds, 2),
        "emails_per_s": round(len(emails) / seconds, 1),
        "stages": stages,
        "server_cpu_ms_per_email": {k: round(1000 * v / len(emails), 3) for k, v in server_cpu.items()},
    }


def steady(run: Running, rate_per_s: float, duration_s: float, drain_s: float = 60) -> dict:
    """Emails at ``rate_per_s`` for ``duration_s`` (open loop); lead time from each email's
    scheduled send time to its last crm.events record."""
    offsets = load.arrival_offsets(rate_per_s, duration_s)
    emails = corpus(len(offsets))
    values = [run.serde.encode(RAW, e) for e in emails]
    log = load.run_open_loop(offsets, lambda i: run.sender.send(emails[i], values[i]),
                             idle=lambda: (run.sender.producer.poll(0), run.tail.read(0)))
    run.sender.flush()
    wanted = {e.email_id for e in emails}
    run.tail.wait_for(wanted, drain_s)
    leads = [run.tail.seen[e.email_id] - due * 1000 for e, due in zip(emails, log.scheduled, strict=True)
             if e.email_id in run.tail.seen]
    lateness = log.lateness_s
    return {
        "rate_per_s": rate_per_s,
        "duration_s": duration_s,
        **load.lead_time_summary(leads, missing=len(wanted - run.tail.seen.keys())),
        "sender_late_p99_ms": round(1000 * load.percentile(lateness, 99), 1),
    }


def env_number(name: str, default: float) -> float:
    return float(os.environ.get(name, default))
