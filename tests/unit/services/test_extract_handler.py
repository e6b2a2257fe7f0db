"""extract: email.raw -> email.clean -> email.extracted, trace context carried hop to hop."""

from __future__ import annotations

import json
import uuid
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from email import policy
from email.message import EmailMessage
from pathlib import Path

import pytest
from prometheus_client import REGISTRY

from tests.support.fake_llm import FakeLlmProvider, chat_tool_call_reply, openai_reply
from triage.domain.extraction.intent_model import IntentWeights, shipped_weights, weights_to_json
from triage.domain.extraction.llm import ground
from triage.domain.extraction.llm_gates import GatePolicy
from triage.domain.intake import raw_email
from triage.domain.models import (
    AuthVerdicts,
    CleanEmail,
    ExtractedEmail,
    Extraction,
    Mailbox,
    RawEmail,
)
from triage.domain.normalize import clean_email
from triage.domain.rules import route_email
from triage.platform.llm import LlmExtractor, LlmOutcome
from triage.platform.runtime import Inbound
from triage.platform.settings import ExtractSettings, load_settings
from triage.platform.topics import CLEAN, EXTRACTED, RAW
from triage_extract.handler import ExtractHandler, LlmBackends
from triage_extract.wiring import build_handler

RECEIVED = datetime(2026, 1, 12, 9, 30, tzinfo=UTC)
TRACE = {
    "traceparent": b"00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01",
    "tracestate": b"lumora=1",
}
LUMORA = Mailbox(
    company="Lumora Analytics",
    domains=["lumora.io"],
    inboxes=["sales@lumora.io"],
    customer_domains=["globex.com"],
    products=["Pipeline Forecaster", "Revenue Radar", "Churn Sentinel"],
)


def lead_message() -> bytes:
    msg = EmailMessage(policy=policy.SMTP)
    msg["From"] = "Jane Doe <jane.doe@acme-robotics.com>"
    msg["To"] = "sales@lumora.io"
    msg["Subject"] = "Demo of Revenue Radar"
    msg["Date"] = "Mon, 12 Jan 2026 09:30:00 +0000"
    msg["Message-ID"] = f"<{uuid.uuid4().hex}@acme-robotics.com>"
    msg.set_content(
        "Hi Lumora team,\n\nWe are evaluating Revenue Radar for our 30-person sales team and "
        "have a budget of $50,000 a year. We want to buy this month. Could we book a demo "
        "next week?\n\nBest regards,\nJane Doe\nHead of Sales, Acme Robotics Inc.\n"
    )
    return msg.as_bytes()


def raw_record() -> RawEmail:
    return raw_email(lead_message(), source="test", received_at=RECEIVED, max_bytes=1 << 20)


def inbound(topic: str, value, headers: dict[str, bytes] | None = None) -> Inbound:
    return Inbound(topic=topic, partition=0, offset=7, key=value.thread_id.encode(), value=value,
                   headers=dict(TRACE) if headers is None else headers, timestamp_ms=0)


def test_a_raw_email_becomes_one_clean_email_keyed_by_thread() -> None:
    raw = raw_record()
    [out] = ExtractHandler(LUMORA).handle(inbound(RAW, raw))
    assert out.topic == CLEAN
    assert out.key == raw.thread_id
    assert isinstance(out.value, CleanEmail)
    assert (out.value.email_id, out.value.thread_id, out.value.mailbox) == (
        raw.email_id, raw.thread_id, "sales@lumora.io")
    assert out.value.subject == "Demo of Revenue Radar"
    assert out.value.from_email == "jane.doe@acme-robotics.com"
    assert "Revenue Radar for our 30-person sales team" in out.value.text
    assert out.value.signature and "Jane Doe" in out.value.signature


def test_a_clean_email_becomes_one_extracted_email_with_the_extraction() -> None:
    clean = clean_email(raw_record())
    [out] = ExtractHandler(LUMORA).handle(inbound(CLEAN, clean))
    assert out.topic == EXTRACTED
    assert out.key == clean.thread_id
    assert isinstance(out.value, ExtractedEmail)
    assert (out.value.email_id, out.value.message_id, out.value.received_at) == (
        clean.email_id, clean.message_id, RECEIVED)
    extraction = out.value.extraction
    assert extraction.intent == "lead"
    assert extraction.person.email == "jane.doe@acme-robotics.com"
    assert extraction.interest.products == ["Revenue Radar"]
    assert extraction.budget.annual_amount_usd == 50_000
    assert out.value.model and out.value.model_version and out.value.decided_by


