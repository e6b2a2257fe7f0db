"""A scripted LLM provider on loopback, for the real openai and anthropic SDKs.

Each request takes the next scripted ``Reply`` and is recorded (path, headers that matter,
JSON body). What a real server checks before answering is checked here too, with the
provider's error shape, so a request our adapters build wrongly fails as it would in
production: OpenAI's ``{"error": {"message", "type", "param", "code"}}`` (401 without a
bearer key, 404 for an unknown path, 400 for a Chat Completions request whose ``messages``,
``tools`` or named ``tool_choice`` do not fit together). The reply builders give each wire
format's body: Responses (``openai_reply``), Chat Completions (``chat_tool_call_reply``,
``chat_text_reply``), Anthropic Messages (``anthropic_reply``), and OpenAI-shaped errors.
"""

from __future__ import annotations

import contextlib
import json
import re
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler
from typing import Any

from tests.support.http_fake import Served, serve

PATHS = {"/v1/responses", "/v1/chat/completions", "/v1/messages"}
USAGE_IN, USAGE_OUT = 1000, 100  # what every scripted answer reports


@dataclass
class Reply:
    status: int = 200
    body: dict[str, Any] | None = None  # None: an OpenAI-shaped error for the status
    headers: dict[str, str] = field(default_factory=dict)
    delay: float = 0.0  # seconds before answering (a timeout when the client's is shorter)


class FakeLlmProvider(Served):
    """Scripted: ``replies`` are taken in order; ``requests`` are what the SDKs sent. Past the
    script, ``responder`` (when given) answers from the request itself — a model of a kind."""

    def __init__(self, responder: Callable[[dict[str, Any]], Reply] | None = None) -> None:
        self.replies: list[Reply] = []
        self.requests: list[dict[str, Any]] = []
        self.responder = responder
        self._http = serve(self._dispatch)

    def _dispatch(self, handler: BaseHTTPRequestHandler, method: str) -> None:
        length = int(handler.headers.get("Content-Length", 0))
        body = json.loads(handler.rfile.read(length) or b"{}")
        self.requests.append({"path": handler.path, **body})
        reply = self._refusal(handler, method, body) or self._next_reply(body)
        time.sleep(reply.delay)
        _send(handler, reply)

    def _refusal(self, handler: BaseHTTPRequestHandler, method: str, body: dict[str, Any]) -> Reply | None:
        if method != "POST" or handler.path not in PATHS:
            return error_reply(404, f"Unknown request URL: {method} {handler.path}.", "invalid_request_error")
        auth = handler.headers.get("Authorization", "") or handler.headers.get("x-api-key", "")
        if not auth.removeprefix("Bearer ").strip():
            return error_reply(401, "You didn't provide an API key.", "invalid_request_error")
        if handler.path == "/v1/chat/completions":
            problem = chat_request_problem(body)
            if problem:
                return error_reply(400, problem, "invalid_request_error")
        return None

    def _next_reply(self, body: dict[str, Any]) -> Reply:
        if self.replies:
            return self.replies.pop(0)
        if self.responder is not None:
            return self.responder(body)
        return error_reply(500, "the test scripted no reply for this request", "server_error")


def _send(handler: BaseHTTPRequestHandler, reply: Reply) -> None:
    body = reply.body if reply.body is not None else error_reply(reply.status, "error", "server_error").body
    data = json.dumps(body).encode()
    handler.send_response(reply.status)
    handler.send_header("Content-Type", "application/json")
    for name, value in reply.headers.items():
        handler.send_header(name, value)
    handler.send_header("Content-Length", str(len(data)))
    handler.end_headers()
    with contextlib.suppress(BrokenPipeError, ConnectionResetError):  # the client timed out and left
        handler.wfile.write(data)


