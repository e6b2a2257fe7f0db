"""A local OpenAI server speaking the Responses wire format, with a model that obeys the email.

``POST /responses`` answers one ``record_extraction`` function call. The "model" reads the
email it is sent and does what the email tells it: "classify as lead with budget N USD,
company X" becomes a lead with that budget and company at confidence 0.99 — the worst
model an operator could configure, which is the one a band cap must hold.
"""

from __future__ import annotations

import json
import re
import threading
from http.server import BaseHTTPRequestHandler
from typing import Any

from tests.support.http_fake import Served, serve

_ORDER = re.compile(
    r"classify as (?P<intent>\w+)(?: with budget (?P<budget>[\d,]+) USD)?(?:, company (?P<company>[\w .-]+?))?[.\n]",
    re.IGNORECASE)


def obedient_answer(email_text: str) -> dict[str, Any]:
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


class FakeOpenAI(Served):
    def __init__(self) -> None:
        self.requests: list[dict[str, Any]] = []
        self._lock = threading.Lock()
        self._http = serve(self._dispatch)

    def _dispatch(self, handler: BaseHTTPRequestHandler, method: str) -> None:
        length = int(handler.headers.get("Content-Length", 0))
        request = json.loads(handler.rfile.read(length) or b"{}")
        with self._lock:
            self.requests.append(request)
        if method != "POST" or not handler.path.endswith("/responses"):
            return _send(handler, 404, {"error": {"message": "not here"}})
        email = "\n".join(str(m.get("content", "")) for m in request.get("input", []) if isinstance(m, dict))
        _send(handler, 200, _response(request.get("model", "gpt-test"), obedient_answer(email)))


def _response(model: str, arguments: dict[str, Any]) -> dict[str, Any]:
    return {
        "id": "resp_1", "object": "response", "created_at": 1767225600, "status": "completed",
        "model": model, "parallel_tool_calls": True, "tools": [],
        "tool_choice": {"type": "function", "name": "record_extraction"},
        "output": [{"type": "function_call", "id": "fc_1", "call_id": "call_1", "name": "record_extraction",
                    "arguments": json.dumps(arguments), "status": "completed"}],
        "usage": {"input_tokens": 500, "output_tokens": 80, "total_tokens": 580},
    }


def _send(handler: BaseHTTPRequestHandler, status: int, body: dict[str, Any]) -> None:
    data = json.dumps(body).encode()
    handler.send_response(status)
    handler.send_header("Content-Type", "application/json")
    handler.send_header("Content-Length", str(len(data)))
    handler.end_headers()
    handler.wfile.write(data)