def test_the_mailbox_given_to_the_handler_decides_what_is_a_product() -> None:
    clean = clean_email(raw_record())
    without_products = LUMORA.model_copy(update={"products": []})
    [out] = ExtractHandler(without_products).handle(inbound(CLEAN, clean))
    assert out.value.extraction.interest.products == []


def test_trace_headers_are_carried_to_email_clean_and_email_extracted_and_nothing_else() -> None:
    handler = ExtractHandler(LUMORA)
    headers = {**TRACE, "triage.attempts": b"3", "x-unrelated": b"y"}
    raw = raw_record()
    [clean_out] = handler.handle(inbound(RAW, raw, headers))
    [extracted_out] = handler.handle(inbound(CLEAN, clean_out.value, headers))
    assert clean_out.headers == TRACE
    assert extracted_out.headers == TRACE


def test_a_record_without_trace_context_gets_no_headers() -> None:
    [out] = ExtractHandler(LUMORA).handle(inbound(RAW, raw_record(), headers={}))
    assert out.headers == {}


# ---------------------------------------------------------------- an LLM backend behind the gates


class FakeLlm(LlmExtractor):
    """The real port, answering from a script: an Extraction, or None (invalid after repair).

    Like the real adapters, it grounds the answer in the email (values without a span are nulled).
    """

    provider = "fake"

    def __init__(self, model: str, *answers: Extraction | None) -> None:
        self.model = model
        self.answers = list(answers)
        self.seen: list[str] = []

    def extract(self, clean: CleanEmail) -> LlmOutcome:
        self.seen.append(clean.email_id)
        extraction = self.answers.pop(0)
        extraction = ground(extraction, clean) if extraction is not None else None
        return LlmOutcome(extraction, self.model, 1000, 100, 0.01, 1 if extraction else 2,
                          None if extraction else "intent: invalid")


def answer(intent: str = "lead", confidence: float = 0.9, action: str = "schedule_demo") -> Extraction:
    return Extraction.model_validate({
        "intent": intent, "person": {"name": "Jane Doe", "email": "jane.doe@acme-robotics.com"},
        "required_action": action, "confidence": confidence, "summary": "Wants a demo.",
    })


class Clock:
    def __init__(self) -> None:
        self.now = RECEIVED

    def __call__(self) -> datetime:
        return self.now


def llm_handler(small: FakeLlm, large: FakeLlm | None = None, clock: Clock | None = None,
                policy: GatePolicy | None = None) -> ExtractHandler:
    return ExtractHandler(LUMORA, llm=LlmBackends(small, large),
                          policy=policy or GatePolicy(),
                          clock=clock or Clock())


def extract(handler: ExtractHandler, clean: CleanEmail, partition: int = 0) -> ExtractedEmail:
    record = Inbound(topic=CLEAN, partition=partition, offset=1, key=clean.thread_id.encode(),
                     value=clean, headers={}, timestamp_ms=0)
    [out] = handler.handle(record)
    assert isinstance(out.value, ExtractedEmail)
    return out.value


def band_count(decided_by: str, band: str) -> float:
    return REGISTRY.get_sample_value(
        "extract_extracted_total", {"decided_by": decided_by, "band": band}) or 0.0


def test_a_lead_goes_to_the_small_model_then_the_large_one_and_both_calls_are_priced() -> None:
    small, large = FakeLlm("small-m", answer("lead", 0.7)), FakeLlm("large-m", answer("lead", 0.95))
    before = band_count("llm_large", "auto_write")

    out = extract(llm_handler(small, large), clean_email(raw_record()))

    assert (out.decided_by, out.model, out.model_version) == ("llm_large", "large-m", "fake")
    assert out.extraction.confidence == 0.95
    assert (out.tokens_in, out.tokens_out, out.cost_usd) == (2000, 200, 0.02)
    assert len(small.seen) == len(large.seen) == 1
    assert band_count("llm_large", "auto_write") == before + 1


def test_a_vendor_pitch_stays_with_the_small_model() -> None:
    small, large = FakeLlm("small-m", answer("vendor", 0.8, "ignore")), FakeLlm("large-m")

    out = extract(llm_handler(small, large), clean_email(raw_record()))

    assert (out.decided_by, out.model, out.extraction.intent) == ("llm_small", "small-m", "vendor")
    assert (out.tokens_in, out.cost_usd) == (1000, 0.01)
    assert large.seen == []


