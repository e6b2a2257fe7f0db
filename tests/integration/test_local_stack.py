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


def test_down_stops_the_local_broker_even_when_its_address_is_exported(tmp_path: Path) -> None:
    """After `export $(scripts/local-stack.sh env)` the variables name the local stack itself."""
    import sys

    script = skeleton(tmp_path)
    kafka_dir = script.parents[1] / ".local/kafka"
    kafka_dir.mkdir(parents=True)
    props = kafka_dir.resolve() / "server.properties"
    # Our broker as the script recognises it (its command line names kafka.Kafka and our properties).
    broker = subprocess.Popen([sys.executable, "-c", "import time; time.sleep(300)", "kafka.Kafka", str(props)])
    try:
        (kafka_dir / "kafka.pid").write_text(f"{broker.pid}\n")
        exported = {"KAFKA_BOOTSTRAP_SERVERS": f"127.0.0.1:{free_port()}",
                    "DATABASE_URL": "postgresql://triage:triage@127.0.0.1:1/triage"}
        result = run(script, "down", **exported)
        assert result.returncode == 0, result.stderr
        assert "kafka: stopping" in result.stdout
        assert broker.wait(timeout=30) != 0  # terminated by the script's SIGTERM
        again = run(script, "down", **exported)
        assert "nothing to stop" in again.stdout  # an external broker, nothing local: untouched
    finally:
        broker.kill()
        broker.wait()


def test_down_stops_the_local_postgres_even_when_database_url_is_exported(tmp_path: Path) -> None:
    script = skeleton(tmp_path)
    port = free_port()
    env = {"TRIAGE_PG_PORT": str(port), "KAFKA_BOOTSTRAP_SERVERS": f"127.0.0.1:{free_port()}"}
    base = {k: v for k, v in os.environ.items() if k != "DATABASE_URL"}
    up = subprocess.run([str(script), "up"], capture_output=True, text=True, timeout=180, env={**base, **env})
    try:
        assert up.returncode == 0, up.stderr
        url = f"postgresql://triage:triage@127.0.0.1:{port}/triage"
        down = subprocess.run([str(script), "down"], capture_output=True, text=True, timeout=120,
                              env={**base, **env, "DATABASE_URL": url})
        assert down.returncode == 0, down.stderr
        assert "postgres: stopping" in down.stdout
        with socket.socket() as probe:
            assert probe.connect_ex(("127.0.0.1", port)) != 0, "postgres still listens"
    finally:
        subprocess.run([str(script), "purge"], capture_output=True, timeout=120, env={**base, **env})
