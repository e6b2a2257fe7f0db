"""`triage eval` scores the default extractor — rules gated by the intent model — unless told
`--no-intent-model`, and prints the confidence bands' quality."""

from __future__ import annotations

from pathlib import Path

from typer.testing import CliRunner

from triage.domain.evaluation import parse_labels
from triage.domain.models import Extraction
from triage_cli.app import app
from triage_cli.commands.evaluate import band_quality

ROOT = Path(__file__).resolve().parents[3]
SAMPLES = ROOT / "samples"
runner = CliRunner()


def band_row(output: str, band: str) -> list[str]:
    line = next(line for line in output.splitlines() if f" {band} " in line)
    return [cell.strip() for cell in line.strip("│┃ ").split("│")]


def test_eval_gates_with_the_intent_model_by_default() -> None:
    gated = runner.invoke(app, ["eval", "--gold", str(SAMPLES)], env={"COLUMNS": "200"})
    rules = runner.invoke(app, ["eval", "--gold", str(SAMPLES), "--no-intent-model"], env={"COLUMNS": "200"})

    assert gated.exit_code == rules.exit_code == 0, gated.output + rules.output
    # The rules alone leave two samples (an applicant, a scam) in suggest; the model vouches for both.
    assert band_row(rules.stdout, "auto_write")[:2] == ["auto_write", "35"]
    assert band_row(gated.stdout, "auto_write")[:2] == ["auto_write", "37"]


def test_band_quality_counts_right_and_wrong_intents_per_band() -> None:
    labels = parse_labels([
        '{"id": "a", "intent": "lead", "required_action": "schedule_demo"}',
        '{"id": "b", "intent": "spam", "required_action": "ignore"}',
        '{"id": "c", "intent": "vendor", "required_action": "route_ops"}',
    ])

    def said(intent: str, confidence: float) -> Extraction:
        return Extraction.model_validate(
            {"intent": intent, "required_action": "ignore", "confidence": confidence}
        )

    predicted = {"a": said("lead", 0.9), "b": said("lead", 0.7), "c": said("vendor", 0.2)}

    assert band_quality(labels, predicted) == {
        "auto_write": (1, 0), "suggest": (0, 1), "review": (1, 0)
    }