def test_the_large_model_intents_are_configurable() -> None:
    small, large = FakeLlm("small-m", answer("lead")), FakeLlm("large-m")
    handler = llm_handler(small, large, policy=GatePolicy(large_model_intents=frozenset({"support"})))

    assert extract(handler, clean_email(raw_record())).decided_by == "llm_small"
    assert large.seen == []


def test_invalid_llm_output_goes_to_human_review_with_the_local_fields_not_to_the_dlq() -> None:
    small, large = FakeLlm("small-m", None), FakeLlm("large-m")
    clean = clean_email(raw_record()).model_copy(update={
        "text": "We are evaluating Revenue Radar for our sales team, budget $50,000 a year. "
                "Could you send us your pricing?"})

    out = extract(llm_handler(small, large), clean)

    assert (out.decided_by, out.model, out.extraction.confidence) == ("llm_invalid", "local-rules", 0.0)
    assert out.extraction.intent == "lead" and out.extraction.budget.annual_amount_usd == 50_000
    assert (out.tokens_in, out.cost_usd) == (1000, 0.01)  # the failed call still cost money
    assert large.seen == []
    decision = route_email(out, LUMORA)
    assert (decision.queue, decision.rule) == ("human_review", "invalid_extraction")


def test_an_invalid_answer_goes_to_human_review_even_when_the_local_guess_is_a_hot_lead() -> None:
    """invalid_extraction is the first routing rule (triage/config/routing.yaml)."""
    out = extract(llm_handler(FakeLlm("small-m", None)), clean_email(raw_record()))

    assert (out.decided_by, out.extraction.timeline) == ("llm_invalid", "now")
    decision = route_email(out, LUMORA)
    assert (decision.rule, decision.queue) == ("invalid_extraction", "human_review")
    assert "failed validation" in decision.reason


def test_an_invalid_large_answer_leaves_the_small_models_valid_one() -> None:
    small, large = FakeLlm("small-m", answer("lead", 0.7)), FakeLlm("large-m", None)

    out = extract(llm_handler(small, large), clean_email(raw_record()))

    assert (out.decided_by, out.model, out.extraction.confidence) == ("llm_small", "small-m", 0.7)
    assert (out.tokens_in, out.cost_usd) == (2000, 0.02)


def test_dkim_failure_makes_no_llm_call() -> None:
    small = FakeLlm("small-m")
    clean = clean_email(raw_record()).model_copy(update={"auth": AuthVerdicts(dkim="fail")})

    out = extract(llm_handler(small), clean)

    assert (out.decided_by, out.model, out.cost_usd, out.tokens_in) == ("auth_fail", "local-rules", 0.0, 0)
    assert small.seen == []


def test_a_blocklisted_sender_makes_no_llm_call() -> None:
    small = FakeLlm("small-m")
    handler = llm_handler(small, policy=GatePolicy(blocklist=frozenset({"acme-robotics.com"})))

    assert extract(handler, clean_email(raw_record())).decided_by == "blocklist"
    assert small.seen == []


def test_a_short_message_makes_no_llm_call_and_gets_low_confidence() -> None:
    small = FakeLlm("small-m")
    clean = clean_email(raw_record()).model_copy(update={"text": "Tuesday works, thanks!"})

    out = extract(llm_handler(small), clean)

    assert out.decided_by == "short_message" and out.extraction.confidence <= 0.4
    assert small.seen == []


def test_a_thread_classified_in_the_last_24_hours_is_reused_once_its_batch_committed() -> None:
    clock = Clock()
    small, large = FakeLlm("small-m", answer("lead", 0.8), answer("lead")), FakeLlm("l")
    handler = llm_handler(small, large, clock, GatePolicy(large_model_intents=frozenset()))
    first = clean_email(raw_record())
    reply = first.model_copy(update={"email_id": "reply-1"})

    extract(handler, first)
    handler.committed()
    clock.now += timedelta(hours=23)
    out = extract(handler, reply)

    assert (out.decided_by, out.extraction.intent, out.extraction.confidence) == ("thread_reuse", "lead", 0.8)
    assert out.cost_usd == 0.0 and small.seen == [first.email_id]

    clock.now += timedelta(hours=2)  # 25 hours after the classification
    assert extract(handler, reply.model_copy(update={"email_id": "reply-2"})).decided_by == "llm_small"


