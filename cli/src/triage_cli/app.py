"""``triage``: the operator CLI. Exit codes: 0 ok, 1 failure, 2 bad input or usage.

Commands are loaded on demand (ADR 0021): ``triage --help`` imports no command module, and
``triage process`` only its own, so nothing pays for Kafka, PostgreSQL, Google or sklearn
imports it does not use. ``COMMANDS`` lists each command's module and the one-line help the
listing shows (tests/unit/cli/test_lazy_app.py keeps it equal to the command's own).
"""

from __future__ import annotations

from importlib import import_module

import click
import typer
from typer.core import TyperGroup

#: name -> (module under triage_cli.commands, the short help ``triage --help`` lists)
COMMANDS: dict[str, tuple[str, str]] = {
    "process": ("process", "Normalise, extract, route and plan the CRM writes for one message (or many)."),
    "normalize": ("process", "Split a message into its newest text, signature, quoted history and footer."),
    "ingest": ("ingest", "Publish messages to email.raw, keyed by thread id; each is acknowledged before it counts."),
    "results": ("results", "Print sender, subject, intent, queue, priority, SLA and CRM action for each email."),
    "lag": ("observe", "Consumer lag of the pipeline's groups now: records and age of the oldest unconsumed one."),
    "lag-exporter": ("observe", "Serve kafka_consumergroup_lag{group,topic,partition} and ..._lag_seconds on /metrics."),
    "eval": ("evaluate", "Run an extractor over every email of a gold set and score it."),
    "backfill": ("backfill", "Re-publish emails stuck without crm_events (past their SLA) from their raw record to "
                             "email.raw."),
    "purge-raw": ("purge", "Delete raw message bodies (emails.raw) and their text (emails.clean_parts) older than the retention."),
    "topics": ("infra", "The topic registry."),
    "db": ("infra", "The PostgreSQL schema."),
    "gmail": ("gmail", "Gmail: watches and backfills."),
    "dlq": ("dlq", "The dead-letter topic: list, show, replay and discard letters."),
    "labels": ("labels", "Labels people gave in the review queue (eval_labels)."),
    "train": ("train", "Train the intent model on the gold sets plus corrections; write it only if no score falls "
                       "below the ratchet."),
}
#: Modules whose commands run the pipeline in this process: they read the language model cached.
MODEL_USERS = {"process", "evaluate", "train"}


def load_command(name: str) -> click.Command:
    """The real command: its module imported and registered on a Typer of its own."""
    if COMMANDS[name][0] in MODEL_USERS:
        from triage_cli import model_cache

        model_cache.install()
    module = import_module(f"triage_cli.commands.{COMMANDS[name][0]}")
    own = typer.Typer(add_completion=False, pretty_exceptions_show_locals=False)
    module.register(own)
    return typer.main.get_group(own).commands[name]


class LazyGroup(TyperGroup):
    """Lists commands from ``COMMANDS``; imports a command's module only to run it."""

    def __init__(self, *args: object, **kwargs: object) -> None:
        super().__init__(*args, **kwargs)  # type: ignore[arg-type]
        self.loaded: dict[str, click.Command] = {}

    def list_commands(self, ctx: click.Context) -> list[str]:
        return list(COMMANDS)

    def get_command(self, ctx: click.Context, cmd_name: str) -> click.Command | None:
        if cmd_name in self.loaded:
            return self.loaded[cmd_name]
        if cmd_name not in COMMANDS:
            return None
        # For the listing only: the help text, nothing imported (resolve_command loads the real one).
        return click.Command(cmd_name, help=COMMANDS[cmd_name][1])

    def resolve_command(self, ctx: click.Context, args: list[str]) -> tuple[str | None, click.Command | None,
                                                                             list[str]]:
        name = args[0] if args else None
        if name in COMMANDS and name not in self.loaded:
            self.loaded[name] = load_command(name)
        return super().resolve_command(ctx, args)


app = typer.Typer(
    name="triage",
    cls=LazyGroup,
    help="Inbound email -> CRM: process, ingest and inspect emails.",
    no_args_is_help=True,
    add_completion=False,
    pretty_exceptions_show_locals=False,
)


@app.callback()
def main() -> None:
    """Inbound email -> CRM: process, ingest and inspect emails."""


if __name__ == "__main__":
    app()
