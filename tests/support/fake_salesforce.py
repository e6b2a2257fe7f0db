"""A local, stateful Salesforce REST API (HTTPS) that speaks its wire format, for the real simple-salesforce.

simple-salesforce always builds ``https://{instance}/services/data/vNN.0/``,
so this server speaks TLS with a self-signed certificate made for 127.0.0.1
(``ca_file``: give it to the client's ``requests.Session.verify``). Serves
``query`` (a SOQL subset: SELECT fields FROM object WHERE conditions joined by
AND/OR with =, !=, <, <=, >, >=, IN; ORDER BY; LIMIT), ``sobjects/{type}``
create (201 ``{"id", "success", "errors"}``), ``PATCH sobjects/{type}/{id}``
(204), ``PATCH sobjects/{type}/{externalIdField}/{value}`` (upsert: 201
``created: true`` / 200 ``created: false``). Errors are Salesforce's JSON list
``[{"message", "errorCode", "fields"}]``: REQUIRED_FIELD_MISSING,
INVALID_FIELD, MALFORMED_QUERY, INVALID_SESSION_ID, NOT_FOUND, and the
transient ones injected (503 SERVER_UNAVAILABLE, 500 UNKNOWN_EXCEPTION, 403
REQUEST_LIMIT_EXCEEDED, 429 with Retry-After, timeouts after the write).
``sobjects/Case`` (with the external id ``Triage_Email_Id__c``; restricted ``Status``/``Priority``/
``Origin`` picklists) and ``OwnerId`` on every object (``owners``: the org's Users and Queues;
another id is INVALID_CROSS_REFERENCE_KEY). ``validation_rule`` adds an org's validation rule: a create, update or upsert
whose field matches it is refused with 400 FIELD_CUSTOM_VALIDATION_EXCEPTION
and the rule's error message, as Salesforce does. ``on_answer``: a test's hook,
called with each request's method, path and SOQL after its answer is decided
and before it is sent (e.g. a barrier that lets two writers both read first).
"""

from __future__ import annotations

import datetime as dt
import ipaddress
import json
import random
import re
import ssl
import tempfile
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler
from pathlib import Path
from urllib.parse import parse_qs, unquote, urlparse

from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.x509.oid import NameOID

from tests.support.fake_hubspot import Fault
from tests.support.http_fake import Served, serve

PREFIX = {"Account": "001", "Contact": "003", "Opportunity": "006", "OpportunityContactRole": "00K", "Task": "00T",
          "Case": "500"}
FIELDS = {
    "Account": {"Name", "Website", "Triage_Domain__c", "Industry", "OwnerId"},
    "Contact": {"FirstName", "LastName", "Email", "AccountId", "Triage_Email__c", "Phone", "OwnerId"},
    "Opportunity": {"Name", "StageName", "CloseDate", "Amount", "AccountId", "LeadSource", "Triage_Email_Id__c",
                    "OwnerId"},
    "OpportunityContactRole": {"OpportunityId", "ContactId", "Role", "IsPrimary"},
    "Task": {"Subject", "WhoId", "WhatId", "Status", "Description", "OwnerId"},
    "Case": {"Subject", "Description", "Origin", "Status", "Priority", "OwnerId", "AccountId", "ContactId",
             "Triage_Email_Id__c"},
}
REQUIRED = {"Account": ["Name"], "Contact": ["LastName"], "Opportunity": ["Name", "StageName", "CloseDate"],
            "OpportunityContactRole": ["OpportunityId", "ContactId"], "Task": [], "Case": ["Status"]}
EXTERNAL_IDS = {"Account": "Triage_Domain__c", "Contact": "Triage_Email__c", "Opportunity": "Triage_Email_Id__c",
                "Case": "Triage_Email_Id__c"}
#: Case.Status and Case.Priority picklists of a standard org (restricted: another value is refused)
PICKLISTS = {("Case", "Status"): {"New", "Working", "Escalated", "Closed"},
             ("Case", "Priority"): {"High", "Medium", "Low"},
             ("Case", "Origin"): {"Email", "Phone", "Web"}}
