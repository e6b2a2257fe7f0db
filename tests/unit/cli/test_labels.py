"""``triage labels export``: which stored labels become gold lines, and the refusals (no database)."""

from __future__ import annotations

import json
import uuid
from datetime import UTC, datetime
from pathlib import Path

import pytest
from typer.testing import CliRunner

from triage.domain.evaluation import parse_labels
from triage.domain.models import Mailbox
from triage_cli.app import app
from triage_cli.commands.labels import Labelled, gold_line, is_file_name, readme, replace, sort_out

ROOT = Path(__file__).resolve().parents[3]
MAILBOX = ROOT / "gold/heldout/mailbox.json"
LABEL = {"intent": "lead", "person": {"name": "Jane Doe", "email": "jane.doe@globex.com"},
         "company": {"name": "Globex", "domain": "globex.com"}, "interest": {"products": ["Cargo Lens"]},
         "budget": {"annual_amount_usd": 120000}, "timeline": "quarter", "region": "US",
         "required_action": "schedule_demo", "notes": "corrected: a lead, not a vendor"}
AT = datetime(2026, 11, 20, 9, 0, tzinfo=UTC)
runner = CliRunner()


def labelled(email_id: str | None = None, labels: dict | None = None, has_email: bool = True,
             has_raw: bool = True, truncated: bool = False) -> Labelled:
    return Labelled(email_id or uuid.uuid4().hex, LABEL if labels is None else labels, "reviewer-7", AT,
                    "admin", has_email, has_raw, truncated)


def one_line(text: str) -> str:
    return " ".join(text.split())


def test_a_stored_label_becomes_a_gold_line_named_by_its_email_id() -> None:
    line = gold_line("a1b2", {**LABEL, "id": "something-else"})
    assert line["id"] == "a1b2"
    assert list(line) == ["id", "intent", "person", "company", "interest", "budget", "timeline", "region",
                          "required_action", "notes"], "gold-format.md's fields, in its order"
    assert parse_labels([json.dumps(line)])[0].model_dump(mode="json") == line, "triage eval reads it back"


def test_missing_optional_fields_take_the_gold_formats_defaults() -> None:
    line = gold_line("a1b2", {"intent": "spam", "required_action": "ignore"})
    assert line["person"] == {"name": None, "email": None}
    assert line["timeline"] == "unknown" and line["region"] is None and line["notes"] == ""


@pytest.mark.parametrize("stored", [
    {"intent": "maybe", "required_action": "ignore"},
    {"intent": "lead"},
    {"intent": "lead", "required_action": "schedule_demo", "person": "Jane"},
], ids=["unknown-intent", "no-required-action", "person-not-an-object"])
def test_an_invalid_label_is_refused(stored: dict) -> None:
    assert gold_line("a1b2", stored) is None


@pytest.mark.parametrize(("email_id", "ok"), [
    ("3f0c2a9be4d1", True), ("e-12_ab.c", True), ("../etc/passwd", False), ("a/b", False), (".hidden", False),
    ("", False)])
def test_only_ids_that_are_plain_file_names_are_exported(email_id: str, ok: bool) -> None:
    assert is_file_name(email_id) is ok
    assert (gold_line(email_id, LABEL) is not None) is ok


def test_labels_are_sorted_into_exported_and_skipped_with_the_reason() -> None:
    good, purged, gone, bad = (labelled(), labelled(has_raw=False), labelled(has_email=False, has_raw=False),
                               labelled(labels={"intent": "maybe"}))
    cut = labelled(truncated=True)  # ingest cut it: not the message as received
    export = sort_out([good, purged, gone, bad, cut])
    assert [row.email_id for row, _ in export.lines] == [good.email_id]
    assert export.raw_purged == [purged.email_id]
    assert export.truncated == [cut.email_id]
    assert export.no_email == [gone.email_id]
    assert export.invalid == [bad.email_id]


def test_the_readme_says_where_the_set_came_from_and_what_was_skipped() -> None:
    rows = [labelled("aa11"), labelled("bb22", has_raw=False)]
    text = readme(sort_out(rows), Mailbox(company="Quayside Systems"), AT, AT)
    assert text.startswith("# Gold set, exported from the review queue: Quayside Systems")
    assert "| `aa11` | lead | admin | reviewer-7 | 2026-11-20T09:00:00+00:00 |" in text
    assert "bb22" not in text
    assert "1 messages. Skipped: 1 whose raw body was purged, 0 truncated at ingest" in one_line(text)
    assert "labelled at or after 2026-11-20T09:00:00+00:00" in one_line(text)


def test_a_folder_that_is_not_empty_is_refused_without_force(tmp_path: Path) -> None:
    (tmp_path / "labels.jsonl").write_text("{}\n")
    result = runner.invoke(app, ["labels", "export", str(tmp_path), "--mailbox", str(MAILBOX), "--json"])
    assert result.exit_code == 2
    assert "exists and is not empty" in one_line(result.stderr)
    assert "--force" in one_line(result.stderr)
    assert (tmp_path / "labels.jsonl").read_text() == "{}\n", "nothing touched"


def test_a_set_needs_its_mailbox(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("TRIAGE_MAILBOX_FILE", raising=False)
    result = runner.invoke(app, ["labels", "export", str(tmp_path / "out")])
    assert result.exit_code == 2
    assert "--mailbox FILE or set TRIAGE_MAILBOX_FILE" in one_line(result.stderr)
    bad = tmp_path / "mailbox.json"
    bad.write_text('{"domains": ["x.com"]}')
    result = runner.invoke(app, ["labels", "export", str(tmp_path / "out"), "--mailbox", str(bad)])
    assert result.exit_code == 2
    assert "not a valid mailbox.json" in one_line(result.stderr)
    assert not (tmp_path / "out").exists()


def test_a_bad_since_is_named(tmp_path: Path) -> None:
    result = runner.invoke(app, ["labels", "export", str(tmp_path / "out"), "--since", "last tuesday"])
    assert result.exit_code == 2
    assert "'last tuesday' is not an ISO 8601 time" in one_line(result.output)


def test_a_failed_move_puts_the_previous_set_back(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    target, staging = tmp_path / "set", tmp_path / ".set.partial"
    target.mkdir()
    (target / "labels.jsonl").write_text("previous\n")
    staging.mkdir()
    real_rename = Path.rename

    def rename(self: Path, to: Path) -> Path:
        if self == staging:
            raise OSError(28, "No space left on device")
        return real_rename(self, to)

    monkeypatch.setattr(Path, "rename", rename)
    with pytest.raises(OSError):
        replace(target, staging)
    assert (target / "labels.jsonl").read_text() == "previous\n"
    assert not list(tmp_path.glob(".set.old-*"))
