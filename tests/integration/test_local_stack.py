"""scripts/local-stack.sh: idempotent `up`, clear messages for a taken port and a stale pid."""

from __future__ import annotations

import os
import shutil
import socket
import subprocess
from pathlib import Path

from tests.support.stack import ROOT, Stack

SCRIPT = ROOT / "scripts/local-stack.sh"


def run(script: Path, *args: str, **env: str) -> subprocess.CompletedProcess:
    return subprocess.run([str(script), *args], capture_output=True, text=True, timeout=180,
                          env={**os.environ, **env})


def skeleton(tmp_path: Path) -> Path:
    """A checkout of just the stack's own files, so its .local/ is private to the test."""
    repo = tmp_path / "repo"
    shutil.copytree(ROOT / "scripts", repo / "scripts")
    shutil.copytree(ROOT / "deploy/local", repo / "deploy/local")
    return repo / "scripts/local-stack.sh"


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def local_only(env: dict[str, str]) -> dict[str, str]:
    return {k: v for k, v in env.items() if k not in ("KAFKA_BOOTSTRAP_SERVERS", "DATABASE_URL")}


def test_up_twice_is_harmless(stack: Stack) -> None:
    result = run(SCRIPT, "up")
    assert result.returncode == 0, result.stderr
    if "KAFKA_BOOTSTRAP_SERVERS" not in os.environ:
        assert "kafka: already running" in result.stdout
        assert "postgres: already running" in result.stdout
    assert run(SCRIPT, "status").returncode == 0


def test_a_taken_port_is_named_with_the_way_out(tmp_path: Path) -> None:
    script = skeleton(tmp_path)
    with socket.socket() as squatter:
        squatter.bind(("127.0.0.1", 0))
        squatter.listen()
        port = squatter.getsockname()[1]
        env = {"TRIAGE_KAFKA_PORT": str(port), "TRIAGE_KAFKA_CONTROLLER_PORT": str(free_port()),
               "TRIAGE_PG_PORT": str(free_port())}
        result = subprocess.run([str(script), "up"], capture_output=True, text=True, timeout=180,
                                env={**local_only(dict(os.environ)), **env})
    assert result.returncode == 1
    assert f"port {port}" in result.stderr
    assert "TRIAGE_KAFKA_PORT" in result.stderr


def test_a_stale_pid_file_is_cleaned_with_a_message(tmp_path: Path) -> None:
    script = skeleton(tmp_path)
    dead = subprocess.Popen(["true"])
    dead.wait()
    pid_file = script.parents[1] / ".local/kafka/kafka.pid"
    pid_file.parent.mkdir(parents=True)
    pid_file.write_text(f"{dead.pid}\n")
    env = {"TRIAGE_KAFKA_PORT": str(free_port()), "TRIAGE_PG_PORT": str(free_port())}
    result = subprocess.run([str(script), "down"], capture_output=True, text=True, timeout=60,
                            env={**local_only(dict(os.environ)), **env})
    assert result.returncode == 0, result.stderr
    assert "stale pid file" in result.stdout
    assert not pid_file.exists()


def test_services_refuse_a_port_another_process_holds(tmp_path: Path) -> None:
    """Another checkout's service on the port would answer /healthz in ours' place: refused, named."""
    script = skeleton(tmp_path).parent / "services.sh"
    ports = {var: str(free_port()) for var in ("TRIAGE_INGEST_PORT", "TRIAGE_EXTRACT_PORT", "TRIAGE_ROUTE_PORT",
                                               "TRIAGE_CRM_SINK_PORT", "TRIAGE_AUDIT_PORT")}
    with socket.socket() as holder:
        holder.bind(("127.0.0.1", 0))
        holder.listen()
        ports["TRIAGE_ROUTE_PORT"] = str(holder.getsockname()[1])
        result = run(script, "start", **ports)
    assert result.returncode == 1, result.stdout + result.stderr
    assert f"route: port {ports['TRIAGE_ROUTE_PORT']} on 127.0.0.1 is already in use" in result.stderr
    assert "export TRIAGE_ROUTE_PORT=<free port>" in result.stderr
    assert not (script.parent.parent / ".local/run").exists()  # nothing was started
