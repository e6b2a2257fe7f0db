"""shoot() saves the page a browser test is on when TRIAGE_SCREENSHOTS_DIR is set, and only then."""

from __future__ import annotations

from pathlib import Path

import pytest
from playwright.sync_api import sync_playwright

from tests.integration.test_admin_ui import CHROMIUM_ARGS, chromium_path
from tests.support.screenshots import shoot


def test_shoot_saves_a_png_only_when_asked_and_only_for_the_readmes_names(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=chromium_path(), args=CHROMIUM_ARGS)
        page = browser.new_page()
        page.set_content("<h1>Emails</h1>")
        monkeypatch.delenv("TRIAGE_SCREENSHOTS_DIR", raising=False)
        assert shoot(page, "emails") is None
        monkeypatch.setenv("TRIAGE_SCREENSHOTS_DIR", str(tmp_path / "shots"))
        saved = shoot(page, "emails")
        with pytest.raises(ValueError, match="not one of the README's pictures"):
            shoot(page, "made-up")
        browser.close()
    assert saved == tmp_path / "shots/emails.png"
    assert saved.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
    assert list((tmp_path / "shots").iterdir()) == [saved]
