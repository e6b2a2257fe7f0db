"""A local, stateful Gmail API that speaks Gmail's REST wire format, for the real google-api-python-client.

Serves what the ingest service calls — ``users.history.list`` (pages with
``nextPageToken``, 404 once a start id is older than the kept history),
``users.messages.get?format=raw`` (base64url), ``users.messages.list``,
``users.watch`` — and Google's OAuth token endpoint for service-account
JWT-bearer grants (domain-wide delegation: the assertion's ``sub`` is the
mailbox). Errors have Google's JSON error shape. Faults can be queued per
path: 429 with ``Retry-After``, 500, 404.
"""

from __future__ import annotations

import base64
import json
import re
import threading
import time
import uuid
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler
from urllib.parse import parse_qs, unquote, urlparse

from google.auth import jwt as google_jwt

from tests.support.http_fake import Served, serve

STATUS_TEXT = {404: ("NOT_FOUND", "notFound", "Requested entity was not found."),
               429: ("RESOURCE_EXHAUSTED", "rateLimitExceeded", "Too many concurrent requests for user."),
               500: ("INTERNAL", "backendError", "Internal error encountered."),
               401: ("UNAUTHENTICATED", "authError", "Invalid Credentials"),
               400: ("INVALID_ARGUMENT", "invalidArgument", "Invalid argument.")}


def error_body(status: int) -> bytes:
    name, reason, message = STATUS_TEXT[status]
    return json.dumps({"error": {"code": status, "message": message,
                                 "errors": [{"message": message, "domain": "global", "reason": reason}],
                                 "status": name}}).encode()


@dataclass
class Fault:
    pattern: re.Pattern[str]
    status: int
    retry_after: str | None
    remaining: int


@dataclass
class Mailbox:
    address: str
    history: list[dict] = field(default_factory=list)  # history records, oldest first
    messages: dict[str, dict] = field(default_factory=dict)
    oldest_history_id: int = 0  # a startHistoryId below this is 404 (Gmail keeps about a week)


