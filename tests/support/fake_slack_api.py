"""A local Slack Web API that speaks ``chat.postMessage``'s wire format, for slack_sdk's WebClient (loopback).

``POST /api/chat.postMessage`` with ``Authorization: Bearer xoxb-...`` and a JSON (or form)
body ``{"channel", "text", ...}``. Answers as Slack does: HTTP 200 ``{"ok": true, "channel",
"ts", "message"}``; HTTP 200 ``{"ok": false, "error"}`` for ``not_authed`` (no token),
``invalid_auth`` (another token), ``channel_not_found`` (a channel not in ``channels``),
``not_in_channel`` (one in ``outside``), ``no_text``; HTTP 429 ``{"ok": false, "error":
"ratelimited"}`` with ``Retry-After`` for each scripted rate limit (``rate_limit(times, after)``).
Every request's body is kept in ``received``.
"""

from __future__ import annotations

import json
import threading
import time
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler
from urllib.parse import parse_qs

from tests.support.http_fake import Served, serve


@dataclass
class FakeSlackApi(Served):
    token: str = "xoxb-test-0000"
    channels: set[str] = field(default_factory=lambda: {"C0SUPPORT1"})
    outside: set[str] = field(default_factory=set)  # channels the bot is not a member of
    received: list[dict] = field(default_factory=list)
    limited: list[str] = field(default_factory=list)  # Retry-After values still to answer with a 429

    def __post_init__(self) -> None:
        self._lock = threading.Lock()
        self._http = serve(self._serve)

    @property
    def api_url(self) -> str:
        return self.url + "/api/"

    def rate_limit(self, times: int, retry_after: str = "1") -> None:
        self.limited.extend([retry_after] * times)

    def posted(self) -> list[dict]:
        """The messages Slack accepted."""
        return [m for m in self.received if m.get("_ok")]

    def _serve(self, handler: BaseHTTPRequestHandler, method: str) -> None:
        raw = handler.rfile.read(int(handler.headers.get("Content-Length") or 0))
        if handler.headers.get("Content-Type", "").startswith("application/json"):
            body = json.loads(raw or b"{}")
        else:
            body = {k: v[0] for k, v in parse_qs(raw.decode()).items()}
        with self._lock:
            status, answer, headers = self._answer(method, handler.path, handler.headers.get("Authorization"), body)
            self.received.append({**body, "_ok": answer.get("ok", False)})
        payload = json.dumps(answer).encode()
        handler.send_response(status)
        handler.send_header("Content-Type", "application/json; charset=utf-8")
        handler.send_header("Content-Length", str(len(payload)))
        for name, value in headers.items():
            handler.send_header(name, value)
        handler.end_headers()
        handler.wfile.write(payload)

    def _answer(self, method: str, path: str, authorization: str | None, body: dict) -> tuple[int, dict, dict]:
        if method != "POST" or path.split("?")[0] != "/api/chat.postMessage":
            return 404, {"ok": False, "error": "unknown_method"}, {}
        if self.limited:
            return 429, {"ok": False, "error": "ratelimited"}, {"Retry-After": self.limited.pop(0)}
        if not authorization:
            return 200, {"ok": False, "error": "not_authed"}, {}
        if authorization != f"Bearer {self.token}":
            return 200, {"ok": False, "error": "invalid_auth"}, {}
        channel = str(body.get("channel") or "")
        if channel in self.outside:
            return 200, {"ok": False, "error": "not_in_channel"}, {}
        if channel not in self.channels:
            return 200, {"ok": False, "error": "channel_not_found"}, {}
        if not body.get("text") and not body.get("blocks"):
            return 200, {"ok": False, "error": "no_text"}, {}
        ts = f"{time.time():.6f}"
        return 200, {"ok": True, "channel": channel, "ts": ts,
                     "message": {"type": "message", "text": body.get("text"), "ts": ts, "bot_id": "B0TRIAGE"}}, {}