SYSTEM = {"Id", "CreatedDate", "LastModifiedDate", "IsClosed"}
CONDITION = re.compile(r"(\w+)\s*(!=|>=|<=|=|<|>|\bIN\b)\s*('(?:[^'\\]|\\.)*'|\([^)]*\)|[\w:.+-]+)", re.I)


def errors(status: int, code: str, message: str, fields: list[str] | None = None) -> tuple[int, object, dict]:
    return status, [{"message": message, "errorCode": code, "fields": fields or []}], {}


def self_signed(directory: Path) -> tuple[Path, Path]:
    key = ec.generate_private_key(ec.SECP256R1())
    name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "127.0.0.1")])
    now = dt.datetime.now(dt.UTC)
    cert = (x509.CertificateBuilder().subject_name(name).issuer_name(name).public_key(key.public_key())
            .serial_number(x509.random_serial_number()).not_valid_before(now - dt.timedelta(minutes=5))
            .not_valid_after(now + dt.timedelta(days=1))
            .add_extension(x509.SubjectAlternativeName([x509.IPAddress(ipaddress.ip_address("127.0.0.1"))]), False)
            .add_extension(x509.BasicConstraints(ca=True, path_length=None), True)
            .sign(key, hashes.SHA256()))
    cert_file, key_file = directory / "cert.pem", directory / "key.pem"
    cert_file.write_bytes(cert.public_bytes(serialization.Encoding.PEM))
    key_file.write_bytes(key.private_bytes(serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8,
                                           serialization.NoEncryption()))
    return cert_file, key_file


def stamp(moment: dt.datetime | None = None) -> str:
    return (moment or dt.datetime.now(dt.UTC)).strftime("%Y-%m-%dT%H:%M:%S.000+0000")


