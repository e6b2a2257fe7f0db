"""A private Kafka broker for one test, which the test may kill and start again at will.

The shared dev/test broker (scripts/local-stack.sh, 127.0.0.1:39092) serves other tests and
other people, so a test that takes Kafka away starts its own: the same script, with its own
state directory (``TRIAGE_LOCAL_DIR``) and free ports; PostgreSQL is left alone
(``DATABASE_URL`` is set for it). The jars come from the local Maven repository the shared
stack filled (``mvn`` resolves them again only when missing).
"""

from __future__ import annotations

import os
import signal
import time
from dataclasses import dataclass
from pathlib import Path

from tests.support.pipeline import free_port
from tests.support.private_postgres import run_script


@dataclass
class PrivateKafka:
    state_dir: Path
    port: int
    controller_port: int

    @property
    def bootstrap_servers(self) -> str:
        return f"127.0.0.1:{self.port}"

    def _script(self, command: str) -> str:
        env = {k: v for k, v in os.environ.items() if k != "KAFKA_BOOTSTRAP_SERVERS"}
        env.update(TRIAGE_LOCAL_DIR=str(self.state_dir), TRIAGE_KAFKA_PORT=str(self.port),
                   TRIAGE_KAFKA_CONTROLLER_PORT=str(self.controller_port),
                   DATABASE_URL=os.environ.get("DATABASE_URL") or "postgresql://unused@127.0.0.1:1/unused")
        return run_script(command, env, f"private Kafka on port {self.port}", timeout_s=400)

    def start(self) -> None:
        self._script("up")

    def stop(self) -> None:
        """A graceful shutdown (SIGTERM, as ``local-stack.sh down`` does)."""
        self._script("down")

    def kill(self) -> None:
        """kill -9 of the broker: no controlled shutdown, open transactions left as they are."""
        pid = int((self.state_dir / "kafka/kafka.pid").read_text().strip())
        os.kill(pid, signal.SIGKILL)
        deadline = time.monotonic() + 30
        while Path(f"/proc/{pid}").exists() and _state(pid) != "Z":
            if time.monotonic() > deadline:
                raise TimeoutError(f"private Kafka pid {pid} survives SIGKILL")
            time.sleep(0.1)

    def purge(self) -> None:
        """Stop the broker and delete its data."""
        self._script("purge")


def _state(pid: int) -> str:
    try:
        return Path(f"/proc/{pid}/stat").read_text().split()[2]
    except (OSError, IndexError):
        return "Z"


def private_kafka(tmp_path: Path) -> PrivateKafka:
    """A started private broker; the caller purges it when done."""
    server = PrivateKafka(state_dir=tmp_path / "private-kafka", port=free_port(), controller_port=free_port())
    server.start()
    return server
