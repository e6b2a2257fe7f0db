"""The workspace's wheels, installed the way deploy/docker/Dockerfile installs them (ADR 0031).

Each package gets a fresh, plain (not editable) virtual environment holding the wheel of
``triage`` and the wheel of that package (and of the workspace libraries it depends on:
crm-sink's and the admin's include the CRM writer's, ``triage-crm``, ADR 0039), plus the third-party packages uv.lock pins for it
(``uv export --format pylock.toml``), installed ``--offline`` from uv's cache: the same
steps as the image build, without Docker and without the network.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import tomllib
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
#: every workspace package and its console script (cli: the operator image, SERVICE=cli)
PACKAGES = {
    "triage-ingest": "triage-ingest",
    "triage-extract": "triage-extract",
    "triage-route": "triage-route",
    "triage-crm-sink": "triage-crm-sink",
    "triage-audit": "triage-audit",
    "triage-admin": "triage-admin",
    "triage-cli": "triage",
}
#: where each package's sources live, to compare a wheel's files with the checkout's
SOURCES = {
    "triage": ROOT / "libs/triage/src",
    "triage-crm": ROOT / "libs/crm/src",
    "triage-cli": ROOT / "cli/src",
    **{name: ROOT / "services" / name.removeprefix("triage-") / "src"
       for name in PACKAGES if name != "triage-cli"},
}


def uv() -> str:
    """The Makefile's choice: uv from PATH, else the private copy `make setup` puts in .local/tools."""
    found = shutil.which("uv") or str(ROOT / ".local/tools/bin/uv")
    if not Path(found).exists():
        raise FileNotFoundError("uv not found: run `make setup` (it installs .local/tools/bin/uv)")
    return found


def clean_env() -> dict[str, str]:
    """No variable that would let the checkout or the project's .venv leak into an installed venv."""
    env = {k: v for k, v in os.environ.items()
           if k not in ("PYTHONPATH", "VIRTUAL_ENV", "UV_PROJECT_ENVIRONMENT", "PYTHONHOME")}
    env["UV_PYTHON_DOWNLOADS"] = "never"
    return env


def run(cmd: list[str], cwd: Path = ROOT, timeout: float = 300) -> str:
    done = subprocess.run(cmd, cwd=cwd, env=clean_env(), capture_output=True, text=True, timeout=timeout)
    if done.returncode != 0:
        raise AssertionError(f"{' '.join(cmd)} exited {done.returncode}:\n{done.stdout}\n{done.stderr}")
    return done.stdout


def build_wheels(out: Path) -> dict[str, Path]:
    """Every workspace package's wheel (uv build, offline: hatchling comes from uv's cache)."""
    run([uv(), "build", "--all-packages", "--wheel", "--offline", "-q", "-o", str(out)])
    wheels = {}
    for wheel in out.glob("*.whl"):
        name = wheel.name.split("-")[0].replace("_", "-")
        wheels[name] = wheel
    return wheels


def workspace_members() -> set[str]:
    members = set()
    libs = [lib for lib in sorted((ROOT / "libs").iterdir()) if (lib / "pyproject.toml").is_file()]
    for pyproject in [*libs, ROOT / "cli", *sorted((ROOT / "services").iterdir())]:
        members.add(tomllib.loads((pyproject / "pyproject.toml").read_text())["project"]["name"])
    return members


def workspace_wheels_of(*packages: str) -> list[str]:
    """The workspace packages ``packages`` install, themselves included, as the Dockerfile finds
    them: the local paths of ``uv export --no-editable`` (triage-admin: triage, triage-crm, admin)."""
    out = run([uv(), "export", "--frozen", "--no-dev", *(a for p in packages for a in ("--package", p)),
               "--no-editable", "--format", "requirements.txt", "--no-hashes", "-q"])
    paths = [line.strip() for line in out.splitlines() if line.startswith("./")]
    return [tomllib.loads((ROOT / path / "pyproject.toml").read_text())["project"]["name"] for path in paths]


@dataclass(frozen=True)
class Venv:
    path: Path

    @property
    def python(self) -> Path:
        return self.path / "bin" / "python"

    def script(self, name: str) -> str:
        return str(self.path / "bin" / name)

    def distributions(self) -> set[str]:
        out = run([uv(), "pip", "list", "--python", str(self.python), "--format", "freeze"])
        return {line.split("==")[0].lower() for line in out.split() if "==" in line}

    def size_bytes(self) -> int:
        """Apparent size of every file (what an image layer holding the venv would carry)."""
        total = 0
        for dirpath, _dirs, files in os.walk(self.path):
            for name in files:
                path = Path(dirpath) / name
                if not path.is_symlink():
                    total += path.stat().st_size
        return total


def install(package: str, wheels: dict[str, Path], dest: Path, *also: str) -> Venv:
    """A fresh venv with only ``package``'s wheel (and ``also``'s: to compare), the workspace
    wheels they depend on (triage's; triage-crm's for crm-sink and the admin) and their pinned
    dependencies."""
    lock = dest.parent / f"pylock.{dest.name}.toml"
    selected = [arg for name in (package, *also) for arg in ("--package", name)]
    run([uv(), "export", "--frozen", "--no-dev", *selected, "--no-emit-workspace",
         "--format", "pylock.toml", "-q", "-o", str(lock)])
    run([uv(), "venv", "-q", "--python", sys.executable, str(dest)], cwd=dest.parent)
    venv = Venv(dest)
    run([uv(), "pip", "install", "-q", "--offline", "--python", str(venv.python), "-r", str(lock)],
        cwd=dest.parent)
    run([uv(), "pip", "install", "-q", "--offline", "--no-deps", "--python", str(venv.python),
         *(str(wheels[name]) for name in workspace_wheels_of(package, *also))], cwd=dest.parent)
    run([uv(), "pip", "check", "-q", "--python", str(venv.python)], cwd=dest.parent)
    return venv
