"""The shipped intent model is exactly what training on the repository's data produces."""

from __future__ import annotations

from pathlib import Path

from triage_cli.intent_training import MODULE, build

ROOT = Path(__file__).resolve().parents[2]


def test_rebuilding_the_intent_model_reproduces_the_shipped_module() -> None:
    shipped = (ROOT / MODULE).read_text(encoding="utf-8")

    assert build(ROOT) == shipped, "run: .venv/bin/python -m triage_cli.intent_training"
