"""The HubSpot backend (hubspot-api-client): contacts, companies, deals, notes, associations v4.

Exactly once across crashes, whatever the search index's lag (ADR 0013):
every "does it exist yet?" is answered by a read that is consistent at once.
A contact is read and upserted by its email (``idProperty=email``). A company
and a deal carry the unique custom property ``triage_idempotency_key``
(hubspot_schema.py): the company ``company:<domain>`` (else
``company:name:<name>``), the deal its action's idempotency key; they are read
by it (batch read, ``idProperty``) before a create, and a create that collides
with it (a concurrent or timed-out attempt made the object) reads the winner.
Companies nobody keyed yet are found by a domain search and claimed (the key is
set on them). The company's (contact's) deals and the email's note are read
on its v4 associations (consistent), not through search; whether a deal is
created is the writer's decision (writer.py), under a PostgreSQL advisory lock
on the owner (deal_lock.py), so that two crm-sink instances cannot both find
"no open deal" and both create. Reads for a whole Kafka batch
are made up front in bulk (``prefetch``; hubspot_reads.py). Deals, the
associations and notes: hubspot_deals.py.

Each request first takes a slot of the per-10-second budget. HubSpot away — 5xx,
408/423, a timeout, a refused or reset connection — raises ``Unavailable`` (dependency
``hubspot``): the runtime opens the circuit and holds the records back, never
dead-letters them (ADR 0022). A 429 too, with its ``Retry-After`` (seconds or an HTTP
date, ``triage.platform.retrying``), when the adapter runs inside a Kafka transaction
(``in_transaction``, crm-sink): no wait ever runs there; the admin process (no transaction)
waits a 429 out (capped) and sends it again, 3 requests in all (``limits.waiting_out``). A 400
``VALIDATION_ERROR`` that lists invalid property values (an invalid email,
number, option, a unique value taken) raises ``CrmRejected`` (this email's
data: a person fixes it, the review queue); other 4xx (401 bad token, 403
missing scope, a property that does not exist) raise ``PermanentError`` with
HubSpot's message.
"""

from __future__ import annotations

import json
import logging
import time
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from typing import Any, TypeVar

import urllib3
from hubspot import HubSpot
from hubspot.crm.companies import PublicObjectSearchRequest as CompanySearch
from hubspot.crm.companies import SimplePublicObjectInput as CompanyUpdate
from hubspot.crm.companies import SimplePublicObjectInputForCreate as CompanyCreate
from hubspot.crm.contacts import BatchInputSimplePublicObjectBatchInputUpsert

from triage.domain.crm_decisions import ActionResult
from triage.domain.models import CrmAction
from triage.platform.errors import CrmRejected, PermanentError, TransientError, Unavailable
from triage.platform.retrying import parse_retry_after
from triage_crm.adapters.hubspot.deals import HubSpotDealsAndNotes, _present
from triage_crm.adapters.hubspot.reads import BatchView, HubSpotReads
from triage_crm.adapters.hubspot.schema import KEY_PROPERTY, ensure_key_property
from triage_crm.adapters.hubspot.tickets import HubSpotTickets
from triage_crm.adapters.remembered import BoundedCache
from triage_crm.limits import RateLimited, RequestBudget, waiting_out

log = logging.getLogger(__name__)
T = TypeVar("T")

CONTACT_PROPERTIES = ["email", "firstname", "lastname", "company", "hubspot_owner_id"]
COMPANY_PROPERTIES = ["name", "domain", KEY_PROPERTY]


def company_key(domain: str | None, name: str | None) -> str | None:
    """The company's value of ``triage_idempotency_key``: one company per domain (else per name)."""
    if domain:
        return f"company:{domain.lower()}"
    return f"company:name:{name.strip().lower()}" if name and name.strip() else None


