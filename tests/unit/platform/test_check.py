"""triage.platform.check: the start-up check reads every shipped data file and names what fails."""

from __future__ import annotations

from pathlib import Path

import pytest

from triage.platform.check import check_requested, run_check
from triage.platform.settings import CrmSinkSettings, RouteSettings


def test_the_check_reads_the_shipped_data_and_exits_0(capsys: pytest.CaptureFixture[str]) -> None:
    assert run_check("route", RouteSettings) == 0
    out = capsys.readouterr().out
    assert "route: schemas: 9 topics" in out and "route: intent model: 6 classes" in out
    assert out.rstrip().endswith("route check ok")


def test_an_invalid_operators_rules_file_fails_with_its_line(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]) -> None:
    rules = tmp_path / "rules.yaml"
    rules.write_text("rules:\n  - name: x\n    when: {intent: [nonsense]}\n")
    monkeypatch.setenv("TRIAGE_ROUTING_RULES_FILE", str(rules))
    assert run_check("route", RouteSettings) == 1
    err = capsys.readouterr().err
    assert "route check failed" in err and str(rules) in err and "line" in err


def test_extra_service_data_is_checked(capsys: pytest.CaptureFixture[str]) -> None:
    def missing(_settings: object) -> str:
        raise FileNotFoundError("templates/ missing")

    assert run_check("crm-sink", CrmSinkSettings, missing) == 1
    assert "templates/ missing" in capsys.readouterr().err


def test_only_the_word_check_asks_for_it() -> None:
    assert check_requested(["check"])
    assert not check_requested([]) and not check_requested(["check", "--now"])
