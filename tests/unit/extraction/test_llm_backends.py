"""The OpenAI (Responses and Chat Completions) and Anthropic extractors through the real SDKs,
against a local HTTP server that answers in each provider's wire format (issue 5, point 7;
Chat Completions: point 5, ADR 0016)."""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path

import anthropic
import openai
import pytest
from typer.testing import CliRunner, Result

from tests.support.fake_llm import (
    FakeLlmProvider,
    Reply,
    anthropic_reply,
    chat_text_reply,
    chat_tool_call_reply,
    openai_reply,
    rate_limited,
    server_error,
)
from tests.unit.extraction.answers import valid_arguments
from triage.domain.models import CleanEmail
from triage.domain.pipeline import EPOCH
from triage.platform.llm import AnthropicExtractor, OpenAIChatExtractor, OpenAIExtractor, Prices
from triage_cli.app import app

PRICES = Prices(input_per_mtok=2.0, output_per_mtok=8.0)
EMAIL = CleanEmail(
    email_id="e",
    thread_id="t",
    mailbox="sales@lumora.io",
    received_at=EPOCH,
    from_name="Jane Doe",
    from_email="jane@globex-robotics.com",
    subject="Revenue Radar demo",
    text="We'd like a demo of Revenue Radar; our budget is $4,500 per month.",
    signature="Jane Doe\nGlobex Robotics Ltd\nAustin, TX",
)
GOOD = valid_arguments()


@pytest.fixture
def provider() -> Iterator[FakeLlmProvider]:
    server = FakeLlmProvider()
    yield server
    server.close()


def openai_extractor(provider: FakeLlmProvider, retries: int = 0, timeout: float = 5) -> OpenAIExtractor:
    client = openai.OpenAI(
        api_key="test", base_url=f"{provider.url}/v1", max_retries=retries, timeout=timeout
    )
    return OpenAIExtractor(client, "gpt-test", PRICES)


def chat_extractor(provider: FakeLlmProvider, retries: int = 0, timeout: float = 5) -> OpenAIChatExtractor:
    client = openai.OpenAI(
        api_key="test", base_url=f"{provider.url}/v1", max_retries=retries, timeout=timeout
    )
    return OpenAIChatExtractor(client, "local-model", PRICES)


def anthropic_extractor(provider: FakeLlmProvider, retries: int = 0) -> AnthropicExtractor:
    client = anthropic.Anthropic(api_key="test", base_url=provider.url, max_retries=retries)
    return AnthropicExtractor(client, "claude-test", PRICES)


def test_openai_a_correct_strict_tool_call(provider: FakeLlmProvider) -> None:
    provider.replies = [openai_reply(json.dumps(GOOD))]

    outcome = openai_extractor(provider).extract(EMAIL)

    assert outcome.extraction is not None and outcome.extraction.budget.annual_amount_usd == 54000
    assert (outcome.tokens_in, outcome.tokens_out, outcome.attempts) == (1000, 100, 1)
    assert outcome.cost_usd == pytest.approx((1000 * 2.0 + 100 * 8.0) / 1e6)
    request = provider.requests[0]
    assert request["path"] == "/v1/responses"
    assert request["tools"][0]["strict"] is True
    assert request["tool_choice"] == {"type": "function", "name": "record_extraction"}
    assert "Do not invent values." in request["instructions"]


def test_openai_malformed_arguments_get_one_repair(provider: FakeLlmProvider) -> None:
    provider.replies = [openai_reply('{"intent": "lead", '), openai_reply(json.dumps(GOOD))]

    outcome = openai_extractor(provider).extract(EMAIL)

    assert outcome.extraction is not None and outcome.attempts == 2
    assert "invalid" in provider.requests[1]["input"][-1]["content"]
    assert outcome.tokens_in == 2000


def test_openai_still_invalid_after_the_repair_goes_to_human_review(provider: FakeLlmProvider) -> None:
    bad = json.dumps({**GOOD, "intent": "hot_lead"})
    provider.replies = [openai_reply(bad), openai_reply(bad)]

    outcome = openai_extractor(provider).extract(EMAIL)

    assert outcome.extraction is None and "intent" in (outcome.error or "")


def test_openai_invented_values_are_nulled(provider: FakeLlmProvider) -> None:
    invented = {
        **GOOD,
        "company": {"name": "Megacorp", "domain": "megacorp.com"},
        "budget": {"annual_amount_usd": 1_000_000},
    }
    provider.replies = [openai_reply(json.dumps(invented))]

    extraction = openai_extractor(provider).extract(EMAIL).extraction

    assert extraction is not None
    assert extraction.company.name is None and extraction.company.domain is None
    assert extraction.budget.annual_amount_usd is None


