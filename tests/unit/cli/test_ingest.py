"""``triage ingest``: bad input is refused before anything is published (exit code 2)."""

from __future__ import annotations

from pathlib import Path

from typer.testing import CliRunner

from triage_cli.app import app

runner = CliRunner()


def test_ingest_of_a_missing_path_exits_2_without_touching_kafka(monkeypatch) -> None:
    # An unreachable broker: reaching Kafka at all would hang or exit 1, not 2.
    monkeypatch.setenv("KAFKA_BOOTSTRAP_SERVERS", "127.0.0.1:9")
    result = runner.invoke(app, ["ingest", "/nonexistent"])
    assert result.exit_code == 2
    assert "/nonexistent: no such file or folder" in " ".join(result.stderr.split())


def test_ingest_fails_on_a_missing_path_among_good_ones(tmp_path: Path, monkeypatch) -> None:
    monkeypatch.setenv("KAFKA_BOOTSTRAP_SERVERS", "127.0.0.1:9")
    good = tmp_path / "a.eml"
    good.write_bytes(b"Subject: hi\r\n\r\nbody\r\n")
    result = runner.invoke(app, ["ingest", str(good), "/nonexistent/b.eml"])
    assert result.exit_code == 2


def test_ingest_without_a_path_is_a_usage_error() -> None:
    result = runner.invoke(app, ["ingest"])
    assert result.exit_code == 2


def test_ingest_refuses_what_is_no_email_before_touching_kafka(tmp_path: Path, monkeypatch) -> None:
    """Binary, JSON, empty and header-less files are named with why; nothing is published."""
    monkeypatch.setenv("KAFKA_BOOTSTRAP_SERVERS", "127.0.0.1:9")
    (tmp_path / "ls.eml").write_bytes(Path("/usr/bin/ls").read_bytes()[:4096])
    (tmp_path / "mailbox.eml").write_text('{"company": "Lumora", "inboxes": ["sales@lumora.io"]}')
    (tmp_path / "empty.eml").write_bytes(b"")
    (tmp_path / "note.eml").write_text("Hi, we want 500 seats now, budget $1M.\n")
    (tmp_path / "good.eml").write_bytes(b"From: jane@acme.io\r\nSubject: hi\r\n\r\nbody\r\n")

    result = runner.invoke(app, ["ingest", str(tmp_path)])

    assert result.exit_code == 2
    errors = " ".join(result.stderr.split())
    for name, why in [("ls.eml", "binary data"), ("mailbox.eml", "a JSON document"),
                      ("empty.eml", "empty input"), ("note.eml", "no header block")]:
        assert f"{name} is not an RFC 5322 message: {why}" in errors
    assert "good.eml" not in errors and "nothing published" in errors