@dataclass
class FakeSalesforce(Served):
    scheme = "https"

    token: str = "00Dxx0000001gEH!AQ0AQtest"
    version: str = "59.0"
    transient_rate: float = 0.0
    timeout_s: float = 1.5
    seed: int = 7
    records: dict[str, dict[str, dict]] = field(default_factory=lambda: {t: {} for t in PREFIX})
    faults: list[Fault] = field(default_factory=list)
    calls: list[tuple[str, str]] = field(default_factory=list)
    injected: list[tuple[str, str, int | str]] = field(default_factory=list)
    rules: list[tuple[str, str, re.Pattern[str], str]] = field(default_factory=list)  # validation_rule
    #: the org's active Users and Queues (OwnerId values); None: any id. Another OwnerId is refused
    #: with 400 INVALID_CROSS_REFERENCE_KEY, as for any id that names no record.
    owners: set[str] | None = None
    #: called with (method, path, SOQL or "") once a request's answer is decided, before it is sent (outside
    #: the fake's lock): a test can hold answers back there (a ``threading.Barrier``) to interleave writers.
    on_answer: Callable[[str, str, str], None] | None = None

    def __post_init__(self) -> None:
        self._lock = threading.Lock()
        self._random = random.Random(self.seed)
        self._counter = 0
        self._dir = tempfile.TemporaryDirectory(prefix="fake-sf-")
        cert, key = self_signed(Path(self._dir.name))
        self.ca_file = str(cert)
        context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
        context.load_cert_chain(cert, key)
        self._http = serve(self._serve, tls=context)

    # -- test-facing -------------------------------------------------------------------
    @property
    def instance_url(self) -> str:
        return self.url

    def close(self) -> None:
        super().close()
        self._dir.cleanup()

    def fail(self, pattern: str, status: int | str, times: int = 1, retry_after: str | None = None) -> None:
        self.faults.append(Fault(re.compile(pattern), status, retry_after, times))

    def validation_rule(self, sobject: str, field_name: str, pattern: str, message: str) -> None:
        """An active validation rule: a value of ``field_name`` matching ``pattern`` is an error."""
        self.rules.append((sobject, field_name, re.compile(pattern), message))

    def all(self, sobject: str) -> list[dict]:
        return list(self.records[sobject].values())

    def count(self, method: str, pattern: str) -> int:
        return sum(1 for m, path in self.calls if m == method and re.search(pattern, path))

    def seed_record(self, sobject: str, fields: dict, created: dt.datetime | None = None) -> str:
        with self._lock:
            return self._insert(sobject, fields, created)

    # -- the wire ------------------------------------------------------------------------
    def _serve(self, handler: BaseHTTPRequestHandler, method: str) -> None:
        length = int(handler.headers.get("Content-Length") or 0)
        raw = handler.rfile.read(length) if length else b""
        url = urlparse(handler.path)
        with self._lock:
            self.calls.append((method, url.path))
            status, payload, headers, late = self._answer(method, url.path, parse_qs(url.query), raw,
                                                          handler.headers)
        if self.on_answer is not None:
            self.on_answer(method, url.path, parse_qs(url.query).get("q", [""])[-1])
        if late:
            time.sleep(self.timeout_s)
        data = b"" if payload is None else json.dumps(payload).encode()
        try:
            handler.send_response(status)
            if data:
                handler.send_header("Content-Type", "application/json;charset=UTF-8")
            for name, value in headers.items():
                handler.send_header(name, value)
            handler.send_header("Content-Length", str(len(data)))
            handler.end_headers()
            handler.wfile.write(data)
        except OSError:
            pass

    def _answer(self, method, path, query, raw, headers) -> tuple[int, object, dict, bool]:
        if headers.get("Authorization") != f"Bearer {self.token}":
            return (*errors(401, "INVALID_SESSION_ID", "Session expired or invalid"), False)
        fault = self._fault(method, path)
        if fault is not None and fault != "timeout":
            return (*fault, False)
        base = f"/services/data/v{self.version}/"
        if not path.startswith(base):
            return (*errors(404, "NOT_FOUND", "The requested resource does not exist"), False)
        rest = path[len(base):].strip("/")
        try:
            body = json.loads(raw) if raw else {}
        except ValueError:
            return (*errors(400, "JSON_PARSER_ERROR", "Unexpected character"), False)
        answer = self._route(method, rest, query, body)
        return (*answer, fault == "timeout")

    def _fault(self, method: str, path: str):
        queued = next((f for f in self.faults if f.remaining > 0 and f.pattern.search(f"{method} {path}")), None)
        if queued is not None:
            queued.remaining -= 1
            kind, retry_after = queued.status, queued.retry_after
        elif self.transient_rate and self._random.random() < self.transient_rate:
            kind, retry_after = self._random.choice([500, 503, 403, 429, "timeout"]), "1"
        else:
            return None
        self.injected.append((method, path, kind))
        if kind == "timeout":
            return "timeout"
        if kind == 503:
            return 503, [{"errorCode": "SERVER_UNAVAILABLE", "message": "Server temporarily unavailable"}], \
                {"Retry-After": retry_after or "1"}
        if kind == 429:
            return 429, [{"errorCode": "REQUEST_LIMIT_EXCEEDED", "message": "ConcurrentPerOrgLongTxn Limit exceeded."}], \
                {"Retry-After": retry_after or "1"}
        if kind == 403:
            return errors(403, "REQUEST_LIMIT_EXCEEDED", "TotalRequests Limit exceeded.")
        if kind == 500:
            return errors(500, "UNKNOWN_EXCEPTION", "An unexpected error occurred. Please include this ErrorId if "
                                                    "you contact support: 1875316577-5052 (-1244491279)")
        return errors(int(kind), "INVALID_FIELD", "injected")

    def _route(self, method: str, rest: str, query: dict, body: dict) -> tuple[int, object, dict]:
        if rest == "query" and method == "GET":
            return self._query(query.get("q", [""])[0])
        parts = [unquote(p) for p in rest.split("/")]
        if parts[0] != "sobjects" or len(parts) < 2 or parts[1] not in PREFIX:
            return errors(404, "NOT_FOUND", "The requested resource does not exist")
        sobject = parts[1]
        if method == "POST" and len(parts) == 2:
            return self._create(sobject, body)
        if method == "PATCH" and len(parts) == 3:
            return self._update(sobject, parts[2], body)
        if method == "PATCH" and len(parts) == 4:
            return self._upsert(sobject, parts[2], parts[3], body)
        if method == "GET" and len(parts) == 3 and parts[2] in self.records[sobject]:
            return 200, self._shape(sobject, self.records[sobject][parts[2]], None), {}
        return errors(404, "NOT_FOUND", "The requested resource does not exist")

    def _invalid(self, sobject: str, fields: dict, creating: bool) -> tuple[int, object, dict] | None:
        unknown = [f for f in fields if f not in FIELDS[sobject]]
        if unknown:
            return errors(400, "INVALID_FIELD", f"No such column '{unknown[0]}' on sobject of type {sobject}")
        missing = [f for f in REQUIRED[sobject] if creating and not fields.get(f)]
        if missing:
            return errors(400, "REQUIRED_FIELD_MISSING", f"Required fields are missing: [{', '.join(missing)}]",
                          missing)
        email = fields.get("Email")
        if email is not None and "@" not in str(email):
            return errors(400, "INVALID_EMAIL_ADDRESS", f"Email: invalid email address: {email}", ["Email"])
        for rule_object, name, pattern, message in self.rules:
            if rule_object == sobject and fields.get(name) is not None and pattern.search(str(fields[name])):
                return errors(400, "FIELD_CUSTOM_VALIDATION_EXCEPTION", message, [name])
        for (picklist_object, name), allowed in PICKLISTS.items():
            if picklist_object == sobject and fields.get(name) is not None and fields[name] not in allowed:
                return errors(400, "INVALID_OR_NULL_FOR_RESTRICTED_PICKLIST",
                              f"{name}: bad value for restricted picklist field: {fields[name]}", [name])
        owner = fields.get("OwnerId")
        if owner and self.owners is not None and owner not in self.owners:
            return errors(400, "INVALID_CROSS_REFERENCE_KEY", "invalid cross reference id", ["OwnerId"])
        for key in ("AccountId", "ContactId", "OpportunityId", "WhoId", "WhatId"):
            if fields.get(key) and not any(fields[key] in r for r in self.records.values()):
                return errors(400, "INVALID_CROSS_REFERENCE_KEY", "invalid cross reference id", [key])
        return None

    def _insert(self, sobject: str, fields: dict, created: dt.datetime | None = None) -> str:
        self._counter += 1
        record_id = f"{PREFIX[sobject]}5g00000{self._counter:05d}AAA"[:18]
        now = stamp(created)
        record = {**fields, "Id": record_id, "CreatedDate": now, "LastModifiedDate": now}
        if sobject == "Opportunity":
            record["IsClosed"] = fields.get("StageName") in ("Closed Won", "Closed Lost")
        self.records[sobject][record_id] = record
        return record_id

    def _create(self, sobject: str, fields: dict) -> tuple[int, object, dict]:
        invalid = self._invalid(sobject, fields, creating=True)
        if invalid:
            return invalid
        key = EXTERNAL_IDS.get(sobject)
        if key and fields.get(key) and self._by(sobject, key, fields[key]):
            return errors(400, "DUPLICATE_VALUE", f"duplicate value found: {key} duplicates value on record with id: "
                                                  f"{self._by(sobject, key, fields[key])['Id']}", [key])
        return 201, {"id": self._insert(sobject, fields), "success": True, "errors": []}, {}

    def _update(self, sobject: str, record_id: str, fields: dict) -> tuple[int, object, dict]:
        record = self.records[sobject].get(record_id)
        if record is None:
            return errors(404, "NOT_FOUND", "Provided external ID field does not exist or is not accessible: "
                                            f"{record_id}")
        invalid = self._invalid(sobject, fields, creating=False)
        if invalid:
            return invalid
        record.update(fields)
        record["LastModifiedDate"] = stamp()
        if sobject == "Opportunity":
            record["IsClosed"] = record.get("StageName") in ("Closed Won", "Closed Lost")
        return 204, None, {}

    def _upsert(self, sobject: str, key: str, value: str, fields: dict) -> tuple[int, object, dict]:
        if EXTERNAL_IDS.get(sobject) != key:
            return errors(404, "NOT_FOUND", f"Provided external ID field does not exist or is not accessible: {key}")
        existing = self._by(sobject, key, value)
        if existing is not None:
            status, payload, headers = self._update(sobject, existing["Id"], fields)
            if status != 204:
                return status, payload, headers
            return 200, {"id": existing["Id"], "success": True, "errors": [], "created": False}, {}
        invalid = self._invalid(sobject, fields, creating=True)
        if invalid:
            return invalid
        record_id = self._insert(sobject, {**fields, key: value})
        return 201, {"id": record_id, "success": True, "errors": [], "created": True}, {}

    def _by(self, sobject: str, key: str, value: object) -> dict | None:
        return next((r for r in self.records[sobject].values()
                     if str(r.get(key, "")).lower() == str(value).lower()), None)

    # -- SOQL ----------------------------------------------------------------------------
    def _query(self, soql: str) -> tuple[int, object, dict]:
        match = re.fullmatch(r"\s*SELECT\s+(.+?)\s+FROM\s+(\w+)(?:\s+WHERE\s+(.+?))?(?:\s+ORDER\s+BY\s+(\w+)"
                             r"(?:\s+(ASC|DESC))?)?(?:\s+LIMIT\s+(\d+))?\s*", soql, re.I | re.S)
        if match is None or match.group(2) not in PREFIX:
            return errors(400, "MALFORMED_QUERY", f"unexpected token: {soql[:60]}")
        columns, sobject, where, order, direction, limit = match.groups()
        columns = [c.strip() for c in columns.split(",")]
        bad = [c for c in columns if c not in FIELDS[sobject] | SYSTEM]
        if bad:
            return errors(400, "INVALID_FIELD", f"No such column '{bad[0]}' on entity '{sobject}'.")
        try:
            test = self._where(where) if where else (lambda _r: True)
        except ValueError as exc:
            return errors(400, "MALFORMED_QUERY", str(exc))
        rows = [r for r in self.records[sobject].values() if test(r)]
        if order:
            rows.sort(key=lambda r: str(r.get(order, "")), reverse=(direction or "").upper() == "DESC")
        if limit:
            rows = rows[:int(limit)]
        records = [self._shape(sobject, r, columns) for r in rows]
        return 200, {"totalSize": len(records), "done": True, "records": records}, {}

    def _shape(self, sobject: str, record: dict, columns: list[str] | None) -> dict:
        url = f"/services/data/v{self.version}/sobjects/{sobject}/{record['Id']}"
        chosen = columns or list(record)
        return {"attributes": {"type": sobject, "url": url}, **{c: record.get(c) for c in chosen}}

    def _where(self, clause: str):
        """Conditions joined by AND/OR (AND binds tighter), as in the queries the backend writes."""
        groups = []
        for group in re.split(r"\s+OR\s+", clause, flags=re.I):
            conditions = re.split(r"\s+AND\s+", group, flags=re.I)
            parsed = []
            for condition in conditions:
                found = CONDITION.fullmatch(condition.strip())
                if found is None:
                    raise ValueError(f"unexpected token: {condition[:40]}")
                parsed.append(found.groups())
            groups.append(parsed)
        return lambda record: any(all(holds(record, *c) for c in group) for group in groups)