class HubSpotCrm(HubSpotDealsAndNotes, HubSpotTickets):
    """The port (crm_port.py) on HubSpot."""

    backend = "hubspot"
    deal_type = "deal"
    deal_label = "HubSpot deal"

    def __init__(self, client: HubSpot, budget: RequestBudget, *, timeout_s: float = 10.0,
                 retry_after_cap_s: float = 10.0, pipeline: str = "default",
                 deal_stage: str = "appointmentscheduled", create_properties: bool = True,
                 sleep: Callable[[float], None] = time.sleep, in_transaction: bool = False) -> None:
        # Each SDK attribute access builds a new ApiClient and connection pool: build them once.
        crm = client.crm
        self.company_basic, self.company_search = crm.companies.basic_api, crm.companies.search_api
        self.contact_batch = crm.contacts.batch_api
        self.deal_basic = crm.deals.basic_api
        self.ticket_basic = crm.tickets.basic_api
        self.note_basic = crm.objects.notes.basic_api
        self.associations_api = crm.associations.v4.basic_api
        self.properties_api = crm.properties.core_api
        self.reads = HubSpotReads(crm, self.call)
        self.budget = budget
        self.timeout_s = timeout_s
        self.retry_after_cap_s = retry_after_cap_s
        self.pipeline = pipeline
        self.deal_stage = deal_stage
        self.create_properties = create_properties
        self._sleep = sleep
        self.in_transaction = in_transaction  # never sleep: a 429 is the runtime's to wait out (ADR 0022)
        self._key_property_ready = False
        self.companies = BoundedCache()
        self.contacts = BoundedCache()
        self.view = BatchView()

    @contextmanager
    def performing(self) -> Iterator[None]:
        self.ensure_key_property()
        if self.view.stale():
            self.view = BatchView()
        try:
            yield
        except StaleId as exc:
            self.forget()
            raise TransientError("a cached HubSpot id no longer exists (merged or deleted); searching again") from exc
        except Exception:
            self.view = BatchView()  # a write may have happened unseen (a timeout): read again, one by one
            raise

    def forget(self) -> None:
        self.companies.clear()
        self.contacts.clear()
        self.view = BatchView()

    def ensure_key_property(self) -> None:
        """Once per process, on first use (a process that only announces approvals never calls HubSpot)."""
        if not self._key_property_ready:
            ensure_key_property(self.properties_api, self.call, create=self.create_properties)
            self._key_property_ready = True

    # -- a Kafka batch's reads, in bulk ---------------------------------------------------
    def prefetch(self, actions: Sequence[CrmAction]) -> None:
        """Read what these actions need in a few bulk requests (replaces the view of the previous batch)."""
        self.ensure_key_property()
        self.view = BatchView()
        props = [a.properties for a in actions]
        emails = {(p.get("email") or p.get("contact_email") or "").lower() for p in props} - {""}
        contacts = self.reads.by_id_property("contacts", "email", emails, CONTACT_PROPERTIES)
        self.view.contacts = {email: contacts.get(email) for email in emails}
        self._prefetch_companies(props)
        deal_keys = {a.idempotency_key for a in actions if a.action == "create_deal"}
        deals = self.reads.by_id_property("deals", KEY_PROPERTY, deal_keys, [KEY_PROPERTY])
        self.view.deals = {key: deals[key]["id"] if key in deals else None for key in deal_keys}
        companies = {c["id"] for c in self.view.companies.values() if c} | {
            c["id"] for c in self.view.found_by_search.values()}
        self.view.owned_deals = self.reads.deals_of("companies", companies)
        known = [c["id"] for c in self.view.contacts.values() if c]
        self.view.note_markers = self.reads.note_markers(known)

    def _prefetch_companies(self, props: list[dict[str, str]]) -> None:
        wanted = {company_key(p.get("domain") or p.get("company_domain"), p.get("name") if "domain" in p else
                              p.get("company_name")) for p in props} - {None}
        found = self.reads.by_id_property("companies", KEY_PROPERTY, wanted, COMPANY_PROPERTIES)
        self.view.companies = {key: found.get(key) for key in wanted}
        unkeyed = [key.removeprefix("company:") for key, c in self.view.companies.items()
                   if c is None and not key.startswith("company:name:")]
        self.view.found_by_search = self.reads.companies_by_domain(unkeyed) if unkeyed else {}

    # -- actions ----------------------------------------------------------------------
    def upsert_company(self, props: dict[str, str]) -> ActionResult:
        domain, name = (props.get("domain") or "").lower() or None, props.get("name")
        key = company_key(domain, name)
        keyed = self.company_by_key(key)
        if keyed is not None:
            return self._fill_name(keyed, name, "found by its idempotency key")
        unkeyed = self.search_company(domain, name)
        if unkeyed is not None:
            return self._claim(unkeyed, key, name)
        created = self.create_keyed(self.company_basic.create, "companies", key, lambda: CompanyCreate(
            properties=_present(name=name, domain=domain, **{KEY_PROPERTY: key})))
        self._remember_company(key, created)
        if created.get("new"):
            self.view.owned_deals[created["id"]] = []  # a company made just now has no deals yet
        status = "created" if created.get("new") else "updated"
        return ActionResult("company", created["id"], status, f"HubSpot company {created['id']} {status}")

    def _fill_name(self, company: dict, name: str | None, how: str) -> ActionResult:
        company_id = company["id"]
        if name and not company["properties"].get("name"):
            self.call(self.company_basic.update, company_id,
                      simple_public_object_input=CompanyUpdate(properties={"name": name}))
            company["properties"]["name"] = name
            return ActionResult("company", company_id, "updated", f"HubSpot company {company_id}: name set")
        return ActionResult("company", company_id, "updated", f"HubSpot company {company_id} {how}")

    def _claim(self, company: dict, key: str | None, name: str | None) -> ActionResult:
        """A company made outside crm-sink: set our key on it, so the next lookup is a consistent read."""
        changes = _present(**{KEY_PROPERTY: key}, name=None if company["properties"].get("name") else name)
        try:
            self.call(self.company_basic.update, company["id"], simple_public_object_input=CompanyUpdate(
                properties=changes))
        except PermanentError:
            keyed = self.read_company_by_key(key)  # another company holds the key since our read
            if keyed is None:
                raise
            company = keyed
        company["properties"].update(changes)
        self._remember_company(key, company)
        return ActionResult("company", company["id"], "updated", f"HubSpot company {company['id']} found by search")

    def upsert_contact(self, props: dict[str, str]) -> ActionResult:
        email = props["email"].lower()
        existing = self.read_contact(email)
        first, last = _split_name(props.get("name"))
        properties = _present(email=email, firstname=first, lastname=last,
                              company=props.get("company_name") or props.get("company_domain"),
                              hubspot_owner_id=props.get("owner"))  # the queue's owner (config/queues.yaml)
        if existing is not None:  # an existing contact keeps what a person typed in HubSpot
            properties = {k: v for k, v in properties.items() if not existing["properties"].get(k)}
        if existing is None or properties:
            upserted = self.call(self.contact_batch.upsert,
                                 batch_input_simple_public_object_batch_input_upsert=
                                 BatchInputSimplePublicObjectBatchInputUpsert(inputs=[
                                     {"idProperty": "email", "id": email, "properties": properties}]))
            contact_id = str(upserted.results[0].id)
            # The read may be a batch's snapshot: HubSpot says whether the upsert made the contact.
            new = existing is None and upserted.results[0].new is True
            merged = {**(existing or {}).get("properties", {}), **properties}
            self.view.contacts[email] = {"id": contact_id, "properties": merged}
        else:
            contact_id, new = existing["id"], False
        self.contacts.remember(email, contact_id)
        note_id = self.log_email(contact_id, props, new=new)
        status = "created" if new else "updated"
        return ActionResult("contact", contact_id, status,
                            f"HubSpot contact {contact_id} {status} (upsert by email), note {note_id}")

    # -- creates keyed by triage_idempotency_key ----------------------------------------------
    def create_keyed(self, create: Callable[..., Any], object_type: str, key: str | None,
                     body: Callable[[], Any]) -> dict:
        """Create; when HubSpot refuses it (the key is taken: an attempt we lost track of made it), read that one."""
        try:
            created = self.call(create, simple_public_object_input_for_create=body())
            return {**_plain(created), "new": True}
        except PermanentError:
            if key is None:
                raise
            existing = self.reads.by_id_property(object_type, KEY_PROPERTY, [key], [KEY_PROPERTY]).get(key)
            if existing is None:
                raise
            log.info("HubSpot %s %s already existed under key %s", object_type, existing["id"], key)
            return {**existing, "new": False}

    # -- reads ----------------------------------------------------------------------------
    def company_by_key(self, key: str | None) -> dict | None:
        if key is None:
            return None
        if key in self.view.companies:
            return self.view.companies[key]
        return self.read_company_by_key(key)

    def read_company_by_key(self, key: str | None) -> dict | None:
        found = self.reads.by_id_property("companies", KEY_PROPERTY, [key], COMPANY_PROPERTIES).get(key or "")
        self.view.companies[key or ""] = found
        return found

    def search_company(self, domain: str | None, name: str | None) -> dict | None:
        """Companies nobody keyed yet (made by people or other tools): the search index has them."""
        if domain and domain in self.view.found_by_search:
            return self.view.found_by_search[domain]
        if not (domain or name):
            return None
        prop, value = ("domain", domain) if domain else ("name", name)
        found = self.call(self.company_search.do_search, public_object_search_request=CompanySearch(
            filter_groups=[{"filters": [{"propertyName": prop, "operator": "EQ", "value": value}]}],
            properties=COMPANY_PROPERTIES, sorts=[{"propertyName": "createdate", "direction": "ASCENDING"}], limit=1))
        return _plain(found.results[0]) if found.results else None

    def find_company(self, domain: str | None, name: str | None) -> dict | None:
        key = company_key(domain, name)
        if key is None:
            return None
        if key in self.companies:
            return {"id": self.companies[key], "properties": {}}
        company = self.company_by_key(key) or self.search_company((domain or "").lower() or None, name)
        if company is not None:
            self.companies.remember(key, company["id"])
        return company

    def _remember_company(self, key: str | None, company: dict) -> None:
        if key is not None:
            self.companies.remember(key, company["id"])
            self.view.companies[key] = company

    def read_contact(self, email: str) -> dict | None:
        """Batch read by the unique email property: consistent at once (search is indexed later)."""
        if email in self.view.contacts:
            return self.view.contacts[email]
        found = self.reads.by_id_property("contacts", "email", [email], CONTACT_PROPERTIES).get(email)
        self.view.contacts[email] = found
        return found

    def contact_id(self, email: str | None) -> str | None:
        if not email:
            return None
        email = email.lower()
        if email in self.contacts:
            return self.contacts[email]
        contact = self.read_contact(email)
        return self.contacts.remember(email, contact["id"]) if contact else None

    def associate(self, from_type: str, from_id: str, to_type: str, to_id: str) -> None:
        self.call(self.associations_api.create_default, from_type, from_id, to_type, to_id)

    # -- one request --------------------------------------------------------------------
    def call(self, method: Callable[..., T], *args: Any, passthrough: tuple[int, ...] = (), **kwargs: Any) -> T:
        """One HubSpot request inside the budget; see the module doc for what a failure raises.

        ``passthrough``: statuses the caller handles itself (the SDK's exception is raised as it is).
        A 429 is waited out (limits.waiting_out: its Retry-After, capped), never inside a transaction.
        """
        return waiting_out(lambda: self._request(method, args, kwargs, passthrough), dependency=self.backend,
                           in_transaction=self.in_transaction, cap_s=self.retry_after_cap_s, sleep=self._sleep)

    def _request(self, method: Callable[..., T], args: tuple, kwargs: dict[str, Any],
                 passthrough: tuple[int, ...]) -> T:
        with self.budget.slot():
            try:
                return method(*args, _request_timeout=self.timeout_s, **kwargs)
            except urllib3.exceptions.HTTPError as exc:  # timeouts, refused or reset connections
                raise Unavailable(f"HubSpot unreachable: {type(exc).__name__}: {exc}",
                                  dependency=self.backend) from exc
            except Exception as exc:
                status = getattr(exc, "status", None)
                if status in passthrough:
                    raise
                if status != 429:
                    raise classify(exc) from exc
                raise RateLimited(f"HubSpot 429 ({_message(exc)})", retry_after_s=parse_retry_after(
                    _header(exc, "Retry-After"), cap_s=self.retry_after_cap_s)) from exc