def test_openai_429_is_retried_after_retry_after(provider: FakeLlmProvider) -> None:
    provider.replies = [rate_limited("0"), openai_reply(json.dumps(GOOD))]

    outcome = openai_extractor(provider, retries=2).extract(EMAIL)

    assert outcome.extraction is not None and len(provider.requests) == 2


def test_openai_500_is_raised_when_the_retries_are_spent(provider: FakeLlmProvider) -> None:
    provider.replies = [server_error(), server_error()]

    with pytest.raises(openai.InternalServerError):
        openai_extractor(provider, retries=1).extract(EMAIL)
    assert len(provider.requests) == 2


def test_openai_a_timeout_is_raised(provider: FakeLlmProvider) -> None:
    provider.replies = [Reply(delay=1.0, body={})]

    with pytest.raises(openai.APITimeoutError):
        openai_extractor(provider, timeout=0.2).extract(EMAIL)


# ---------------------------------------------------------------- Chat Completions (TRIAGE_LLM_API=chat)


def test_chat_a_correct_strict_tool_call(provider: FakeLlmProvider) -> None:
    provider.replies = [chat_tool_call_reply(json.dumps(GOOD))]

    outcome = chat_extractor(provider).extract(EMAIL)

    assert outcome.extraction is not None and outcome.extraction.budget.annual_amount_usd == 54000
    assert outcome.extraction.evidence  # grounded, as on the Responses path
    assert (outcome.model, outcome.tokens_in, outcome.tokens_out, outcome.attempts) == (
        "local-model", 1000, 100, 1)
    assert outcome.cost_usd == pytest.approx((1000 * 2.0 + 100 * 8.0) / 1e6)
    request = provider.requests[0]
    assert request["path"] == "/v1/chat/completions"
    assert request["messages"][0]["role"] == "system"
    assert "Do not invent values." in request["messages"][0]["content"]
    assert request["messages"][1]["role"] == "user" and "Revenue Radar" in request["messages"][1]["content"]
    function = request["tools"][0]["function"]
    assert request["tools"][0]["type"] == "function" and function["strict"] is True
    assert function["parameters"]["additionalProperties"] is False
    assert request["tool_choice"] == {"type": "function", "function": {"name": "record_extraction"}}


def test_chat_malformed_arguments_get_one_repair(provider: FakeLlmProvider) -> None:
    provider.replies = [chat_tool_call_reply('{"intent": "lead", '), chat_tool_call_reply(json.dumps(GOOD))]

    outcome = chat_extractor(provider).extract(EMAIL)

    assert outcome.extraction is not None and outcome.attempts == 2
    repair = provider.requests[1]["messages"][-1]
    assert repair["role"] == "user" and "arguments are not JSON" in repair["content"]
    assert (outcome.tokens_in, outcome.tokens_out) == (2000, 200)


def test_chat_a_plain_text_answer_gets_one_repair(provider: FakeLlmProvider) -> None:
    """Ollama and llama.cpp's server may not enforce tool_choice: a text answer is no tool call."""
    provider.replies = [chat_text_reply("Sure! This looks like a lead."), chat_tool_call_reply(json.dumps(GOOD))]

    outcome = chat_extractor(provider).extract(EMAIL)

    assert outcome.extraction is not None and outcome.attempts == 2
    assert "no record_extraction call" in provider.requests[1]["messages"][-1]["content"]


def test_chat_still_invalid_after_the_repair_goes_to_human_review_and_is_paid_for(
    provider: FakeLlmProvider,
) -> None:
    provider.replies = [chat_text_reply("A lead."), chat_tool_call_reply(json.dumps({**GOOD, "intent": "hot_lead"}))]

    outcome = chat_extractor(provider).extract(EMAIL)

    assert outcome.extraction is None and "intent" in (outcome.error or "")
    assert outcome.cost_usd == pytest.approx(2 * (1000 * 2.0 + 100 * 8.0) / 1e6)


def test_chat_invented_values_are_nulled(provider: FakeLlmProvider) -> None:
    invented = {**GOOD, "company": {"name": "Megacorp", "domain": "megacorp.com"},
                "budget": {"annual_amount_usd": 1_000_000}}
    provider.replies = [chat_tool_call_reply(json.dumps(invented))]

    extraction = chat_extractor(provider).extract(EMAIL).extraction

    assert extraction is not None
    assert extraction.company.name is None and extraction.budget.annual_amount_usd is None


