"""A local, stateful HubSpot CRM that speaks HubSpot's REST wire format, for the real hubspot-api-client.

Serves what the HubSpot backend calls — ``/crm/v3/objects/{type}`` create,
``GET``/``PATCH .../{id}`` (``?idProperty=`` on GET), ``.../search``
(filterGroups ORed, filters ANDed; EQ, NEQ, GT, GTE, LT, LTE, IN,
HAS_PROPERTY and the ``associations.{type}`` pseudo property; sorts, limit,
``after`` paging), ``.../batch/read`` and ``.../batch/upsert`` (``idProperty``:
the object id, ``email`` on contacts, or a custom property with
``hasUniqueValue``; 207 Multi-Status with errors for ids not found), inline
``associations`` on create, the v4
``PUT /crm/v4/objects/{from}/{id}/associations/default/{to}/{id}``,
``GET /crm/v4/objects/{from}/{id}/associations/{to}`` and
``POST /crm/v4/associations/{from}/{to}/batch/read``, and the properties API
(``POST /crm/v3/properties/{type}``, ``GET .../{type}/{name}``; creating one
needs the ``crm.schemas.{type}.write`` scope). Errors have HubSpot's JSON
shape (``status``, ``message``, ``correlationId``, ``category``;
``errorType``/``policyName`` on 429; ``MISSING_SCOPES`` with the required
scopes on 403), with the ``X-HubSpot-RateLimit-*`` headers.

Consistency, as on HubSpot: reads by id or by a unique property (GET, batch
read, upsert, the v4 association reads) see every write at once; the search
endpoint reads an index that lags writes by ``search_lag_s`` — an object
created or updated (or associated) is found by search with its new values
only that long after the write. A second object with the value of a unique
property (``hasUniqueValue``) is refused: 400 ``VALIDATION_ERROR`` with the
per-property validation list, whose entry says the value "already has that
value" — the same shape as every other invalid property value. An address in
``invalid_emails`` is refused as HubSpot refuses one it deems invalid (it checks
more than the ``@``): 400 ``VALIDATION_ERROR``, ``INVALID_EMAIL``. Tickets (``/crm/v3/objects/tickets``)
need ``hs_pipeline_stage`` and a stage of their ``hs_pipeline`` (``TICKET_PIPELINES``: the default
support pipeline "0", stages "1"-"4"), else 400 ``INVALID_OPTION``; with ``owners`` set, a
``hubspot_owner_id`` that is not an owner's id is refused with ``INVALID_OWNER_ID``.

``on_answer``: a test's hook, called with each request's method and path after
its answer is decided and before it is sent (e.g. a barrier that lets two
writers both read before either writes).

Faults: a queue per path pattern (status, Retry-After, or ``timeout`` = the
request is *performed* and the answer comes too late), a random transient
rate (500/502/503/504/429/timeout), and a server-side per-10-second budget
(``budget_per_10s=100`` is HubSpot's real limit for a private app: over it, 429
with HubSpot's documented ``TEN_SECONDLY_ROLLING`` body; ``budget_retry_after``
off: no ``Retry-After``, only the ``X-HubSpot-RateLimit-*`` headers). An outage:
``go_down("503")`` answers every request 503 Service Unavailable (nothing is
performed), ``go_down("refused")`` closes the listening socket (connection
refused); ``come_back()`` ends either, on the same port.
"""

from __future__ import annotations

import copy
import json
import random
import re
import threading
import time
import uuid
from collections import deque
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime
from http.server import BaseHTTPRequestHandler
from urllib.parse import parse_qs, unquote, urlparse

from tests.support.http_fake import Served, serve

KNOWN_PROPERTIES = {
    "contacts": {"email", "firstname", "lastname", "company", "phone", "lifecyclestage", "hs_lead_status",
                 "hubspot_owner_id"},
    "companies": {"name", "domain", "industry", "city", "hubspot_owner_id"},
    "deals": {"dealname", "pipeline", "dealstage", "amount", "closedate", "hubspot_owner_id"},
    "notes": {"hs_timestamp", "hs_note_body", "hubspot_owner_id"},
    "tickets": {"subject", "content", "hs_pipeline", "hs_pipeline_stage", "hs_ticket_priority", "hubspot_owner_id",
                "source_type"},
}
SINGULAR = {"contacts": "CONTACT", "companies": "COMPANY", "deals": "DEAL", "notes": "NOTE", "tickets": "TICKET"}
TYPE_ALIASES = {"contact": "contacts", "company": "companies", "deal": "deals", "0-1": "contacts",
                "0-2": "companies", "0-3": "deals", "note": "notes", "0-46": "notes", "ticket": "tickets",
                "0-5": "tickets"}
