"""Prints the corpus scores under the test summary, so every run reports them."""

from __future__ import annotations

from typing import Any

SCORES: dict[str, tuple[int, int]] = {}


def pytest_terminal_summary(terminalreporter: Any) -> None:
    if not SCORES:
        return
    terminalreporter.section("normalisation on third-party fixtures")
    for name, (matched, total) in sorted(SCORES.items()):
        share = matched / total if total else 0.0
        terminalreporter.write_line(f"{name}: {matched}/{total} = {share:.3f}")