class StaleId(Exception):
    """A cached id HubSpot no longer knows."""


def classify(exc: Exception) -> Exception:
    """A HubSpot ApiException as the runtime's error kinds."""
    status = getattr(exc, "status", None)
    if status is None:
        return exc
    message = _message(exc)
    if status == 404 and "OBJECT_NOT_FOUND" in str(getattr(exc, "body", "")):
        return StaleId(message)
    if status >= 500 or status in (408, 423):
        return Unavailable(f"HubSpot {status}: {message}", dependency="hubspot")
    refused = rejected_values(getattr(exc, "body", None)) if status == 400 else None
    if refused:
        return CrmRejected(f"HubSpot {status}: {refused}")
    return PermanentError(f"HubSpot {status}: {message}")


#: Per-property codes that say our request or HubSpot's schema is wrong, not this email's data:
#: every email would fail the same way (a missing custom property, a read-only one): email.dlq.
SCHEMA_CODES = frozenset({"PROPERTY_DOESNT_EXIST", "READ_ONLY_VALUE", "NOT_ALLOWED_PROPERTY"})
VALUES_NOT_VALID = "Property values were not valid"


def rejected_values(body: object) -> str | None:
    """A 400 ``VALIDATION_ERROR`` refusing this email's property values, as a person reads it; else None.

    HubSpot lists the invalid values in its message (``Property values were not valid: [{"isValid":
    false, "message", "error": "INVALID_EMAIL", "name": "email"}, ...]``) and, on newer endpoints, in
    ``errors`` (``{"message", "code", "context": {"propertyName": [...]}}``). Only when every listed
    problem is about a value (not ``PROPERTY_DOESNT_EXIST`` and the like): other validation errors (a
    malformed request, an unknown object type or id property) are ours to fix, for every email.
    """
    try:
        parsed = json.loads(body) if isinstance(body, str | bytes) and body else body
    except ValueError:
        return None
    if not isinstance(parsed, dict) or parsed.get("category") != "VALIDATION_ERROR":
        return None
    message = str(parsed.get("message") or "")
    problems = _listed_problems(message) + [
        (_property_of(e), str(e.get("code") or ""), str(e.get("message") or ""))
        for e in parsed.get("errors") or [] if isinstance(e, dict) and e.get("code")]
    if not problems or any(code in SCHEMA_CODES for _, code, _ in problems):
        return None
    seen: list[str] = []
    for name, code, text in problems:
        line = f"{name}: {text} ({code})" if name else f"{text} ({code})"
        if line not in seen:
            seen.append(line)
    return f"VALIDATION_ERROR: {VALUES_NOT_VALID}: {'; '.join(seen)}"[:1000]


