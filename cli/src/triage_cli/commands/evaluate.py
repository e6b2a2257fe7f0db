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

from triage.domain.bands import DEFAULT_BANDS, confidence_band
from triage.domain.evaluation import (
    RATCHETED,
    BandQuality,
    EvalReport,
    GoldLabel,
    band_quality,
    below_ratchet,
    parse_labels,
    score,
)
from triage.domain.extraction import extract_fields
from triage.domain.models import INTENTS, Extraction, Mailbox
from triage.domain.pipeline import load_mailbox, normalize_message, process_message
from triage.platform.llm import LlmExtractor, Prices
from triage.platform.llm import llm_extractor as build_llm_extractor
from triage.platform.settings import CliSettings, load_settings
from triage.platform.settings.secrets import secret_value
from triage_cli.eval_sets import (
    SetResult,
    pooled_bands,
    pooled_confusion,
    score_left_out,
    score_sources,
    sources,
)

out = Console()
wide = Console(width=160)  # the per-set tables: a column per metric
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
        Path | None, typer.Option(help="A gold-set folder: mailbox.json, labels.jsonl, emails/")
    ] = None,
    all_sets: Annotated[
        bool,
        typer.Option("--all", help="Every labelled set of the repository (gold/*/, samples/), each on its own"),
    ] = False,
    loso: Annotated[
        bool,
        typer.Option(help="With --all: also leave-one-source-out (each set scored by a model trained without it)"),
    ] = False,
    root: Annotated[Path, typer.Option(help="With --all: the repository root")] = Path("."),
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
    if all_sets:
        if extractor is not ExtractorName.local or not intent_model:
            _fail("--all scores the local extractor with its intent model")
        _evaluate_all(root, loso, as_json, ratchet, raise_ratchet)
        return
    if gold is None:
        _fail("give --gold DIR (one set) or --all (every set)")
    mailbox, labels = read_gold_set(gold)
    if extractor is ExtractorName.local:
        run = extractor_for(extractor, intent_model)
    else:
        choice = LlmChoice(model, base_url, api.value if api else None, Prices(price_in, price_out))
        run = llm_extractor(extractor, choice)
    items = labels if as_json else track(labels, description="extracting", console=err)
    predicted = {label.id: run(_read_email(gold, label), mailbox) for label in items}
    report = score(labels, predicted)
    bands = band_quality(labels, predicted, lambda c: confidence_band(c, DEFAULT_BANDS))
    if as_json:
        result = SetResult(gold.resolve().name, report, bands).as_json()
        typer.echo(json.dumps(result, ensure_ascii=False, indent=2))
    else:
        print_report(report, f"{gold} ({extractor.value})")
        out.print(_bands_table(bands))
    if ratchet is not None:
        _check_ratchets(ratchet, {gold.resolve().name: report}, raise_ratchet)


def _evaluate_all(
    root: Path, loso: bool, as_json: bool, ratchet: Path | None, raise_ratchet: bool
) -> None:
    folders = sources(root)
    missing = [f for f in folders if not (f / "labels.jsonl").exists()]
    if missing or not folders:
        _fail(f"no labelled sets under {root} (looked for gold/*/labels.jsonl and samples/)")
    fitted = score_sources(root, folders)
    left_out = score_left_out(root, folders) if loso else []
    if as_json:
        document = {
            "sets": {r.name: r.as_json() for r in fitted},
            "loso": {r.name: r.as_json() for r in left_out},
            "pooled": {
                kind: {
                    "bands": {b: q.model_dump() for b, q in pooled_bands(results).items()},
                    "confusion": pooled_confusion(results),
                }
                for kind, results in (("sets", fitted), ("loso", left_out)) if results
            },
        }
        typer.echo(json.dumps(document, ensure_ascii=False, indent=2))
    else:
        wide.print(_sets_table(fitted, "every set, shipped model (trained on all of them: fit)"))
        if left_out:
            wide.print(_sets_table(left_out, "leave-one-source-out (each set scored by a model that never saw it)"))
        shown = left_out or fitted
        out.print(_bands_table(pooled_bands(shown), "confidence bands, all sets pooled" + (" (loso)" if left_out else "")))
        out.print(_confusion_table(pooled_confusion(shown), "intent confusion, all sets pooled" + (" (loso)" if left_out else "")))
    if ratchet is not None:
        reports = {r.name: r.report for r in fitted} | {f"loso:{r.name}": r.report for r in left_out}
        _check_ratchets(ratchet, reports, raise_ratchet)


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
    backend = _llm_backend(name, choice, load_settings(CliSettings))
    spent = {"tokens_in": 0, "tokens_out": 0, "cost_usd": 0.0}

    def run(raw: bytes, mailbox: Mailbox) -> Extraction:
        clean = normalize_message(raw)
        outcome = backend.extract(clean)
        for key in spent:
            spent[key] += getattr(outcome, key)
        err.print(f"spent so far: {spent}", markup=False, highlight=False, end="\r")
        return outcome.extraction or extract_fields(clean, mailbox).extraction

    return run