def test_an_aborted_batch_feeds_nothing_other_partitions_do_not_share_revoked_ones_forget() -> None:
    small = FakeLlm("small-m", *[answer("lead", 0.8)] * 4)
    handler = llm_handler(small)
    first = clean_email(raw_record())

    extract(handler, first)
    handler.discard()
    assert extract(handler, first.model_copy(update={"email_id": "r1"})).decided_by == "llm_small"
    handler.committed()
    assert extract(handler, first.model_copy(update={"email_id": "r2"}), partition=1).decided_by == "llm_small"
    handler.discard()
    assert extract(handler, first.model_copy(update={"email_id": "r3"})).decided_by == "thread_reuse"
    handler.revoked({CLEAN: [0]})
    assert extract(handler, first.model_copy(update={"email_id": "r4"})).decided_by == "llm_small"
    assert small.seen == [first.email_id, "r1", "r2", "r4"]


def test_within_one_batch_a_thread_is_reused_before_the_commit() -> None:
    small = FakeLlm("small-m", answer("lead", 0.8))
    handler = llm_handler(small)
    first = clean_email(raw_record())

    extract(handler, first)

    assert extract(handler, first.model_copy(update={"email_id": "r1"})).decided_by == "thread_reuse"


def test_without_an_llm_backend_the_gates_do_not_apply() -> None:
    clean = clean_email(raw_record()).model_copy(update={"auth": AuthVerdicts(dkim="fail")})
    out = extract(ExtractHandler(LUMORA), clean)
    assert out.decided_by not in ("auth_fail", "llm_invalid") and out.cost_usd == 0.0


# ---------------------------------------------------------------- wiring from settings


@pytest.fixture
def provider() -> Iterator[FakeLlmProvider]:
    server = FakeLlmProvider()
    yield server
    server.close()


LLM_ENV = {
    "TRIAGE_EXTRACTOR": "openai",
    "TRIAGE_LLM_API_KEY": "test-key",
    "TRIAGE_LLM_SMALL_MODEL": "gpt-small",
    "TRIAGE_LLM_LARGE_MODEL": "gpt-large",
    "TRIAGE_LLM_PRICES": json.dumps({"gpt-small": {"input": 0.4, "output": 1.6},
                                     "gpt-large": {"input": 2.0, "output": 8.0}}),
    "TRIAGE_LLM_MAX_RETRIES": "0",
}


def settings_from_env(monkeypatch: pytest.MonkeyPatch, **env: str) -> ExtractSettings:
    for name, value in env.items():
        monkeypatch.setenv(name, value)
    return load_settings(ExtractSettings)


def test_a_handler_built_from_settings_calls_the_configured_openai_server(
    provider: FakeLlmProvider, monkeypatch: pytest.MonkeyPatch
) -> None:
    tool_call = json.dumps({
        "intent": "lead", "person": {"name": "Jane Doe", "email": "jane.doe@acme-robotics.com"},
        "company": {"name": "Acme Robotics Inc.", "domain": "acme-robotics.com"},
        "interest": {"products": ["Revenue Radar"]}, "budget": {"annual_amount_usd": 50000},
        "timeline": "now", "region": None, "summary": "Wants a Revenue Radar demo.",
        "required_action": "schedule_demo", "confidence": 0.92,
    })
    provider.replies = [openai_reply(tool_call), openai_reply(tool_call)]
    settings = settings_from_env(monkeypatch, **LLM_ENV, TRIAGE_LLM_BASE_URL=f"{provider.url}/v1")

    out = extract(build_handler(settings), clean_email(raw_record()))

    assert [(r["path"], r["model"]) for r in provider.requests] == [
        ("/v1/responses", "gpt-small"), ("/v1/responses", "gpt-large")]
    assert (out.decided_by, out.model, out.model_version) == ("llm_large", "gpt-large", "openai")
    assert out.extraction.company.name == "Acme Robotics Inc."
    assert out.extraction.budget.annual_amount_usd == 50_000
    # each reply reports 1000 tokens in, 100 out: small at 0.4/1.6, large at 2/8 USD per 1M
    assert (out.tokens_in, out.tokens_out) == (2000, 200)
    assert out.cost_usd == pytest.approx((1000 * 0.4 + 100 * 1.6 + 1000 * 2.0 + 100 * 8.0) / 1e6)


