"""Weak secrets stop the start, naming the variable and never the value."""

from __future__ import annotations

import os
import secrets
import subprocess
import uuid
from pathlib import Path

import pytest

from triage.platform.settings.secrets import require_strong, weakness

ROOT = Path(__file__).resolve().parents[3]


@pytest.mark.parametrize(("secret", "why"), [
    ("short", "shorter than 16"), ("aaaaaaaaaaaaaaaa", "one character repeated"),
    ("abababababababab", "too predictable"), ("abcdabcdabcdabcd", "too predictable"),
])
def test_weak_secrets_are_named_weak(secret: str, why: str) -> None:
    assert why in (weakness(secret) or "")


@pytest.mark.parametrize("secret", [secrets.token_hex(32), uuid.uuid4().hex, "alice-token-0123456789",
                                    secrets.token_urlsafe(16)])
def test_generated_secrets_pass(secret: str) -> None:
    assert weakness(secret) is None


def test_the_refusal_names_the_variable_and_not_the_secret() -> None:
    with pytest.raises(SystemExit) as caught:
        require_strong("TRIAGE_INBOUND_WEBHOOK_SECRET", "aaaaaaaaaaaaaaaa")
    assert "TRIAGE_INBOUND_WEBHOOK_SECRET is a weak secret" in str(caught.value)
    assert "aaaaaaaaaaaaaaaa" not in str(caught.value)


def test_the_ingest_service_refuses_a_weak_webhook_secret_at_start() -> None:
    result = subprocess.run([str(ROOT / ".venv/bin/triage-ingest")], capture_output=True, text=True, timeout=60,
                            env={**os.environ, "TRIAGE_INBOUND_WEBHOOK_SECRET": "a" * 32,
                                 "KAFKA_BOOTSTRAP_SERVERS": "127.0.0.1:9"})
    assert result.returncode != 0
    assert "TRIAGE_INBOUND_WEBHOOK_SECRET is a weak secret: one character repeated" in result.stderr
    assert "a" * 32 not in result.stderr


def test_what_the_stack_script_shows_carries_no_password() -> None:
    password = f"pw-{uuid.uuid4().hex}"
    url = f"postgresql://triage:{password}@db.example:5432/triage"
    shown = subprocess.run(["bash", str(ROOT / "scripts/local-stack.sh"), "env-shown"], capture_output=True,
                           text=True, timeout=30, env={**os.environ, "DATABASE_URL": url,
                                                       "KAFKA_BOOTSTRAP_SERVERS": "127.0.0.1:39092"})
    assert shown.returncode == 0
    assert password not in shown.stdout + shown.stderr
    assert "DATABASE_URL=postgresql://triage:***@db.example:5432/triage" in shown.stdout
    assert "cmd_env_lines | redact_passwords" in (ROOT / "scripts/local-stack.sh").read_text()
