"""The shipped intent model is exactly what training on the repository's data produces, the
default extractor decides with it, and a left-out source is never trained on."""

from __future__ import annotations

import json
from pathlib import Path

from triage.domain.evaluation import parse_labels
from triage.domain.extraction import extract_fields
from triage.domain.extraction.intent_model import shipped_weights, weights_from_json
from triage.domain.pipeline import load_mailbox, normalize_message, process_message
from triage_cli.eval_sets import sources
from triage_cli.intent_training import MODEL_FILE, Row, build, labelled_rows, loso_models, train

ROOT = Path(__file__).resolve().parents[2]


def test_rebuilding_the_intent_model_reproduces_the_shipped_file() -> None:
    """The weights and what they were trained on, byte for byte; the clock, code version and
    scores ``triage train`` recorded are carried over (they are its inputs and outputs, not the fit)."""
    shipped = (ROOT / MODEL_FILE).read_text(encoding="utf-8")
    recorded = json.loads(shipped)["about"]
    carried = {k: v for k, v in recorded.items() if k not in {"trainer", "rows", "sources", "model_version"}}

    assert build(ROOT, carried) == shipped, "run: .venv/bin/triage train"
    assert weights_from_json(shipped) == shipped_weights()
    assert recorded["n_corrections"] == 0 and recorded["n_training"] == recorded["rows"]


def test_the_shipped_model_is_trained_on_every_labelled_source() -> None:
    about = json.loads((ROOT / MODEL_FILE).read_text(encoding="utf-8"))["about"]

    assert set(about["sources"]) == {folder.name for folder in sources(ROOT)}
    assert about["rows"] == sum(about["sources"].values())


def test_the_pipeline_decides_with_the_shipped_model_by_default() -> None:
    folder = ROOT / "gold" / "tuning"
    mailbox = load_mailbox((folder / "mailbox.json").read_text(encoding="utf-8"))
    labels = parse_labels((folder / "labels.jsonl").read_text(encoding="utf-8").splitlines())
    decided_by_model = 0
    for label in labels[:40]:
        raw = (folder / "emails" / f"{label.id}.eml").read_bytes()
        outcome = extract_fields(normalize_message(raw), mailbox, shipped_weights())
        assert process_message(raw, mailbox).extraction == outcome.extraction, label.id
        decided_by_model += outcome.decided_by.endswith("intent_model")

    assert decided_by_model >= 20


def test_a_left_out_source_is_never_trained_on() -> None:
    rows = [r for r in labelled_rows(ROOT, [ROOT / "samples", ROOT / "gold" / "tuning"])]
    models = loso_models(rows)

    assert set(models) == {"samples", "tuning"}
    assert models["samples"] == train([r for r in rows if r.source == "tuning"])
    assert models["tuning"] == train([r for r in rows if r.source == "samples"])
    assert models["samples"] != models["tuning"]
    assert all(isinstance(r, Row) for r in rows)