def test_with_the_chat_api_the_handler_calls_chat_completions_with_the_same_gates_and_costs(
    provider: FakeLlmProvider, monkeypatch: pytest.MonkeyPatch
) -> None:
    """TRIAGE_LLM_API=chat: a self-hosted server's protocol, same escalation, pricing, grounding."""
    tool_call = json.dumps({
        "intent": "lead", "person": {"name": "Jane Doe", "email": "jane.doe@acme-robotics.com"},
        "company": {"name": "Megacorp", "domain": "acme-robotics.com"},
        "interest": {"products": ["Revenue Radar"]}, "budget": {"annual_amount_usd": 50000},
        "timeline": "now", "region": None, "summary": "Wants a Revenue Radar demo.",
        "required_action": "schedule_demo", "confidence": 0.92,
    })
    provider.replies = [chat_tool_call_reply(tool_call), chat_tool_call_reply(tool_call)]
    settings = settings_from_env(monkeypatch, **LLM_ENV, TRIAGE_LLM_API="chat",
                                 TRIAGE_LLM_BASE_URL=f"{provider.url}/v1")

    out = extract(build_handler(settings), clean_email(raw_record()))

    assert [(r["path"], r["model"]) for r in provider.requests] == [
        ("/v1/chat/completions", "gpt-small"), ("/v1/chat/completions", "gpt-large")]
    assert (out.decided_by, out.model, out.model_version) == ("llm_large", "gpt-large", "openai")
    assert out.extraction.company.name is None  # not in the email: grounding nulls it
    assert (out.tokens_in, out.tokens_out) == (2000, 200)
    assert out.cost_usd == pytest.approx((1000 * 0.4 + 100 * 1.6 + 1000 * 2.0 + 100 * 8.0) / 1e6)


def test_the_docs_local_ollama_recipe_builds_a_free_chat_backend(
    provider: FakeLlmProvider, monkeypatch: pytest.MonkeyPatch
) -> None:
    """docs/extraction.md's Ollama variables (base URL aside): accepted, priced at zero, counted."""
    for name in ("TRIAGE_LLM_LARGE_MODEL", "TRIAGE_LLM_MAX_RETRIES"):
        monkeypatch.delenv(name, raising=False)
    provider.replies = [chat_tool_call_reply(json.dumps({
        "intent": "support", "person": {"name": None, "email": None}, "company": {"name": None, "domain": None},
        "interest": {"products": []}, "budget": {"annual_amount_usd": None}, "timeline": "unknown",
        "region": None, "summary": "A question.", "required_action": "forward_support", "confidence": 0.8,
    }))]
    settings = settings_from_env(
        monkeypatch, TRIAGE_EXTRACTOR="openai", TRIAGE_LLM_API="chat",
        TRIAGE_LLM_BASE_URL=f"{provider.url}/v1", TRIAGE_LLM_API_KEY=uuid.uuid4().hex,
        TRIAGE_LLM_SMALL_MODEL="qwen2.5:7b", TRIAGE_LLM_PRICES='{"qwen2.5:7b": {"input": 0, "output": 0}}',
        TRIAGE_LLM_TIMEOUT_S="120",
    )

    out = extract(build_handler(settings), clean_email(raw_record()))

    assert provider.requests[0]["path"] == "/v1/chat/completions"
    assert (out.decided_by, out.model, out.tokens_in, out.tokens_out) == ("llm_small", "qwen2.5:7b", 1000, 100)
    assert out.cost_usd == 0.0