def _llm_backend(name: ExtractorName, choice: LlmChoice, settings: CliSettings) -> LlmExtractor:
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


def _api_key(name: ExtractorName, settings: CliSettings) -> str:
    """TRIAGE_LLM_API_KEY, the services' name; the SDK's own name still works, with a note."""
    if key := secret_value(settings.triage_llm_api_key):
        return key
    legacy_name = f"{name.value.upper()}_API_KEY"
    legacy = settings.openai_api_key if name is ExtractorName.openai else settings.anthropic_api_key
    if key := secret_value(legacy):
        err.print(f"note: {legacy_name} is deprecated here; set TRIAGE_LLM_API_KEY "
                  "(the extract service's name)", markup=False, highlight=False)  # fmt: skip
        return key
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


def _check_ratchets(path: Path, reports: dict[str, EvalReport], raise_levels: bool) -> None:
    """Each report against its own levels (keyed by set name, ``loso:<set>`` for left-out)."""
    document = json.loads(path.read_text(encoding="utf-8")) if path.exists() else {}
    if raise_levels:
        for key, report in reports.items():
            levels, now = document.get(key, {}), report.model_dump()
            document[key] = {
                name: max(levels.get(name, 0.0), _floor(now[name] or 0.0)) for name in RATCHETED
            }
            err.print(f"ratchet {path} ({key}) raised to {document[key]}", markup=False)
        path.write_text(json.dumps(document, indent=2, sort_keys=True) + "\n", encoding="utf-8")
        return
    fallen_any = False
    for key, report in reports.items():
        for name, (level, now) in below_ratchet(report, document.get(key, {})).items():
            err.print(f"[red]below the ratchet:[/red] {key} {name} {now:.3f} < {level:.3f}", markup=True)
            fallen_any = True
    if fallen_any:
        raise typer.Exit(1)


# ---------------------------------------------------------------- the readable report


def print_report(report: EvalReport, title: str) -> None:
    out.print(_scores_table(report, title))
    out.print(_confusion_table(report.confusion))
    out.print(_misses_table(report))


_SHORT = {"intent_accuracy": "intent", "person_email_f1": "person.email", "company_name_f1": "company",
          "lead_budget_exact": "budget", "lead_timeline_exact": "timeline", "region_accuracy": "region",
          "required_action_accuracy": "action"}


def _sets_table(results: list[SetResult], title: str) -> Table:
    table = Table("set", "n", *_SHORT.values(), "auto_write prec.", "auto_write cov.", title=title)
    for r in results:
        cells = [getattr(r.report, name) for name in _SHORT]
        auto = r.bands["auto_write"]
        table.add_row(
            r.name, str(r.report.n), *("-" if v is None else f"{v:.3f}" for v in cells),
            "-" if auto.intent_precision is None else f"{auto.intent_precision:.3f}", f"{auto.coverage:.2f}",
        )
    return table


def _scores_table(report: EvalReport, title: str) -> Table:
    table = Table("metric", "score", title=f"{title}: {report.n} emails, {report.n_leads} leads")
    for name in RATCHETED:
        value = getattr(report, name)
        table.add_row(name, "-" if value is None else f"{value:.3f}")
    return table


def _confusion_table(confusion: dict[str, dict[str, int]], title: str = "intent confusion") -> Table:
    table = Table("gold \\ predicted", *INTENTS, title=title)
    for gold in INTENTS:
        row = confusion.get(gold, {})
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


def _bands_table(quality: dict[str, BandQuality], title: str = "confidence bands") -> Table:
    table = Table("band", "emails", "coverage", "intent precision", title=title)
    for band, q in quality.items():
        precision = "-" if q.intent_precision is None else f"{q.intent_precision:.3f}"
        table.add_row(band, str(q.n), f"{q.coverage:.2f}", precision)
    return table


def _cell(value: str | float | None) -> str:
    return "null" if value is None else str(value)
