"""The OpenAI and Anthropic extractors through the real SDKs, against a local HTTP server
that answers in each provider's wire format (issue 5, point 7)."""

from __future__ import annotations

import contextlib
import json
import threading
import time
from collections.abc import Iterator
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

import anthropic
import openai
import pytest
from typer.testing import CliRunner

from tests.unit.extraction.answers import valid_arguments
from triage.domain.models import CleanEmail
from triage.domain.pipeline import EPOCH
from triage.platform.llm import AnthropicExtractor, OpenAIExtractor, Prices
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


@dataclass
class Reply:
    status: int = 200
    body: dict[str, Any] | None = None
    headers: dict[str, str] = field(default_factory=dict)
    delay: float = 0.0


class Provider:
    """A scripted provider: each request takes the next reply; requests are recorded."""

    def __init__(self) -> None:
        self.replies: list[Reply] = []
        self.requests: list[dict[str, Any]] = []
        provider = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self) -> None:  # noqa: N802 (http.server's name)
                length = int(self.headers.get("Content-Length", 0))
                provider.requests.append({"path": self.path, **json.loads(self.rfile.read(length))})
                reply = provider.replies.pop(0)
                time.sleep(reply.delay)
                data = json.dumps(reply.body or {"error": {"message": "no"}}).encode()
                self.send_response(reply.status)
                self.send_header("Content-Type", "application/json")
                for name, value in reply.headers.items():
                    self.send_header(name, value)
                self.send_header("Content-Length", str(len(data)))
                self.end_headers()
                with contextlib.suppress(BrokenPipeError):  # the client timed out and left
                    self.wfile.write(data)

            def log_message(self, *args: object) -> None:
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        threading.Thread(target=self.server.serve_forever, args=(0.02,), daemon=True).start()

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.server.server_address[1]}"


@pytest.fixture
def provider() -> Iterator[Provider]:
    server = Provider()
    yield server
    server.server.shutdown()


def openai_reply(arguments: str) -> Reply:
    return Reply(
        body={
            "id": "resp_1",
            "object": "response",
            "created_at": 1767225600,
            "status": "completed",
            "model": "gpt-test",
            "output": [
                {
                    "type": "function_call",
                    "id": "fc_1",
                    "call_id": "call_1",
                    "name": "record_extraction",
                    "arguments": arguments,
                    "status": "completed",
                }
            ],
            "parallel_tool_calls": True,
            "tool_choice": {"type": "function", "name": "record_extraction"},
            "tools": [],
            "usage": {"input_tokens": 1000, "output_tokens": 100, "total_tokens": 1100},
        }
    )


def anthropic_reply(tool_input: dict[str, Any]) -> Reply:
    return Reply(
        body={
            "id": "msg_1",
            "type": "message",
            "role": "assistant",
            "model": "claude-test",
            "content": [
                {
                    "type": "tool_use",
                    "id": "toolu_1",
                    "name": "record_extraction",
                    "input": tool_input,
                }
            ],
            "stop_reason": "tool_use",
            "stop_sequence": None,
            "usage": {"input_tokens": 1000, "output_tokens": 100},
        }
    )


def openai_extractor(provider: Provider, retries: int = 0, timeout: float = 5) -> OpenAIExtractor:
    client = openai.OpenAI(
        api_key="test", base_url=f"{provider.url}/v1", max_retries=retries, timeout=timeout
    )
    return OpenAIExtractor(client, "gpt-test", PRICES)


def anthropic_extractor(provider: Provider, retries: int = 0) -> AnthropicExtractor:
    client = anthropic.Anthropic(api_key="test", base_url=provider.url, max_retries=retries)
    return AnthropicExtractor(client, "claude-test", PRICES)


def test_openai_a_correct_strict_tool_call(provider: Provider) -> None:
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


def test_openai_malformed_arguments_get_one_repair(provider: Provider) -> None:
    provider.replies = [openai_reply('{"intent": "lead", '), openai_reply(json.dumps(GOOD))]

    outcome = openai_extractor(provider).extract(EMAIL)

    assert outcome.extraction is not None and outcome.attempts == 2
    assert "invalid" in provider.requests[1]["input"][-1]["content"]
    assert outcome.tokens_in == 2000


