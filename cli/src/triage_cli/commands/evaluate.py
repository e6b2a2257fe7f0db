"""``triage eval``: score an extractor on a gold set (gold-format.md).

Exit codes: 0 ok, 1 a score fell below the ratchet, 2 bad input (unreadable
or invalid gold set, unknown or unconfigured extractor).
"""

from __future__ import annotations

import json
import math
from collections.abc import Callable
from dataclasses import dataclass
from enum import StrEnum
from pathlib import Path
from typing import Annotated

import typer
from rich.console import Console
from rich.progress import track
from rich.table import Table

from triage.domain.bands import DEFAULT_BANDS, ConfidenceBands, confidence_band
from triage.domain.evaluation import (
    RATCHETED,
    EvalReport,
    GoldLabel,
    below_ratchet,
    parse_labels,
    score,
)
from triage.domain.extract import extract_fields
from triage.domain.models import INTENTS, Band, Extraction, Mailbox
from triage.domain.pipeline import load_mailbox, normalize_message, process_message
from triage.platform.llm import LlmExtractor, Prices
from triage.platform.llm import llm_extractor as build_llm_extractor
from triage.platform.settings import Settings, load_settings

out = Console()
err = Console(stderr=True)

Extractor = Callable[[bytes, Mailbox], Extraction]


class ExtractorName(StrEnum):
    local = "local"
    openai = "openai"
    anthropic = "anthropic"


class OpenAIApiName(StrEnum):
    responses = "responses"
    chat = "chat"


def evaluate(
    gold: Annotated[
        Path, typer.Option(help="A gold-set folder: mailbox.json, labels.jsonl, emails/")
    ],
    extractor: Annotated[
        ExtractorName, typer.Option(help="Which extractor to score")
    ] = ExtractorName.local,
    as_json: Annotated[bool, typer.Option("--json", help="Print one JSON object")] = False,
    ratchet: Annotated[
        Path | None,
        typer.Option(help="ratchet.json: exit 1 when a score falls below the level it records"),
    ] = None,
    raise_ratchet: Annotated[
        bool, typer.Option("--raise-ratchet", help="Raise the ratchet's levels to today's scores")
    ] = False,
    intent_model: Annotated[
        bool,
        typer.Option(
            "--intent-model/--no-intent-model",
            help="local: the trained intent model gates the confidence (the default); off: rules only",
        ),
    ] = True,
    model: Annotated[
        str | None,
        typer.Option(help="openai/anthropic: the model name (default TRIAGE_LLM_SMALL_MODEL)"),
    ] = None,
    base_url: Annotated[
        str | None,
        typer.Option(help="openai/anthropic: an API-compatible server (default TRIAGE_LLM_BASE_URL)"),
    ] = None,
    api: Annotated[
        OpenAIApiName | None,
        typer.Option(
            help="openai: responses, or chat for Chat Completions servers (vLLM, Ollama, "
            "llama.cpp); default TRIAGE_LLM_API"
        ),
    ] = None,
    price_in: Annotated[float, typer.Option(help="USD per million input tokens")] = 0.0,
    price_out: Annotated[float, typer.Option(help="USD per million output tokens")] = 0.0,
) -> None:
    """Run an extractor over every email of a gold set and score it.

    The LLM extractors read what the extract service reads: TRIAGE_LLM_API_KEY (the SDKs'
    OPENAI_API_KEY / ANTHROPIC_API_KEY still work, deprecated), TRIAGE_LLM_API,
    TRIAGE_LLM_BASE_URL, TRIAGE_LLM_TIMEOUT_S, TRIAGE_LLM_MAX_RETRIES; the options win.
    """
    mailbox, labels = read_gold_set(gold)
    if extractor is ExtractorName.local:
        run = extractor_for(extractor, intent_model)
    else:
        choice = LlmChoice(model, base_url, api.value if api else None, Prices(price_in, price_out))
        run = llm_extractor(extractor, choice)
    items = labels if as_json else track(labels, description="extracting", console=err)
    predicted = {label.id: run(_read_email(gold, label), mailbox) for label in items}
    report = score(labels, predicted)
    if as_json:
        typer.echo(json.dumps(report.model_dump(mode="json"), ensure_ascii=False, indent=2))
    else:
        print_report(report, f"{gold} ({extractor.value})")
        out.print(_bands_table(band_quality(labels, predicted)))
    if ratchet is not None:
        _check_ratchet(ratchet, gold.resolve().name, report, raise_ratchet)


