"""The Salesforce backend (simple-salesforce): Account, Contact, Opportunity, OpportunityContactRole, Task.

Search before create with SOQL (a contact by ``Email``, an account by its
``Triage_Domain__c`` external id or its ``Website``, an open opportunity of
the account); creates are upserts by an external id
field (``Account.Triage_Domain__c``, ``Contact.Triage_Email__c``,
``Opportunity.Triage_Email_Id__c``), so a create repeated after a crash
finds the record it made. Salesforce away — 429/503 (in the admin process after
``Retry-After``; inside crm-sink's Kafka transaction at once, ``in_transaction``), other
5xx, ``REQUEST_LIMIT_EXCEEDED``, ``SERVER_UNAVAILABLE``, timeouts and refused connections —
raises ``Unavailable`` (dependency ``salesforce``: the runtime's circuit holds the records
back, ADR 0022); ``UNABLE_TO_LOCK_ROW`` a plain ``TransientError`` (this record, again soon); a 400 whose
every error is about this email's data (a validation rule, a required field,
an invalid address, a value too long or a duplicate: ``REJECTED_CODES``)
raises ``CrmRejected`` (the review queue); other 4xx (an expired session, no
access, a missing field on the object) raise ``PermanentError`` with
Salesforce's ``errorCode: message``.

SOQL reads are consistent at once, so a replay's search finds what a crashed
attempt wrote. Before a Kafka batch runs, ``prefetch`` reads what its actions
need with one SOQL query per object (``IN`` lists): accounts, contacts, the
accounts' open opportunities, the emails' Tasks; the actions then read from
that view, kept in step with this process's own writes. Whether an opportunity
is created is the writer's decision (writer.py): it reads the account's open
opportunities again before it creates, under a PostgreSQL advisory lock on the
account (deal_lock.py), so two crm-sink instances handling two emails of one
account at once take turns, and only one creates.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any, TypeVar
from urllib.parse import quote

import requests
from simple_salesforce import Salesforce
from simple_salesforce.exceptions import SalesforceError
from simple_salesforce.format import format_soql

from triage.domain.crm_decisions import (
    ActionResult,
    OpenDeal,
    expected_close_date,
    newest_open_deal,
)
from triage.domain.models import CrmAction
from triage.platform.errors import CrmRejected, PermanentError, TransientError, Unavailable
from triage.platform.retrying import parse_retry_after
from triage_crm.adapters.remembered import VIEW_TTL_S, BoundedCache
from triage_crm.adapters.salesforce.cases import SalesforceCases
from triage_crm.crm_port import DealOwner
from triage_crm.limits import RateLimited, waiting_out

log = logging.getLogger(__name__)
T = TypeVar("T")

ACCOUNT_KEY, CONTACT_KEY, OPPORTUNITY_KEY = "Triage_Domain__c", "Triage_Email__c", "Triage_Email_Id__c"
#: errorCodes that say Salesforce refuses every request for a while (the org's API limit, an outage).
UNAVAILABLE_CODES = ("REQUEST_LIMIT_EXCEEDED", "SERVER_UNAVAILABLE")
#: errorCodes of a 400 that refuse this record's values: a person fixes the data, nothing else is wrong.
#: Anything else (INVALID_SESSION_ID, INSUFFICIENT_ACCESS_*, INVALID_FIELD, a trigger's
#: CANNOT_INSERT_UPDATE_ACTIVATE_ENTITY...) may fail every email: email.dlq.
REJECTED_CODES = frozenset({
    "FIELD_CUSTOM_VALIDATION_EXCEPTION", "FIELD_FILTER_VALIDATION_EXCEPTION", "FIELD_INTEGRITY_EXCEPTION",
    "REQUIRED_FIELD_MISSING", "INVALID_EMAIL_ADDRESS", "STRING_TOO_LONG", "NUMBER_OUTSIDE_VALID_RANGE",
    "INVALID_TYPE_ON_FIELD_IN_RECORD", "INVALID_OR_NULL_FOR_RESTRICTED_PICKLIST", "DUPLICATE_VALUE",
    "DUPLICATES_DETECTED",
})


class TimedSession(requests.Session):
    """Every request has a timeout; the last ``Retry-After`` (as sent) is kept for the 429/503 wait."""

    def __init__(self, timeout_s: float) -> None:
        super().__init__()
        self.timeout_s = timeout_s
        self.retry_after: str | None = None

    def request(self, method: str, url: str, *args: Any, **kwargs: Any) -> requests.Response:
        kwargs.setdefault("timeout", self.timeout_s)
        response = super().request(method, url, *args, **kwargs)
        self.retry_after = response.headers.get("Retry-After")
        return response


@dataclass
class SoqlView:
    """One batch's reads; a key present with ``None`` was read and does not exist."""

    contacts: dict[str, dict | None] = field(default_factory=dict)  # email -> Contact
    open_opportunities: dict[str, list[dict]] = field(default_factory=dict)  # account id -> open ones
    tasks: dict[tuple[str, str], str | None] = field(default_factory=dict)  # (WhoId, Subject) -> Task id
    roles: dict[str, set[str]] = field(default_factory=dict)  # opportunity id -> contacts with a role
    made_at: float = field(default_factory=time.monotonic)

    def stale(self) -> bool:
        return time.monotonic() - self.made_at > VIEW_TTL_S


