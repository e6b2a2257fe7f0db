"""The fault experiments' results: one JSON line each, printed as a table at the end of the run
(tests/chaos/conftest.py), so `make chaos` answers "lost / duplicated / dead-lettered" per experiment."""

from __future__ import annotations

import json

from tests.support.stack import ROOT

RESULTS = ROOT / ".local/chaos/results.jsonl"


def reset() -> None:
    RESULTS.parent.mkdir(parents=True, exist_ok=True)
    RESULTS.write_text("")


def record(row: dict) -> None:
    RESULTS.parent.mkdir(parents=True, exist_ok=True)
    with RESULTS.open("a") as out:
        out.write(json.dumps(row) + "\n")


def rows() -> list[dict]:
    if not RESULTS.exists():
        return []
    return [json.loads(line) for line in RESULTS.read_text().splitlines() if line.strip()]
