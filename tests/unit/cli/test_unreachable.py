"""A broker or database that is not there: one line on stderr naming the variable, exit 1.

Unreachable is a closed local port (nothing mocked). Run as subprocesses: librdkafka logs from C
straight to file descriptor 2, which an in-process runner would not see.
"""

from __future__ import annotations

import os
import re
import socket
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[3]
TRIAGE = [sys.executable, "-c", "from triage_cli.app import app; app()"]
PASSWORD = "not-a-real-password"


def closed_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]  # closed again when the block ends: connecting is refused


@pytest.fixture(scope="module")
def env() -> dict[str, str]:
    port = closed_port()
    return {**os.environ, "KAFKA_BOOTSTRAP_SERVERS": f"127.0.0.1:{port}",
            "DATABASE_URL": f"postgresql://triage:{PASSWORD}@127.0.0.1:{port}/triage",
            "TRIAGE_CACHE_DIR": ""}


def triage(env: dict[str, str], *args: str) -> subprocess.CompletedProcess:
    return subprocess.run([*TRIAGE, *args], capture_output=True, text=True, env=env, cwd=ROOT, timeout=120)


KAFKA_COMMANDS = [
    ["dlq", "list"], ["dlq", "show", "0:1"], ["dlq", "replay", "--all"], ["lag"], ["lag", "--json"],
    ["ingest", "samples/emails"], ["topics", "apply"], ["gmail", "backfill", "--mailbox", "a@b.example",
                                                        "--since", "2026-01-01"],
]
DATABASE_COMMANDS = [
    ["results", "--recent", "5"], ["db", "migrate"], ["purge-raw", "--dry-run"], ["backfill", "--dry-run"],
    ["labels", "export", "{tmp}/set", "--mailbox", "samples/mailbox.json"],
]


@pytest.mark.parametrize("args", KAFKA_COMMANDS, ids=" ".join)
def test_an_unreachable_broker_is_one_line(env: dict[str, str], args: list[str]) -> None:
    run = triage(env, *args)
    assert run.returncode == 1, run.stderr
    assert run.stderr.strip().splitlines() == [
        f"error: Kafka is unreachable at KAFKA_BOOTSTRAP_SERVERS={env['KAFKA_BOOTSTRAP_SERVERS']} "
        "(Connection refused)"]
    assert run.stdout == ""  # `triage lag` printed an empty table and exited 0


@pytest.mark.parametrize("args", DATABASE_COMMANDS, ids=" ".join)
def test_an_unreachable_database_is_one_line(env: dict[str, str], args: list[str], tmp_path: Path) -> None:
    run = triage(env, *[a.replace("{tmp}", str(tmp_path)) for a in args])
    assert run.returncode == 1, run.stderr
    [line] = run.stderr.strip().splitlines()
    assert line.startswith("error: PostgreSQL is unreachable at DATABASE_URL=postgresql://triage:***@127.0.0.1:")
    assert PASSWORD not in run.stderr


def test_an_unset_database_url_says_how_and_the_hint_works_when_pasted(env: dict[str, str]) -> None:
    unset = {k: v for k, v in env.items() if k != "DATABASE_URL"}
    run = triage(unset, "results", "--recent", "1")
    assert run.returncode == 1
    [line] = run.stderr.strip().splitlines()
    assert "DATABASE_URL is not set" in line
    hint = re.search(r"'(set -a; source <\(scripts/local-stack.sh env\); set \+a)'", line)
    assert hint, line
    pasted = subprocess.run(["bash", "-c", f"{hint.group(1)}; printenv DATABASE_URL"], capture_output=True,
                            text=True, cwd=ROOT, env=unset, timeout=60)
    assert pasted.stdout.strip().startswith("postgresql://"), pasted.stderr  # exported: a child sees it
