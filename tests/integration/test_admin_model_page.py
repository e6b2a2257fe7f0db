"""The admin's Model page: when the intent model was trained and on how many corrections.

The admin process alone (real PostgreSQL and Kafka, Debian's chromium via Playwright), with
TRIAGE_INTENT_MODEL_PATH at a model file; the file is rewritten as `triage train` would,
and the page shows the new one without a restart.
"""

from __future__ import annotations

import json
import uuid
from collections.abc import Iterator
from pathlib import Path

import pytest
from playwright.sync_api import expect, sync_playwright

from tests.integration.test_admin_ui import CHROMIUM_ARGS, chromium_path, log_in
from tests.support.pipeline import Pipeline, free_port
from tests.support.screenshots import shoot
from tests.support.stack import ROOT, Stack

TOKEN = f"carol-{uuid.uuid4().hex}"


def model_file(path: Path, trained_at: str, n_corrections: int) -> None:
    """The packaged model with the metadata `triage train` records."""
    shipped = json.loads((ROOT / "libs/triage/src/triage/domain/extraction/intent_model.json").read_text(encoding="utf-8"))
    shipped["about"] |= {"trained_at": trained_at, "n_corrections": n_corrections, "n_training": 619 + n_corrections}
    path.write_text(json.dumps(shipped), encoding="utf-8")


@pytest.fixture
def admin(stack: Stack, tmp_path: Path) -> Iterator[tuple[str, Path]]:
    url, model = stack.new_database(), tmp_path / "intent_model.json"
    model_file(model, "2026-12-01T08:00:00Z", 3)
    pipeline = Pipeline(stack=stack, log_dir=tmp_path, database_url=url)
    pipeline.prepare()
    try:
        pipeline.ports["admin"] = port = free_port()
        pipeline.start("admin", TRIAGE_ADMIN_PORT=str(port), TRIAGE_ADMIN_TOKENS=f"carol:{TOKEN}",
                       TRIAGE_INTENT_MODEL_PATH=str(model))
        yield f"http://127.0.0.1:{port}", model
    finally:
        pipeline.stop_all()
        print(f"----- admin log (tail) -----\n{pipeline.log('admin')[-3000:]}")
        stack.drop_database(url)


def test_the_model_page_shows_when_the_model_was_trained_and_on_how_many_corrections(
    admin: tuple[str, Path]
) -> None:
    url, model = admin
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=chromium_path(), args=CHROMIUM_ARGS)
        page = browser.new_context(base_url=url).new_page()
        page.set_default_timeout(15_000)
        log_in(page, TOKEN)
        page.click("nav a[href='/admin/model']")

        expect(page.locator("#model-trained-at")).to_have_text("2026-12-01T08:00:00Z")
        expect(page.locator("#model-corrections")).to_have_text("3")
        expect(page.locator("#model-where")).to_have_text(str(model))
        expect(page.locator("#model-scores")).to_contain_text("indie-solara")
        shoot(page, "model")

        model_file(model, "2026-12-07T04:00:00Z", 12)  # retrained: the page reads the file again
        page.reload()
        expect(page.locator("#model-trained-at")).to_have_text("2026-12-07T04:00:00Z")
        expect(page.locator("#model-corrections")).to_have_text("12")
        browser.close()