class SalesforceCrm(SalesforceCases):
    """The port (crm_port.py) on Salesforce."""

    backend = "salesforce"
    deal_type = "opportunity"
    deal_label = "Salesforce opportunity"

    def __init__(self, client: Salesforce, *, retry_after_cap_s: float = 10.0, stage: str = "Prospecting",
                 close_in_days: int = 90, sleep: Callable[[float], None] = time.sleep,
                 in_transaction: bool = False) -> None:
        self.sf = client
        self.in_transaction = in_transaction  # never sleep: a 429/503 is the runtime's to wait out
        self.retry_after_cap_s = retry_after_cap_s
        self.stage = stage
        self.close_in_days = close_in_days
        self._sleep = sleep
        self.accounts = BoundedCache()
        self.view = SoqlView()

    @contextmanager
    def performing(self) -> Iterator[None]:
        if self.view.stale():
            self.view = SoqlView()
        try:
            yield
        except Exception:
            self.view = SoqlView()  # a write may have happened unseen (a timeout): query again
            raise

    def prefetch(self, actions: Sequence[CrmAction]) -> None:
        """One SOQL query per object for the whole batch (replaces the previous batch's view)."""
        self.view = SoqlView()
        props = [a.properties for a in actions]
        domains = sorted({(p.get("domain") or p.get("company_domain") or "").lower() for p in props} - {""})
        if domains:
            self._prefetch_accounts(domains)
        emails = sorted({(p.get("email") or p.get("contact_email") or "").lower() for p in props} - {""})
        if emails:
            rows = self.query_all(format_soql("SELECT Id, Email, FirstName, LastName, AccountId FROM Contact "
                                              "WHERE Email IN {} ORDER BY CreatedDate", emails))
            self.view.contacts = {email: None for email in emails}
            for row in reversed(rows):  # the oldest wins, as in query_one
                self.view.contacts[str(row["Email"]).lower()] = row
        self._prefetch_opportunities_and_tasks(props)

    def _prefetch_accounts(self, domains: list[str]) -> None:
        sites = [f"{scheme}{www}{d}" for d in domains for scheme in ("", "http://", "https://") for www in ("", "www.")]
        rows = self.query_all(format_soql(f"SELECT Id, Name, {ACCOUNT_KEY} FROM Account WHERE "
                                          f"{ACCOUNT_KEY} IN {{}} OR Website IN {{}} ORDER BY CreatedDate",
                                          domains, sites))
        for row in reversed(rows):  # the oldest wins; one without our key is read (and claimed) per action
            if row.get(ACCOUNT_KEY):
                self.accounts.remember(row[ACCOUNT_KEY].lower(), row["Id"])

    def _prefetch_opportunities_and_tasks(self, props: list[dict[str, str]]) -> None:
        accounts = sorted({self.accounts[d] for p in props
                           if (d := (p.get("domain") or p.get("company_domain") or "").lower()) in self.accounts})
        if accounts:
            self.view.open_opportunities = {a: [] for a in accounts}
            for row in self.query_all(format_soql("SELECT Id, AccountId, CreatedDate FROM Opportunity WHERE "
                                                  "AccountId IN {} AND IsClosed = false", accounts)):
                self.view.open_opportunities[row["AccountId"]].append(row)
            opportunities = sorted(o["Id"] for rows in self.view.open_opportunities.values() for o in rows)
            self.view.roles = {o: set() for o in opportunities}
            if opportunities:
                for row in self.query_all(format_soql("SELECT Id, OpportunityId, ContactId FROM "
                                                      "OpportunityContactRole WHERE OpportunityId IN {}",
                                                      opportunities)):
                    self.view.roles[row["OpportunityId"]].add(row["ContactId"])
        contacts = {c["Id"] for c in self.view.contacts.values() if c}
        subjects = sorted({f"Inbound email {p.get('email_id', 'unknown')}" for p in props if p.get("email")})
        if contacts and subjects:
            self.view.tasks = {(c, s): None for c in contacts for s in subjects}
            for row in self.query_all(format_soql("SELECT Id, WhoId, Subject FROM Task WHERE Subject IN {}",
                                                  subjects)):
                self.view.tasks[(row["WhoId"], row["Subject"])] = row["Id"]

    # -- actions ----------------------------------------------------------------------
    def upsert_company(self, props: dict[str, str]) -> ActionResult:
        domain, name = (props.get("domain") or "").lower() or None, props.get("name")
        found = self.find_account(domain, name)
        if found is not None:
            account_id, record = found
            changes = {k: v for k, v in {"Name": name, ACCOUNT_KEY: domain}.items() if v and not record.get(k)}
            if changes:
                self.call(self.sf.Account.update, account_id, changes)
            return ActionResult("account", account_id, "updated", f"Salesforce account {account_id} found by SOQL")
        fields = {"Name": name or domain, "Website": domain}
        if domain:
            account_id, created = self.upsert_by_key("Account", ACCOUNT_KEY, domain, fields)
        else:
            account_id, created = self.call(self.sf.Account.create, fields)["id"], True
        self.accounts.remember((domain or name or "").lower(), account_id)
        if created:  # a new account has no opportunities yet
            self.view.open_opportunities[account_id] = []
        status = "created" if created else "updated"
        return ActionResult("account", account_id, status, f"Salesforce account {account_id} {status}")

    def upsert_contact(self, props: dict[str, str]) -> ActionResult:
        email = props["email"].lower()
        account = self.find_account(props.get("company_domain"), props.get("company_name"))
        account_id = account[0] if account else None
        first, last = _split_name(props.get("name"), email)
        existing = self.contact(email)
        if existing is not None:
            changes = {k: v for k, v in {"FirstName": first, "AccountId": account_id}.items()
                       if v and not existing.get(k)}
            if changes:
                self.call(self.sf.Contact.update, existing["Id"], changes)
                existing.update(changes)
            task_id = self.log_email(existing["Id"], props)
            return ActionResult("contact", existing["Id"], "updated",
                                f"Salesforce contact {existing['Id']} updated, task {task_id}")
        fields = {"Email": email, "FirstName": first, "LastName": last, "AccountId": account_id,
                  "OwnerId": props.get("owner")}  # the queue's owner (config/queues.yaml), on a new contact
        contact_id, created = self.upsert_by_key("Contact", CONTACT_KEY, email, _present(fields))
        self.view.contacts[email] = {**_present(fields), "Id": contact_id}
        task_id = self.log_email(contact_id, props, new=created)  # a contact made just now has no Tasks yet
        status = "created" if created else "updated"
        return ActionResult("contact", contact_id, status, f"Salesforce contact {contact_id} {status}, task {task_id}")

    def log_email(self, contact_id: str, props: dict[str, str], *, new: bool = False) -> str:
        """A completed Task on the contact, once per email (found again by its subject).

        The batch's snapshot is trusted when it shows the Task; that it shows none is asked again (another
        writer, e.g. an owner before a rebalance that failed before its ledger row, may have made it since).
        """
        subject = f"Inbound email {props.get('email_id', 'unknown')}"
        task_id = None if new else self.view.tasks.get((contact_id, subject))
        if task_id is None and not new:
            task = self.query_one(format_soql("SELECT Id FROM Task WHERE WhoId = {} AND Subject = {} LIMIT 1",
                                              contact_id, subject))
            task_id = task["Id"] if task else None
        if task_id is not None:
            return task_id
        description = (f"Inbound email to {props.get('mailbox', 'a shared mailbox')} "
                       f"({props.get('intent', 'unknown')}), routed to {props.get('queue', 'a queue')}.")
        task_id = self.call(self.sf.Task.create, {"Subject": subject, "WhoId": contact_id, "Status": "Completed",
                                                  "Description": description})["id"]
        self.view.tasks[(contact_id, subject)] = task_id
        return task_id

    def deal_made_for(self, props: dict[str, str], key: str) -> ActionResult | None:
        return None  # the create is an upsert by the email's external id: a second attempt finds the first

    def deal_owner(self, props: dict[str, str]) -> DealOwner:
        account = self.find_account(props.get("company_domain"), props.get("company_name"))
        account_id = account[0] if account else None
        return DealOwner(account_id, None, f"Account:{account_id}" if account_id else None)

    def known_deals(self, owner: DealOwner) -> list[OpenDeal] | None:
        if owner.company_id is None:
            return []
        known = self.view.open_opportunities.get(owner.company_id)
        return [_open_deal(o) for o in known] if known is not None else None

    def read_deals(self, owner: DealOwner, since: datetime | None) -> list[OpenDeal]:
        """The account's newest open opportunity (created since ``since``), by SOQL: consistent at once."""
        if owner.company_id is None:
            return []
        query = format_soql("SELECT Id, AccountId, CreatedDate FROM Opportunity WHERE AccountId = {} "
                            "AND IsClosed = false", owner.company_id)
        if since is not None:
            query += " AND CreatedDate >= " + since.strftime("%Y-%m-%dT%H:%M:%SZ")
        record = self.query_one(query + " ORDER BY CreatedDate DESC LIMIT 1")
        known = self.view.open_opportunities.get(owner.company_id)
        if record is not None and known is not None:
            known.append(record)
        return [_open_deal(record)] if record is not None else []

    def create_deal(self, props: dict[str, str], key: str, owner: DealOwner) -> ActionResult:
        account_id = owner.company_id
        amount = props.get("amount") if props.get("currency", "USD") == "USD" else None
        fields = _present({
            "Name": props.get("name", "Inbound deal"), "StageName": self.stage, "AccountId": account_id,
            "CloseDate": expected_close_date(datetime.now(UTC), self.close_in_days).isoformat(),
            "Amount": float(amount) if amount else None, "LeadSource": "Inbound Email",
            "OwnerId": props.get("owner"),
        })
        deal_id, created = self.upsert_by_key("Opportunity", OPPORTUNITY_KEY, props["email_id"], fields)
        if account_id in self.view.open_opportunities and created:
            self.view.open_opportunities[account_id].append({"Id": deal_id, "AccountId": account_id,
                                                             "CreatedDate": datetime.now(UTC).isoformat()})
            self.view.roles[deal_id] = set()
        return ActionResult("opportunity", deal_id, "created" if created else "unchanged",
                            f"Salesforce opportunity {deal_id} {'created' if created else 'found by external id'}")

    def associate_contact(self, props: dict[str, str]) -> ActionResult:
        account = self.find_account(props.get("company_domain"), props.get("company_name"))
        contact = self.contact(props["contact_email"].lower())
        if account is None or contact is None:
            return ActionResult("association", None, "unchanged", "no contact or account to associate")
        account_id, contact_id = account[0], contact["Id"]
        if not contact.get("AccountId"):
            self.call(self.sf.Contact.update, contact_id, {"AccountId": account_id})
            contact["AccountId"] = account_id
        owner = DealOwner(account_id, None, None)
        known = self.known_deals(owner)
        deal_id = newest_open_deal(known if known is not None else self.read_deals(owner, None))
        if deal_id is None:
            return ActionResult("association", f"contact:{contact_id}", "updated",
                                f"Salesforce contact {contact_id} in account {account_id}; no open opportunity")
        if contact_id in self.view.roles.get(deal_id, set()):
            role = contact_id
        else:  # the snapshot lacks it: asked again (another email of the person may have linked it since)
            role = self.query_one(format_soql(
                "SELECT Id FROM OpportunityContactRole WHERE OpportunityId = {} AND ContactId = {} LIMIT 1",
                deal_id, contact_id))
        if role is None:
            self.call(self.sf.OpportunityContactRole.create, {"OpportunityId": deal_id, "ContactId": contact_id})
            self.view.roles.setdefault(deal_id, set()).add(contact_id)
        return ActionResult("association", f"opportunity:{deal_id}/contact:{contact_id}",
                            "created" if role is None else "unchanged",
                            f"Salesforce contact {contact_id} in account {account_id} and opportunity {deal_id}")

    # -- reads ----------------------------------------------------------------------------
    def find_account(self, domain: str | None, name: str | None) -> tuple[str, dict[str, Any]] | None:
        key = (domain or name or "").lower()
        if not key:
            return None
        if key in self.accounts:
            return self.accounts[key], {"Name": "(cached)", ACCOUNT_KEY: "(cached)"}
        if domain:
            sites = [f"{scheme}{www}{domain.lower()}" for scheme in ("", "http://", "https://") for www in ("", "www.")]
            query = format_soql(f"SELECT Id, Name, {ACCOUNT_KEY} FROM Account WHERE {ACCOUNT_KEY} = {{}} "
                                "OR Website IN {} ORDER BY CreatedDate LIMIT 1", domain.lower(), sites)
        else:
            query = format_soql(f"SELECT Id, Name, {ACCOUNT_KEY} FROM Account WHERE Name = {{}} "
                                "ORDER BY CreatedDate LIMIT 1", name)
        record = self.query_one(query)
        if record is None:
            return None
        self.accounts.remember(key, record["Id"])
        return record["Id"], record

    def contact(self, email: str) -> dict | None:
        if email in self.view.contacts:
            return self.view.contacts[email]
        return self.query_one(format_soql(
            "SELECT Id, FirstName, LastName, AccountId FROM Contact WHERE Email = {} ORDER BY CreatedDate LIMIT 1",
            email))

    def query_one(self, soql: str) -> dict[str, Any] | None:
        records = self.call(self.sf.query, soql)["records"]
        return records[0] if records else None

    def query_all(self, soql: str) -> list[dict[str, Any]]:
        return self.call(self.sf.query_all, soql)["records"]

    # -- writes ---------------------------------------------------------------------------
    def upsert_by_key(self, sobject: str, field: str, value: str, fields: dict[str, Any]) -> tuple[str, bool]:
        """PATCH /sobjects/{sobject}/{field}/{value}: 201 created, 200 updated (API 46.0+)."""
        api = getattr(self.sf, sobject)
        response = self.call(api.upsert, f"{field}/{quote(value, safe='')}", fields, raw_response=True)
        body = response.json() if response.content else {}
        record_id = body.get("id") or self.query_one(
            format_soql(f"SELECT Id FROM {sobject} WHERE {field} = {{}} LIMIT 1", value))["Id"]
        return record_id, response.status_code == 201

    def call(self, method: Callable[..., T], *args: Any, **kwargs: Any) -> T:
        """One Salesforce request; a 429/503 is waited out per ``Retry-After`` (limits.waiting_out: 3 requests in
        all, capped), never inside a transaction."""
        return waiting_out(lambda: self._request(method, args, kwargs), dependency=self.backend,
                           in_transaction=self.in_transaction, cap_s=self.retry_after_cap_s, sleep=self._sleep)

    def _request(self, method: Callable[..., T], args: tuple, kwargs: dict[str, Any]) -> T:
        try:
            return method(*args, **kwargs)
        except requests.RequestException as exc:
            raise Unavailable(f"Salesforce unreachable: {type(exc).__name__}: {exc}",
                              dependency=self.backend) from exc
        except SalesforceError as exc:
            if exc.status not in (429, 503):
                raise classify(exc) from exc
            retry_after = getattr(self.sf.session, "retry_after", None)
            raise RateLimited(f"Salesforce {exc.status} ({_message(exc)})", retry_after_s=parse_retry_after(
                retry_after, cap_s=self.retry_after_cap_s)) from exc