def _listed_problems(message: str) -> list[tuple[str, str, str]]:
    if not message.startswith(VALUES_NOT_VALID):
        return []
    try:
        listed = json.loads(message[len(VALUES_NOT_VALID):].lstrip(": "))
    except ValueError:
        return []
    if not isinstance(listed, list):
        return []
    return [(str(p.get("name") or ""), str(p.get("error") or "INVALID_PROPERTY_VALUE"),
             str(p.get("message") or p.get("localizedErrorMessage") or ""))
            for p in listed if isinstance(p, dict) and p.get("isValid") is False]


def _property_of(error: dict) -> str:
    names = (error.get("context") or {}).get("propertyName") if isinstance(error.get("context"), dict) else None
    if isinstance(names, list):
        return ", ".join(str(n) for n in names)
    return str(names or error.get("in") or "")


def _message(exc: Exception) -> str:
    body = getattr(exc, "body", None)
    try:
        parsed = json.loads(body) if body else {}
    except (TypeError, ValueError):
        return str(body)[:500]
    if not isinstance(parsed, dict):
        return str(parsed)[:500]
    category = parsed.get("category") or parsed.get("errorType") or ""
    return f"{category}: {parsed.get('message', '')}".strip(": ")[:1000]


def _header(exc: Exception, name: str) -> str | None:
    headers = getattr(exc, "headers", None) or {}
    for key, value in dict(headers).items():
        if key.lower() == name.lower():
            return value
    return None


def _plain(obj: Any) -> dict:
    return {"id": str(obj.id), "properties": dict(obj.properties or {})}


def _split_name(name: str | None) -> tuple[str | None, str | None]:
    if not name:
        return None, None
    first, _, last = name.strip().partition(" ")
    return first or None, last or None


def hubspot_client(access_token: str, base_url: str) -> HubSpot:
    """The SDK's own retries are off: ours honour Retry-After and the runtime's backoff does the rest."""
    return HubSpot(access_token=access_token, host=base_url.rstrip("/"),
                   retry=urllib3.util.Retry(total=0, raise_on_status=False))