def test_openai_still_invalid_after_the_repair_goes_to_human_review(provider: Provider) -> None:
    bad = json.dumps({**GOOD, "intent": "hot_lead"})
    provider.replies = [openai_reply(bad), openai_reply(bad)]

    outcome = openai_extractor(provider).extract(EMAIL)

    assert outcome.extraction is None and "intent" in (outcome.error or "")


def test_openai_invented_values_are_nulled(provider: Provider) -> None:
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


def test_openai_429_is_retried_after_retry_after(provider: Provider) -> None:
    provider.replies = [Reply(429, headers={"Retry-After": "0"}), openai_reply(json.dumps(GOOD))]

    outcome = openai_extractor(provider, retries=2).extract(EMAIL)

    assert outcome.extraction is not None and len(provider.requests) == 2


def test_openai_500_is_raised_when_the_retries_are_spent(provider: Provider) -> None:
    provider.replies = [Reply(500, headers={"Retry-After": "0"})] * 2

    with pytest.raises(openai.InternalServerError):
        openai_extractor(provider, retries=1).extract(EMAIL)
    assert len(provider.requests) == 2


def test_openai_a_timeout_is_raised(provider: Provider) -> None:
    provider.replies = [Reply(delay=1.0, body={})]

    with pytest.raises(openai.APITimeoutError):
        openai_extractor(provider, timeout=0.2).extract(EMAIL)


def test_anthropic_a_correct_tool_call(provider: Provider) -> None:
    provider.replies = [anthropic_reply(GOOD)]

    outcome = anthropic_extractor(provider).extract(EMAIL)

    assert outcome.extraction is not None and outcome.extraction.person.name == "Jane Doe"
    request = provider.requests[0]
    assert request["path"] == "/v1/messages"
    assert request["tool_choice"] == {"type": "tool", "name": "record_extraction"}
    assert request["tools"][0]["input_schema"]["additionalProperties"] is False


def test_anthropic_invalid_input_gets_one_repair_then_invented_values_are_nulled(
    provider: Provider,
) -> None:
    invented = {**GOOD, "person": {"name": "Jane Doe", "email": "boss@megacorp.com"}}
    provider.replies = [anthropic_reply({"intent": "lead"}), anthropic_reply(invented)]

    outcome = anthropic_extractor(provider).extract(EMAIL)

    assert outcome.attempts == 2 and outcome.extraction is not None
    assert outcome.extraction.person.email is None


def test_anthropic_429_is_retried_and_500_raised_when_the_retries_are_spent(
    provider: Provider,
) -> None:
    provider.replies = [Reply(429, headers={"retry-after": "0"}), Reply(500)]

    with pytest.raises(anthropic.InternalServerError):
        anthropic_extractor(provider, retries=1).extract(EMAIL)
    assert len(provider.requests) == 2


def test_triage_eval_scores_the_openai_extractor(
    provider: Provider, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    samples = Path(__file__).resolve().parents[3] / "samples"
    label = json.loads((samples / "labels.jsonl").read_text(encoding="utf-8").splitlines()[1])
    (tmp_path / "emails").mkdir()
    (tmp_path / "mailbox.json").write_text((samples / "mailbox.json").read_text())
    (tmp_path / "labels.jsonl").write_text(json.dumps(label) + "\n")
    eml = (samples / "emails" / f"{label['id']}.eml").read_bytes()
    (tmp_path / "emails" / f"{label['id']}.eml").write_bytes(eml)
    answer = {**GOOD, "person": label["person"], "company": label["company"]}
    provider.replies = [openai_reply(json.dumps(answer))]
    monkeypatch.setenv("OPENAI_API_KEY", "test")

    result = CliRunner().invoke(
        app,
        [
            "eval",
            "--gold",
            str(tmp_path),
            "--json",
            "--extractor",
            "openai",
            "--model",
            "m",
            "--base-url",
            f"{provider.url}/v1",
        ],
    )

    assert result.exit_code == 0, result.output
    report = json.loads(result.stdout)
    assert report["n"] == 1 and report["intent_accuracy"] == 1.0
    assert report["person_email_f1"] == 1.0
