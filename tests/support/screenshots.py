"""The README's pictures of the desk, taken by the browser tests themselves (`make screenshots`).

A test calls ``shoot(page, name)`` where the page shows what a reader should see; with
``TRIAGE_SCREENSHOTS_DIR`` set (as `make screenshots` does, to docs/images/desk) the page is
saved there as ``name.png``, else nothing happens. So a picture in the README is always a
page some test just drove and checked, never a mock-up.
"""

from __future__ import annotations

import os
from pathlib import Path

from playwright.sync_api import Page

#: Every picture the README shows; tests/unit/test_readme_screenshots.py keeps the two in step.
NAMES = ("login", "emails", "email", "email-corrected", "review", "dlq", "model", "desk-clock", "error")


def shoot(page: Page, name: str) -> Path | None:
    """Save the page as ``<TRIAGE_SCREENSHOTS_DIR>/<name>.png`` (viewport-wide, full height)."""
    if name not in NAMES:
        raise ValueError(f"{name!r} is not one of the README's pictures {NAMES}")
    where = os.environ.get("TRIAGE_SCREENSHOTS_DIR")
    if not where:
        return None
    path = Path(where) / f"{name}.png"
    path.parent.mkdir(parents=True, exist_ok=True)
    page.set_viewport_size({"width": 1280, "height": 800})
    page.screenshot(path=str(path), full_page=True)
    return path
