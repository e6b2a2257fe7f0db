"""``triage labels export`` on a real database, then ``triage eval`` on what it wrote (issue #8).

Twelve held-out gold emails are stored as audit rows (``emails.raw``) with their gold labels in
``eval_labels``, one of them corrected by a person; around them, a label whose raw body was
purged, one without an email row, an invalid one and one given before ``--since``. The export
must score exactly like the original gold files, plus the one correction.
"""

from __future__ import annotations

import json
import shutil
import uuid
from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path

import psycopg
import pytest
from psycopg.types.json import Jsonb
from typer.testing import CliRunner

from tests.support.stack import ROOT, Stack
from triage.domain.identity import identify
from triage.platform.db import migrate
from triage_cli.app import app

HELDOUT = ROOT / "gold/heldout"
SINCE = "2026-06-01T00:00:00"
INSERT_EMAIL = """
INSERT INTO emails (email_id, thread_id, message_id, mailbox, source, received_at, size_bytes, raw)
VALUES (%s, %s, %s, 'sales@quaysidesystems.com', 'file', now(), %s, %s)
"""
INSERT_LABEL = "INSERT INTO eval_labels (email_id, labels, labelled_by, labelled_at) VALUES (%s, %s, %s, %s)"
runner = CliRunner()


@pytest.fixture
def database(stack: Stack, monkeypatch: pytest.MonkeyPatch) -> Iterator[str]:
    url = stack.new_database()
    migrate(url)
    monkeypatch.setenv("DATABASE_URL", url)
    monkeypatch.delenv("TRIAGE_MAILBOX_FILE", raising=False)
    yield url
    stack.drop_database(url)


def heldout(n: int) -> list[dict]:
    lines = (HELDOUT / "labels.jsonl").read_text(encoding="utf-8").splitlines()
    return [json.loads(line) for line in lines[:n]]


def store(url: str, gold: list[dict], labelled_at: datetime) -> dict[str, str]:
    """Each gold email as an audit row with its label; returns email id -> gold id."""
    ids = {}
    with psycopg.connect(url) as conn:
        for line in gold:
            raw = (HELDOUT / "emails" / f"{line['id']}.eml").read_bytes()
            who = identify(raw)
            conn.execute(INSERT_EMAIL, (who.email_id, who.thread_id, who.message_id, len(raw), raw))
            labels = {k: v for k, v in line.items() if k != "id"}
            conn.execute(INSERT_LABEL, (who.email_id, Jsonb(labels), "reviewer-7", labelled_at))
            ids[who.email_id] = line["id"]
    return ids


def triage(*args: str) -> tuple[int, dict]:
    result = runner.invoke(app, [*args, "--json"])
    assert result.exception is None or isinstance(result.exception, SystemExit), result.output
    assert result.exit_code == 0, result.output
    return result.exit_code, json.loads(result.stdout)


def subset(folder: Path, gold: list[dict]) -> Path:
    """The original gold files of these emails, as their own set."""
    (folder / "emails").mkdir(parents=True)
    for line in gold:
        shutil.copy(HELDOUT / "emails" / f"{line['id']}.eml", folder / "emails")
    (folder / "labels.jsonl").write_text("".join(json.dumps(line) + "\n" for line in gold), encoding="utf-8")
    shutil.copy(HELDOUT / "mailbox.json", folder)
    return folder


def misses(report: dict, names: dict[str, str] | None = None) -> set[tuple[str, str, object]]:
    names = names or {}
    return {(names.get(m["id"], m["id"]), m["field"], m["gold"]) for m in report["misses"]}


