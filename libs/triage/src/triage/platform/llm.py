"""LLM extractors: one forced tool call over OpenAI Responses, OpenAI Chat Completions or
Anthropic Messages.

Each calls its provider through the official SDK (base URL configurable; Chat
Completions is the wire protocol that self-hosted OpenAI-compatible servers —
vLLM, Ollama, llama.cpp's server, LiteLLM — speak, ADR 0016). They share one
loop (``ToolCallingExtractor``): validate the tool's arguments against the
schema, ask once for a repair when they do not fit, and ground the result
(``triage.domain.extraction.llm``). An answer that is still
invalid comes back with ``extraction=None``: the caller sends the email to
human review. Rate limits, 5xx and timeouts are retried by the SDK
(``max_retries``, honouring Retry-After) and then raised, so the runtime's
retry-then-DLQ policy applies.
"""

from __future__ import annotations

import json
from abc import ABC, abstractmethod
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, Literal

from triage.domain.extraction.llm import (
    SYSTEM_PROMPT,
    TOOL_NAME,
    InvalidToolCall,
    ground,
    llm_input,
    parse_tool_arguments,
    tool_parameters,
)
from triage.domain.models import CleanEmail, Extraction

if TYPE_CHECKING:  # the SDKs are imported only when a backend is built: CLI start-up time
    import anthropic
    import openai

OpenAIApi = Literal["responses", "chat"]

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


@dataclass(frozen=True)
class ToolAnswer:
    """One provider answer: the tool call's arguments (None: no call) and the tokens it cost."""

    arguments: str | dict[str, Any] | None
    tokens_in: int
    tokens_out: int


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
    api: OpenAIApi = "responses",
) -> LlmExtractor:
    """An SDK client and its extractor for ``provider`` (openai | anthropic); ``api`` picks
    OpenAI's wire protocol (Responses, or Chat Completions for self-hosted servers)."""
    options = {"api_key": api_key, "base_url": base_url, "timeout": timeout_s,
               "max_retries": max_retries}  # fmt: skip
    if provider == "openai":
        import openai

        extractor = OpenAIChatExtractor if api == "chat" else OpenAIExtractor
        return extractor(openai.OpenAI(**options), model, prices)  # type: ignore[arg-type]
    if provider == "anthropic":
        import anthropic

        return AnthropicExtractor(anthropic.Anthropic(**options), model, prices)  # type: ignore[arg-type]
    raise ValueError(f"unknown LLM provider {provider!r}")


class ToolCallingExtractor(LlmExtractor):
    """One forced tool call; one repair request when its arguments do not fit; grounding.

    The conversation is provider-neutral (user turns only: the email, then the repair
    request); each provider's ``_ask`` adds its system prompt and tool in its own shape.
    """

    def __init__(self, client: Any, model: str, prices: Prices) -> None:
        self.client, self.model, self.prices = client, model, prices

    @abstractmethod
    def _ask(self, conversation: list[dict[str, Any]]) -> ToolAnswer: ...

    def extract(self, clean: CleanEmail) -> LlmOutcome:
        conversation: list[dict[str, Any]] = [{"role": "user", "content": llm_input(clean)}]
        tokens_in = tokens_out = 0
        error = ""
        for attempt in (1, 2):
            answer = self._ask(conversation)
            tokens_in += answer.tokens_in
            tokens_out += answer.tokens_out
            try:
                extraction = _arguments(answer.arguments)
            except InvalidToolCall as exc:
                error = str(exc)
                conversation.append({"role": "user", "content": _repair_request(error)})
                continue
            return self._outcome(ground(extraction, clean), tokens_in, tokens_out, attempt)
        return self._outcome(None, tokens_in, tokens_out, 2, error)

    def _outcome(
        self, extraction: Extraction | None, tin: int, tout: int, attempts: int, error: str = ""
    ) -> LlmOutcome:
        return LlmOutcome(
            extraction, self.model, tin, tout, self.prices.cost(tin, tout), attempts, error or None
        )


class OpenAIExtractor(ToolCallingExtractor):
    """OpenAI's Responses API: one strict function tool, forced with ``tool_choice``."""

    provider = "openai"
    client: openai.OpenAI

    def _ask(self, conversation: list[dict[str, Any]]) -> ToolAnswer:
        response = self.client.responses.create(
            model=self.model,
            instructions=SYSTEM_PROMPT,
            input=conversation,  # type: ignore[arg-type]
            tools=[self._tool()],  # type: ignore[list-item]
            tool_choice={"type": "function", "name": TOOL_NAME},
        )
        call = next((item for item in response.output if item.type == "function_call"), None)
        usage = response.usage
        return ToolAnswer(getattr(call, "arguments", None),
                          usage.input_tokens if usage else 0, usage.output_tokens if usage else 0)  # fmt: skip

    @staticmethod
    def _tool() -> dict[str, Any]:
        return {
            "type": "function",
            "name": TOOL_NAME,
            "description": TOOL_DESCRIPTION,
            "parameters": tool_parameters(),
            "strict": True,
        }


class OpenAIChatExtractor(ToolCallingExtractor):
    """Chat Completions, the protocol self-hosted servers speak: the same strict tool, forced.

    Servers that do not enforce a named ``tool_choice`` (Ollama, llama.cpp's server) may answer
    in plain text instead: that is "no tool call", and gets the one repair like any invalid call.
    """

    provider = "openai"
    client: openai.OpenAI

    def _ask(self, conversation: list[dict[str, Any]]) -> ToolAnswer:
        completion = self.client.chat.completions.create(
            model=self.model,
            messages=[{"role": "system", "content": SYSTEM_PROMPT}, *conversation],  # type: ignore[list-item]
            tools=[{"type": "function", "function": self._function()}],  # type: ignore[list-item]
            tool_choice={"type": "function", "function": {"name": TOOL_NAME}},
        )
        message = completion.choices[0].message if completion.choices else None
        call = next(iter((message.tool_calls or []) if message else []), None)
        usage = completion.usage
        return ToolAnswer(getattr(getattr(call, "function", None), "arguments", None),
                          usage.prompt_tokens if usage else 0, usage.completion_tokens if usage else 0)  # fmt: skip

    @staticmethod
    def _function() -> dict[str, Any]:
        return {
            "name": TOOL_NAME,
            "description": TOOL_DESCRIPTION,
            "parameters": tool_parameters(),
            "strict": True,
        }


class AnthropicExtractor(ToolCallingExtractor):
    """Anthropic's Messages API: one tool, forced."""

    provider = "anthropic"
    client: anthropic.Anthropic

    def _ask(self, conversation: list[dict[str, Any]]) -> ToolAnswer:
        message = self.client.messages.create(
            model=self.model,
            max_tokens=MAX_OUTPUT_TOKENS,
            system=SYSTEM_PROMPT,
            messages=conversation,  # type: ignore[arg-type]
            tools=[
                {
                    "name": TOOL_NAME,
                    "description": TOOL_DESCRIPTION,
                    "input_schema": tool_parameters(),
                }
            ],
            tool_choice={"type": "tool", "name": TOOL_NAME},
        )
        block = next((b for b in message.content if b.type == "tool_use"), None)
        return ToolAnswer(getattr(block, "input", None),
                          message.usage.input_tokens, message.usage.output_tokens)  # fmt: skip
