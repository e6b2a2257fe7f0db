"""A local, stateful HubSpot CRM that speaks HubSpot's REST wire format, for the real hubspot-api-client.

Serves what the HubSpot backend calls — ``/crm/v3/objects/{type}`` create,
``PATCH .../{id}``, ``.../search`` (filterGroups ORed, filters ANDed; EQ, NEQ,
GT, GTE, LT, LTE, IN, HAS_PROPERTY and the ``associations.{type}`` pseudo
property; sorts, limit, ``after`` paging), ``.../batch/read`` and
``.../batch/upsert`` (``idProperty``; 207 Multi-Status with errors for ids not
found), inline ``associations`` on create, and the v4
``PUT /crm/v4/objects/{from}/{id}/associations/default/{to}/{id}``. Errors
have HubSpot's JSON shape (``status``, ``message``, ``correlationId``,
``category``; ``errorType``/``policyName`` on 429), with the
``X-HubSpot-RateLimit-*`` headers.

Faults: a queue per path pattern (status, Retry-After, or ``timeout`` = the
request is *performed* and the answer comes too late), a random transient
rate (500/502/503/504/429/timeout), and a server-side per-10-second budget.
"""

from __future__ import annotations

import json
import random
import re
import threading
import time
import uuid
from collections import deque
from dataclasses import dataclass, field
from datetime import UTC, datetime
from http.server import BaseHTTPRequestHandler
from urllib.parse import unquote, urlparse

from tests.support.http_fake import serve

KNOWN_PROPERTIES = {
    "contacts": {"email", "firstname", "lastname", "company", "phone", "lifecyclestage", "hs_lead_status"},
    "companies": {"name", "domain", "industry", "city"},
    "deals": {"dealname", "pipeline", "dealstage", "amount", "closedate"},
    "notes": {"hs_timestamp", "hs_note_body", "hubspot_owner_id"},
}
SINGULAR = {"contacts": "CONTACT", "companies": "COMPANY", "deals": "DEAL", "notes": "NOTE"}
TYPE_ALIASES = {"contact": "contacts", "company": "companies", "deal": "deals", "0-1": "contacts",
                "0-2": "companies", "0-3": "deals", "note": "notes", "0-46": "notes"}
DEFAULT_TYPE_IDS = {("contacts", "companies"): 279, ("companies", "contacts"): 280, ("deals", "contacts"): 3,
                    ("contacts", "deals"): 4, ("deals", "companies"): 341, ("companies", "deals"): 342}
CLOSED_STAGES = {"closedwon", "closedlost"}


def now_iso() -> str:
    return datetime.now(UTC).isoformat(timespec="milliseconds").replace("+00:00", "Z")


def error(status: int, message: str, category: str, **extra: object) -> tuple[int, dict, dict]:
    body = {"status": "error", "message": message, "correlationId": str(uuid.uuid4()), "category": category,
            **extra}
    return status, body, {}


@dataclass
class Fault:
    pattern: re.Pattern[str]
    status: int | str  # an HTTP status, or "timeout"
    retry_after: str | None
    remaining: int