def literal(text: str) -> object:
    if text.startswith("("):
        return [literal(v.strip()) for v in re.findall(r"'(?:[^'\\]|\\.)*'|[^,()\s]+", text)]
    if text.startswith("'"):
        return re.sub(r"\\(.)", r"\1", text[1:-1])
    if text.lower() in ("true", "false"):
        return text.lower() == "true"
    if text.lower() == "null":
        return None
    if re.fullmatch(r"\d{4}-\d{2}-\d{2}T[\d:.]+(Z|[+-]\d{2}:?\d{2})", text):
        return dt.datetime.fromisoformat(text.replace("Z", "+00:00"))
    return float(text)


def holds(record: dict, name: str, operator: str, raw: str) -> bool:
    value, wanted = record.get(name), literal(raw)
    if isinstance(wanted, dt.datetime):
        value = dt.datetime.strptime(value, "%Y-%m-%dT%H:%M:%S.000+0000").replace(tzinfo=dt.UTC) if value else None
        if value is None:
            return False
    elif isinstance(wanted, str | list):
        value = str(value).lower() if value is not None else None
        wanted = [str(w).lower() for w in wanted] if isinstance(wanted, list) else wanted.lower()
    op = operator.upper()
    if op == "IN":
        return value in wanted
    if op == "=":
        return value == wanted
    if op == "!=":
        return value != wanted
    if value is None:
        return False
    return {">": value > wanted, ">=": value >= wanted, "<": value < wanted, "<=": value <= wanted}[op]
