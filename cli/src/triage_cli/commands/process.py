"""``triage process`` and ``triage normalize``: the pure pipeline on one file, no Kafka.

Exit codes: 0 ok, 2 bad input (missing or unreadable file, no RFC 5322 message, invalid
mailbox.json).
"""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path
from typing import Annotated, Any

import typer
from rich.console import Console
from rich.table import Table
from rich.text import Text

from triage.domain.intake import not_a_message
from triage.domain.models import CleanEmail, Mailbox, ProcessResult
from triage.domain.normalize import BodyParts, decode_text, detect_language, split_body
from triage.domain.pipeline import load_mailbox, normalize_message, process_message
from triage.platform.pipeline_config import pipeline_config
from triage.platform.settings import CliSettings, load_settings

out = Console()
err = Console(stderr=True)
DEFAULT_MAILBOX = Mailbox(company="Unknown")
NO_MAILBOX_WARNING = ("warning: no --mailbox: customer and own domains are unknown, so a customer reads as a "
                      "stranger and an internal email as an outside one (pass --mailbox mailbox.json)")


_FILES_HELP = "RFC 5322 messages (.eml): one, or many with --jsonl"
_JSONL_HELP = "One JSON line per file: its name as \"file\", then the --json document"


def process(
    files: Annotated[list[Path], typer.Argument(help=_FILES_HELP, show_default=False)],
    mailbox: Annotated[
        Path | None, typer.Option(help="mailbox.json: own domains, customer domains, products")
    ] = None,
    as_json: Annotated[bool, typer.Option("--json", help="Print one JSON object")] = False,
    jsonl: Annotated[bool, typer.Option("--jsonl", help=_JSONL_HELP)] = False,
) -> None:
    """Normalise, extract, route and plan the CRM writes for one message (or many).

    The services' steps as they are configured: TRIAGE_ROUTING_RULES_FILE, TRIAGE_QUEUES_FILE,
    TRIAGE_CONFIDENCE_*, TRIAGE_INTENT_MODEL(_PATH). Broker-held state (dedupe, a thread's
    earlier classification) and the LLM backends are the services' alone.
    """
    owner = _read_mailbox(mailbox) if mailbox else _default_mailbox()
    config = pipeline_config(load_settings(CliSettings))
    if jsonl:
        _print_jsonl(files, lambda raw: process_json(process_message(raw, owner, config=config)), messages=True)
        return
    file = _only(files)
    result = process_message(_read_message(file), owner, config=config)
    if as_json:
        _print_json(process_json(result))
    else:
        _print_result(result)


def normalize(
    files: Annotated[
        list[Path],
        typer.Argument(help="An .eml message, or a bare body with --body-only; many with --jsonl",
                       show_default=False),
    ],
    body_only: Annotated[
        bool, typer.Option("--body-only", help="FILE is a bare message body, not RFC 5322")
    ] = False,
    as_json: Annotated[bool, typer.Option("--json", help="Print one JSON object")] = False,
    jsonl: Annotated[bool, typer.Option("--jsonl", help=_JSONL_HELP)] = False,
) -> None:
    """Split a message into its newest text, signature, quoted history and footer."""
    if jsonl:
        _print_jsonl(files, lambda raw: _parts_document(raw, body_only), messages=False)
        return
    document = _parts_document(_read_bytes(_only(files)), body_only)
    if as_json:
        _print_json(document)
    else:
        _print_parts(document)


def register(app: typer.Typer) -> None:
    app.command("process")(process)
    app.command("normalize")(normalize)


# ---------------------------------------------------------------- documents


def _parts_document(raw: bytes, body_only: bool) -> dict[str, Any]:
    if body_only:
        return body_parts_json(split_body(decode_text(raw, "utf-8")))
    return clean_parts_json(normalize_message(raw))


def process_json(result: ProcessResult) -> dict[str, Any]:
    """The ``triage process --json`` contract: JSON types only (ISO 8601 datetimes)."""
    return result.model_dump(mode="json")


def body_parts_json(parts: BodyParts) -> dict[str, Any]:
    return {
        "text": parts.text,
        "signature": parts.signature,
        "quoted": parts.quoted,
        "footer": parts.footer,
        "language": detect_language(parts.text),
    }


def clean_parts_json(clean: CleanEmail) -> dict[str, Any]:
    forwarded = clean.forwarded.model_dump(mode="json") if clean.forwarded else None
    return {
        "text": clean.text,
        "signature": clean.signature,
        "quoted": clean.quoted,
        "footer": clean.footer,
        "language": clean.language,
        "forwarded": forwarded,
    }


# ---------------------------------------------------------------- input


