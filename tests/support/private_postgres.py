"""A private PostgreSQL server for one test, which the test may stop and start at will.

The shared dev/test server (scripts/local-stack.sh, 127.0.0.1:35432) serves other tests and
other people at the same time, so a test that takes PostgreSQL away starts its own: the same
script, with its own state directory (``TRIAGE_LOCAL_DIR``) and a free port. It finds or
installs the server binaries and, as root (CI), runs the server as the ``postgres`` user,
exactly as ``make up`` does; Kafka is left alone (``KAFKA_BOOTSTRAP_SERVERS`` is set for it).
"""

from __future__ import annotations

import os
import subprocess
import time
from dataclasses import dataclass
from pathlib import Path

import psycopg

from tests.support.pipeline import free_port
from tests.support.stack import ROOT

SCRIPT = ROOT / "scripts/local-stack.sh"


def run_script(command: str, env: dict[str, str], what: str, timeout_s: float) -> str:
    """``local-stack.sh COMMAND`` for a private server; its output, or RuntimeError with its tail."""
    result = subprocess.run([str(SCRIPT), command], env=env, capture_output=True, text=True, timeout=timeout_s)
    if result.returncode != 0:
        raise RuntimeError(f"local-stack.sh {command} ({what}) failed:\n"
                           f"{result.stdout[-2000:]}\n{result.stderr[-2000:]}")
    return result.stdout


@dataclass
class PrivatePostgres:
    state_dir: Path
    port: int

    @property
    def url(self) -> str:
        """The script's database and role (triage/triage), on this server."""
        return f"postgresql://triage:triage@127.0.0.1:{self.port}/triage"

    def _script(self, command: str) -> str:
        env = {k: v for k, v in os.environ.items() if k != "DATABASE_URL"}
        env.update(TRIAGE_LOCAL_DIR=str(self.state_dir), TRIAGE_PG_PORT=str(self.port),
                   KAFKA_BOOTSTRAP_SERVERS=os.environ.get("KAFKA_BOOTSTRAP_SERVERS") or "unused:1")
        return run_script(command, env, f"private PostgreSQL on port {self.port}", timeout_s=300)

    def start(self) -> None:
        self._script("up")

    def stop(self) -> None:
        """A clean fast shutdown (pg_ctl -m fast): open sessions are cut, the server exits."""
        self._script("down")

    def purge(self) -> None:
        """Stop the server and delete its data."""
        self._script("purge")

    def accepts_connections(self) -> bool:
        try:
            with psycopg.connect(self.url, connect_timeout=2):
                return True
        except psycopg.OperationalError:
            return False

    def wait_down(self, timeout_s: float = 30) -> None:
        deadline = time.monotonic() + timeout_s
        while self.accepts_connections():
            if time.monotonic() > deadline:
                raise TimeoutError(f"private PostgreSQL on port {self.port} still answers")
            time.sleep(0.1)


def private_postgres(tmp_path: Path) -> PrivatePostgres:
    """A started private server; the caller purges it when done."""
    server = PrivatePostgres(state_dir=tmp_path / "private-pg", port=free_port())
    server.start()
    return server
