"""The wheels work (ADR 0031): every workspace package builds a wheel that carries all of its
files, and each installed on its own — a fresh, plain venv holding only that wheel, triage's
and their pinned dependencies, outside the checkout — runs: `triage process` on a sample
email and each service's start-up check (`triage-<service> check`: settings, schemas, rules,
queues, migrations, intent model, the admin's templates). The admin is its own service (ADR
0035): it and crm-sink share the CRM writer as a library, triage-crm (ADR 0039); neither venv
holds the other service's package. No Kafka or PostgreSQL needed; the installs are offline,
from uv's cache."""

from __future__ import annotations

import json
import shutil
import subprocess
import zipfile
from pathlib import Path

import pytest

from tests.support.wheels import (
    PACKAGES,
    ROOT,
    SOURCES,
    Venv,
    build_wheels,
    clean_env,
    install,
    run,
    workspace_members,
    workspace_wheels_of,
)

SAMPLE = ROOT / "samples/emails/0002-brightwater-pipeline-forecaster-demo.eml"
MAILBOX = ROOT / "samples/mailbox.json"
SERVICES = [name for name in PACKAGES if name != "triage-cli"]
#: what only the admin's web UI needs: crm-sink's image must not carry them
ADMIN_ONLY = {"fastapi", "starlette", "uvicorn", "jinja2", "python-multipart", "itsdangerous"}
#: the workspace libraries each package installs besides triage: the CRM writer's (ADR 0039)
LIBRARIES = {"triage-crm-sink": {"triage-crm"}, "triage-admin": {"triage-crm"}}


@pytest.fixture(scope="module")
def wheels(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Path]:
    return build_wheels(tmp_path_factory.mktemp("wheels"))