@dataclass
class FakeHubSpot:
    token: str = "pat-na1-test"
    budget_per_10s: int = 10_000
    budget_window_s: float = 10.0  # HubSpot's is 10 s; tests may shrink it
    transient_rate: float = 0.0  # share of requests answered with a random transient fault
    timeout_s: float = 1.5  # how late a "timeout" answer comes
    latency_s: float = 0.0  # every answer takes at least this long (a remote CRM is not free)
    seed: int = 7
    objects: dict[str, dict[str, dict]] = field(default_factory=lambda: {t: {} for t in SINGULAR})
    associations: set[tuple[str, str, str, str]] = field(default_factory=set)
    faults: list[Fault] = field(default_factory=list)
    calls: list[tuple[str, str]] = field(default_factory=list)
    injected: list[tuple[str, str, int | str]] = field(default_factory=list)

    def __post_init__(self) -> None:
        self._lock = threading.Lock()
        self._random = random.Random(self.seed)
        self._next_id = 1000
        self._window: deque[float] = deque()
        self._http = serve(self._serve)

    # -- test-facing -------------------------------------------------------------------
    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self._http.server_port}"

    def close(self) -> None:
        self._http.shutdown()
        self._http.server_close()

    def fail(self, path_pattern: str, status: int | str, times: int = 1, retry_after: str | None = None) -> None:
        self.faults.append(Fault(re.compile(path_pattern), status, retry_after, times))

    def count(self, method: str, path_pattern: str) -> int:
        return sum(1 for m, path in self.calls if m == method and re.search(path_pattern, path))

    def all(self, object_type: str) -> list[dict]:
        return list(self.objects[object_type].values())

    def associated(self, from_type: str, from_id: str, to_type: str) -> set[str]:
        return {t for f, fid, tt, t in self.associations if (f, fid, tt) == (from_type, from_id, to_type)}

    def seed_object(self, object_type: str, properties: dict[str, str], created_at: datetime | None = None) -> str:
        with self._lock:
            return self._create(object_type, properties, created_at)["id"]

    # -- the wire ------------------------------------------------------------------------
    def _serve(self, handler: BaseHTTPRequestHandler, method: str) -> None:
        length = int(handler.headers.get("Content-Length") or 0)
        raw = handler.rfile.read(length) if length else b""
        path = urlparse(handler.path).path
        late = False
        with self._lock:
            self.calls.append((method, path))
            status, payload, headers, late = self._answer(method, path, raw, handler.headers)
        if late:
            time.sleep(self.timeout_s)  # the client gave up; what was asked for was done all the same
        elif self.latency_s:
            time.sleep(self.latency_s)
        data = json.dumps(payload).encode() if payload is not None else b""
        try:
            handler.send_response(status)
            handler.send_header("Content-Type", "application/json;charset=utf-8")
            for name, value in headers.items():
                handler.send_header(name, value)
            handler.send_header("Content-Length", str(len(data)))
            handler.end_headers()
            handler.wfile.write(data)
        except OSError:
            pass  # the client timed out and hung up

    def _answer(self, method: str, path: str, raw: bytes, headers) -> tuple[int, dict | None, dict, bool]:
        if headers.get("Authorization") != f"Bearer {self.token}":
            status, body, extra = error(401, "Authentication credentials not found. This API supports OAuth 2.0 "
                                             "authentication and you can find more details at "
                                             "https://developers.hubspot.com/docs/methods/auth/oauth-overview",
                                        "INVALID_AUTHENTICATION")
            return status, body, extra, False
        limited = self._budget()
        if limited is not None:
            return (*limited, False)
        fault = self._fault(method, path)
        if fault is not None and fault != "timeout":
            return (*fault, False)
        try:
            body = json.loads(raw) if raw else {}
        except ValueError:
            status, payload, extra = error(400, "Invalid input JSON on line 1", "VALIDATION_ERROR")
            return status, payload, extra, False
        status, payload, extra = self._route(method, path, body)
        return status, payload, {**extra, **self._rate_headers()}, fault == "timeout"

    def _budget(self) -> tuple[int, dict, dict] | None:
        now = time.monotonic()
        while self._window and now - self._window[0] >= self.budget_window_s:
            self._window.popleft()
        if len(self._window) >= self.budget_per_10s:
            status, body, _ = error(429, "You have reached your ten_secondly_rolling limit.", "RATE_LIMITS",
                                    errorType="RATE_LIMIT", policyName="TEN_SECONDLY_ROLLING",
                                    groupName="publicapi:private-app:test")
            self.injected.append(("budget", "", 429))
            wait = self.budget_window_s - (now - self._window[0])
            return status, body, {**self._rate_headers(), "Retry-After": f"{max(wait, 0.05):.2f}"}
        self._window.append(now)
        return None

    def _rate_headers(self) -> dict[str, str]:
        return {"X-HubSpot-RateLimit-Max": str(self.budget_per_10s),
                "X-HubSpot-RateLimit-Remaining": str(max(self.budget_per_10s - len(self._window), 0)),
                "X-HubSpot-RateLimit-Interval-Milliseconds": str(int(self.budget_window_s * 1000))}

    def _fault(self, method: str, path: str) -> tuple[int, dict | None, dict] | str | None:
        queued = next((f for f in self.faults if f.remaining > 0 and f.pattern.search(f"{method} {path}")), None)
        if queued is not None:
            queued.remaining -= 1
            kind, retry_after = queued.status, queued.retry_after
        elif self.transient_rate and self._random.random() < self.transient_rate:
            kind, retry_after = self._random.choice([500, 502, 503, 504, 429, "timeout"]), "1"
        else:
            return None
        self.injected.append((method, path, kind))
        if kind == "timeout":
            return "timeout"
        return transient_answer(int(kind), retry_after)

    # -- CRM objects -------------------------------------------------------------------
    def _route(self, method: str, path: str, body: dict) -> tuple[int, dict | None, dict]:
        v4 = re.fullmatch(r"/crm/v4/objects/([^/]+)/([^/]+)/associations/default/([^/]+)/([^/]+)", path)
        if v4 and method == "PUT":
            return self._associate_default(*(unquote(g) for g in v4.groups()))
        match = re.fullmatch(r"/crm/v3/objects/([^/]+)(?:/([^/]+))?(?:/([^/]+))?", path)
        if match is None:
            return error(404, f"Unable to route {method} {path}", "OBJECT_NOT_FOUND")
        object_type, item, sub = (unquote(g) if g else g for g in match.groups())
        object_type = TYPE_ALIASES.get(object_type, object_type)
        if object_type not in self.objects:
            return error(400, f"Unable to infer object type from: {object_type}", "VALIDATION_ERROR")
        if method == "POST" and item is None:
            return self._create_checked(object_type, body)
        if method == "POST" and item == "search":
            return self._search(object_type, body)
        if method == "POST" and item == "batch" and sub == "read":
            return self._batch_read(object_type, body)
        if method == "POST" and item == "batch" and sub == "upsert":
            return self._batch_upsert(object_type, body)
        if method == "PATCH" and item and sub is None:
            return self._update(object_type, item, body)
        if method == "GET" and item and sub is None:
            found = self.objects[object_type].get(item)
            return (200, found, {}) if found else error(404, "", "OBJECT_NOT_FOUND")
        return error(405, f"{method} not allowed here", "VALIDATION_ERROR")

    def _invalid(self, object_type: str, properties: dict) -> tuple[int, dict, dict] | None:
        unknown = sorted(set(properties) - KNOWN_PROPERTIES[object_type])
        problems = [{"isValid": False, "message": f'Property "{name}" does not exist', "error": "PROPERTY_DOESNT_EXIST",
                     "name": name, "localizedErrorMessage": f'Property "{name}" does not exist'} for name in unknown]
        email = properties.get("email")
        if object_type == "contacts" and email is not None and "@" not in email:
            problems.append({"isValid": False, "message": f"Email address {email} is invalid",
                             "error": "INVALID_EMAIL", "name": "email"})
        amount = properties.get("amount")
        if amount is not None and not re.fullmatch(r"-?\d+(\.\d+)?", str(amount)):
            problems.append({"isValid": False, "message": f"{amount} was not a valid number.",
                             "error": "INVALID_FLOAT", "name": "amount"})
        if not problems:
            return None
        return error(400, f"Property values were not valid: {json.dumps(problems)}", "VALIDATION_ERROR")

    def _create_checked(self, object_type: str, body: dict) -> tuple[int, dict, dict]:
        properties = {k: str(v) for k, v in (body.get("properties") or {}).items()}
        invalid = self._invalid(object_type, properties)
        if invalid:
            return invalid
        if object_type == "contacts" and properties.get("email"):
            existing = self._by_property(object_type, "email", properties["email"])
            if existing:
                return error(409, f"Contact already exists. Existing ID: {existing['id']}", "CONFLICT")
        for association in body.get("associations") or []:
            to_id = str(association["to"]["id"])
            if not any(to_id in objects for objects in self.objects.values()):
                return error(400, f"No object found with id {to_id}", "VALIDATION_ERROR")
        created = self._create(object_type, properties)
        for association in body.get("associations") or []:
            to_id = str(association["to"]["id"])
            to_type = next(t for t, objects in self.objects.items() if to_id in objects)
            self._link(object_type, created["id"], to_type, to_id)
        return 201, created, {}

    def _create(self, object_type: str, properties: dict[str, str], created_at: datetime | None = None) -> dict:
        self._next_id += 1
        stamp = (created_at or datetime.now(UTC)).isoformat(timespec="milliseconds").replace("+00:00", "Z")
        record = {"id": str(self._next_id), "properties": {**properties, "createdate": stamp,
                                                            "hs_lastmodifieddate": stamp,
                                                            "hs_object_id": str(self._next_id)},
                  "createdAt": stamp, "updatedAt": stamp, "archived": False}
        if object_type == "deals":
            record["properties"]["hs_is_closed"] = str(properties.get("dealstage") in CLOSED_STAGES).lower()
        self.objects[object_type][record["id"]] = record
        return record

    def _update(self, object_type: str, object_id: str, body: dict) -> tuple[int, dict, dict]:
        record = self.objects[object_type].get(object_id)
        if record is None:
            return error(404, f"resource not found, objectId: {object_id}", "OBJECT_NOT_FOUND")
        properties = {k: str(v) for k, v in (body.get("properties") or {}).items()}
        invalid = self._invalid(object_type, properties)
        if invalid:
            return invalid
        record["properties"].update(properties)
        record["updatedAt"] = record["properties"]["hs_lastmodifieddate"] = now_iso()
        if object_type == "deals":
            record["properties"]["hs_is_closed"] = str(record["properties"].get("dealstage") in CLOSED_STAGES).lower()
        return 200, record, {}

    def _by_property(self, object_type: str, name: str, value: str) -> dict | None:
        matches = [o for o in self.objects[object_type].values()
                   if str(o["properties"].get(name, "")).lower() == str(value).lower()]
        return matches[0] if matches else None

    def _batch_read(self, object_type: str, body: dict) -> tuple[int, dict, dict]:
        id_property = body.get("idProperty")
        found, missing = [], []
        for entry in body.get("inputs") or []:
            key = str(entry["id"])
            record = (self._by_property(object_type, id_property, key) if id_property
                      else self.objects[object_type].get(key))
            if record is None:
                missing.append(key)
            else:
                wanted = body.get("properties") or []
                found.append({**record, "properties": {k: v for k, v in record["properties"].items()
                                                       if not wanted or k in wanted or k == "hs_object_id"}})
        stamp = now_iso()
        answer = {"status": "COMPLETE", "results": found, "startedAt": stamp, "completedAt": stamp}
        if not missing:
            return 200, answer, {}
        answer["numErrors"] = 1
        answer["errors"] = [{"status": "error", "category": "OBJECT_NOT_FOUND",
                             "message": f"Could not get some {SINGULAR[object_type]} objects, they may be deleted "
                                        "or not exist. Check that ids are valid.",
                             "context": {"ids": missing}}]
        return 207, answer, {}

    def _batch_upsert(self, object_type: str, body: dict) -> tuple[int, dict, dict]:
        results = []
        for entry in body.get("inputs") or []:
            id_property = entry.get("idProperty")
            if object_type != "contacts" or id_property != "email":
                return error(400, f"{id_property} is not a unique property of {object_type}", "VALIDATION_ERROR")
            properties = {k: str(v) for k, v in (entry.get("properties") or {}).items()}
            invalid = self._invalid(object_type, {**properties, "email": entry["id"]})
            if invalid:
                return invalid
            record = self._by_property(object_type, "email", entry["id"])
            if record is None:
                record = self._create(object_type, {**properties, "email": str(entry["id"])})
                results.append({**record, "new": True})
            else:
                record["properties"].update(properties)
                record["updatedAt"] = now_iso()
                results.append({**record, "new": False})
        stamp = now_iso()
        return 200, {"status": "COMPLETE", "results": results, "startedAt": stamp, "completedAt": stamp}, {}

    def _search(self, object_type: str, body: dict) -> tuple[int, dict, dict]:
        groups = body.get("filterGroups") or []
        if len(groups) > 5 or any(len(g.get("filters") or []) > 6 for g in groups):
            return error(400, "There was a problem with the request.", "VALIDATION_ERROR")
        matches = [o for o in self.objects[object_type].values()
                   if not groups or any(all(self._holds(object_type, o, f) for f in g.get("filters") or [])
                                        for g in groups)]
        for sort in reversed(body.get("sorts") or []):
            matches.sort(key=lambda o, s=sort: str(o["properties"].get(s["propertyName"], "")),
                         reverse=sort.get("direction") == "DESCENDING")
        limit = min(int(body.get("limit") or 10), 200)
        offset = int(body.get("after") or 0)
        wanted = body.get("properties") or []
        page = [{**o, "properties": {k: v for k, v in o["properties"].items()
                                     if not wanted or k in wanted or k in ("hs_object_id", "createdate")}}
                for o in matches[offset:offset + limit]]
        answer: dict = {"total": len(matches), "results": page}
        if offset + limit < len(matches):
            answer["paging"] = {"next": {"after": str(offset + limit), "link": ""}}
        return 200, answer, {}

    def _holds(self, object_type: str, record: dict, condition: dict) -> bool:
        name, operator = condition["propertyName"], condition["operator"]
        if name.startswith("associations."):
            to_type = TYPE_ALIASES.get(name.split(".", 1)[1], name.split(".", 1)[1])
            return str(condition.get("value")) in self.associated(object_type, record["id"], to_type)
        value = record["properties"].get(name)
        if operator == "HAS_PROPERTY":
            return value not in (None, "")
        if operator == "NOT_HAS_PROPERTY":
            return value in (None, "")
        if value is None:
            return operator == "NEQ"
        if operator == "CONTAINS_TOKEN":
            return str(condition.get("value", "")).lower() in re.split(r"[^\w-]+", str(value).lower())
        if operator == "IN":
            return str(value).lower() in {str(v).lower() for v in condition.get("values") or []}
        left, right = comparable(name, value), comparable(name, condition.get("value"))
        return {"EQ": left == right, "NEQ": left != right, "GT": left > right, "GTE": left >= right,
                "LT": left < right, "LTE": left <= right}[operator]

    def _link(self, from_type: str, from_id: str, to_type: str, to_id: str) -> None:
        self.associations.add((from_type, from_id, to_type, to_id))
        self.associations.add((to_type, to_id, from_type, from_id))

    def _associate_default(self, from_type: str, from_id: str, to_type: str, to_id: str) -> tuple[int, dict, dict]:
        from_type, to_type = TYPE_ALIASES.get(from_type, from_type), TYPE_ALIASES.get(to_type, to_type)
        for object_type, object_id in ((from_type, from_id), (to_type, to_id)):
            if object_id not in self.objects.get(object_type, {}):
                return error(404, f"No {SINGULAR.get(object_type, object_type)} with id {object_id} exists",
                             "OBJECT_NOT_FOUND")
        self._link(from_type, from_id, to_type, to_id)
        stamp = now_iso()
        spec = {"associationCategory": "HUBSPOT_DEFINED",
                "associationTypeId": DEFAULT_TYPE_IDS.get((from_type, to_type), 1)}
        return 200, {"status": "COMPLETE", "results": [{"from": {"id": from_id}, "to": {"id": to_id},
                                                        "associationSpec": spec}],
                     "startedAt": stamp, "completedAt": stamp}, {}


def comparable(name: str, value: object) -> object:
    """Dates compare as epoch milliseconds (HubSpot takes either form in filters), numbers as numbers."""
    text = str(value)
    if name in ("createdate", "hs_lastmodifieddate", "closedate") and not text.isdigit():
        return int(datetime.fromisoformat(text.replace("Z", "+00:00")).timestamp() * 1000)
    if re.fullmatch(r"-?\d+(\.\d+)?", text):
        return float(text)
    return text.lower()


def transient_answer(status: int, retry_after: str | None) -> tuple[int, dict | None, dict]:
    if status == 429:
        _, body, _ = error(429, "You have reached your secondly limit.", "RATE_LIMITS", errorType="RATE_LIMIT",
                           policyName="SECONDLY")
        return 429, body, {"Retry-After": retry_after or "1"}
    if status == 500:
        return error(500, "internal error", "INTERNAL_ERROR")
    return status, {"status": "error", "message": "Bad Gateway" if status == 502 else "Service Unavailable",
                    "correlationId": str(uuid.uuid4())}, {}
