"""``triage`` loads a command's module only to run it: ``--help`` imports none, ``process`` its own.

The CLI's start-up was 2 s of CPU for every command because every command module (Kafka,
PostgreSQL, Google, sklearn clients) was imported first (docs/benchmarks.md, ADR 0021).
"""

from __future__ import annotations

import json
import subprocess
import sys
from importlib import import_module
from pathlib import Path

import pytest
import typer
from typer.testing import CliRunner

from triage_cli.app import COMMANDS, app, load_command

ROOT = Path(__file__).resolve().parents[3]
LEAD = next((ROOT / "samples/emails").glob("0002-*.eml"))
HEAVY = ("sklearn", "google", "google.auth", "googleapiclient", "confluent_kafka", "psycopg_pool", "fastapi", "psycopg",
         "openai", "anthropic")

PROBE = """
import json, sys
from triage_cli.app import app
try:
    app(sys.argv[1:])
except SystemExit:
    pass
heavy = [m for m in {heavy!r} if m in sys.modules]
commands = sorted(m for m in sys.modules if m.startswith("triage_cli.commands."))
print(json.dumps({{"heavy": heavy, "commands": commands}}), file=sys.stderr)
"""


def imported_by(*args: str) -> dict:
    run = subprocess.run([sys.executable, "-c", PROBE.format(heavy=HEAVY), *args], capture_output=True,
                         text=True, check=True)
    return json.loads(run.stderr.strip().splitlines()[-1])


def test_help_imports_no_command_module() -> None:
    loaded = imported_by("--help")
    assert loaded == {"heavy": [], "commands": []}


def test_process_imports_its_own_module_and_nothing_heavy() -> None:
    loaded = imported_by("process", "--json", str(LEAD))
    assert loaded == {"heavy": [], "commands": ["triage_cli.commands.process"]}


def test_dlq_list_imports_only_what_it_needs() -> None:
    loaded = imported_by("dlq", "--help")
    assert loaded["commands"] == ["triage_cli.commands.dlq"]
    assert "sklearn" not in loaded["heavy"] and "fastapi" not in loaded["heavy"]


@pytest.mark.parametrize("name", list(COMMANDS))
def test_the_listing_says_what_the_command_says(name: str) -> None:
    command = load_command(name)
    assert command.name == name
    assert command.get_short_help_str(200) == COMMANDS[name][1]


def test_every_registered_command_is_listed() -> None:
    for module in sorted({module for module, _ in COMMANDS.values()}):
        own = typer.Typer()
        import_module(f"triage_cli.commands.{module}").register(own)
        for name in typer.main.get_group(own).commands:
            assert COMMANDS.get(name, ("",))[0] == module, f"{name} ({module}) is missing from COMMANDS"


def test_help_lists_every_command_and_a_command_runs() -> None:
    runner = CliRunner()
    listing = runner.invoke(app, ["--help"])
    assert listing.exit_code == 0
    for name in COMMANDS:
        assert f" {name} " in listing.stdout
    sub = runner.invoke(app, ["dlq", "--help"])
    assert sub.exit_code == 0 and "replay" in sub.stdout
    assert runner.invoke(app, ["no-such-command"]).exit_code == 2
