"""``/admin/model``: the intent model this admin can see — when it was trained, on how many corrections.

Reads the ``about`` block of the model file ``triage train`` writes (TRIAGE_INTENT_MODEL_PATH,
else the one shipped in the package) on every request, so a retrained model shows without a
restart. The extract service reads the same file once, at its start-up: the page says so.
"""

from __future__ import annotations

import json
from importlib import resources
from pathlib import Path
from typing import Any

from fastapi import FastAPI, Request
from fastapi.responses import RedirectResponse, Response

SHIPPED = "the model shipped with the package"


def read_model_about(path: Path | None) -> dict[str, Any]:
    """What the page shows; ``error`` when the file cannot be read as a model."""
    where = str(path) if path else SHIPPED
    try:
        text = path.read_text(encoding="utf-8") if path else \
            resources.files("triage.domain.extraction").joinpath("intent_model.json").read_text(encoding="utf-8")
        about = json.loads(text)["about"]
    except (OSError, ValueError, KeyError, TypeError) as exc:
        return {"where": where, "error": f"{type(exc).__name__}: {exc}"}
    scores = about.get("scores") or {}
    left_out = {key.removeprefix("loso:"): s.get("intent_accuracy") for key, s in sorted(scores.items())
                if key.startswith("loso:")}
    return {"where": where, "trained_at": about.get("trained_at"), "n_corrections": about.get("n_corrections"),
            "n_training": about.get("n_training", about.get("rows")), "model_version": about.get("model_version"),
            "code_version": about.get("code_version"), "dropped": about.get("corrections_dropped_held_out"),
            "left_out_intent": left_out}


def mount_model_page(app: FastAPI, ui: Any) -> None:
    """``ui``: the admin UI (its session check and page rendering)."""

    @app.get("/admin/model")
    def model(request: Request) -> Response:
        if ui.actor(request) is None:
            return RedirectResponse("/admin/login", status_code=303)
        settings = ui.desk.settings
        path = settings.triage_intent_model_path if settings is not None else None
        return ui.page(request, "model.html", model=read_model_about(path))
