"""LLM extractors: OpenAI Responses with a strict function tool, Anthropic Messages with a tool.

Both call their provider through its official SDK (base URL configurable, so
OpenAI-compatible servers such as vLLM or Ollama work), validate the tool's
arguments against the schema, ask once for a repair when they do not fit, and
ground the result (``triage.domain.extraction_llm``). An answer that is still
invalid comes back with ``extraction=None``: the caller sends the email to
human review. Rate limits, 5xx and timeouts are retried by the SDK
(``max_retries``, honouring Retry-After) and then raised, so the runtime's
retry-then-DLQ policy applies.
"""

from __future__ import annotations

import json
from abc import ABC, abstractmethod
from dataclasses import dataclass
from typing import Any

import anthropic
import openai

from triage.domain.extraction_llm import (
    SYSTEM_PROMPT,
    TOOL_NAME,
    InvalidToolCall,
    ground,
    llm_input,
    parse_tool_arguments,
    tool_parameters,
)
from triage.domain.models import CleanEmail, Extraction

TOOL_DESCRIPTION = "Record the fields extracted from the email."
MAX_OUTPUT_TOKENS = 1024


@dataclass(frozen=True)
class Prices:
    """US dollars per million tokens, from the configuration's price table."""

    input_per_mtok: float
    output_per_mtok: float

    def cost(self, tokens_in: int, tokens_out: int) -> float:
        return round((tokens_in * self.input_per_mtok + tokens_out * self.output_per_mtok) / 1e6, 6)


@dataclass(frozen=True)
class LlmOutcome:
    extraction: Extraction | None  # None: invalid after one repair -> human review
    model: str
    tokens_in: int
    tokens_out: int
    cost_usd: float
    attempts: int
    error: str | None = None


def _arguments(raw: str | dict[str, Any] | None) -> Extraction:
    if raw is None:
        raise InvalidToolCall(f"no {TOOL_NAME} call")
    try:
        data = json.loads(raw) if isinstance(raw, str) else raw
    except json.JSONDecodeError as exc:
        raise InvalidToolCall(f"arguments are not JSON: {exc.msg}") from exc
    return parse_tool_arguments(data)


def _repair_request(error: str) -> str:
    return f"That {TOOL_NAME} call was invalid ({error}). Call {TOOL_NAME} again, valid this time."


class LlmExtractor(ABC):
    """The port the extract service calls: one email in, an outcome (maybe invalid) out."""

    provider: str = "llm"
    model: str

    @abstractmethod
    def extract(self, clean: CleanEmail) -> LlmOutcome: ...


def price_table(text: str) -> dict[str, Prices]:
    """TRIAGE_LLM_PRICES: ``{"model": {"input": 2.5, "output": 10.0}}``, USD per 1M tokens."""
    if not text.strip():
        return {}
    data = json.loads(text)
    if not isinstance(data, dict):
        raise ValueError("the price table is a JSON object of model -> {input, output}")
    table: dict[str, Prices] = {}
    for model, price in data.items():
        if not isinstance(price, dict) or set(price) != {"input", "output"}:
            raise ValueError(f"price of {model!r} needs exactly 'input' and 'output' (USD per 1M)")
        table[model] = Prices(float(price["input"]), float(price["output"]))
        if table[model].input_per_mtok < 0 or table[model].output_per_mtok < 0:
            raise ValueError(f"price of {model!r} is negative")
    return table


def llm_extractor(
    provider: str,
    model: str,
    prices: Prices,
    api_key: str,
    base_url: str | None = None,
    timeout_s: float = 30.0,
    max_retries: int = 2,
) -> LlmExtractor:
    """An SDK client and its extractor for ``provider`` (openai | anthropic)."""
    if provider == "openai":
        client = openai.OpenAI(
            api_key=api_key, base_url=base_url, timeout=timeout_s, max_retries=max_retries
        )
        return OpenAIExtractor(client, model, prices)
    if provider == "anthropic":
        aclient = anthropic.Anthropic(
            api_key=api_key, base_url=base_url, timeout=timeout_s, max_retries=max_retries
        )
        return AnthropicExtractor(aclient, model, prices)
    raise ValueError(f"unknown LLM provider {provider!r}")


class OpenAIExtractor(LlmExtractor):
    provider = "openai"

    def __init__(self, client: openai.OpenAI, model: str, prices: Prices) -> None:
        self.client, self.model, self.prices = client, model, prices

    def extract(self, clean: CleanEmail) -> LlmOutcome:
        conversation: list[dict[str, Any]] = [{"role": "user", "content": llm_input(clean)}]
        tokens_in = tokens_out = 0
        error = ""
        for attempt in (1, 2):
            response = self.client.responses.create(
                model=self.model,
                instructions=SYSTEM_PROMPT,
                input=conversation,  # type: ignore[arg-type]
                tools=[self._tool()],  # type: ignore[list-item]
                tool_choice={"type": "function", "name": TOOL_NAME},
            )
            if response.usage:
                tokens_in += response.usage.input_tokens
                tokens_out += response.usage.output_tokens
            call = next((item for item in response.output if item.type == "function_call"), None)
            try:
                extraction = _arguments(getattr(call, "arguments", None))
            except InvalidToolCall as exc:
                error = str(exc)
                conversation.append({"role": "user", "content": _repair_request(error)})
                continue
            return self._outcome(ground(extraction, clean), tokens_in, tokens_out, attempt)
        return self._outcome(None, tokens_in, tokens_out, 2, error)

    @staticmethod
    def _tool() -> dict[str, Any]:
        return {
            "type": "function",
            "name": TOOL_NAME,
            "description": TOOL_DESCRIPTION,
            "parameters": tool_parameters(),
            "strict": True,
        }

    def _outcome(
        self, extraction: Extraction | None, tin: int, tout: int, attempts: int, error: str = ""
    ) -> LlmOutcome:
        return LlmOutcome(
            extraction, self.model, tin, tout, self.prices.cost(tin, tout), attempts, error or None
        )


class AnthropicExtractor(OpenAIExtractor):
    provider = "anthropic"

    def __init__(self, client: anthropic.Anthropic, model: str, prices: Prices) -> None:  # type: ignore[override]
        self.client, self.model, self.prices = client, model, prices  # type: ignore[assignment]

    def extract(self, clean: CleanEmail) -> LlmOutcome:
        messages: list[dict[str, Any]] = [{"role": "user", "content": llm_input(clean)}]
        tokens_in = tokens_out = 0
        error = ""
        for attempt in (1, 2):
            message = self.client.messages.create(  # type: ignore[attr-defined]
                model=self.model,
                max_tokens=MAX_OUTPUT_TOKENS,
                system=SYSTEM_PROMPT,
                messages=messages,
                tools=[
                    {
                        "name": TOOL_NAME,
                        "description": TOOL_DESCRIPTION,
                        "input_schema": tool_parameters(),
                    }
                ],
                tool_choice={"type": "tool", "name": TOOL_NAME},
            )
            tokens_in += message.usage.input_tokens
            tokens_out += message.usage.output_tokens
            block = next((b for b in message.content if b.type == "tool_use"), None)
            try:
                extraction = _arguments(getattr(block, "input", None))
            except InvalidToolCall as exc:
                error = str(exc)
                messages.append({"role": "user", "content": _repair_request(error)})
                continue
            return self._outcome(ground(extraction, clean), tokens_in, tokens_out, attempt)
        return self._outcome(None, tokens_in, tokens_out, 2, error)