def test_chat_arguments_sent_as_an_object_and_a_missing_usage_are_taken_as_they_come(
    provider: FakeLlmProvider,
) -> None:
    """Some servers send ``arguments`` as a JSON object, or no ``usage``: valid, counted as 0 tokens."""
    reply = chat_tool_call_reply("")
    reply.body["choices"][0]["message"]["tool_calls"][0]["function"]["arguments"] = GOOD  # type: ignore[index]
    del reply.body["usage"]  # type: ignore[union-attr]
    provider.replies = [reply]

    outcome = chat_extractor(provider).extract(EMAIL)

    assert outcome.extraction is not None and outcome.attempts == 1
    assert (outcome.tokens_in, outcome.tokens_out, outcome.cost_usd) == (0, 0, 0.0)


def test_chat_429_is_retried_after_retry_after(provider: FakeLlmProvider) -> None:
    provider.replies = [rate_limited("0"), chat_tool_call_reply(json.dumps(GOOD))]

    outcome = chat_extractor(provider, retries=2).extract(EMAIL)

    assert outcome.extraction is not None and len(provider.requests) == 2


def test_chat_429_is_raised_with_openais_error_when_the_retries_are_spent(provider: FakeLlmProvider) -> None:
    provider.replies = [rate_limited("0"), rate_limited("0")]

    with pytest.raises(openai.RateLimitError) as raised:
        chat_extractor(provider, retries=1).extract(EMAIL)
    assert raised.value.code == "rate_limit_exceeded" and len(provider.requests) == 2


def test_chat_500_is_raised_when_the_retries_are_spent(provider: FakeLlmProvider) -> None:
    provider.replies = [server_error(), server_error()]

    with pytest.raises(openai.InternalServerError) as raised:
        chat_extractor(provider, retries=1).extract(EMAIL)
    assert raised.value.type == "server_error" and len(provider.requests) == 2


def test_chat_a_timeout_is_raised(provider: FakeLlmProvider) -> None:
    provider.replies = [Reply(delay=1.0, body={})]

    with pytest.raises(openai.APITimeoutError):
        chat_extractor(provider, timeout=0.2).extract(EMAIL)


def test_the_fake_refuses_a_tool_choice_naming_a_tool_not_sent(provider: FakeLlmProvider) -> None:
    """The fake checks what OpenAI checks, so a malformed request of ours would fail too."""
    client = openai.OpenAI(api_key="test", base_url=f"{provider.url}/v1", max_retries=0)

    with pytest.raises(openai.BadRequestError, match="tool_choice"):
        client.chat.completions.create(
            model="m", messages=[{"role": "user", "content": "hi"}],
            tools=[{"type": "function", "function": {"name": "a", "parameters": {"type": "object"}}}],
            tool_choice={"type": "function", "function": {"name": "b"}},
        )
    assert provider.replies == []  # refused before any scripted answer was taken


# ---------------------------------------------------------------- Anthropic Messages


def test_anthropic_a_correct_tool_call(provider: FakeLlmProvider) -> None:
    provider.replies = [anthropic_reply(GOOD)]

    outcome = anthropic_extractor(provider).extract(EMAIL)

    assert outcome.extraction is not None and outcome.extraction.person.name == "Jane Doe"
    request = provider.requests[0]
    assert request["path"] == "/v1/messages"
    assert request["tool_choice"] == {"type": "tool", "name": "record_extraction"}
    assert request["tools"][0]["input_schema"]["additionalProperties"] is False


def test_anthropic_invalid_input_gets_one_repair_then_invented_values_are_nulled(
    provider: FakeLlmProvider,
) -> None:
    invented = {**GOOD, "person": {"name": "Jane Doe", "email": "boss@megacorp.com"}}
    provider.replies = [anthropic_reply({"intent": "lead"}), anthropic_reply(invented)]

    outcome = anthropic_extractor(provider).extract(EMAIL)

    assert outcome.attempts == 2 and outcome.extraction is not None
    assert outcome.extraction.person.email is None


def test_anthropic_429_is_retried_and_500_raised_when_the_retries_are_spent(
    provider: FakeLlmProvider,
) -> None:
    provider.replies = [rate_limited("0"), server_error()]

    with pytest.raises(anthropic.InternalServerError):
        anthropic_extractor(provider, retries=1).extract(EMAIL)
    assert len(provider.requests) == 2


# ---------------------------------------------------------------- triage eval


