"""``triage train``: corrections are learnt from, never scored, and a model below the ratchet is not written.

A small repository (samples/ and one independent gold set, linked from this one) keeps each
training to seconds; the command is the real one (CliRunner), writing to a temporary --out.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterator
from email.message import EmailMessage
from pathlib import Path

import pytest
from typer.testing import CliRunner

from triage.domain.extraction import extract_fields
from triage.domain.extraction.intent_model import weights_from_json
from triage.domain.identity import identify
from triage.domain.pipeline import load_mailbox, normalize_message
from triage_cli.app import app
from triage_cli.retraining import Correction, message_keys, sort_out

ROOT = Path(__file__).resolve().parents[2]
MAILBOX = load_mailbox((ROOT / "samples/mailbox.json").read_text(encoding="utf-8"))
CLOCK = "2026-12-07T03:00:00Z"
runner = CliRunner()


@pytest.fixture(scope="module")
def repo(tmp_path_factory: pytest.TempPathFactory) -> Path:
    root = tmp_path_factory.mktemp("repo")
    (root / "gold").mkdir()
    (root / "samples").symlink_to(ROOT / "samples")
    (root / "gold" / "indie-verdier").symlink_to(ROOT / "gold" / "indie-verdier")
    (root / "gold" / "ratchet.json").write_text("{}\n", encoding="utf-8")
    return root


def depot_message(n: int, extra: str = "") -> bytes:
    """A customer's depot asking about a tally: nothing like it in the gold sets."""
    message = EmailMessage()
    message["From"] = f"Dana Whitlock <dana{n}@orchardline-freight.com>"
    message["To"] = "info@quaysidesystems.com"
    message["Subject"] = "Pallet kiosk reconciliation" + extra
    message["Message-ID"] = f"<depot-{n}@orchardline-freight.com>"
    message.set_content("Hello,\n\nOur depot runs the pallet kiosk reconciliation every evening and the totals "
                        f"drift by a few crates.\nCould someone look at the kiosk tally before Friday?{extra}\n\n"
                        "Dana Whitlock\nOrchardline Freight\n")
    return message.as_bytes()


def exported(folder: Path, corrections: list[tuple[bytes, str]]) -> Path:
    """What `triage labels export` writes: emails named by email id, labels.jsonl, mailbox.json."""
    (folder / "emails").mkdir(parents=True)
    lines = []
    for raw, intent in corrections:
        email_id = identify(raw).email_id
        (folder / "emails" / f"{email_id}.eml").write_bytes(raw)
        lines.append(json.dumps({"id": email_id, "intent": intent, "required_action": "reply"}))
    (folder / "labels.jsonl").write_text("\n".join(lines) + "\n", encoding="utf-8")
    (folder / "mailbox.json").write_text(MAILBOX.model_dump_json(), encoding="utf-8")
    return folder / "labels.jsonl"


def train(repo: Path, *args: str) -> tuple[int, dict, str]:
    result = runner.invoke(app, ["train", "--root", str(repo), "--trained-at", CLOCK, "--json", *args])
    assert result.exception is None or isinstance(result.exception, SystemExit), result.output
    return result.exit_code, json.loads(result.stdout or "{}"), result.stderr


def intent_of(model: Path, raw: bytes) -> str:
    weights = weights_from_json(model.read_text(encoding="utf-8"))
    return extract_fields(normalize_message(raw), MAILBOX, weights).extraction.intent


@pytest.fixture(scope="module")
def before(repo: Path) -> Iterator[Path]:
    """The model trained on the gold sets alone."""
    out = repo / "before.json"
    code, summary, _ = train(repo, "--out", str(out))
    assert code == 0 and summary["written"] and summary["n_corrections"] == 0
    yield out


def test_a_correction_that_flips_a_label_changes_the_prediction_for_a_near_identical_email(
    repo: Path, before: Path, tmp_path: Path
) -> None:
    near = depot_message(99, " Thanks.")
    assert intent_of(before, near) != "support"
    corrections = exported(tmp_path / "export", [(depot_message(1), "support")])

    code, summary, _ = train(repo, "--corrections", str(corrections), "--out", str(tmp_path / "after.json"))

    assert code == 0 and summary["written"]
    assert (summary["n_corrections"], summary["corrections_dropped_held_out"]) == (1, 0)
    assert summary["n_training"] == json.loads(before.read_text())["about"]["rows"] + 1
    assert intent_of(tmp_path / "after.json", near) == "support"