def register(app: typer.Typer) -> None:
    app.command("eval")(evaluate)


# ---------------------------------------------------------------- input


def read_gold_set(folder: Path) -> tuple[Mailbox, list[GoldLabel]]:
    try:
        mailbox = load_mailbox((folder / "mailbox.json").read_text(encoding="utf-8"))
        lines = (folder / "labels.jsonl").read_text(encoding="utf-8").splitlines()
        labels = parse_labels(lines)
    except OSError as exc:
        _fail(f"cannot read gold set {folder}: {exc.strerror or exc}")
    except ValueError as exc:
        _fail(f"invalid gold set {folder}: {' '.join(str(exc).split())[:300]}")
    if not labels:
        _fail(f"gold set {folder} has no labels")
    return mailbox, labels


def _read_email(folder: Path, label: GoldLabel) -> bytes:
    path = folder / "emails" / f"{label.id}.eml"
    try:
        return path.read_bytes()
    except OSError as exc:
        _fail(f"label {label.id}: cannot read {path}: {exc.strerror or exc}")


def extractor_for(name: ExtractorName, intent_model: bool = True) -> Extractor:
    if name is not ExtractorName.local:
        raise ValueError(name)
    return _local if intent_model else _local_rules_only


@dataclass(frozen=True)
class LlmChoice:
    """What the command line says of the LLM backend; None: the setting's value."""

    model: str | None
    base_url: str | None
    api: str | None
    prices: Prices


def llm_extractor(name: ExtractorName, choice: LlmChoice) -> Extractor:
    """An LLM extractor; an answer still invalid after its repair is scored as the local
    extractor's (what the pipeline keeps while the email waits for human review)."""
    backend = _llm_backend(name, choice, load_settings())
    spent = {"tokens_in": 0, "tokens_out": 0, "cost_usd": 0.0}

    def run(raw: bytes, mailbox: Mailbox) -> Extraction:
        clean = normalize_message(raw)
        outcome = backend.extract(clean)
        for key in spent:
            spent[key] += getattr(outcome, key)
        err.print(f"spent so far: {spent}", markup=False, highlight=False, end="\r")
        return outcome.extraction or extract_fields(clean, mailbox).extraction

    return run


def _llm_backend(name: ExtractorName, choice: LlmChoice, settings: Settings) -> LlmExtractor:
    model = choice.model or settings.triage_llm_small_model
    if not model:
        _fail(f"--extractor {name.value} needs --model (or TRIAGE_LLM_SMALL_MODEL)")
    api = choice.api or settings.triage_llm_api
    if name is not ExtractorName.openai and api != "responses":
        _fail(f"--api {api} is OpenAI's wire protocol; --extractor {name.value} has only its own")
    return build_llm_extractor(
        name.value, model, choice.prices, _api_key(name, settings),
        choice.base_url or settings.triage_llm_base_url,
        settings.triage_llm_timeout_s, settings.triage_llm_max_retries, api,  # type: ignore[arg-type]
    )  # fmt: skip


def _api_key(name: ExtractorName, settings: Settings) -> str:
    """TRIAGE_LLM_API_KEY, the services' name; the SDK's own name still works, with a note."""
    if settings.triage_llm_api_key and settings.triage_llm_api_key.get_secret_value():
        return settings.triage_llm_api_key.get_secret_value()
    legacy_name = f"{name.value.upper()}_API_KEY"
    legacy = settings.openai_api_key if name is ExtractorName.openai else settings.anthropic_api_key
    if legacy and legacy.get_secret_value():
        err.print(f"note: {legacy_name} is deprecated here; set TRIAGE_LLM_API_KEY "
                  "(the extract service's name)", markup=False, highlight=False)  # fmt: skip
        return legacy.get_secret_value()
    _fail(f"--extractor {name.value} needs TRIAGE_LLM_API_KEY (none is set)")