@pytest.fixture
def gold(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> tuple[Path, dict[str, object]]:
    """A one-email gold set, and the tool call that scores it perfectly; no LLM variables set."""
    for name in ("TRIAGE_LLM_API_KEY", "OPENAI_API_KEY", "ANTHROPIC_API_KEY", "TRIAGE_LLM_API",
                 "TRIAGE_LLM_BASE_URL", "TRIAGE_LLM_SMALL_MODEL", "TRIAGE_LLM_MAX_RETRIES"):  # fmt: skip
        monkeypatch.delenv(name, raising=False)
    samples = Path(__file__).resolve().parents[3] / "samples"
    label = json.loads((samples / "labels.jsonl").read_text(encoding="utf-8").splitlines()[1])
    (tmp_path / "emails").mkdir()
    (tmp_path / "mailbox.json").write_text((samples / "mailbox.json").read_text())
    (tmp_path / "labels.jsonl").write_text(json.dumps(label) + "\n")
    eml = (samples / "emails" / f"{label['id']}.eml").read_bytes()
    (tmp_path / "emails" / f"{label['id']}.eml").write_bytes(eml)
    return tmp_path, {**GOOD, "person": label["person"], "company": label["company"]}


def run_eval(folder: Path, *options: str) -> Result:
    return CliRunner().invoke(app, ["eval", "--gold", str(folder), "--json", "--extractor", "openai", *options])


def assert_perfect(result: Result) -> None:
    assert result.exit_code == 0, result.output
    report = json.loads(result.stdout)
    assert report["n"] == 1 and report["intent_accuracy"] == 1.0
    assert report["person_email_f1"] == 1.0


def test_triage_eval_scores_the_openai_extractor_with_the_services_key(
    provider: FakeLlmProvider, gold: tuple[Path, dict[str, object]], monkeypatch: pytest.MonkeyPatch
) -> None:
    folder, answer = gold
    provider.replies = [openai_reply(json.dumps(answer))]
    monkeypatch.setenv("TRIAGE_LLM_API_KEY", "test")

    result = run_eval(folder, "--model", "m", "--base-url", f"{provider.url}/v1")

    assert_perfect(result)
    assert provider.requests[0]["path"] == "/v1/responses"
    assert "deprecated" not in result.stderr


def test_triage_eval_honours_the_services_chat_api_setting(
    provider: FakeLlmProvider, gold: tuple[Path, dict[str, object]], monkeypatch: pytest.MonkeyPatch
) -> None:
    """TRIAGE_LLM_API, TRIAGE_LLM_BASE_URL and TRIAGE_LLM_SMALL_MODEL, as the extract service reads them."""
    folder, answer = gold
    provider.replies = [chat_tool_call_reply(json.dumps(answer))]
    for name, value in {"TRIAGE_LLM_API_KEY": "test", "TRIAGE_LLM_API": "chat",
                        "TRIAGE_LLM_BASE_URL": f"{provider.url}/v1",
                        "TRIAGE_LLM_SMALL_MODEL": "llama3.1:8b"}.items():  # fmt: skip
        monkeypatch.setenv(name, value)

    assert_perfect(run_eval(folder))
    assert [(r["path"], r["model"]) for r in provider.requests] == [("/v1/chat/completions", "llama3.1:8b")]


def test_triage_eval_api_option_wins_over_the_setting(
    provider: FakeLlmProvider, gold: tuple[Path, dict[str, object]], monkeypatch: pytest.MonkeyPatch
) -> None:
    folder, answer = gold
    provider.replies = [chat_tool_call_reply(json.dumps(answer))]
    monkeypatch.setenv("TRIAGE_LLM_API_KEY", "test")
    monkeypatch.setenv("TRIAGE_LLM_API", "responses")

    assert_perfect(run_eval(folder, "--model", "m", "--api", "chat", "--base-url", f"{provider.url}/v1"))
    assert provider.requests[0]["path"] == "/v1/chat/completions"


def test_triage_eval_still_takes_openai_api_key_with_a_deprecation_note(
    provider: FakeLlmProvider, gold: tuple[Path, dict[str, object]], monkeypatch: pytest.MonkeyPatch
) -> None:
    folder, answer = gold
    provider.replies = [openai_reply(json.dumps(answer))]
    monkeypatch.setenv("OPENAI_API_KEY", "test")

    result = run_eval(folder, "--model", "m", "--base-url", f"{provider.url}/v1")

    assert_perfect(result)
    assert "OPENAI_API_KEY is deprecated" in result.stderr and "TRIAGE_LLM_API_KEY" in result.stderr


def test_triage_eval_without_a_key_stops_with_exit_2_before_any_call(
    provider: FakeLlmProvider, gold: tuple[Path, dict[str, object]]
) -> None:
    result = run_eval(gold[0], "--model", "m", "--base-url", f"{provider.url}/v1")

    assert result.exit_code == 2 and "needs TRIAGE_LLM_API_KEY" in result.stderr
    assert provider.requests == []
