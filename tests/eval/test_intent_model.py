"""The shipped intent model is exactly what training on the repository's data produces, and the
default extractor gates with it."""

from __future__ import annotations

from pathlib import Path

from triage.domain.evaluation import parse_labels
from triage.domain.extract import extract_fields
from triage.domain.extraction_intent_weights import WEIGHTS
from triage.domain.pipeline import load_mailbox, normalize_message, process_message
from triage_cli.intent_training import MODULE, build

ROOT = Path(__file__).resolve().parents[2]


def test_rebuilding_the_intent_model_reproduces_the_shipped_module() -> None:
    shipped = (ROOT / MODULE).read_text(encoding="utf-8")

    assert build(ROOT) == shipped, "run: .venv/bin/python -m triage_cli.intent_training"


def test_the_pipeline_gates_every_email_with_the_shipped_model_by_default() -> None:
    """Fails if the default extractor (process_message: the service, `triage process`, `triage eval`)
    stops using the model: on the tuning part it must change some confidences, never an intent."""
    folder = ROOT / "gold" / "tuning"
    mailbox = load_mailbox((folder / "mailbox.json").read_text(encoding="utf-8"))
    labels = parse_labels((folder / "labels.jsonl").read_text(encoding="utf-8").splitlines())
    gated = 0
    for label in labels:
        raw = (folder / "emails" / f"{label.id}.eml").read_bytes()
        default = process_message(raw, mailbox).extraction
        clean = normalize_message(raw)
        assert default == extract_fields(clean, mailbox, WEIGHTS).extraction, label.id
        rules = extract_fields(clean, mailbox, None).extraction
        assert default.model_copy(update={"confidence": 0}) == rules.model_copy(update={"confidence": 0})
        gated += default.confidence != rules.confidence

    assert gated >= 10
