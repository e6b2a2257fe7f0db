"""The external tools the deploy tests run, found the way `make setup` installs them."""

from __future__ import annotations

import shutil
import subprocess
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
LOCAL_TOOLS = ROOT / ".local/tools/bin"


def promtool() -> str:
    """Debian's `prometheus` package; `make setup` installs it when missing (as root)."""
    found = shutil.which("promtool") or shutil.which("promtool", path=str(LOCAL_TOOLS))
    if found is None:
        pytest.fail("promtool not found: run `make setup` as root (it runs `apt-get install -y "
                    "prometheus`), or install Debian's `prometheus` package yourself", pytrace=False)
    return found


def kustomize() -> list[str]:
    """The standalone kustomize `make setup` builds into .local/tools, else one on PATH, else kubectl's."""
    for candidate in (LOCAL_TOOLS / "kustomize", shutil.which("kustomize")):
        if candidate and Path(candidate).exists():
            return [str(candidate), "build"]
    if shutil.which("kubectl"):
        return ["kubectl", "kustomize"]
    pytest.fail("kustomize not found: run `make setup` (it runs `go install "
                "sigs.k8s.io/kustomize/kustomize/v5` into .local/tools/bin)", pytrace=False)


def run(command: list[str], cwd: Path = ROOT) -> str:
    done = subprocess.run(command, cwd=cwd, capture_output=True, text=True, timeout=120)
    assert done.returncode == 0, f"{' '.join(command)} failed:\n{done.stdout}\n{done.stderr}"
    return done.stdout