def test_the_exported_labels_are_a_gold_set_that_triage_eval_scores(database: str, tmp_path: Path) -> None:
    gold = heldout(14)
    ids = store(database, gold[:12], datetime(2026, 11, 20, 9, 0, tzinfo=UTC))
    by_gold = {g: e for e, g in ids.items()}
    corrected = by_gold[gold[0]["id"]]
    purged = by_gold[gold[1]["id"]]
    with psycopg.connect(database) as conn:
        conn.execute("UPDATE eval_labels SET labels = labels || '{\"region\": \"ZZ\"}' WHERE email_id = %s",
                     (corrected,))
        conn.execute("UPDATE emails SET raw = NULL WHERE email_id = %s", (purged,))
        cut = by_gold[gold[2]["id"]]
        conn.execute("UPDATE emails SET truncated = true WHERE email_id = %s", (cut,))
        no_email, invalid = uuid.uuid4().hex, uuid.uuid4().hex
        conn.execute(INSERT_LABEL, (no_email, Jsonb({"intent": "spam", "required_action": "ignore"}), "r", "2026-11-21"))
        conn.execute(INSERT_LABEL, (invalid, Jsonb({"intent": "maybe"}), "r", "2026-11-21"))
    old = store(database, gold[12:14], datetime(2026, 1, 2, tzinfo=UTC))  # before --since

    out = tmp_path / "exported"
    _, summary = triage("labels", "export", str(out), "--since", SINCE, "--mailbox", str(HELDOUT / "mailbox.json"))
    assert summary["labels"] == 14 and summary["exported"] == 10 and summary["written"] is True
    assert summary["raw_purged"] == [purged] and summary["truncated"] == [cut]
    assert summary["no_email"] == [no_email] and summary["invalid"] == [invalid]
    assert summary["since"] == "2026-06-01T00:00:00+00:00"
    exported = {p.stem for p in (out / "emails").glob("*.eml")}
    assert exported == set(ids) - {purged, cut}, "the emails of the window, minus the purged and the cut one"
    assert not exported & set(old)
    for email_id in exported:
        assert (out / "emails" / f"{email_id}.eml").read_bytes() == \
            (HELDOUT / "emails" / f"{ids[email_id]}.eml").read_bytes(), "the raw message, byte for byte"
    assert json.loads((out / "mailbox.json").read_text()) == json.loads((HELDOUT / "mailbox.json").read_text())
    assert "reviewer-7" in (out / "README.md").read_text()
    assert not list(tmp_path.glob(".exported.*")), "no staging folder left behind"

    _, report = triage("eval", "--gold", str(out))
    kept = [line for line in gold[:12] if line["id"] not in (ids[purged], ids[cut])]
    _, original = triage("eval", "--gold", str(subset(tmp_path / "original", kept)))
    assert report["n"] == original["n"] == 10
    assert report["intent_accuracy"] == original["intent_accuracy"]
    assert report["person_email_f1"] == original["person_email_f1"]
    assert report["confusion"] == original["confusion"]
    correction = {(ids[corrected], "region", "ZZ")}
    assert misses(report, ids) - correction == {m for m in misses(original) if m[:2] != (ids[corrected], "region")}
    assert correction <= misses(report, ids), "the person's correction is what the set now expects"


def test_an_existing_set_is_replaced_only_with_force(database: str, tmp_path: Path) -> None:
    gold = heldout(3)
    store(database, gold, datetime.now(UTC))
    out = tmp_path / "set"
    out.mkdir()
    (out / "stale.txt").write_text("from an earlier export")
    mailbox = str(HELDOUT / "mailbox.json")
    refused = runner.invoke(app, ["labels", "export", str(out), "--mailbox", mailbox, "--json"])
    assert refused.exit_code == 2 and (out / "stale.txt").exists()

    _, summary = triage("labels", "export", str(out), "--mailbox", mailbox, "--force")
    assert summary["exported"] == 3
    assert sorted(p.name for p in out.iterdir()) == ["README.md", "emails", "labels.jsonl", "mailbox.json"]
    assert [p.name for p in tmp_path.iterdir()] == ["set"], "the old set and the staging folder are gone"


def test_nothing_to_export_writes_nothing(database: str, tmp_path: Path) -> None:
    out = tmp_path / "empty"
    _, summary = triage("labels", "export", str(out), "--mailbox", str(HELDOUT / "mailbox.json"))
    assert summary == {"dir": str(out), "since": None, "labels": 0, "exported": 0, "written": False,
                       "raw_purged": [], "truncated": [], "no_email": [], "invalid": []}
    assert not out.exists()


def test_the_current_folder_can_be_the_target(database: str, tmp_path: Path,
                                              monkeypatch: pytest.MonkeyPatch) -> None:
    store(database, heldout(2), datetime.now(UTC))
    here = tmp_path / "here"
    here.mkdir()
    monkeypatch.chdir(here)
    _, summary = triage("labels", "export", ".", "--mailbox", str(HELDOUT / "mailbox.json"))
    assert summary["exported"] == 2 and summary["dir"] == str(here)
    assert sorted(p.name for p in here.iterdir()) == ["README.md", "emails", "labels.jsonl", "mailbox.json"]