def test_the_local_extractor_is_the_default(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("TRIAGE_EXTRACTOR", raising=False)
    assert build_handler(load_settings(ExtractSettings)).llm is None


def test_the_intent_model_gates_by_default_and_can_be_switched_off(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("TRIAGE_INTENT_MODEL", raising=False)
    assert build_handler(load_settings(ExtractSettings)).intent_model is shipped_weights() is not None
    assert build_handler(settings_from_env(monkeypatch, TRIAGE_INTENT_MODEL="off")).intent_model is None


def test_a_model_at_triage_intent_model_path_is_the_one_the_handler_decides_with(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    trained = IntentWeights(("lead", "spam"), (0.5, -0.5), {"w:zorblax": (1.0, -1.0)}, 0.8)
    (tmp_path / "model.json").write_text(weights_to_json(trained, {"n_corrections": 3}), encoding="utf-8")

    handler = build_handler(settings_from_env(monkeypatch, TRIAGE_INTENT_MODEL_PATH=str(tmp_path / "model.json")))

    assert handler.intent_model == trained


def test_an_unreadable_model_path_stops_start_up_naming_the_variable(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    (tmp_path / "model.json").write_text("{not json", encoding="utf-8")

    for path in (tmp_path / "model.json", tmp_path / "missing.json"):
        with pytest.raises(SystemExit, match="TRIAGE_INTENT_MODEL_PATH="):
            build_handler(settings_from_env(monkeypatch, TRIAGE_INTENT_MODEL_PATH=str(path)))


@pytest.mark.parametrize(
    ("drop", "extra", "message"),
    [
        ("TRIAGE_LLM_API_KEY", {}, "TRIAGE_LLM_API_KEY"),
        ("TRIAGE_LLM_SMALL_MODEL", {}, "TRIAGE_LLM_SMALL_MODEL"),
        ("TRIAGE_LLM_PRICES", {}, "no price for gpt-small, gpt-large"),
        (None, {"TRIAGE_LLM_PRICES": "{not json"}, "not a valid price table"),
        (None, {"TRIAGE_LLM_PRICES": '{"gpt-small": {"input": 1}}'}, "not a valid price table"),
        (None, {"TRIAGE_CONFIDENCE_SUGGEST": "0.9"}, "TRIAGE_CONFIDENCE_"),
        (None, {"TRIAGE_EXTRACTOR": "anthropic", "TRIAGE_LLM_API": "chat"}, "TRIAGE_LLM_API=chat"),
    ],
)
def test_a_provider_without_what_it_needs_stops_start_up(
    monkeypatch: pytest.MonkeyPatch, drop: str | None, extra: dict[str, str], message: str
) -> None:
    env = {name: value for name, value in LLM_ENV.items() if name != drop}
    if drop:
        monkeypatch.delenv(drop, raising=False)
    with pytest.raises(SystemExit, match=message):
        build_handler(settings_from_env(monkeypatch, **{**env, **extra}))


def test_the_gates_come_from_settings(monkeypatch: pytest.MonkeyPatch) -> None:
    settings = settings_from_env(
        monkeypatch, **LLM_ENV, TRIAGE_LLM_SENDER_BLOCKLIST="junk.example, Bad@X.io",
        TRIAGE_LLM_LARGE_MODEL_INTENTS="lead", TRIAGE_THREAD_REUSE_HOURS="2",
        TRIAGE_LLM_MIN_WORDS="4", TRIAGE_CONFIDENCE_AUTO_WRITE="0.9",
    )
    handler = build_handler(settings)
    assert handler.policy.blocklist == {"junk.example", "bad@x.io"}
    assert handler.policy.large_model_intents == {"lead"}
    assert handler.policy.reuse_within == timedelta(hours=2)
    assert handler.policy.min_words == 4
    assert (handler.bands.auto_write, handler.bands.suggest) == (0.9, 0.6)
    assert handler.llm is not None and handler.llm.large is not None
    assert (handler.llm.small.model, handler.llm.large.model) == ("gpt-small", "gpt-large")


def test_an_answer_the_local_extractor_contradicts_is_capped_at_suggest_and_not_reused() -> None:
    """ADR 0015: the lead message answered "vendor" at 0.99 is not auto_write, nor a thread's verdict."""
    small = FakeLlm("small-m", answer("vendor", 0.99, "ignore"), answer("vendor", 0.99, "ignore"))
    handler = llm_handler(small)
    first = clean_email(raw_record())
    before = band_count("llm_small", "suggest")

    out = extract(handler, first)
    handler.committed()

    assert (out.band_cap, out.extraction.confidence) == ("suggest", 0.99)
    assert out.band_cap_reason.startswith("the local extractor says lead")
    assert band_count("llm_small", "suggest") == before + 1
    assert extract(handler, first.model_copy(update={"email_id": "r1"})).decided_by == "llm_small"


def test_a_raw_record_that_is_no_email_is_flagged_and_never_sent_to_the_llm() -> None:
    small = FakeLlm("small-m")
    raw = b"\x7fELF\x02\x01\x01" + bytes(64)
    record = raw_record().model_copy(update={"raw": raw, "size_bytes": len(raw)})
    [clean_out] = ExtractHandler(LUMORA).handle(inbound(RAW, record))

    out = extract(llm_handler(small), clean_out.value)

    assert "not_an_email: binary data" in clean_out.value.defects
    assert (out.decided_by, out.extraction.confidence, out.band_cap) == ("not_an_email", 0.0, "review")
    assert small.seen == []
