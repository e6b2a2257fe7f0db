"""The third-party fixtures in ../shared/corpora and how our output is scored on them.

The corpora sit beside the repository (in CI too: a read-only copy of shared/),
so they are found from the repository root; a missing corpus is an error, not
a skip, or a broken checkout would pass as "no fixtures".
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[3]
CORPORA = ROOT.parent / "shared" / "corpora"
REPLY = CORPORA / "github-email_reply_parser"
MIME = CORPORA / "cpython-test_email"
RATCHET = Path(__file__).with_name("corpus_ratchet.json")


@dataclass(frozen=True)
class Fixture:
    source: Path
    expected: dict[str, Any]

    @property
    def name(self) -> str:
        return f"{self.source.name}/{self.expected['file']}"

    @property
    def raw(self) -> bytes:
        return (self.source / self.expected["file"]).read_bytes()

    def checks(self, op: str) -> list[dict[str, Any]]:
        return [check for check in self.expected["checks"] if check["op"] == op]


def require_corpora() -> None:
    for source in (REPLY, MIME):
        if not (source / "expected.jsonl").is_file():
            raise FileNotFoundError(
                f"third-party corpus missing: {source} (shared/ must sit beside the repository)"
            )


def fixtures(source: Path) -> Iterator[Fixture]:
    with (source / "expected.jsonl").open(encoding="utf-8") as lines:
        for line in lines:
            if line.strip():
                yield Fixture(source, json.loads(line))


def fold(text: str | None) -> str:
    """Whitespace folding: the comparison the issue asks for."""
    return " ".join((text or "").split())


def ratchet() -> dict[str, float]:
    return json.loads(RATCHET.read_text())
