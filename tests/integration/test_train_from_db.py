"""``triage train --from-db``: eval_labels with their raw messages are the corrections.

Two labels in a real database: one of a new message (kept), one of a gold email of the
repository (dropped: it would be scored with its own label). A dry run, so nothing is written.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path

import psycopg
import pytest
from psycopg.types.json import Jsonb
from typer.testing import CliRunner

from tests.eval.test_train import depot_message
from tests.support.stack import ROOT, Stack
from triage.domain.identity import identify
from triage.platform.db import migrate
from triage_cli.app import app

INSERT_EMAIL = """
INSERT INTO emails (email_id, thread_id, message_id, mailbox, source, received_at, size_bytes, raw)
VALUES (%s, %s, %s, 'info@quaysidesystems.com', 'file', now(), %s, %s)
"""
INSERT_LABEL = "INSERT INTO eval_labels (email_id, labels, labelled_by, labelled_at) VALUES (%s, %s, 'reviewer', %s)"


@pytest.fixture
def database(stack: Stack, monkeypatch: pytest.MonkeyPatch) -> Iterator[str]:
    url = stack.new_database()
    migrate(url)
    monkeypatch.setenv("DATABASE_URL", url)
    yield url
    stack.drop_database(url)


def test_labels_in_the_database_are_learnt_and_a_gold_email_among_them_is_dropped(
    database: str, tmp_path: Path
) -> None:
    (tmp_path / "gold").mkdir()
    (tmp_path / "samples").symlink_to(ROOT / "samples")
    (tmp_path / "gold" / "ratchet.json").write_text("{}", encoding="utf-8")
    with psycopg.connect(database) as conn:
        for raw, intent in ((depot_message(7), "support"),
                            ((ROOT / "samples/emails/0005-rankcraft-seo-pitch.eml").read_bytes(), "lead")):
            who = identify(raw)
            conn.execute(INSERT_EMAIL, (who.email_id, who.thread_id, who.message_id, len(raw), raw))
            conn.execute(INSERT_LABEL, (who.email_id, Jsonb({"intent": intent, "required_action": "reply"}),
                                        datetime.now(UTC)))

    result = CliRunner().invoke(app, ["train", "--from-db", "--mailbox", str(ROOT / "samples/mailbox.json"),
                                      "--root", str(tmp_path), "--dry-run", "--no-loso", "--json"])

    assert result.exit_code == 0, result.output
    summary = json.loads(result.stdout)
    assert (summary["corrections_given"], summary["n_corrections"], summary["corrections_dropped_held_out"]) == (2, 1, 1)
    assert summary["n_training"] == 37 + 1 and not summary["written"]
