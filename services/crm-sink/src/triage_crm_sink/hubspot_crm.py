"""The HubSpot backend (hubspot-api-client): contacts, companies, deals, notes, associations v4.

Every action searches before it creates: a contact by email (batch read with
``idProperty=email``, then batch upsert by email), a company by domain (search
API, then a cache domain -> company id), a note per email on the contact (search
by its marker token), a deal by its company's open deals of
the last 45 days (search API). Associations use the v4 default association
(PUT, idempotent by nature). Each request first takes a slot of the
per-10-second budget; a 429 is waited out per ``Retry-After`` (capped) and
tried again; 5xx and timeouts raise ``TransientError`` (the runtime retries,
then ``email.dlq``); other 4xx raise ``PermanentError`` with HubSpot's message.
"""

from __future__ import annotations

import json
import logging
import time
from collections import OrderedDict
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from typing import Any, TypeVar

import urllib3
from hubspot import HubSpot
from hubspot.crm.companies import PublicObjectSearchRequest as CompanySearch
from hubspot.crm.companies import SimplePublicObjectInput as CompanyUpdate
from hubspot.crm.companies import SimplePublicObjectInputForCreate as CompanyCreate
from hubspot.crm.contacts import (
    BatchInputSimplePublicObjectBatchInputUpsert,
    BatchReadInputSimplePublicObjectId,
)
from hubspot.crm.deals import PublicObjectSearchRequest as DealSearch
from hubspot.crm.deals import SimplePublicObjectInputForCreate as DealCreate
from hubspot.crm.objects.notes import PublicObjectSearchRequest as NoteSearch
from hubspot.crm.objects.notes import SimplePublicObjectInputForCreate as NoteCreate

from triage.domain.models import CrmAction
from triage.platform.errors import PermanentError, TransientError
from triage_crm_sink.limits import RequestBudget, retry_after_seconds
from triage_crm_sink.local_crm import OPEN_DEAL_WINDOW_DAYS, ActionResult

log = logging.getLogger(__name__)
T = TypeVar("T")

# HubSpot-defined association type ids (v4 "default" associations use the same ones).
DEAL_TO_COMPANY = 341
DEAL_TO_CONTACT = 3
NOTE_TO_CONTACT = 202
NOT_FOUND_CATEGORIES = ("OBJECT_NOT_FOUND",)


class BoundedCache(OrderedDict[str, str]):
    """domain -> company id (and email -> contact id), least recently used out first."""

    def __init__(self, size: int = 10_000) -> None:
        super().__init__()
        self.size = size

    def remember(self, key: str, value: str) -> str:
        self[key] = value
        self.move_to_end(key)
        while len(self) > self.size:
            self.popitem(last=False)
        return value


