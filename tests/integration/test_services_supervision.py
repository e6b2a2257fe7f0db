"""scripts/services.sh supervises the local stages: one that exits is started again (with
backoff), and `stop` still stops every supervisor and every service."""

from __future__ import annotations

import os
import subprocess
import urllib.request
import uuid
from pathlib import Path

from tests.integration.test_local_stack import free_port, skeleton
from tests.support.kafka import wait_until
from tests.support.stack import ROOT, Stack

PORT_VARS = {"ingest": "TRIAGE_INGEST_PORT", "extract": "TRIAGE_EXTRACT_PORT", "route": "TRIAGE_ROUTE_PORT",
             "crm-sink": "TRIAGE_CRM_SINK_PORT", "audit": "TRIAGE_AUDIT_PORT"}


def alive(pid: int) -> bool:
    try:
        state = Path(f"/proc/{pid}/stat").read_text().split()[2]
    except (OSError, IndexError):
        return False
    return state != "Z"


def healthy(port: str) -> bool:
    try:
        with urllib.request.urlopen(f"http://127.0.0.1:{port}/healthz", timeout=2) as response:
            return response.status == 200
    except OSError:
        return False


def test_a_stage_that_exits_is_started_again_and_stop_stops_all(stack: Stack, tmp_path: Path) -> None:
    repo = skeleton(tmp_path).parent.parent
    (repo / ".venv").symlink_to(ROOT / ".venv")
    (repo / "samples").symlink_to(ROOT / "samples")
    script = repo / "scripts/services.sh"
    database_url = stack.new_database()
    ports = {var: str(free_port()) for var in PORT_VARS.values()}
    env = {**os.environ, **ports, "KAFKA_BOOTSTRAP_SERVERS": stack.bootstrap_servers,
           "DATABASE_URL": database_url, "TRIAGE_TOPIC_PREFIX": f"it-{uuid.uuid4().hex[:8]}.",
           "TRIAGE_INSTANCE_ID": "supervised"}
    run_dir = repo / ".local/run"
    try:
        started = subprocess.run([str(script), "start"], env=env, capture_output=True, text=True, timeout=180)
        assert started.returncode == 0, started.stdout + started.stderr
        first = int((run_dir / "route.child").read_text())
        supervisor = int((run_dir / "route.pid").read_text())
        assert first != supervisor

        os.kill(first, 9)  # the stage dies as after an unhandled error
        wait_until(lambda: (run_dir / "route.child").exists()
                   and int((run_dir / "route.child").read_text()) != first, 30, "route started again")
        second = int((run_dir / "route.child").read_text())
        wait_until(lambda: healthy(ports["TRIAGE_ROUTE_PORT"]), 60, "the restarted route healthy")
        assert alive(supervisor) and alive(second) and not alive(first)
        assert "route: exited with status 137; starting it again in 1 s" in \
            (repo / ".local/logs/route.log").read_text()
        pids = [int((run_dir / f"{s}.{kind}").read_text()) for s in PORT_VARS for kind in ("pid", "child")]
    finally:
        stopped = subprocess.run([str(script), "stop"], env=env, capture_output=True, text=True, timeout=180)
        stack.drop_database(database_url)
    assert stopped.returncode == 0, stopped.stdout + stopped.stderr
    wait_until(lambda: not any(alive(pid) for pid in pids), 30, "every supervisor and service stopped")
    assert not list(run_dir.glob("*.pid")) and not list(run_dir.glob("*.child"))