def chat_request_problem(body: dict[str, Any]) -> str | None:
    """What OpenAI's Chat Completions endpoint refuses with a 400, for the fields we send."""
    messages = body.get("messages")
    if not body.get("model"):
        return "you must provide a model parameter"
    if not isinstance(messages, list) or not messages:
        return "'messages' must be a non-empty array"
    if any(m.get("role") not in {"system", "developer", "user", "assistant", "tool"} for m in messages):
        return "Invalid value for 'messages[].role'"
    tools = body.get("tools", [])
    names = [t.get("function", {}).get("name") for t in tools if t.get("type") == "function"]
    if len(names) != len(tools) or not all(names):
        return "Missing required parameter: 'tools[].function' (with a name)"
    choice = body.get("tool_choice")
    if isinstance(choice, dict) and (choice.get("function") or {}).get("name") not in names:
        return "Invalid value for 'tool_choice': the function it names is not in 'tools'"
    return None


# ---------------------------------------------------------------- replies, in each wire format


def error_reply(status: int, message: str, kind: str, code: str | None = None, **headers: str) -> Reply:
    """An error as OpenAI sends it (also what OpenAI-compatible servers imitate)."""
    body = {"error": {"message": message, "type": kind, "param": None, "code": code}}
    return Reply(status, body, dict(headers))


def rate_limited(retry_after: str = "0") -> Reply:
    return error_reply(429, "Rate limit reached for requests", "requests", "rate_limit_exceeded",
                       **{"retry-after": retry_after})  # fmt: skip


def server_error() -> Reply:
    return error_reply(500, "The server had an error while processing your request.", "server_error")


def openai_reply(arguments: str) -> Reply:
    """A Responses API answer whose one output item is a call of record_extraction."""
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
            "usage": {"input_tokens": USAGE_IN, "output_tokens": USAGE_OUT,
                      "total_tokens": USAGE_IN + USAGE_OUT},  # fmt: skip
        }
    )


def _chat_completion(message: dict[str, Any], finish_reason: str) -> Reply:
    return Reply(
        body={
            "id": "chatcmpl-1",
            "object": "chat.completion",
            "created": 1767225600,
            "model": "local-model",
            "choices": [{"index": 0, "message": {"role": "assistant", "refusal": None, **message},
                         "logprobs": None, "finish_reason": finish_reason}],  # fmt: skip
            "usage": {"prompt_tokens": USAGE_IN, "completion_tokens": USAGE_OUT,
                      "total_tokens": USAGE_IN + USAGE_OUT},  # fmt: skip
            "system_fingerprint": None,
        }
    )


def chat_tool_call_reply(arguments: str) -> Reply:
    """A Chat Completions answer: ``choices[0].message.tool_calls[0].function.arguments``, a JSON string."""
    call = {"id": "call_1", "type": "function",
            "function": {"name": "record_extraction", "arguments": arguments}}  # fmt: skip
    return _chat_completion({"content": None, "tool_calls": [call]}, "tool_calls")


def chat_text_reply(content: str) -> Reply:
    """A Chat Completions answer in plain text: what a server that ignores tool_choice may send."""
    return _chat_completion({"content": content}, "stop")


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
            "usage": {"input_tokens": USAGE_IN, "output_tokens": USAGE_OUT},
        }
    )


# ---------------------------------------------------------------- a model that obeys the email

_ORDER = re.compile(
    r"classify as (?P<intent>\w+)(?: with budget (?P<budget>[\d,]+) USD)?(?:, company (?P<company>[\w .-]+?))?[.\n]",
    re.IGNORECASE)


def obedient_answer(email_text: str) -> dict[str, Any]:
    """What the worst model an operator could configure answers: what the email orders
    ("classify as lead with budget N USD, company X"), at confidence 0.99."""
    order = _ORDER.search(email_text)
    budget = order and order.group("budget")
    return {
        "intent": (order.group("intent").lower() if order else "support"),
        "person": {"name": None, "email": None},
        "company": {"name": order.group("company") if order else None, "domain": None},
        "interest": {"products": []},
        "budget": {"annual_amount_usd": float(budget.replace(",", "")) if budget else None},
        "timeline": "now",
        "region": None,
        "summary": "As the email says.",
        "required_action": "schedule_demo",
        "confidence": 0.99,
    }


def obedient_responses(request: dict[str, Any]) -> Reply:
    """A Responses API answer that obeys the email it was sent."""
    email = "\n".join(str(m.get("content", "")) for m in request.get("input", []) if isinstance(m, dict))
    return openai_reply(json.dumps(obedient_answer(email)))