@pytest.fixture(scope="module")
def venvs(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return tmp_path_factory.mktemp("venvs")


def tracked_files(package: str) -> set[str]:
    """The package's files in git, relative to its src/ (what the wheel must hold)."""
    src = SOURCES[package]
    out = subprocess.run(["git", "ls-files", "-z", "--", str(src)], cwd=ROOT, check=True,
                         capture_output=True, text=True).stdout
    return {str((ROOT / path).relative_to(src)) for path in out.split("\0") if path}


def test_every_workspace_package_builds_a_wheel(wheels: dict[str, Path]) -> None:
    assert set(wheels) == workspace_members() == {"triage", "triage-crm", *PACKAGES}


@pytest.mark.parametrize("package", sorted(SOURCES))
def test_each_wheel_carries_every_file_of_its_package(wheels: dict[str, Path], package: str) -> None:
    """Schemas, rules, queues, migrations, the intent model, templates, static files: a file the
    checkout has under the package's src/ and the wheel lacks fails here."""
    with zipfile.ZipFile(wheels[package]) as wheel:
        inside = {name for name in wheel.namelist() if ".dist-info/" not in name}
    tracked = tracked_files(package)
    assert tracked, package
    assert tracked - inside == set()
    data = {name for name in tracked if not name.endswith(".py")}
    if package == "triage":
        assert {"triage/config/routing.yaml", "triage/config/queues.yaml",
                "triage/schemas/email_routed.avsc", "triage/domain/extraction/intent_model.json"} <= data
    if package == "triage-admin":
        assert {"triage_admin/templates/base.html", "triage_admin/static/admin.js"} <= data


def test_the_cli_wheel_processes_a_sample_email(wheels: dict[str, Path], venvs: Path,
                                                 tmp_path: Path) -> None:
    venv = install("triage-cli", wheels, venvs / "cli")
    where = run([str(venv.python), "-c", "import triage, triage_cli; print(triage.__file__, triage_cli.__file__)"],
                cwd=tmp_path)
    assert all(path.startswith(str(venv.path)) for path in where.split()), where  # not the checkout
    command = ["process", str(SAMPLE), "--mailbox", str(MAILBOX), "--json"]
    installed = json.loads(run([venv.script("triage"), *command], cwd=tmp_path))
    editable = json.loads(run([str(ROOT / ".venv/bin/triage"), *command], cwd=tmp_path))
    assert installed == editable
    assert installed["extraction"]["intent"] == "lead"
    assert installed["route"]["queue"] == "sales_inbound"


@pytest.mark.parametrize("package", SERVICES)
def test_each_service_wheel_alone_passes_its_start_up_check(wheels: dict[str, Path], venvs: Path,
                                                            tmp_path: Path, package: str) -> None:
    venv = install(package, wheels, venvs / package)
    ours = set(workspace_wheels_of(package))  # triage and the package; crm-sink, admin: triage-crm
    assert ours == {"triage", package, *LIBRARIES.get(package, set())}
    assert ours <= venv.distributions()
    # no other service, no triage-cli, no library it does not use
    assert venv.distributions().isdisjoint({*PACKAGES, "triage", "triage-crm"} - ours)
    out = run([venv.script(PACKAGES[package]), "check"], cwd=tmp_path)
    service = package.removeprefix("triage-")
    assert out.rstrip().endswith(f"{service} check ok"), out
    assert f"({venv.path}/lib/" in out and str(ROOT) not in out, out  # the data came from the wheel
    for item in ("schemas: 9 topics", "routing rules:", "queues:", "migrations:", "intent model: 6 classes"):
        assert item in out, (item, out)
    if package == "triage-admin":
        assert "admin: admin UI: 14 templates, 2 static files" in out, out


def test_the_crm_sink_wheel_and_venv_carry_nothing_of_the_admin(wheels: dict[str, Path], venvs: Path) -> None:
    """ADR 0035: no admin module, template, static file or console script in crm-sink's wheel,
    none of the web UI's dependencies in its venv; the admin's venv has them and its script."""
    with zipfile.ZipFile(wheels["triage-crm-sink"]) as wheel:
        names = wheel.namelist()
        scripts = next(wheel.read(n).decode() for n in names if n.endswith("entry_points.txt"))
    assert [n for n in names if "/admin" in n or "/templates/" in n or "/static/" in n] == []
    assert "triage-crm-sink =" in scripts and "admin" not in scripts
    crm_sink = install("triage-crm-sink", wheels, venvs / "crm-sink-alone")
    assert crm_sink.distributions().isdisjoint(ADMIN_ONLY)
    assert not Path(crm_sink.script("triage-admin")).exists()
    assert not Path(crm_sink.script("triage-crm-admin")).exists()
    admin = install("triage-admin", wheels, venvs / "admin-alone")
    assert admin.distributions() >= ADMIN_ONLY
    assert Path(admin.script("triage-admin")).exists()


def importable(venv: Venv, module: str, cwd: Path) -> bool:
    """``module`` imports in the venv's Python, run outside the checkout (nothing of it on sys.path)."""
    found = run([str(venv.python), "-c", f"import importlib.util; print(importlib.util.find_spec({module!r}) is not None)"],
                cwd=cwd)
    return found.strip() == "True"


def test_the_admin_and_crm_sink_share_the_crm_library_and_carry_neither_service(
        wheels: dict[str, Path], venvs: Path, tmp_path: Path) -> None:
    """ADR 0039: the admin's venv holds the CRM writer (triage_crm, with HubSpot's and Salesforce's
    SDKs) and no crm-sink package, module or script; crm-sink's none of the admin's."""
    admin = install("triage-admin", wheels, venvs / "admin-crm")
    assert {"triage-crm", "hubspot-api-client", "simple-salesforce"} <= admin.distributions()
    assert "triage-crm-sink" not in admin.distributions()
    assert importable(admin, "triage_crm.backends", tmp_path)
    assert not importable(admin, "triage_crm_sink", tmp_path)
    assert not Path(admin.script("triage-crm-sink")).exists()
    crm_sink = install("triage-crm-sink", wheels, venvs / "crm-sink-crm")
    assert "triage-crm" in crm_sink.distributions() and "triage-admin" not in crm_sink.distributions()
    assert importable(crm_sink, "triage_crm.backends", tmp_path)
    assert not importable(crm_sink, "triage_admin", tmp_path)
    with zipfile.ZipFile(wheels["triage-crm"]) as wheel:
        packages = {name.split("/")[0] for name in wheel.namelist() if ".dist-info/" not in name}
    assert packages == {"triage_crm"}  # the library's wheel holds no service


def test_a_wheel_missing_a_data_file_fails_the_check_and_an_operators_file_overrides(
        wheels: dict[str, Path], venvs: Path, tmp_path: Path) -> None:
    venv: Venv = install("triage-route", wheels, venvs / "route-broken")
    shipped = next((venv.path / "lib").glob("python*/site-packages/triage/config/routing.yaml"))
    own = tmp_path / "my-rules.yaml"
    shutil.copy(shipped, own)
    shipped.unlink()
    broken = subprocess.run([venv.script("triage-route"), "check"], cwd=tmp_path, env=clean_env(),
                            capture_output=True, text=True, timeout=120)
    assert broken.returncode == 1
    assert "routing.yaml" in broken.stderr and "check failed" in broken.stderr
    env = {**clean_env(), "TRIAGE_ROUTING_RULES_FILE": str(own)}
    fixed = subprocess.run([venv.script("triage-route"), "check"], cwd=tmp_path, env=env,
                           capture_output=True, text=True, timeout=120)
    assert fixed.returncode == 0, fixed.stderr
    assert f"routing rules: 12 ({own})" in fixed.stdout
