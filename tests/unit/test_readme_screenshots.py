"""The README's desk pictures are the browser tests' own: each one shown is taken by a test,
each one taken is shown, and each file is a real PNG in the repository (`make screenshots`)."""

from __future__ import annotations

import re

from tests.support.screenshots import NAMES
from tests.support.stack import ROOT

PNG = b"\x89PNG\r\n\x1a\n"


def test_each_desk_picture_in_the_readme_is_taken_by_a_browser_test() -> None:
    shown = set(re.findall(r"\(docs/images/desk/([a-z-]+)\.png\)", (ROOT / "README.md").read_text()))
    taken = set()
    for test in (ROOT / "tests/integration").glob("test_*.py"):
        if test.name == "test_screenshots.py":  # shoot()'s own test, which shoots a made-up name
            continue
        taken |= set(re.findall(r"shoot\(page, \"([a-z-]+)\"\)", test.read_text()))
    assert shown == set(NAMES) == taken


def test_each_picture_is_a_committed_png() -> None:
    for name in NAMES:
        path = ROOT / "docs/images/desk" / f"{name}.png"
        assert path.read_bytes()[:8] == PNG, f"{path} is missing or not a PNG: run make screenshots"