def _local(raw: bytes, mailbox: Mailbox) -> Extraction:
    """What the pipeline does: the rules, gated by the intent model."""
    return process_message(raw, mailbox).extraction


def _local_rules_only(raw: bytes, mailbox: Mailbox) -> Extraction:
    return extract_fields(normalize_message(raw), mailbox, None).extraction


def _fail(message: str) -> typer.Exit:
    err.print(f"[red]error:[/red] {message}", markup=True, highlight=False)
    raise typer.Exit(2)


# ---------------------------------------------------------------- ratchet


def _floor(score: float) -> float:
    """Four decimals, rounded down: a recorded level must never exceed the score itself."""
    return math.floor(score * 10_000) / 10_000


def _check_ratchet(path: Path, key: str, report: EvalReport, raise_levels: bool) -> None:
    document = json.loads(path.read_text(encoding="utf-8")) if path.exists() else {}
    levels = document.get(key, {})
    if raise_levels:
        now = report.model_dump()
        document[key] = {
            name: max(levels.get(name, 0.0), _floor(now[name] or 0.0)) for name in RATCHETED
        }
        path.write_text(json.dumps(document, indent=2, sort_keys=True) + "\n", encoding="utf-8")
        err.print(f"ratchet {path} ({key}) raised to {document[key]}", markup=False)
        return
    fallen = below_ratchet(report, levels)
    for name, (level, now) in fallen.items():
        err.print(f"[red]below the ratchet:[/red] {name} {now:.3f} < {level:.3f}", markup=True)
    if fallen:
        raise typer.Exit(1)


# ---------------------------------------------------------------- the readable report


def print_report(report: EvalReport, title: str) -> None:
    out.print(_scores_table(report, title))
    out.print(_confusion_table(report))
    out.print(_misses_table(report))


def _scores_table(report: EvalReport, title: str) -> Table:
    table = Table("metric", "score", title=f"{title}: {report.n} emails, {report.n_leads} leads")
    for name in RATCHETED:
        value = getattr(report, name)
        table.add_row(name, "-" if value is None else f"{value:.3f}")
    return table


def _confusion_table(report: EvalReport) -> Table:
    table = Table("gold \\ predicted", *INTENTS, title="intent confusion")
    for gold in INTENTS:
        row = report.confusion.get(gold, {})
        cells = [
            f"[bold]{row.get(p, 0)}[/bold]" if p == gold else str(row.get(p, 0) or ".")
            for p in INTENTS
        ]
        table.add_row(gold, *cells)
    return table


def _misses_table(report: EvalReport) -> Table:
    table = Table(title=f"{len(report.misses)} misses")
    table.add_column("id", no_wrap=True)
    table.add_column("field", no_wrap=True)
    table.add_column("gold")
    table.add_column("predicted")
    for miss in report.misses:
        table.add_row(miss.id, miss.field, _cell(miss.gold), _cell(miss.predicted))
    return table


def band_quality(
    labels: list[GoldLabel], predicted: dict[str, Extraction], bands: ConfidenceBands = DEFAULT_BANDS
) -> dict[Band, tuple[int, int]]:
    """Per confidence band: (emails whose intent is right, emails whose intent is wrong)."""
    counts: dict[Band, list[int]] = {"auto_write": [0, 0], "suggest": [0, 0], "review": [0, 0]}
    for label in labels:
        extraction = predicted[label.id]
        counts[confidence_band(extraction.confidence, bands)][extraction.intent != label.intent] += 1
    return {band: (right, wrong) for band, (right, wrong) in counts.items()}


def _bands_table(quality: dict[Band, tuple[int, int]]) -> Table:
    table = Table("band", "emails", "intent accuracy", "wrong intents", title="confidence bands")
    for band, (right, wrong) in quality.items():
        accuracy = f"{right / (right + wrong):.3f}" if right + wrong else "-"
        table.add_row(band, str(right + wrong), accuracy, str(wrong))
    return table


def _cell(value: str | float | None) -> str:
    return "null" if value is None else str(value)
