"""The real local stack for integration tests: Kafka and PostgreSQL, started once per session.

In order of preference:
1. KAFKA_BOOTSTRAP_SERVERS and DATABASE_URL, when set, are used as they are;
2. where a Docker engine answers (and TRIAGE_TEST_STACK is not "local"),
   testcontainers starts Kafka (KRaft) and PostgreSQL containers;
3. otherwise the project's own scripts start the local broker and database
   (scripts/local-stack.sh), exactly as `make up` does — the path these
   machines (no Docker engine) and CI take.
"""

from __future__ import annotations

import contextlib
import os
import shutil
import subprocess
import time
import uuid
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import psycopg
from psycopg import sql

ROOT = Path(__file__).resolve().parents[2]


@dataclass(frozen=True)
class Stack:
    bootstrap_servers: str
    database_url: str

    def new_database(self) -> str:
        """A fresh database on the same server, so tests never see each other's rows."""
        name = f"triage_it_{uuid.uuid4().hex[:10]}"
        with psycopg.connect(self.database_url, autocommit=True) as conn:
            conn.execute(sql.SQL("CREATE DATABASE {}").format(sql.Identifier(name)))
        return self.database_url.rsplit("/", 1)[0] + "/" + name

    def drop_database(self, url: str) -> None:
        """Dropped even while a session is still closing: FORCE cannot end a backend of another
        role (an autovacuum worker on the fresh database), so a refusal is tried again."""
        name = url.rsplit("/", 1)[1]
        for attempt in range(5):
            try:
                with psycopg.connect(self.database_url, autocommit=True) as conn:
                    conn.execute(sql.SQL("DROP DATABASE IF EXISTS {} WITH (FORCE)").format(sql.Identifier(name)))
                return
            except (psycopg.errors.InsufficientPrivilege, psycopg.errors.ObjectInUse):
                if attempt == 4:
                    raise
                time.sleep(1)


def docker_engine_answers() -> bool:
    if os.environ.get("TRIAGE_TEST_STACK") == "local" or shutil.which("docker") is None:
        return False
    return subprocess.run(["docker", "info"], capture_output=True, timeout=20).returncode == 0


@contextlib.contextmanager
def container_stack() -> Iterator[Stack]:
    """Kafka and PostgreSQL in throwaway containers (testcontainers), removed afterwards."""
    from testcontainers.community.kafka import KafkaContainer
    from testcontainers.community.postgres import PostgresContainer

    with KafkaContainer("confluentinc/cp-kafka:7.9.0").with_kraft() as kafka, \
            PostgresContainer("postgres:16", driver=None) as postgres:
        yield Stack(kafka.get_bootstrap_server(), postgres.get_connection_url())


@contextlib.contextmanager
def session_stack() -> Iterator[Stack]:
    """The stack for one test session, torn down after it if the session started it."""
    if not all(os.environ.get(v) for v in ("KAFKA_BOOTSTRAP_SERVERS", "DATABASE_URL")) \
            and docker_engine_answers():
        with container_stack() as stack:
            yield stack
        return
    stack, started_here = start_stack()
    try:
        yield stack
    finally:
        if started_here:
            stop_stack()


def start_stack() -> tuple[Stack, bool]:
    """Returns the stack and whether this session started it (and so should stop it)."""
    external = os.environ.get("KAFKA_BOOTSTRAP_SERVERS"), os.environ.get("DATABASE_URL")
    if all(external):
        return Stack(*external), False  # type: ignore[arg-type]
    status = subprocess.run([ROOT / "scripts/local-stack.sh", "status"], capture_output=True)
    subprocess.run([ROOT / "scripts/local-stack.sh", "up"], check=True)
    env = subprocess.run([ROOT / "scripts/local-stack.sh", "env"], check=True, capture_output=True, text=True)
    values = dict(line.split("=", 1) for line in env.stdout.splitlines() if "=" in line)
    return Stack(values["KAFKA_BOOTSTRAP_SERVERS"], values["DATABASE_URL"]), status.returncode != 0


def stop_stack() -> None:
    subprocess.run([ROOT / "scripts/local-stack.sh", "down"], check=False)