DEFAULT_TYPE_IDS = {("contacts", "companies"): 279, ("companies", "contacts"): 280, ("deals", "contacts"): 3,
                    ("contacts", "deals"): 4, ("deals", "companies"): 341, ("companies", "deals"): 342,
                    ("tickets", "contacts"): 16, ("contacts", "tickets"): 15, ("tickets", "companies"): 26,
                    ("companies", "tickets"): 25}
CLOSED_STAGES = {"closedwon", "closedlost"}
#: ticket pipelines: HubSpot's default support pipeline "0" and its stages New, Waiting on contact,
#: Waiting on us, Closed (an account's own pipelines have numeric ids too)
TICKET_PIPELINES = {"0": {"1", "2", "3", "4"}}
TICKET_PRIORITIES = {"LOW", "MEDIUM", "HIGH", "URGENT"}
PROPERTY_GROUPS = {"contacts": "contactinformation", "companies": "companyinformation", "deals": "dealinformation",
                   "notes": "engagement", "tickets": "ticketinformation"}
SCHEMA_SCOPES = {"contacts": "crm.schemas.contacts", "companies": "crm.schemas.companies",
                 "deals": "crm.schemas.deals", "notes": "crm.objects.notes", "tickets": "tickets"}
PROPERTY_TYPES = {"string", "number", "date", "datetime", "enumeration", "bool"}