class HubSpotCrm:
    backend = "hubspot"

    def __init__(self, client: HubSpot, budget: RequestBudget, *, timeout_s: float = 10.0,
                 retry_after_cap_s: float = 10.0, pipeline: str = "default",
                 deal_stage: str = "appointmentscheduled", sleep: Callable[[float], None] = time.sleep) -> None:
        # Each SDK attribute access builds a new ApiClient and connection pool: build them once.
        crm = client.crm
        self.company_basic, self.company_search = crm.companies.basic_api, crm.companies.search_api
        self.contact_batch = crm.contacts.batch_api
        self.deal_basic, self.deal_search = crm.deals.basic_api, crm.deals.search_api
        self.note_basic, self.note_search = crm.objects.notes.basic_api, crm.objects.notes.search_api
        self.associations_api = client.crm.associations.v4.basic_api
        self.budget = budget
        self.timeout_s = timeout_s
        self.retry_after_cap_s = retry_after_cap_s
        self.pipeline = pipeline
        self.deal_stage = deal_stage
        self._sleep = sleep
        self.companies = BoundedCache()
        self.contacts = BoundedCache()

    def apply(self, action: CrmAction) -> ActionResult:
        performer = getattr(self, action.action)
        try:
            return performer(action.properties)
        except StaleId as exc:
            self.companies.clear()
            self.contacts.clear()
            raise TransientError("a cached HubSpot id no longer exists (merged or deleted); searching again") from exc

    # -- actions ----------------------------------------------------------------------
    def upsert_company(self, props: dict[str, str]) -> ActionResult:
        domain, name = props.get("domain"), props.get("name")
        found = self.find_company(domain, name)
        if found is None:
            created = self.call(self.company_basic.create,
                                simple_public_object_input_for_create=CompanyCreate(
                                    properties=_present(name=name, domain=domain)))
            self._remember_company(domain, name, created.id)
            return ActionResult("company", created.id, "created", f"HubSpot company {created.id} created")
        company_id, existing = found
        if name and not existing.get("name"):
            self.call(self.company_basic.update, company_id,
                      simple_public_object_input=CompanyUpdate(properties={"name": name}))
            return ActionResult("company", company_id, "updated", f"HubSpot company {company_id}: name set")
        return ActionResult("company", company_id, "updated", f"HubSpot company {company_id} found by search")

    def upsert_contact(self, props: dict[str, str]) -> ActionResult:
        email = props["email"].lower()
        existing = self.read_contact(email)
        first, last = _split_name(props.get("name"))
        properties = _present(email=email, firstname=first, lastname=last,
                              company=props.get("company_name") or props.get("company_domain"))
        if existing is not None:  # an existing contact keeps what a person typed in HubSpot
            properties = {k: v for k, v in properties.items() if not existing.get(k)}
        upserted = self.call(self.contact_batch.upsert,
                             batch_input_simple_public_object_batch_input_upsert=
                             BatchInputSimplePublicObjectBatchInputUpsert(inputs=[
                                 {"idProperty": "email", "id": email, "properties": properties}]))
        contact = upserted.results[0]
        self.contacts.remember(email, contact.id)
        note_id = self.log_email(contact.id, props)
        status = "updated" if existing is not None else "created"
        return ActionResult("contact", contact.id, status,
                            f"HubSpot contact {contact.id} {status} (upsert by email), note {note_id}")

    def create_deal(self, props: dict[str, str]) -> ActionResult:
        company = self.find_company(props.get("company_domain"), props.get("company_name"))
        company_id = company[0] if company else None
        contact_id = self.contact_id(props.get("contact_email"))
        since = datetime.now(UTC) - timedelta(days=OPEN_DEAL_WINDOW_DAYS)
        open_deal = self.open_deal(company_id, contact_id, since)
        if open_deal is not None:
            return ActionResult("deal", open_deal, "unchanged",
                                f"open HubSpot deal {open_deal} younger than {OPEN_DEAL_WINDOW_DAYS} days")
        associations = [_association(company_id, DEAL_TO_COMPANY), _association(contact_id, DEAL_TO_CONTACT)]
        properties = _present(dealname=props.get("name", "Inbound deal"), pipeline=self.pipeline,
                              dealstage=self.deal_stage,
                              amount=props.get("amount") if props.get("currency", "USD") == "USD" else None)
        created = self.call(self.deal_basic.create,
                            simple_public_object_input_for_create=DealCreate(
                                properties=properties, associations=[a for a in associations if a]))
        return ActionResult("deal", created.id, "created", f"HubSpot deal {created.id} created")

    def associate_contact(self, props: dict[str, str]) -> ActionResult:
        """Contact -> its company, and contact -> the company's open deal (v4 default associations)."""
        company = self.find_company(props.get("company_domain"), props.get("company_name"))
        contact_id = self.contact_id(props.get("contact_email"))
        if company is None or contact_id is None:
            return ActionResult("association", None, "unchanged", "no contact or company to associate")
        company_id = company[0]
        self.associate("contacts", contact_id, "companies", company_id)
        deal_id = self.open_deal(company_id, None, None)
        if deal_id is None:
            return ActionResult("association", f"contact:{contact_id}", "updated",
                                f"HubSpot contact {contact_id} associated with company {company_id}; no open deal")
        self.associate("deals", deal_id, "contacts", contact_id)
        return ActionResult("association", f"deal:{deal_id}/contact:{contact_id}", "created",
                            f"HubSpot contact {contact_id} associated with company {company_id} and deal {deal_id}")

    def log_email(self, contact_id: str, props: dict[str, str]) -> str:
        """A note on the contact's timeline, once per email (found again by its marker token)."""
        marker = f"triage-{props.get('email_id', 'unknown')}"
        found = self.call(self.note_search.do_search, public_object_search_request=NoteSearch(
            filter_groups=[{"filters": [{"propertyName": "hs_note_body", "operator": "CONTAINS_TOKEN",
                                         "value": marker}]}], properties=["hs_note_body"], limit=1))
        if found.results:
            return found.results[0].id
        body = (f"Inbound email to {props.get('mailbox', 'a shared mailbox')} ({props.get('intent', 'unknown')}), "
                f"routed to {props.get('queue', 'a queue')}. Ref: {marker}")
        created = self.call(self.note_basic.create, simple_public_object_input_for_create=NoteCreate(
            properties={"hs_timestamp": datetime.now(UTC).isoformat(timespec="milliseconds"), "hs_note_body": body},
            associations=[_association(contact_id, NOTE_TO_CONTACT)]))
        return created.id

    # -- reads --------------------------------------------------------------------------
    def find_company(self, domain: str | None, name: str | None) -> tuple[str, dict[str, Any]] | None:
        key = (domain or name or "").lower()
        if not key:
            return None
        if key in self.companies:
            return self.companies[key], {"name": "(cached)"}
        prop, value = ("domain", domain.lower()) if domain else ("name", name)
        found = self.call(self.company_search.do_search,
                          public_object_search_request=CompanySearch(
                              filter_groups=[{"filters": [{"propertyName": prop, "operator": "EQ", "value": value}]}],
                              properties=["name", "domain"], sorts=[{"propertyName": "createdate",
                                                                      "direction": "ASCENDING"}], limit=1))
        if not found.results:
            return None
        company = found.results[0]
        self.companies.remember(key, company.id)
        return company.id, company.properties or {}

    def _remember_company(self, domain: str | None, name: str | None, company_id: str) -> None:
        self.companies.remember((domain or name or "").lower(), company_id)

    def read_contact(self, email: str) -> dict[str, Any] | None:
        """Batch read by the unique email property: consistent at once (search is indexed later)."""
        response = self.call(self.contact_batch.read,
                             batch_read_input_simple_public_object_id=BatchReadInputSimplePublicObjectId(
                                 id_property="email", inputs=[{"id": email}],
                                 properties=["email", "firstname", "lastname", "company"]))
        if not response.results:
            return None
        contact = response.results[0]
        self.contacts.remember(email, contact.id)
        return contact.properties or {}

    def contact_id(self, email: str | None) -> str | None:
        if not email:
            return None
        email = email.lower()
        if email not in self.contacts and self.read_contact(email) is None:
            return None
        return self.contacts[email]

    def open_deal(self, company_id: str | None, contact_id: str | None, since: datetime | None) -> str | None:
        if company_id is not None:
            owner = {"propertyName": "associations.company", "operator": "EQ", "value": company_id}
        elif contact_id is not None:
            owner = {"propertyName": "associations.contact", "operator": "EQ", "value": contact_id}
        else:
            return None
        filters = [owner, {"propertyName": "hs_is_closed", "operator": "EQ", "value": "false"}]
        if since is not None:
            filters.append({"propertyName": "createdate", "operator": "GTE",
                            "value": str(int(since.timestamp() * 1000))})
        found = self.call(self.deal_search.do_search,
                          public_object_search_request=DealSearch(
                              filter_groups=[{"filters": filters}], properties=["dealname", "createdate"],
                              sorts=[{"propertyName": "createdate", "direction": "DESCENDING"}], limit=1))
        return found.results[0].id if found.results else None

    def associate(self, from_type: str, from_id: str, to_type: str, to_id: str) -> None:
        self.call(self.associations_api.create_default, from_type, from_id, to_type, to_id)

    # -- one request --------------------------------------------------------------------
    def call(self, method: Callable[..., T], *args: Any, **kwargs: Any) -> T:
        """One HubSpot request inside the budget; a 429 is waited out (Retry-After) up to 3 times."""
        for _ in range(3):
            self.budget.acquire()
            try:
                return method(*args, _request_timeout=self.timeout_s, **kwargs)
            except urllib3.exceptions.HTTPError as exc:  # timeouts, refused or reset connections
                raise TransientError(f"HubSpot unreachable: {type(exc).__name__}: {exc}") from exc
            except Exception as exc:
                status = getattr(exc, "status", None)
                if status != 429:
                    raise classify(exc) from exc
                wait = min(retry_after_seconds(_header(exc, "Retry-After")), self.retry_after_cap_s)
                log.warning("HubSpot 429 (%s): waiting %.1f s", _message(exc), wait)
                self._sleep(wait)
        raise TransientError("HubSpot kept answering 429 (rate limit): retried later")


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
        return TransientError(f"HubSpot {status}: {message}")
    return PermanentError(f"HubSpot {status}: {message}")


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


def _present(**values: str | None) -> dict[str, str]:
    return {k: v for k, v in values.items() if v}


def _split_name(name: str | None) -> tuple[str | None, str | None]:
    if not name:
        return None, None
    first, _, last = name.strip().partition(" ")
    return first or None, last or None


def _association(object_id: str | None, type_id: int) -> dict[str, Any] | None:
    if object_id is None:
        return None
    return {"to": {"id": object_id},
            "types": [{"associationCategory": "HUBSPOT_DEFINED", "associationTypeId": type_id}]}


def hubspot_client(access_token: str, base_url: str) -> HubSpot:
    """The SDK's own retries are off: ours honour Retry-After and the runtime's backoff does the rest."""
    return HubSpot(access_token=access_token, host=base_url.rstrip("/"),
                   retry=urllib3.util.Retry(total=0, raise_on_status=False))
