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


@pytest.mark.parametrize(("variable", "value", "said"), [
    ("TRIAGE_BATCH_SIZ", "3", "TRIAGE_BATCH_SIZ is not a setting (did you mean TRIAGE_BATCH_SIZE?)"),
    ("TRIAGE_BATCH_SIZE", "0", "TRIAGE_BATCH_SIZE: Input should be greater than or equal to 1"),
])
def test_a_refused_setting_fails_the_check_in_its_own_words(
        variable: str, value: str, said: str, monkeypatch: pytest.MonkeyPatch,
        capsys: pytest.CaptureFixture[str]) -> None:
    monkeypatch.setenv(variable, value)
    assert run_check("route", RouteSettings) == 1
    err = capsys.readouterr().err
    assert err.startswith("route check failed: ") and said in err


def test_the_check_does_not_require_the_services_secrets(
        monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]) -> None:
    monkeypatch.delenv("DATABASE_URL", raising=False)
    assert run_check("crm-sink", CrmSinkSettings) == 0
    assert "crm-sink check ok" in capsys.readouterr().out