def classify(exc: SalesforceError) -> Exception:
    message = _message(exc)
    if exc.status >= 500 or exc.status == 408 or any(code in message for code in UNAVAILABLE_CODES):
        return Unavailable(f"Salesforce {exc.status}: {message}", dependency="salesforce")
    if "UNABLE_TO_LOCK_ROW" in message:
        return TransientError(f"Salesforce {exc.status}: {message}")
    codes = _codes(exc)
    if exc.status == 400 and codes and codes <= REJECTED_CODES:
        return CrmRejected(f"Salesforce {exc.status}: {message}")
    return PermanentError(f"Salesforce {exc.status}: {message}")


def _codes(exc: SalesforceError) -> set[str]:
    content = exc.content
    if not isinstance(content, list):
        return set()
    return {str(e.get("errorCode") or "") for e in content if isinstance(e, dict)}


def _message(exc: SalesforceError) -> str:
    """Salesforce answers errors as ``[{"message": ..., "errorCode": ..., "fields": [...]}]``."""
    content = exc.content
    if isinstance(content, list):
        return "; ".join(f"{e.get('errorCode', '')}: {e.get('message', '')}" for e in content if isinstance(e, dict))[:1000]
    return str(content)[:1000]


def _open_deal(record: dict[str, Any]) -> OpenDeal:
    """An open Opportunity; Salesforce's ``CreatedDate``: ``2026-11-25T10:00:00.000+0000`` (or ISO 8601)."""
    created = datetime.fromisoformat(str(record["CreatedDate"]).replace("+0000", "+00:00").replace("Z", "+00:00"))
    return OpenDeal(record["Id"], created if created.tzinfo is not None else created.replace(tzinfo=UTC))


def _present(values: dict[str, Any]) -> dict[str, Any]:
    return {k: v for k, v in values.items() if v not in (None, "")}


def _split_name(name: str | None, email: str) -> tuple[str | None, str]:
    """LastName is required on a Salesforce Contact: fall back to the address's local part."""
    first, _, last = (name or "").strip().partition(" ")
    if not last:
        return None, first or email.split("@", 1)[0]
    return first, last


def salesforce_client(*, instance_url: str | None, access_token: str | None, username: str | None,
                      password: str | None, security_token: str | None, domain: str, version: str,
                      session: requests.Session) -> Salesforce:
    if instance_url and access_token:
        return Salesforce(instance_url=instance_url, session_id=access_token, version=version, session=session)
    if username and password:
        return Salesforce(username=username, password=password, security_token=security_token or "",
                          domain=domain, version=version, session=session)
    raise SystemExit("TRIAGE_CRM_BACKEND=salesforce needs TRIAGE_SALESFORCE_INSTANCE_URL and "
                     "TRIAGE_SALESFORCE_ACCESS_TOKEN, or TRIAGE_SALESFORCE_USERNAME and _PASSWORD (docs/crm.md)")