def test_same_inputs_write_a_byte_identical_model_with_its_metadata(repo: Path, tmp_path: Path) -> None:
    corrections = exported(tmp_path / "export", [(depot_message(1), "support"), (depot_message(2), "support")])
    for name in ("first.json", "second.json"):
        code, _, _ = train(repo, "--corrections", str(corrections.parent), "--out", str(tmp_path / name))
        assert code == 0

    first = (tmp_path / "first.json").read_bytes()
    assert first == (tmp_path / "second.json").read_bytes()
    about = json.loads(first)["about"]
    assert (about["trained_at"], about["n_corrections"], about["n_training"]) == (CLOCK, 2, 37 + 64 + 2)
    assert set(about["scores"]) == {"samples", "indie-verdier", "loso:samples", "loso:indie-verdier"}
    assert re.fullmatch(r"[0-9a-f]{16}", about["model_version"]) and "code_version" in about


def poisoned(folder: Path) -> Path:
    """Every sample again under a new Message-ID, each labelled with another intent."""
    wrong = {"lead": "spam", "spam": "lead", "vendor": "lead"}
    corrections = []
    for line in (ROOT / "samples/labels.jsonl").read_text(encoding="utf-8").splitlines():
        label = json.loads(line)
        raw = (ROOT / "samples/emails" / f"{label['id']}.eml").read_bytes()
        corrections.append((b"Message-ID: <poison-%s@example.net>\r\n" % label["id"].encode() + raw,
                            wrong.get(label["intent"], "vendor")))
    return exported(folder, corrections)


def test_a_poisoned_correction_set_is_refused_and_the_old_model_stays(
    repo: Path, before: Path, tmp_path: Path
) -> None:
    scores = json.loads(before.read_text(encoding="utf-8"))["about"]["scores"]
    (tmp_path / "ratchet.json").write_text(json.dumps(scores), encoding="utf-8")
    model = tmp_path / "model.json"
    model.write_bytes(before.read_bytes())

    code, summary, stderr = train(repo, "--corrections", str(poisoned(tmp_path / "poison")), "--out", str(model),
                                  "--ratchet", str(tmp_path / "ratchet.json"))

    assert code == 1 and not summary["written"]
    fallen = {(f["key"], f["metric"]): f["now"] for f in summary["refused"]}
    assert fallen[("samples", "intent_accuracy")] < scores["samples"]["intent_accuracy"], summary["refused"]
    assert "below the ratchet: samples intent_accuracy" in " ".join(stderr.split())
    assert model.read_bytes() == before.read_bytes()


def test_a_correction_of_a_labelled_sets_own_email_is_dropped_with_a_count(repo: Path, tmp_path: Path) -> None:
    gold = (ROOT / "samples/emails/0005-rankcraft-seo-pitch.eml").read_bytes()
    corrections = exported(tmp_path / "export", [(gold, "lead"), (depot_message(3), "support")])

    code, summary, _ = train(repo, "--corrections", str(corrections), "--dry-run", "--no-loso",
                             "--out", str(tmp_path / "never.json"))

    assert code == 0 and not summary["written"] and not (tmp_path / "never.json").exists()
    assert (summary["n_corrections"], summary["corrections_dropped_held_out"]) == (1, 1)


def test_a_held_out_email_is_recognised_under_another_name_or_with_other_bytes() -> None:
    gold = (ROOT / "samples/emails/0005-rankcraft-seo-pitch.eml").read_bytes()
    held_out = message_keys(gold)
    resent = gold.replace(b"\r\n\r\n", b"\r\nX-Resent: yes\r\n\r\n", 1)  # same Message-ID, other bytes
    new = depot_message(4)

    chosen = sort_out([Correction("a", resent, "lead", MAILBOX), Correction("b", new, "support", MAILBOX),
                       Correction("b", new, "vendor", MAILBOX)], held_out)

    assert chosen.dropped_held_out == ["a"]
    assert [(c.email_id, c.intent) for c in chosen.kept] == [("b", "vendor")]  # the last label given wins


def test_writing_without_the_left_out_check_is_refused(repo: Path, tmp_path: Path) -> None:
    code, _, stderr = train(repo, "--no-loso", "--out", str(tmp_path / "never.json"))

    assert code == 2 and "--no-loso" in stderr and not (tmp_path / "never.json").exists()


def test_unreadable_corrections_are_bad_input(repo: Path, tmp_path: Path) -> None:
    code, _, stderr = train(repo, "--corrections", str(tmp_path / "missing.jsonl"), "--dry-run")

    assert code == 2 and "cannot read the corrections" in stderr