def _only(files: list[Path]) -> Path:
    if len(files) != 1:
        _fail(f"{len(files)} files given: use --jsonl for more than one")
    return files[0]


def _jsonl_document(
    path: Path, build: Callable[[bytes], dict[str, Any]], *, messages: bool
) -> dict[str, Any]:
    """One file's document; a file that cannot be read carries "error" instead."""
    try:
        raw = path.read_bytes()
    except OSError as exc:
        return {"file": str(path), "error": f"cannot read: {exc.strerror or exc}"}
    problem = not_a_message(raw) if messages else None
    if problem is not None:
        return {"file": str(path), "error": f"not an RFC 5322 message: {problem}"}
    return {"file": str(path), **build(raw)}


def _print_jsonl(
    files: list[Path], build: Callable[[bytes], dict[str, Any]], *, messages: bool
) -> None:
    """Every file, in order, one line each; exit 2 after the last if any had an error."""
    failed = 0
    for path in files:
        document = _jsonl_document(path, build, messages=messages)
        failed += "error" in document
        typer.echo(json.dumps(document, ensure_ascii=False))
    if failed:
        _fail(f"{failed} of {len(files)} files could not be read as messages")


def _read_bytes(path: Path) -> bytes:
    try:
        return path.read_bytes()
    except OSError as exc:
        _fail(f"cannot read {path}: {exc.strerror or exc}")


def _read_message(path: Path) -> bytes:
    raw = _read_bytes(path)
    problem = not_a_message(raw)
    if problem is not None:
        _fail(f"{path} is not an RFC 5322 message: {problem}")
    return raw


def _read_mailbox(path: Path) -> Mailbox:
    text = _read_bytes(path).decode("utf-8", errors="replace")
    try:
        return load_mailbox(text)
    except ValueError as exc:
        _fail(f"invalid mailbox file {path}: {_first_line(exc)}")


def _default_mailbox() -> Mailbox:
    err.print(NO_MAILBOX_WARNING, markup=False, highlight=False, soft_wrap=True)
    return DEFAULT_MAILBOX


def _first_line(exc: Exception) -> str:
    return " ".join(str(exc).split("\n")[:3])


def _fail(message: str) -> typer.Exit:
    err.print(f"[red]error:[/red] {message}", markup=True, highlight=False)
    raise typer.Exit(2)


# ---------------------------------------------------------------- output


def _print_json(document: dict[str, Any]) -> None:
    # Plain stdout, not rich: the output is for machines and must not be wrapped or coloured.
    typer.echo(json.dumps(document, ensure_ascii=False, indent=2))


def _print_result(result: ProcessResult) -> None:
    clean, extraction, route = result.clean, result.extraction, result.route
    table = Table("field", "value", title=Text(clean.subject or "(no subject)"), show_lines=False)
    rows = {
        "from": f"{clean.from_name or ''} <{clean.from_email or ''}>",
        "intent": f"{extraction.intent} (confidence {extraction.confidence:.2f})",
        "person": f"{extraction.person.name or '-'} <{extraction.person.email or '-'}>",
        "company": f"{extraction.company.name or '-'} ({extraction.company.domain or '-'})",
        "products": ", ".join(extraction.interest.products) or "-",
        "budget (USD/yr)": _money(extraction.budget.annual_amount_usd),
        "timeline": extraction.timeline,
        "region": extraction.region or "-",
        "action": extraction.required_action,
        "summary": extraction.summary,
        "queue": f"{route.queue} ({route.priority}, SLA {route.sla_minutes or '-'} min)",
        "rule": f"{route.rule}: {route.reason}",
        "crm": ", ".join(action.action for action in result.crm_actions) or "none",
    }
    for name, value in rows.items():  # Text, not markup: the email's words are printed as written
        table.add_row(name, Text(value))
    out.print(table)
    out.print(evidence_table(result))


def evidence_table(result: ProcessResult) -> Table:
    """Where each quoted value came from: the field, the words of the email, and their place."""
    table = Table("field", "quoted", "where", title="evidence", show_lines=False)
    table.columns[1].overflow = "fold"
    for span in result.extraction.evidence:
        table.add_row(span.field, Text(span.text), Text(f"{span.source} [{span.start}:{span.end}]"))
    if not result.extraction.evidence:
        table.add_row("-", "nothing was quoted from the email", "-")
    return table


def _print_parts(document: dict[str, Any]) -> None:
    table = Table("part", "text", show_lines=True)
    for name in ("text", "signature", "quoted", "footer"):
        table.add_row(name, document.get(name) or "-")
    out.print(table)


def _money(amount: float | None) -> str:
    return "-" if amount is None else f"${amount:,.0f}"
