"""``triage process`` and ``triage normalize``: the pure pipeline on one file, no broker."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from typer.testing import CliRunner

from triage_cli.app import app

ROOT = Path(__file__).resolve().parents[3]
LEAD = next((ROOT / "samples/emails").glob("0002-*.eml"))
MAILBOX = ROOT / "samples/mailbox.json"
#: The architecture contract's extraction fields (docs/architecture.md, the seed design's schema).
EXTRACTION_FIELDS = {"intent", "person", "company", "interest", "budget", "timeline", "region", "summary",
                     "required_action", "confidence", "evidence"}  # evidence: the spans (ADR 0012)
runner = CliRunner()


def one_line(text: str) -> str:
    """rich wraps long error lines at the console width: compare without the line breaks."""
    return " ".join(text.split())


def test_process_json_has_clean_extraction_and_route() -> None:
    result = runner.invoke(app, ["process", str(LEAD), "--mailbox", str(MAILBOX), "--json"])
    assert result.exit_code == 0, result.output
    document = json.loads(result.stdout)
    assert {"clean", "extraction", "route"} <= set(document)
    assert set(document["extraction"]) == EXTRACTION_FIELDS


def test_process_json_carries_the_samples_facts() -> None:
    result = runner.invoke(app, ["process", str(LEAD), "--mailbox", str(MAILBOX), "--json"])
    document = json.loads(result.stdout)
    extraction, route = document["extraction"], document["route"]
    assert document["clean"]["from_email"] == "megan.alvarez@brightwaterlogistics.com"
    assert extraction["intent"] == "lead"
    assert extraction["person"] == {"name": "Megan Alvarez", "email": "megan.alvarez@brightwaterlogistics.com"}
    assert extraction["company"]["domain"] == "brightwaterlogistics.com"
    assert extraction["interest"] == {"products": ["Pipeline Forecaster"]}
    assert extraction["budget"] == {"annual_amount_usd": 60000.0}
    assert 0.0 <= extraction["confidence"] <= 1.0
    assert (route["queue"], route["priority"], route["sla_minutes"]) == ("sales_inbound", "high", 15)


def test_the_mailbox_file_decides_the_products(tmp_path: Path) -> None:
    no_products = tmp_path / "mailbox.json"
    no_products.write_text(json.dumps({**json.loads(MAILBOX.read_text()), "products": []}))
    result = runner.invoke(app, ["process", str(LEAD), "--mailbox", str(no_products), "--json"])
    assert json.loads(result.stdout)["extraction"]["interest"]["products"] == []


def test_process_without_json_prints_a_table() -> None:
    result = runner.invoke(app, ["process", str(LEAD), "--mailbox", str(MAILBOX)])
    assert result.exit_code == 0
    assert "sales_inbound" in result.stdout
    assert "schedule_demo" in result.stdout


def test_normalize_json_has_text_signature_quoted_and_language() -> None:
    result = runner.invoke(app, ["normalize", str(LEAD), "--json"])
    assert result.exit_code == 0, result.output
    document = json.loads(result.stdout)
    assert {"text", "signature", "quoted", "language"} <= set(document)
    assert document["text"].startswith("Hi Lumora team,")
    assert "Megan Alvarez" in document["signature"]
    assert "Megan Alvarez" not in document["text"]
    assert document["quoted"] is None


def test_normalize_body_only_splits_a_bare_body(tmp_path: Path) -> None:
    body = tmp_path / "body.txt"
    body.write_text(
        "Hi team,\n\nPlease send pricing for Revenue Radar.\n\nBest regards,\nJane Doe\nAcme Robotics\n\n"
        "On Mon, 12 Jan 2026 at 09:30, Bob <bob@lumora.io> wrote:\n> Thanks for reaching out.\n"
    )
    result = runner.invoke(app, ["normalize", str(body), "--body-only", "--json"])
    assert result.exit_code == 0, result.output
    document = json.loads(result.stdout)
    assert document["text"] == "Hi team,\n\nPlease send pricing for Revenue Radar."
    assert document["signature"] == "Best regards,\nJane Doe\nAcme Robotics"
    assert document["quoted"].startswith("On Mon, 12 Jan 2026")
    assert "Thanks for reaching out." in document["quoted"]
    assert "language" in document


def test_a_bare_body_read_as_a_message_is_not_split_the_same_way(tmp_path: Path) -> None:
    """--body-only matters: without it the first line is taken for a header."""
    body = tmp_path / "body.txt"
    body.write_text("Subject: not a header really\n\nPlease call me.\n")
    as_body = json.loads(runner.invoke(app, ["normalize", str(body), "--body-only", "--json"]).stdout)
    as_message = json.loads(runner.invoke(app, ["normalize", str(body), "--json"]).stdout)
    assert as_body["text"].startswith("Subject: not a header really")
    assert as_message["text"] == "Please call me."


@pytest.mark.parametrize("command", [["process"], ["normalize"], ["normalize", "--body-only"]])
def test_a_missing_file_exits_2_with_a_clear_message(command, tmp_path: Path, monkeypatch) -> None:
    monkeypatch.chdir(tmp_path)
    result = runner.invoke(app, [*command, "missing.eml", "--json"])
    assert result.exit_code == 2
    assert result.stdout == ""
    assert "cannot read missing.eml" in one_line(result.stderr)
    assert "No such file" in one_line(result.stderr)


def test_an_invalid_mailbox_file_exits_2(tmp_path: Path) -> None:
    bad = tmp_path / "mailbox.json"
    bad.write_text('{"domains": "not-a-list"}')
    result = runner.invoke(app, ["process", str(LEAD), "--mailbox", str(bad), "--json"])
    assert result.exit_code == 2
    assert "invalid mailbox file" in one_line(result.stderr)


def test_normalize_body_only_detects_the_language(tmp_path: Path) -> None:
    body = tmp_path / "body.txt"
    body.write_text("Hallo Frau Weber,\n\nwir möchten gerne eine Demo von Pipeline Forecaster für unser "
                    "Vertriebsteam vereinbaren. Passt Ihnen nächste Woche?\n\nMit freundlichen Grüßen\nJonas\n")
    result = runner.invoke(app, ["normalize", str(body), "--body-only", "--json"])
    assert result.exit_code == 0, result.output
    assert json.loads(result.output)["language"] == "de"


@pytest.mark.parametrize(("content", "why"), [
    (Path("/usr/bin/ls").read_bytes()[:4096], "binary data"),
    (Path(__file__).resolve().parents[3].joinpath("samples", "mailbox.json").read_bytes(), "a JSON document"),
    (b"Hi, we want 500 seats now.\n", "no header block"),
], ids=["binary", "mailbox.json", "no-headers"])
def test_process_refuses_what_is_no_email(tmp_path: Path, content: bytes, why: str) -> None:
    path = tmp_path / "input"
    path.write_bytes(content)

    result = runner.invoke(app, ["process", str(path), "--json"])

    assert result.exit_code == 2
    assert f"is not an RFC 5322 message: {why}" in " ".join(result.stderr.split())
    assert result.stdout == ""


def test_process_without_a_mailbox_warns_on_stderr_and_keeps_stdout_json() -> None:
    bare = runner.invoke(app, ["process", str(LEAD), "--json"])
    assert bare.exit_code == 0, bare.output
    assert "customer and own domains are unknown" in one_line(bare.stderr)
    assert json.loads(bare.stdout)["clean"]["from_email"] == "megan.alvarez@brightwaterlogistics.com"
    with_mailbox = runner.invoke(app, ["process", str(LEAD), "--mailbox", str(MAILBOX), "--json"])
    assert with_mailbox.exit_code == 0 and with_mailbox.stderr == ""


def test_process_prints_each_fields_evidence_as_the_email_wrote_it() -> None:
    result = runner.invoke(app, ["process", str(LEAD), "--mailbox", str(MAILBOX)], env={"COLUMNS": "200"})
    assert result.exit_code == 0, result.output
    assert "evidence" in result.stdout
    for line in ("timeline", "next quarter", "text [753:765]"), ("budget.annual_amount_usd", "$60,000", "text ["):
        assert any(all(part in row for part in line) for row in result.stdout.splitlines()), line


def test_process_json_carries_spans_that_index_the_clean_record() -> None:
    document = json.loads(runner.invoke(app, ["process", str(LEAD), "--mailbox", str(MAILBOX), "--json"]).stdout)
    spans = document["extraction"]["evidence"]
    assert {s["field"] for s in spans} >= {"person.email", "company.name", "timeline", "budget.annual_amount_usd"}
    for span in spans:
        source = document["clean"]
        for name in span["source"].split("."):
            source = source[name]
        assert source[span["start"]:span["end"]] == span["text"], span


def test_process_prints_hostile_quoted_text_literally(tmp_path: Path) -> None:
    """rich markup in an email ([bold], [link=...]) is printed as written, never interpreted."""
    mail = tmp_path / "m.eml"
    mail.write_bytes(b"From: Eve <eve@globex.com>\r\nTo: sales@lumora.io\r\n"
                     b"Subject: [red]Pipeline Forecaster[/red] pricing\r\n\r\n"
                     b"We want [bold]Pipeline Forecaster[/bold] next quarter.\r\n")
    result = runner.invoke(app, ["process", str(mail), "--mailbox", str(MAILBOX)], env={"COLUMNS": "200"})
    assert result.exit_code == 0, result.output
    assert "[red]Pipeline Forecaster[/red] pricing" in result.stdout, "the subject, as the title"
    assert "[bold]Pipeline Forecaster[/bold]" in result.stdout, "the summary"