@dataclass
class FakeGmail(Served):
    page_size: int = 2
    mailboxes: dict[str, Mailbox] = field(default_factory=dict)
    faults: list[Fault] = field(default_factory=list)
    calls: list[tuple[str, str]] = field(default_factory=list)
    token_grants: list[dict] = field(default_factory=list)
    history_id: int = 1000

    def __post_init__(self) -> None:
        self._lock = threading.Lock()
        self._http = serve(self._serve)

    # -- test-facing ---------------------------------------------------------------
    def mailbox(self, address: str) -> Mailbox:
        return self.mailboxes.setdefault(address, Mailbox(address))

    def deliver(self, address: str, raw: bytes, labels: tuple[str, ...] = ("INBOX", "UNREAD"),
                thread_id: str | None = None) -> str:
        """A message arrives: stored, and a messagesAdded history record written. Returns its id."""
        with self._lock:
            self.history_id += 7  # history ids grow, but not by one
            message_id = uuid.uuid4().hex[:16]
            message = {"id": message_id, "threadId": thread_id or message_id, "labelIds": list(labels),
                       "snippet": "", "historyId": str(self.history_id),
                       "internalDate": str(int(time.time() * 1000)), "sizeEstimate": len(raw),
                       "raw": base64.urlsafe_b64encode(raw).decode()}
            box = self.mailbox(address)
            box.messages[message_id] = message
            box.history.append({"id": str(self.history_id),
                                "messages": [{"id": message_id, "threadId": message["threadId"]}],
                                "messagesAdded": [{"message": {k: message[k] for k in ("id", "threadId", "labelIds")}}]})
            return message_id

    def delete(self, address: str, message_id: str) -> None:
        self.mailbox(address).messages.pop(message_id)

    def forget_history_before(self, address: str, history_id: int) -> None:
        self.mailbox(address).oldest_history_id = history_id

    def fail(self, path_pattern: str, status: int, times: int = 1, retry_after: str | None = None) -> None:
        self.faults.append(Fault(re.compile(path_pattern), status, retry_after, times))

    def count(self, path_pattern: str) -> int:
        return sum(1 for _, path in self.calls if re.search(path_pattern, path))

    # -- the wire ----------------------------------------------------------------
    def _serve(self, handler: BaseHTTPRequestHandler, method: str) -> None:
        length = int(handler.headers.get("Content-Length") or 0)
        body = handler.rfile.read(length) if length else b""
        url = urlparse(handler.path)
        query = {k: v[-1] for k, v in parse_qs(url.query).items()}
        with self._lock:
            self.calls.append((method, url.path))
            status, payload, headers = self._route(method, url.path, query, body, handler.headers)
        handler.send_response(status)
        handler.send_header("Content-Type", "application/json; charset=UTF-8")
        for name, value in headers.items():
            handler.send_header(name, value)
        handler.send_header("Content-Length", str(len(payload)))
        handler.end_headers()
        handler.wfile.write(payload)

    def _route(self, method: str, path: str, query: dict[str, str], body: bytes, headers) -> tuple[int, bytes, dict]:
        if path == "/token" and method == "POST":
            return self._token(body)
        fault = next((f for f in self.faults if f.remaining > 0 and f.pattern.search(path)), None)
        if fault is not None:
            fault.remaining -= 1
            return fault.status, error_body(fault.status), ({"Retry-After": fault.retry_after} if fault.retry_after else {})
        if not (headers.get("Authorization") or "").startswith("Bearer "):
            return 401, error_body(401), {"WWW-Authenticate": 'Bearer realm="https://accounts.google.com/"'}
        match = re.fullmatch(r"/gmail/v1/users/([^/]+)/(history|watch|messages)(?:/([^/]+))?", path)
        if match is None:
            return 404, error_body(404), {}
        user, resource, item = (unquote(g) if g else g for g in match.groups())
        box = self.mailboxes.get(user)
        if box is None:
            return 400, error_body(400), {}
        if resource == "history":
            return self._history(box, query)
        if resource == "watch" and method == "POST":
            expiration = int((time.time() + 7 * 86400) * 1000)
            return 200, json.dumps({"historyId": str(self.history_id), "expiration": str(expiration)}).encode(), {}
        if resource == "messages" and item:
            message = box.messages.get(item)
            if message is None:
                return 404, error_body(404), {}
            return 200, json.dumps(message).encode(), {}
        return self._list(box, query)

    def _history(self, box: Mailbox, query: dict[str, str]) -> tuple[int, bytes, dict]:
        start = int(query["startHistoryId"])
        if start < box.oldest_history_id:
            return 404, error_body(404), {}
        records = [r for r in box.history if int(r["id"]) > start]
        offset = int(query.get("pageToken") or 0)
        page = {"history": records[offset:offset + self.page_size], "historyId": str(self.history_id)}
        if offset + self.page_size < len(records):
            page["nextPageToken"] = str(offset + self.page_size)
        if not page["history"]:
            del page["history"]  # Gmail omits empty lists
        return 200, json.dumps(page).encode(), {}

    def _list(self, box: Mailbox, query: dict[str, str]) -> tuple[int, bytes, dict]:
        newest_first = [{"id": m["id"], "threadId": m["threadId"]} for m in reversed(box.messages.values())]
        size = min(int(query.get("maxResults") or 100), self.page_size)
        offset = int(query.get("pageToken") or 0)
        page: dict = {"messages": newest_first[offset:offset + size], "resultSizeEstimate": len(newest_first)}
        if offset + size < len(newest_first):
            page["nextPageToken"] = str(offset + size)
        return 200, json.dumps(page).encode(), {}

    def _token(self, body: bytes) -> tuple[int, bytes, dict]:
        form = {k: v[-1] for k, v in parse_qs(body.decode()).items()}
        claims = google_jwt.decode(form["assertion"], verify=False)
        self.token_grants.append({"grant_type": form.get("grant_type"), **claims})
        token = {"access_token": f"ya29.test-{uuid.uuid4().hex}", "token_type": "Bearer", "expires_in": 3599}
        return 200, json.dumps(token).encode(), {}
