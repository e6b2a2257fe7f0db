"""``triage normalize`` and ``triage process`` over many files: one JSON line per file."""

from __future__ import annotations

import json
from pathlib import Path

from typer.testing import CliRunner

from triage_cli.app import app

ROOT = Path(__file__).resolve().parents[3]
EMAILS = sorted((ROOT / "samples/emails").glob("*.eml"))[:3]
MAILBOX = ROOT / "samples/mailbox.json"
runner = CliRunner()


def _lines(output: str) -> list[dict]:
    return [json.loads(line) for line in output.splitlines() if line.strip()]


def test_normalize_jsonl_prints_one_line_per_file_equal_to_its_json() -> None:
    result = runner.invoke(app, ["normalize", *map(str, EMAILS), "--jsonl"])

    assert result.exit_code == 0, result.output
    lines = _lines(result.stdout)
    assert [line.pop("file") for line in lines] == [str(path) for path in EMAILS]
    for path, line in zip(EMAILS, lines, strict=True):
        single = runner.invoke(app, ["normalize", str(path), "--json"])
        assert line == json.loads(single.stdout)


def test_normalize_jsonl_reads_bare_bodies(tmp_path: Path) -> None:
    body = tmp_path / "reply.txt"
    body.write_text("Tuesday works.\n\nW dniu 12.03.2026 o 10:05 Olek <o@biuro.example> napisał:\n> Tuesday?")

    result = runner.invoke(app, ["normalize", str(body), "--body-only", "--jsonl"])

    assert _lines(result.stdout)[0]["text"] == "Tuesday works."


def test_process_jsonl_prints_one_line_per_file_equal_to_its_json() -> None:
    args = ["--mailbox", str(MAILBOX)]
    result = runner.invoke(app, ["process", *map(str, EMAILS), *args, "--jsonl"])

    assert result.exit_code == 0, result.output
    lines = _lines(result.stdout)
    assert [line.pop("file") for line in lines] == [str(path) for path in EMAILS]
    single = runner.invoke(app, ["process", str(EMAILS[0]), *args, "--json"])
    assert lines[0] == json.loads(single.stdout)


def test_a_bad_file_in_jsonl_is_an_error_line_and_exit_2_after_the_rest(tmp_path: Path) -> None:
    missing, not_mail = tmp_path / "missing.eml", tmp_path / "note.eml"
    not_mail.write_bytes(b"\x00\x01 not a message")

    result = runner.invoke(app, ["process", str(missing), str(not_mail), str(EMAILS[0]), "--jsonl"])

    assert result.exit_code == 2
    lines = _lines(result.stdout)
    assert [("error" in line) for line in lines] == [True, True, False]
    assert lines[2]["clean"]["subject"]


def test_many_files_without_jsonl_are_refused() -> None:
    result = runner.invoke(app, ["normalize", *map(str, EMAILS[:2]), "--json"])

    assert result.exit_code == 2
    assert "--jsonl" in " ".join(result.output.split())
