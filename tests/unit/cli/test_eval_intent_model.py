"""`triage eval` scores the default extractor — hard gates, then the intent model — unless told
`--no-intent-model`, prints the confidence bands' coverage and precision, and with `--all`
every labelled set on its own."""

from __future__ import annotations

import json
from pathlib import Path

from typer.testing import CliRunner

from triage.domain.evaluation import BandQuality, band_quality, parse_labels
from triage.domain.models import Extraction
from triage_cli.app import app

ROOT = Path(__file__).resolve().parents[3]
SAMPLES = ROOT / "samples"
runner = CliRunner()


def test_eval_uses_the_intent_model_by_default_and_reports_the_bands() -> None:
    model = runner.invoke(app, ["eval", "--gold", str(SAMPLES), "--json"])
    rules = runner.invoke(app, ["eval", "--gold", str(SAMPLES), "--json", "--no-intent-model"])

    assert model.exit_code == rules.exit_code == 0, model.output + rules.output
    with_model, rules_only = json.loads(model.stdout), json.loads(rules.stdout)
    assert set(with_model["bands"]) == {"auto_write", "suggest", "review"}
    assert sum(band["n"] for band in with_model["bands"].values()) == with_model["n"] == 37
    # the model is trained on the samples too: it must do at least as well as the rules there
    assert with_model["intent_accuracy"] >= rules_only["intent_accuracy"]
    assert with_model["bands"] != rules_only["bands"]


def test_band_quality_gives_each_bands_coverage_and_intent_precision() -> None:
    labels = parse_labels([
        '{"id": "a", "intent": "lead", "required_action": "schedule_demo"}',
        '{"id": "b", "intent": "spam", "required_action": "ignore"}',
        '{"id": "c", "intent": "vendor", "required_action": "route_ops"}',
        '{"id": "d", "intent": "vendor", "required_action": "route_ops"}',
    ])

    def said(intent: str, confidence: float) -> Extraction:
        return Extraction.model_validate({"intent": intent, "required_action": "ignore", "confidence": confidence})

    predicted = {"a": said("lead", 0.9), "b": said("lead", 0.7), "c": said("vendor", 0.2), "d": said("vendor", 0.95)}
    band = {0.9: "auto_write", 0.95: "auto_write", 0.7: "suggest", 0.2: "review"}

    assert band_quality(labels, predicted, band.__getitem__) == {
        "auto_write": BandQuality(n=2, coverage=0.5, intent_precision=1.0),
        "suggest": BandQuality(n=1, coverage=0.25, intent_precision=0.0),
        "review": BandQuality(n=1, coverage=0.25, intent_precision=1.0),
    }


def test_eval_all_scores_every_set_on_its_own(tmp_path: Path) -> None:
    """Two sets under a root (gold/one, samples): each reported under its own name."""
    gold = tmp_path / "gold" / "one"
    for target in (gold, tmp_path / "samples"):
        (target / "emails").mkdir(parents=True)
        (target / "mailbox.json").write_text((SAMPLES / "mailbox.json").read_text())
        lines = (SAMPLES / "labels.jsonl").read_text().splitlines()[:5]
        (target / "labels.jsonl").write_text("\n".join(lines) + "\n")
        for line in lines:
            name = json.loads(line)["id"] + ".eml"
            (target / "emails" / name).write_bytes((SAMPLES / "emails" / name).read_bytes())

    result = runner.invoke(app, ["eval", "--all", "--root", str(tmp_path), "--json"])

    assert result.exit_code == 0, result.output
    document = json.loads(result.stdout)
    assert set(document["sets"]) == {"one", "samples"}
    assert document["sets"]["one"]["n"] == document["sets"]["samples"]["n"] == 5
    assert document["loso"] == {}


def test_eval_without_a_set_says_what_to_give() -> None:
    result = runner.invoke(app, ["eval"])

    assert result.exit_code == 2
    assert "--gold" in result.output and "--all" in result.output
