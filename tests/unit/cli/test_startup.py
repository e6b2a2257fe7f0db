"""The CLI starts without the LLM SDKs: they are imported only when an LLM backend is built
(openai and anthropic together took about 2.8 s of the command's start-up)."""

from __future__ import annotations

import subprocess
import sys

PROBE = """
import sys
import triage_cli.app, triage.platform.llm, triage_extract.wiring
print(sorted(name for name in ("openai", "anthropic") if name in sys.modules))
from triage.platform.llm import Prices, llm_extractor
llm_extractor("openai", "m", Prices(0, 0), "key", "http://127.0.0.1:9/v1", api="chat")
print(sorted(name for name in ("openai", "anthropic") if name in sys.modules))
"""


def test_the_sdks_are_imported_only_when_a_backend_is_built() -> None:
    lines = subprocess.run(
        [sys.executable, "-c", PROBE], capture_output=True, text=True, check=True
    ).stdout.splitlines()

    assert lines == ["[]", "['openai']"]
