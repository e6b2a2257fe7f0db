"""The pure domain type-checks strictly (pyproject's [tool.mypy]; `make lint` runs the same).

mypy runs in its own process: in-process it raises the interpreter's recursion limit for good,
which changes what the MIME parser's depth tests see."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]


def test_the_domain_passes_mypy_strict() -> None:
    done = subprocess.run([sys.executable, "-m", "mypy", "--config-file", str(ROOT / "pyproject.toml"),
                           "--cache-dir", str(ROOT / ".local/mypy-cache"), str(ROOT / "libs/triage/src/triage/domain")],
                          capture_output=True, text=True, timeout=300, cwd=ROOT)
    assert done.returncode == 0, done.stdout + done.stderr
    assert "Success" in done.stdout
