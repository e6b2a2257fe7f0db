"""deploy/docker/Dockerfile's first layer copies every workspace member's pyproject.toml: `uv
export` reads the whole workspace, so a member it lacks (a new library such as libs/crm, ADR
0039) breaks every image's build before any wheel is built."""

from __future__ import annotations

import re
import tomllib
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
DOCKERFILE = ROOT / "deploy/docker/Dockerfile"


def workspace_members() -> set[str]:
    """The member folders the root pyproject's workspace globs name (libs/*, services/*, cli)."""
    globs = tomllib.loads((ROOT / "pyproject.toml").read_text())["tool"]["uv"]["workspace"]["members"]
    return {str(path.parent.relative_to(ROOT)) for pattern in globs
            for path in ROOT.glob(f"{pattern}/pyproject.toml")}


def copied_pyprojects(dockerfile: str) -> set[str]:
    return set(re.findall(r"^COPY (\S+)/pyproject\.toml \1/$", dockerfile, re.M))


def test_every_workspace_member_s_pyproject_is_copied_before_uv_export() -> None:
    members = workspace_members()
    assert {"libs/triage", "libs/crm", "services/crm-sink", "services/admin", "cli"} <= members
    assert copied_pyprojects(DOCKERFILE.read_text()) == members


def test_the_check_sees_a_member_left_out() -> None:
    text = DOCKERFILE.read_text().replace("COPY libs/crm/pyproject.toml libs/crm/\n", "")
    assert "libs/crm" not in copied_pyprojects(text)
    assert copied_pyprojects(text) != workspace_members()
