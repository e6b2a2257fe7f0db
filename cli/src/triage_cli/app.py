"""``triage``: the operator CLI. Exit codes: 0 ok, 1 failure, 2 bad input or usage."""

from __future__ import annotations

import typer

from triage_cli.commands import (
    backfill,
    dlq,
    evaluate,
    gmail,
    infra,
    ingest,
    labels,
    observe,
    process,
    purge,
    results,
)

app = typer.Typer(
    name="triage",
    help="Inbound email -> CRM: process, ingest and inspect emails.",
    no_args_is_help=True,
    add_completion=False,
    pretty_exceptions_show_locals=False,
)
process.register(app)
ingest.register(app)
results.register(app)
infra.register(app)
gmail.register(app)
observe.register(app)
evaluate.register(app)
dlq.register(app)
backfill.register(app)
purge.register(app)
labels.register(app)

if __name__ == "__main__":
    app()