def property_definition(object_type: str, name: str, **fields: object) -> dict:
    """A property as ``GET /crm/v3/properties/{type}/{name}`` answers it."""
    stamp = now_iso()
    return {"name": name, "label": fields.get("label") or name, "type": fields.get("type") or "string",
            "fieldType": fields.get("fieldType") or "text", "description": fields.get("description") or "",
            "groupName": fields.get("groupName") or PROPERTY_GROUPS[object_type], "options": [],
            "displayOrder": fields.get("displayOrder", -1), "calculated": False, "externalOptions": False,
            "hasUniqueValue": bool(fields.get("hasUniqueValue", False)), "hidden": bool(fields.get("hidden", False)),
            "formField": bool(fields.get("formField", False)), "createdAt": stamp, "updatedAt": stamp,
            "archived": False, "modificationMetadata": {"archivable": True, "readOnlyDefinition": False,
                                                        "readOnlyValue": False},
            **({"hubspotDefined": True} if fields.get("hubspotDefined") else {})}


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
class FakeHubSpot(Served):
    token: str = "pat-na1-test"
    budget_per_10s: int = 10_000
    budget_window_s: float = 10.0  # HubSpot's is 10 s; tests may shrink it
    budget_retry_after: bool = True  # a budget 429 carries Retry-After (the window's rest)
    transient_rate: float = 0.0  # share of requests answered with a random transient fault
    timeout_s: float = 1.5  # how late a "timeout" answer comes
    latency_s: float = 0.0  # every answer takes at least this long (a remote CRM is not free)
    seed: int = 7
    search_lag_s: float = 0.0  # how long a write takes to reach the search index (seconds on HubSpot)
    scopes: frozenset[str] | None = None  # the token's scopes; None: every scope
    invalid_emails: set[str] = field(default_factory=set)  # contact addresses HubSpot refuses as invalid
    #: the account's owners (GET /crm/v3/owners ids); None: any id is an owner. Another id in
    #: hubspot_owner_id is refused: 400 VALIDATION_ERROR, INVALID_OWNER_ID, as HubSpot does.
    owners: set[str] | None = None
    objects: dict[str, dict[str, dict]] = field(default_factory=lambda: {t: {} for t in SINGULAR})
    associations: set[tuple[str, str, str, str]] = field(default_factory=set)
    faults: list[Fault] = field(default_factory=list)
    calls: list[tuple[str, str]] = field(default_factory=list)
    injected: list[tuple[str, str, int | str]] = field(default_factory=list)
    #: called with (method, path) once a request's answer is decided, before it is sent (outside the fake's
    #: lock): a test can hold answers back there (a ``threading.Barrier``) to make two writers interleave.
    on_answer: Callable[[str, str], None] | None = None

    def __post_init__(self) -> None:
        self._lock = threading.Lock()
        self._random = random.Random(self.seed)
        self._next_id = 1000
        self._window: deque[float] = deque()
        self.properties = {t: {n: property_definition(t, n, hubspotDefined=True) for n in names}
                           for t, names in KNOWN_PROPERTIES.items()}
        self.properties["contacts"]["email"]["hasUniqueValue"] = True
        self._index: dict[str, dict[str, list[tuple[float, dict]]]] = {t: {} for t in SINGULAR}
        self._linked_at: dict[tuple[str, str, str, str], float] = {}
        self._http = serve(self._serve)
        self.down: str | None = None  # "503" or "refused" during an outage (go_down)
        self.refused_while_down = 0  # requests answered 503 during an outage

    # -- test-facing -------------------------------------------------------------------
    def go_down(self, how: str = "503") -> None:
        """An outage: every request answered 503 (``"503"``), or no server listening (``"refused"``)."""
        if how not in ("503", "refused"):
            raise ValueError(how)
        self.down = how
        if how == "refused":
            self._port = self._http.server_port
            self.close()

    def come_back(self) -> None:
        if self.down == "refused":
            self._http = serve(self._serve, port=self._port)
        self.down = None

    def fail(self, path_pattern: str, status: int | str, times: int = 1, retry_after: str | None = None) -> None:
        self.faults.append(Fault(re.compile(path_pattern), status, retry_after, times))

    def count(self, method: str, path_pattern: str) -> int:
        return sum(1 for m, path in self.calls if m == method and re.search(path_pattern, path))

    def all(self, object_type: str) -> list[dict]:
        return list(self.objects[object_type].values())

    def associated(self, from_type: str, from_id: str, to_type: str) -> set[str]:
        return {t for f, fid, tt, t in self.associations if (f, fid, tt) == (from_type, from_id, to_type)}

    def seed_object(self, object_type: str, properties: dict[str, str], created_at: datetime | None = None) -> str:
        """An object that was there before the test: already in the search index."""
        with self._lock:
            record = self._create(object_type, properties, created_at)
            self._index[object_type][record["id"]] = [(0.0, copy.deepcopy(record))]
            return record["id"]

    def link(self, from_type: str, from_id: str, to_type: str, to_id: str) -> None:
        """An association that was there before the test: already in the search index."""
        with self._lock:
            self._link(from_type, from_id, to_type, to_id)
            self._linked_at[(from_type, from_id, to_type, to_id)] = self._linked_at[
                (to_type, to_id, from_type, from_id)] = 0.0

    # -- the wire ------------------------------------------------------------------------
    def _serve(self, handler: BaseHTTPRequestHandler, method: str) -> None:
        length = int(handler.headers.get("Content-Length") or 0)
        raw = handler.rfile.read(length) if length else b""
        if self.down == "refused":  # a connection kept alive from before the outage: the server is gone
            handler.close_connection = True
            return
        url = urlparse(handler.path)
        path, query = url.path, {k: v[-1] for k, v in parse_qs(url.query).items()}
        late = False
        with self._lock:
            self.calls.append((method, path))
            status, payload, headers, late = self._answer(method, path, query, raw, handler.headers)
        if self.on_answer is not None:
            self.on_answer(method, path)
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

    def _answer(self, method: str, path: str, query: dict[str, str], raw: bytes,
                headers) -> tuple[int, dict | None, dict, bool]:
        if headers.get("Authorization") != f"Bearer {self.token}":
            status, body, extra = error(401, "Authentication credentials not found. This API supports OAuth 2.0 "
                                             "authentication and you can find more details at "
                                             "https://developers.hubspot.com/docs/methods/auth/oauth-overview",
                                        "INVALID_AUTHENTICATION")
            return status, body, extra, False
        if self.down is not None:
            self.refused_while_down += 1
            return (*transient_answer(503, None), False)
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
        status, payload, extra = self._route(method, path, query, body)
        return status, payload, {**extra, **self._rate_headers()}, fault == "timeout"

    def _budget(self) -> tuple[int, dict, dict] | None:
        now = time.monotonic()
        while self._window and now - self._window[0] >= self.budget_window_s:
            self._window.popleft()
        if len(self._window) >= self.budget_per_10s:
            self.injected.append(("budget", "", 429))
            wait = self.budget_window_s - (now - self._window[0])
            retry_after = {"Retry-After": f"{max(wait, 0.05):.2f}"} if self.budget_retry_after else {}
            return 429, rate_limited_body(), {**self._rate_headers(), **retry_after}
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
    def _route(self, method: str, path: str, query: dict[str, str], body: dict) -> tuple[int, dict | None, dict]:
        v4 = re.fullmatch(r"/crm/v4/objects/([^/]+)/([^/]+)/associations/default/([^/]+)/([^/]+)", path)
        if v4 and method == "PUT":
            return self._associate_default(*(unquote(g) for g in v4.groups()))
        listed = re.fullmatch(r"/crm/v4/objects/([^/]+)/([^/]+)/associations/([^/]+)", path)
        if listed and method == "GET":
            return self._associations_page(*(unquote(g) for g in listed.groups()))
        batch = re.fullmatch(r"/crm/v4/associations/([^/]+)/([^/]+)/batch/read", path)
        if batch and method == "POST":
            return self._associations_batch(*(unquote(g) for g in batch.groups()), body)
        schema = re.fullmatch(r"/crm/v3/properties/([^/]+)(?:/([^/]+))?", path)
        if schema:
            return self._properties(method, *(unquote(g) if g else g for g in schema.groups()), body)
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
            return self._read_one(object_type, item, query)
        return error(405, f"{method} not allowed here", "VALIDATION_ERROR")

    def _invalid(self, object_type: str, properties: dict) -> tuple[int, dict, dict] | None:
        unknown = sorted(set(properties) - set(self.properties[object_type]))
        problems = [{"isValid": False, "message": f'Property "{name}" does not exist', "error": "PROPERTY_DOESNT_EXIST",
                     "name": name, "localizedErrorMessage": f'Property "{name}" does not exist'} for name in unknown]
        email = properties.get("email")
        if object_type == "contacts" and email is not None and (
                "@" not in email or email.lower() in {e.lower() for e in self.invalid_emails}):
            problems.append({"isValid": False, "message": f"Email address {email} is invalid",
                             "error": "INVALID_EMAIL", "name": "email",
                             "localizedErrorMessage": f"Email address {email} is invalid"})
        owner = properties.get("hubspot_owner_id")
        if owner and self.owners is not None and owner not in self.owners:
            problems.append({"isValid": False, "message": f"{owner} is not a valid owner id",
                             "error": "INVALID_OWNER_ID", "name": "hubspot_owner_id"})
        if object_type == "tickets":
            problems.extend(ticket_problems(properties))
        amount = properties.get("amount")
        if amount is not None and not re.fullmatch(r"-?\d+(\.\d+)?", str(amount)):
            problems.append({"isValid": False, "message": f"{amount} was not a valid number.",
                             "error": "INVALID_FLOAT", "name": "amount"})
        if not problems:
            return None
        return error(400, f"Property values were not valid: {json.dumps(problems)}", "VALIDATION_ERROR")

    def _duplicate(self, object_type: str, properties: dict, object_id: str | None) -> tuple[int, dict, dict] | None:
        """A unique property's value held by another object: refused, as an invalid property value."""
        for name, value in properties.items():
            definition = self.properties[object_type].get(name)
            if not value or definition is None or not definition["hasUniqueValue"] or name == "email":
                continue
            holder = self._by_property(object_type, name, value)
            if holder is not None and holder["id"] != object_id:
                problem = {"isValid": False, "message": f"{value} already has that value.",
                           "error": "INVALID_PROPERTY_VALUE", "name": name,
                           "localizedErrorMessage": f"{value} already has that value."}
                return error(400, f"Property values were not valid: {json.dumps([problem])}", "VALIDATION_ERROR")
        return None

    def _unique(self, object_type: str, name: str | None) -> bool:
        definition = self.properties[object_type].get(name or "")
        return name in (None, "hs_object_id") or bool(definition and definition["hasUniqueValue"])

    def _create_checked(self, object_type: str, body: dict) -> tuple[int, dict, dict]:
        properties = {k: str(v) for k, v in (body.get("properties") or {}).items()}
        if object_type == "tickets" and not properties.get("hs_pipeline_stage"):
            return error(400, "hs_pipeline_stage is required when creating a ticket", "VALIDATION_ERROR",
                         errors=[{"message": "hs_pipeline_stage is required", "code": "REQUIRED_FIELD",
                                  "context": {"propertyName": ["hs_pipeline_stage"]}}])
        invalid = self._invalid(object_type, properties) or self._duplicate(object_type, properties, None)
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
        self._reindex(object_type, record)
        return record

    def _reindex(self, object_type: str, record: dict) -> None:
        """The search index learns of this version of the object ``search_lag_s`` from now."""
        versions = self._index[object_type].setdefault(record["id"], [])
        versions.append((time.monotonic() + self.search_lag_s, copy.deepcopy(record)))

    def _searchable(self, object_type: str) -> list[dict]:
        """What the search index holds now: each object's latest version that reached it."""
        now, found = time.monotonic(), []
        for versions in self._index[object_type].values():
            visible = [record for since, record in versions if since <= now]
            if visible:
                found.append(visible[-1])
        return found

    def _update(self, object_type: str, object_id: str, body: dict) -> tuple[int, dict, dict]:
        record = self.objects[object_type].get(object_id)
        if record is None:
            return error(404, f"resource not found, objectId: {object_id}", "OBJECT_NOT_FOUND")
        properties = {k: str(v) for k, v in (body.get("properties") or {}).items()}
        invalid = self._invalid(object_type, properties) or self._duplicate(object_type, properties, object_id)
        if invalid:
            return invalid
        record["properties"].update(properties)
        record["updatedAt"] = record["properties"]["hs_lastmodifieddate"] = now_iso()
        if object_type == "deals":
            record["properties"]["hs_is_closed"] = str(record["properties"].get("dealstage") in CLOSED_STAGES).lower()
        self._reindex(object_type, record)
        return 200, record, {}

    def _read_one(self, object_type: str, object_id: str, query: dict[str, str]) -> tuple[int, dict, dict]:
        id_property = query.get("idProperty")
        if not self._unique(object_type, id_property):
            return error(400, f"{id_property} is not a unique identifier property of {object_type}",
                         "VALIDATION_ERROR")
        found = (self._by_property(object_type, id_property, object_id) if id_property
                 else self.objects[object_type].get(object_id))
        if found is None:
            return error(404, "", "OBJECT_NOT_FOUND")
        wanted = [p for p in query.get("properties", "").split(",") if p]
        return 200, _only(found, wanted), {}

    def _by_property(self, object_type: str, name: str, value: str) -> dict | None:
        matches = [o for o in self.objects[object_type].values()
                   if str(o["properties"].get(name, "")).lower() == str(value).lower()]
        return matches[0] if matches else None

    def _batch_read(self, object_type: str, body: dict) -> tuple[int, dict, dict]:
        id_property = body.get("idProperty")
        if not self._unique(object_type, id_property):
            return error(400, f"{id_property} is not a unique identifier property of {object_type}",
                         "VALIDATION_ERROR")
        found, missing = [], []
        for entry in body.get("inputs") or []:
            key = str(entry["id"])
            record = (self._by_property(object_type, id_property, key) if id_property
                      else self.objects[object_type].get(key))
            if record is None:
                missing.append(key)
            else:
                found.append(_only(record, body.get("properties") or []))
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
            if not id_property or id_property == "hs_object_id" or not self._unique(object_type, id_property):
                return error(400, f"{id_property} is not a unique property of {object_type}", "VALIDATION_ERROR")
            properties = {k: str(v) for k, v in (entry.get("properties") or {}).items()}
            properties[id_property] = str(entry["id"])
            record = self._by_property(object_type, id_property, entry["id"])
            invalid = (self._invalid(object_type, properties)
                       or self._duplicate(object_type, properties, record["id"] if record else None))
            if invalid:
                return invalid
            if record is None:
                record = self._create(object_type, properties)
                results.append({**record, "new": True})
            else:
                record["properties"].update(properties)
                record["updatedAt"] = record["properties"]["hs_lastmodifieddate"] = now_iso()
                self._reindex(object_type, record)
                results.append({**record, "new": False})
        stamp = now_iso()
        return 200, {"status": "COMPLETE", "results": results, "startedAt": stamp, "completedAt": stamp}, {}

    def _search(self, object_type: str, body: dict) -> tuple[int, dict, dict]:
        groups = body.get("filterGroups") or []
        sizes = [len(g.get("filters") or []) for g in groups]
        if len(groups) > 5 or any(size > 10 for size in sizes) or sum(sizes) > 25:
            return error(400, "There was a problem with the request.", "VALIDATION_ERROR")
        matches = [o for o in self._searchable(object_type)
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
            link = (object_type, record["id"], to_type, str(condition.get("value")))
            return link in self._linked_at and self._linked_at[link] <= time.monotonic()
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
        visible_at = time.monotonic() + self.search_lag_s
        for link in ((from_type, from_id, to_type, to_id), (to_type, to_id, from_type, from_id)):
            if link not in self.associations:
                self.associations.add(link)
                self._linked_at[link] = visible_at

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


    # -- v4 association reads (consistent) and the properties API --------------------
    def _association_results(self, from_type: str, from_id: str, to_type: str) -> list[dict]:
        return [{"toObjectId": int(to_id), "associationTypes": [
                    {"category": "HUBSPOT_DEFINED", "typeId": DEFAULT_TYPE_IDS.get((from_type, to_type), 1),
                     "label": None}]}
                for to_id in sorted(self.associated(from_type, from_id, to_type), key=int)]

    def _associations_page(self, from_type: str, from_id: str, to_type: str) -> tuple[int, dict, dict]:
        from_type, to_type = TYPE_ALIASES.get(from_type, from_type), TYPE_ALIASES.get(to_type, to_type)
        if from_type not in self.objects or to_type not in self.objects:
            return error(400, f"Unable to infer object type from: {from_type}/{to_type}", "VALIDATION_ERROR")
        return 200, {"results": self._association_results(from_type, from_id, to_type)}, {}

    def _associations_batch(self, from_type: str, to_type: str, body: dict) -> tuple[int, dict, dict]:
        from_type, to_type = TYPE_ALIASES.get(from_type, from_type), TYPE_ALIASES.get(to_type, to_type)
        if from_type not in self.objects or to_type not in self.objects:
            return error(400, f"Unable to infer object type from: {from_type}/{to_type}", "VALIDATION_ERROR")
        results, without = [], []
        for entry in body.get("inputs") or []:
            found = self._association_results(from_type, str(entry["id"]), to_type)
            if found:
                results.append({"from": {"id": str(entry["id"])}, "to": found})
            else:
                without.append(str(entry["id"]))
        stamp = now_iso()
        answer: dict = {"status": "COMPLETE", "results": results, "startedAt": stamp, "completedAt": stamp}
        if not without:
            return 200, answer, {}
        answer["numErrors"] = len(without)
        answer["errors"] = [{"status": "error", "category": "OBJECT_NOT_FOUND",
                             "subCategory": "crm.associations.NO_ASSOCIATIONS_FOUND",
                             "message": f"No {to_type} is associated with {SINGULAR[from_type].lower()} {object_id}.",
                             "context": {"fromObjectId": [object_id], "toObjectType": [to_type]}}
                            for object_id in without]
        return 207, answer, {}

    def _properties(self, method: str, object_type: str, name: str | None, body: dict) -> tuple[int, dict, dict]:
        object_type = TYPE_ALIASES.get(object_type, object_type)
        if object_type not in self.properties:
            return error(400, f"Unable to infer object type from: {object_type}", "VALIDATION_ERROR")
        scope = SCHEMA_SCOPES[object_type] + ("" if object_type == "tickets" else  # one scope, "tickets"
                                              ".write" if method == "POST" else ".read")
        if self.scopes is not None and scope not in self.scopes:
            return missing_scope(scope)
        if method == "GET" and name:
            found = self.properties[object_type].get(name)
            if found is None:
                return error(404, f"Unable to find property {name} for object type {SINGULAR[object_type]}",
                             "OBJECT_NOT_FOUND")
            return 200, found, {}
        if method != "POST" or name:
            return error(405, f"{method} not allowed here", "VALIDATION_ERROR")
        missing = [f for f in ("name", "label", "type", "fieldType", "groupName") if not body.get(f)]
        if missing or body["type"] not in PROPERTY_TYPES:
            return error(400, f"Invalid input: {missing or body.get('type')}", "VALIDATION_ERROR")
        if body["name"] in self.properties[object_type]:
            return error(409, f"Property named '{body['name']}' already exists.", "OBJECT_ALREADY_EXISTS")
        definition = property_definition(object_type, body["name"], **{k: v for k, v in body.items() if k != "name"})
        self.properties[object_type][body["name"]] = definition
        return 201, definition, {}


def ticket_problems(properties: dict[str, str]) -> list[dict]:
    """A ticket's stage must be one of its pipeline's (``hs_pipeline_stage`` is required on create)."""
    pipeline, stage = properties.get("hs_pipeline", "0"), properties.get("hs_pipeline_stage")
    problems = []
    if pipeline not in TICKET_PIPELINES:
        problems.append({"isValid": False, "message": f"{pipeline} was not one of the allowed options",
                         "error": "INVALID_OPTION", "name": "hs_pipeline"})
    elif stage is not None and stage not in TICKET_PIPELINES[pipeline]:
        problems.append({"isValid": False, "message": f"{stage} is not a valid stage of pipeline {pipeline}",
                         "error": "INVALID_OPTION", "name": "hs_pipeline_stage"})
    priority = properties.get("hs_ticket_priority")
    if priority is not None and priority not in TICKET_PRIORITIES:
        problems.append({"isValid": False, "message": f"{priority} was not one of the allowed options",
                         "error": "INVALID_OPTION", "name": "hs_ticket_priority"})
    return problems


def comparable(name: str, value: object) -> object:
    """Dates compare as epoch milliseconds (HubSpot takes either form in filters), numbers as numbers."""
    text = str(value)
    if name in ("createdate", "hs_lastmodifieddate", "closedate") and not text.isdigit():
        return int(datetime.fromisoformat(text.replace("Z", "+00:00")).timestamp() * 1000)
    if re.fullmatch(r"-?\d+(\.\d+)?", text):
        return float(text)
    return text.lower()


def rate_limited_body() -> dict:
    """HubSpot's documented answer past the ten-second limit (developers.hubspot.com, API usage guidelines)."""
    return {"status": "error", "message": "You have reached your ten_secondly_rolling limit.",
            "errorType": "RATE_LIMIT", "correlationId": str(uuid.uuid4()), "policyName": "TEN_SECONDLY_ROLLING",
            "requestId": str(uuid.uuid4())}


def transient_answer(status: int, retry_after: str | None) -> tuple[int, dict | None, dict]:
    if status == 429:
        _, body, _ = error(429, "You have reached your secondly limit.", "RATE_LIMITS", errorType="RATE_LIMIT",
                           policyName="SECONDLY")
        return 429, body, {"Retry-After": retry_after or "1"}
    if status == 500:
        return error(500, "internal error", "INTERNAL_ERROR")
    return status, {"status": "error", "message": "Bad Gateway" if status == 502 else "Service Unavailable",
                    "correlationId": str(uuid.uuid4())}, {}


def _only(record: dict, wanted: list[str]) -> dict:
    """The object with the asked-for properties (all when none is asked for), as HubSpot answers reads."""
    return {**record, "properties": {k: v for k, v in record["properties"].items()
                                     if not wanted or k in wanted or k == "hs_object_id"}}


def missing_scope(scope: str) -> tuple[int, dict, dict]:
    return error(403, "This app hasn't been granted all required scopes to make this call. Read more about "
                      "required scopes here: https://developers.hubspot.com/scopes.", "MISSING_SCOPES",
                 errors=[{"message": "One or more of the following scopes are required.",
                          "context": {"requiredGranularScopes": [scope]}}],
                 links={"scopes": "https://developers.hubspot.com/scopes"})
