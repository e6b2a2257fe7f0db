"""triage-admin's start-up check (triage_admin.start, ADR 0035): the admin's modules import, every
template parses, the static files are there; a broken or missing one fails the check by name."""

from __future__ import annotations

import shutil
import sys
from importlib import resources
from pathlib import Path

import pytest

from triage.platform.settings import AdminSettings, load_settings
from triage_admin import start

PACKAGE = Path(str(resources.files("triage_admin")))


def copy_of_the_package(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    copy = tmp_path / "triage_admin"
    shutil.copytree(PACKAGE / "templates", copy / "templates")
    shutil.copytree(PACKAGE / "static", copy / "static")
    real = resources.files
    monkeypatch.setattr(start.resources, "files", lambda package: copy if package == "triage_admin" else real(package))
    return copy


def test_the_check_counts_every_template_and_static_file() -> None:
    templates = len(list((PACKAGE / "templates").glob("*.html")))
    static = len([p for p in (PACKAGE / "static").iterdir() if p.is_file()])
    assert templates >= 10 and static == 2
    assert start.admin_data(load_settings(AdminSettings, check_secrets=False)) == f"admin UI: {templates} templates, {static} static files"


def test_a_template_that_does_not_parse_fails_the_check(tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
                                                       capsys: pytest.CaptureFixture[str]) -> None:
    copy = copy_of_the_package(tmp_path, monkeypatch)
    (copy / "templates/review.html").write_text("{% for x in %}")
    monkeypatch.setattr(sys, "argv", ["triage-admin", "check"])
    with pytest.raises(SystemExit) as exited:
        start.main()
    assert exited.value.code == 1
    err = capsys.readouterr().err
    assert "admin check failed: TemplateSyntaxError" in err


def test_missing_static_files_fail_the_check(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    copy = copy_of_the_package(tmp_path, monkeypatch)
    shutil.rmtree(copy / "static")
    (copy / "static").mkdir()
    with pytest.raises(FileNotFoundError, match="templates/ or static/ are missing"):
        start.admin_data(load_settings(AdminSettings, check_secrets=False))
