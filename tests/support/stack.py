"""The real local stack for integration tests: Kafka and PostgreSQL, started once per session.

When KAFKA_BOOTSTRAP_SERVERS and DATABASE_URL are set, those are used as
they are. Otherwise the project's own scripts start the local broker and
database (scripts/local-stack.sh), exactly as `make up` does.
"""

from __future__ import annotations

import os
import subprocess
import uuid
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
        name = url.rsplit("/", 1)[1]
        with psycopg.connect(self.database_url, autocommit=True) as conn:
            conn.execute(sql.SQL("DROP DATABASE IF EXISTS {} WITH (FORCE)").format(sql.Identifier(name)))


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
