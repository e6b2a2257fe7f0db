"""Runs the five services as separate OS processes, the way an operator does."""

from __future__ import annotations

import contextlib
import os
import signal
import socket
import subprocess
import time
import urllib.request
import uuid
from dataclasses import dataclass, field
from pathlib import Path

from confluent_kafka import KafkaException
from confluent_kafka.admin import AdminClient

from tests.support.stack import ROOT, Stack
from triage.platform.admin import apply_topics
from triage.platform.db import migrate
from triage.platform.settings import CliSettings

SERVICES = ("ingest", "extract", "route", "crm-sink", "audit")

#: (bootstrap servers, topic prefix) of every pipeline this test session prepared: the topics and
#: consumer groups are dropped when the session ends (drop_session_topics), so a broker that runs
#: the suite again and again does not pile up thousands of partitions and start ever slower.
PREPARED: set[tuple[str, str]] = set()


def drop_session_topics(bootstrap_servers: str) -> int:
    """Delete this session's prefixed topics and consumer groups on one broker; how many topics."""
    prefixes = tuple(prefix for servers, prefix in PREPARED if servers == bootstrap_servers)
    if not prefixes:
        return 0
    admin = AdminClient({"bootstrap.servers": bootstrap_servers})
    topics = [t for t in admin.list_topics(timeout=30).topics if t.startswith(prefixes)]
    groups = [g.group_id for g in admin.list_consumer_groups(request_timeout=30).result().valid
              if g.group_id.startswith(prefixes)]
    for future in (admin.delete_consumer_groups(groups, request_timeout=30).values() if groups else ()):
        with contextlib.suppress(KafkaException):  # a group still closing stays; the topics matter more
            future.result()
    for future in (admin.delete_topics(topics, operation_timeout=60).values() if topics else ()):
        future.result()
    return len(topics)


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@dataclass
class Pipeline:
    stack: Stack
    log_dir: Path
    database_url: str
    prefix: str = field(default_factory=lambda: f"it-{uuid.uuid4().hex[:8]}.")
    webhook_secret: str = field(default_factory=lambda: uuid.uuid4().hex)
    processes: dict[str, subprocess.Popen] = field(default_factory=dict)
    ports: dict[str, int] = field(default_factory=dict)
    extra_env: dict[str, str] = field(default_factory=dict)

    @property
    def settings(self) -> CliSettings:
        return CliSettings(kafka_bootstrap_servers=self.stack.bootstrap_servers,
                        database_url=self.database_url, triage_topic_prefix=self.prefix)

    def prepare(self, partitions: int = 3) -> None:
        PREPARED.add((self.stack.bootstrap_servers, self.prefix))
        apply_topics(self.settings, partitions)
        migrate(self.database_url)

    def env(self, service: str, instance: str) -> dict[str, str]:
        return {
            **os.environ,
            "KAFKA_BOOTSTRAP_SERVERS": self.stack.bootstrap_servers,
            "DATABASE_URL": self.database_url,
            "TRIAGE_TOPIC_PREFIX": self.prefix,
            "TRIAGE_INSTANCE_ID": instance,
            "TRIAGE_MAILBOX_FILE": str(ROOT / "samples/mailbox.json"),
            "TRIAGE_INBOUND_WEBHOOK_SECRET": self.webhook_secret,
            "TRIAGE_BATCH_SIZE": "100",
            **self.extra_env,
        }

    def start(self, service: str, instance: str = "0", name: str | None = None, **env: str) -> subprocess.Popen:
        """Start one instance; ``name`` tells several instances of one service apart."""
        name = name or service
        self.ports.setdefault(name, free_port())
        log = (self.log_dir / f"{name}.log").open("ab")
        process = subprocess.Popen([str(ROOT / ".venv/bin" / f"triage-{service}")],
                                   env={**self.env(service, instance),
                                        "TRIAGE_METRICS_PORT": str(self.ports[name]), **env},
                                   stdout=log, stderr=subprocess.STDOUT)
        self.processes[name] = process
        self.wait_healthy(name)
        return process

    def metric(self, name: str, metric: str) -> float:
        """A counter's value from an instance's /metrics (0 when not yet exported)."""
        with urllib.request.urlopen(f"http://127.0.0.1:{self.ports[name]}/metrics", timeout=5) as response:
            for line in response.read().decode().splitlines():
                if line.startswith(metric + " ") or line.startswith(metric + "{"):
                    return float(line.rsplit(" ", 1)[1])
        return 0.0

    def start_all(self, services: tuple[str, ...] = SERVICES) -> None:
        for service in services:
            self.start(service)

    def wait_healthy(self, service: str, timeout_s: float = 60) -> None:
        deadline = time.monotonic() + timeout_s
        url = f"http://127.0.0.1:{self.ports[service]}/healthz"
        while time.monotonic() < deadline:
            if self.processes[service].poll() is not None:
                raise RuntimeError(f"{service} exited early:\n{self.log(service)[-3000:]}")
            try:
                with urllib.request.urlopen(url, timeout=1) as response:
                    if response.status == 200:
                        return
            except OSError:
                time.sleep(0.2)
        raise TimeoutError(f"{service} not healthy in {timeout_s} s:\n{self.log(service)[-3000:]}")

    def kill(self, service: str) -> None:
        """kill -9: no chance to finish or abort the open transaction."""
        process = self.processes.pop(service)
        process.send_signal(signal.SIGKILL)
        process.wait(10)

    def stop_all(self) -> None:
        for process in self.processes.values():
            process.send_signal(signal.SIGTERM)
        for process in self.processes.values():
            try:
                process.wait(30)
            except subprocess.TimeoutExpired:
                process.kill()
        self.processes.clear()

    def log(self, service: str) -> str:
        path = self.log_dir / f"{service}.log"
        return path.read_text(errors="replace") if path.exists() else ""
