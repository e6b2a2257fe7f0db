"""``triage process`` runs the services' steps as they are configured: the routing rules file,
the queue table, the band thresholds and the intent model the services read, and gives what
the extract and route handlers give for the same email."""

from __future__ import annotations

import json
from datetime import timedelta
from pathlib import Path

import pytest
from typer.testing import CliRunner

from triage.domain.intake import raw_email
from triage.domain.models import ExtractedEmail, Mailbox, RoutedEmail
from triage.domain.pipeline import EPOCH, PipelineConfig, load_mailbox, process_message
from triage.platform.pipeline_config import pipeline_config
from triage.platform.runtime import Inbound
from triage.platform.settings import CliSettings
from triage.platform.topics import CLEAN, EXTRACTED, RAW
from triage_cli.app import app
from triage_extract.handler import ExtractHandler
from triage_route.handler import RouteHandler

ROOT = Path(__file__).resolve().parents[3]
SAMPLES = sorted((ROOT / "samples/emails").glob("*.eml"))
LEAD = next((ROOT / "samples/emails").glob("0002-*.eml"))
MAILBOX = ROOT / "samples/mailbox.json"
runner = CliRunner()

ONE_RULE = """rules:
  - name: everything_to_ops
    route: {queue: ops_desk, priority: low}
    because: "one rule for all: {intent}"
"""


def process(*args: str, email: Path = LEAD) -> dict:
    result = runner.invoke(app, ["process", str(email), "--mailbox", str(MAILBOX), "--json", *args])
    assert result.exit_code == 0, result.output
    return json.loads(result.stdout)


def test_the_routing_rules_file_the_route_service_reads_decides(tmp_path: Path,
                                                                  monkeypatch: pytest.MonkeyPatch) -> None:
    assert process()["route"]["queue"] != "ops_desk"
    rules = tmp_path / "routing.yaml"
    rules.write_text(ONE_RULE)
    monkeypatch.setenv("TRIAGE_ROUTING_RULES_FILE", str(rules))
    route = process()["route"]
    assert (route["queue"], route["rule"], route["reason"]) == ("ops_desk", "everything_to_ops",
                                                                 "one rule for all: lead")


def test_the_band_thresholds_the_services_read_decide(monkeypatch: pytest.MonkeyPatch) -> None:
    spam = next((ROOT / "samples/emails").glob("0010-*.eml"))  # spam at confidence 0.95
    before = process(email=spam)
    assert before["extraction"]["confidence"] == 0.95 and before["route"]["rule"] == "spam"
    monkeypatch.setenv("TRIAGE_CONFIDENCE_SUGGEST", "0.96")
    monkeypatch.setenv("TRIAGE_CONFIDENCE_AUTO_WRITE", "0.97")
    assert process(email=spam)["route"]["rule"] == "review_band", "the same email, below the configured band"


def test_an_invalid_setting_stops_it_as_it_stops_the_service(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    broken = tmp_path / "routing.yaml"
    broken.write_text("rules: [{name: x}]\n")
    monkeypatch.setenv("TRIAGE_ROUTING_RULES_FILE", str(broken))
    result = runner.invoke(app, ["process", str(LEAD), "--mailbox", str(MAILBOX), "--json"])
    assert result.exit_code != 0 and "invalid routing rules" in str(result.exception)


def test_the_intent_model_setting_is_honoured(monkeypatch: pytest.MonkeyPatch) -> None:
    config = pipeline_config(CliSettings(triage_intent_model=False))
    assert config.intent_model is None
    monkeypatch.setenv("TRIAGE_INTENT_MODEL_PATH", "/nonexistent/model.json")
    result = runner.invoke(app, ["process", str(LEAD), "--mailbox", str(MAILBOX), "--json"])
    assert result.exit_code != 0 and "TRIAGE_INTENT_MODEL_PATH" in str(result.exception)


def inbound(topic: str, value: object) -> Inbound:
    return Inbound(topic=topic, partition=0, offset=0, key=b"t", value=value, headers={}, timestamp_ms=0)


def through_the_services(raw: bytes, mailbox: Mailbox, config: PipelineConfig) -> tuple[ExtractedEmail, RoutedEmail]:
    """The extract handler's two hops, then the route handler's, in-process, on the record the
    ingest intake makes (received at the Date header, as ``triage process`` dates it)."""
    extract = ExtractHandler(mailbox, bands=config.bands, intent_model=config.intent_model)
    record = raw_email(raw, source="local", received_at=EPOCH, max_bytes=len(raw), mailbox=None)
    [clean_out] = extract.handle(inbound(RAW, record))
    clean = clean_out.value.model_copy(update={"received_at": clean_out.value.date or EPOCH})
    [extracted_out] = extract.handle(inbound(CLEAN, clean))
    route = RouteHandler(mailbox, config.rules, changelog=lambda _p: [], window=timedelta(days=7),
                         bands=config.bands, queues=config.queues)
    routed_out = route.handle(inbound(EXTRACTED, extracted_out.value))[0]
    return extracted_out.value, routed_out.value


def test_every_sample_gets_what_the_extract_and_route_handlers_give() -> None:
    mailbox = load_mailbox(MAILBOX.read_text(encoding="utf-8"))
    config = pipeline_config(CliSettings())
    assert SAMPLES
    for path in SAMPLES:
        raw = path.read_bytes()
        result = process_message(raw, mailbox, config=config)
        extracted, routed = through_the_services(raw, mailbox, config)
        assert result.extraction == extracted.extraction, path.name
        assert (result.route.queue, result.route.rule, result.route.reason, result.route.sla_minutes) == (
            routed.queue, routed.rule, routed.reason, routed.sla_minutes), path.name
        assert [(a.action, a.properties) for a in result.crm_actions] == [
            (a.action, a.properties) for a in routed.crm_actions], path.name
