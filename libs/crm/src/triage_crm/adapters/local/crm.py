"""The local CRM backend: contacts, companies, deals and tickets in PostgreSQL (the default backend).

Delivery guarantee: effectively once. Every action runs in one database transaction together
with its idempotency record (adapters/local/ledger.py), so a replayed action returns the recorded
result instead of writing again; companies and contacts are upserts on their natural keys
(domain, email), searched before created. This module is the port's primitives (crm_port.py) on
the connection of the transaction the ledger opened (``bound``); the writer decides (writer.py).

The deal check and the create are serialised per company (else contact) by a row lock taken in
``read_deals`` (``FOR UPDATE``), held until the action's transaction (or the batch's) commits: the
local CRM needs no advisory deal lock (deal_lock.py is for the remote CRMs).
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from contextlib import AbstractContextManager, contextmanager, nullcontext
from datetime import datetime
from typing import Any

from triage.domain.crm_decisions import ActionResult, OpenDeal
from triage.domain.models import CrmAction
from triage.platform.db import Connection, Database, Record
from triage_crm.crm_port import DealOwner


class LocalCrm:
    """The port on one connection at a time: the ledger binds it for an action's (a batch's) transaction."""

    backend = "local"
    deal_type = "deal"
    deal_label = "deal"

    def __init__(self, database: Database) -> None:
        self.db = database
        self.conn: Connection | None = None

    @contextmanager
    def bound(self, conn: Connection) -> Iterator[None]:
        self.conn = conn
        try:
            yield
        finally:
            self.conn = None

    def prefetch(self, actions: Sequence[CrmAction]) -> None:
        """Nothing to read ahead: the batch is performed in one transaction by the ledger instead."""

    def performing(self) -> AbstractContextManager[None]:
        return nullcontext()

    # -- one statement on the bound connection ---------------------------------------------
    def fetchval(self, query: str, *args: Any) -> Any:
        return self._bound().fetchval(query, *args)

    def fetchrow(self, query: str, *args: Any) -> Record | None:
        return self._bound().fetchrow(query, *args)

    def execute(self, query: str, *args: Any) -> None:
        self._bound().execute(query, args or None)

    def _bound(self) -> Connection:
        if self.conn is None:
            raise RuntimeError("the local CRM writes only inside its ledger's transaction (LocalLedger)")
        return self.conn

    # -- the port ---------------------------------------------------------------------------
    def upsert_company(self, props: dict[str, str]) -> ActionResult:
        """Search before create, as one statement: the unique index settles concurrent writers."""
        domain, name = props.get("domain"), props.get("name")
        if domain:
            conflict = "ON CONFLICT (lower(domain)) WHERE domain IS NOT NULL"
        else:
            conflict = "ON CONFLICT (lower(name)) WHERE domain IS NULL"
        row = self.fetchrow(
            f"""
            INSERT INTO crm_companies (domain, name) VALUES ($1, $2)
            {conflict} DO UPDATE
               SET name = COALESCE(crm_companies.name, EXCLUDED.name), updated_at = now()
            RETURNING id, (xmax = 0) AS inserted
            """,
            domain, name,
        )
        status = "created" if row["inserted"] else "updated"
        return ActionResult("company", str(row["id"]), status, f"company {status}")

    def find_company(self, domain: str | None, name: str | None) -> int | None:
        if domain:
            return self.fetchval("SELECT id FROM crm_companies WHERE lower(domain) = lower($1)", domain)
        if name:
            return self.fetchval("SELECT id FROM crm_companies WHERE domain IS NULL AND lower(name) = lower($1)",
                                 name)
        return None

    def find_contact(self, email: str | None) -> int | None:
        if not email:
            return None
        return self.fetchval("SELECT id FROM crm_contacts WHERE lower(email) = lower($1)", email)

    def upsert_contact(self, props: dict[str, str]) -> ActionResult:
        company_id = self.find_company(props.get("company_domain"), props.get("company_name"))
        row = self.fetchrow(
            """
            INSERT INTO crm_contacts (email, name, company_id, owner) VALUES ($1, $2, $3, $4)
            ON CONFLICT (lower(email)) DO UPDATE
               SET name = COALESCE(EXCLUDED.name, crm_contacts.name),
                   company_id = COALESCE(EXCLUDED.company_id, crm_contacts.company_id),
                   owner = COALESCE(crm_contacts.owner, EXCLUDED.owner),
                   updated_at = now()
            RETURNING id, (xmax = 0) AS inserted
            """,
            props["email"], props.get("name"), company_id, props.get("owner"),
        )
        status = "created" if row["inserted"] else "updated"
        return ActionResult("contact", str(row["id"]), status, f"contact {status}, company {company_id}")

    def deal_made_for(self, props: dict[str, str], key: str) -> ActionResult | None:
        return None  # the idempotency record, in the same transaction, answers a replay before this

    def deal_owner(self, props: dict[str, str]) -> DealOwner:
        company_id = self.find_company(props.get("company_domain"), props.get("company_name"))
        contact_id = self.find_contact(props.get("contact_email"))
        return DealOwner(_text(company_id), _text(contact_id), None)

    def known_deals(self, owner: DealOwner) -> list[OpenDeal] | None:
        return None  # no snapshot: every check reads, in the transaction

    def read_deals(self, owner: DealOwner, since: datetime) -> list[OpenDeal]:
        """The newest open deal of the company or the contact since ``since``, the owner's row locked first."""
        company_id, contact_id = _int(owner.company_id), _int(owner.contact_id)
        # Serialise deal creation per company (or contact), so the deal rule holds under concurrency.
        if company_id is not None:
            self.execute("SELECT 1 FROM crm_companies WHERE id = $1 FOR UPDATE", company_id)
        elif contact_id is not None:
            self.execute("SELECT 1 FROM crm_contacts WHERE id = $1 FOR UPDATE", contact_id)
        row = self.fetchrow(
            """
            SELECT id, created_at FROM crm_deals
             WHERE stage = 'open' AND created_at >= $3
               AND ((company_id = $1 AND $1 IS NOT NULL) OR (contact_id = $2 AND $2 IS NOT NULL))
             ORDER BY created_at DESC LIMIT 1
            """,
            company_id, contact_id, since,
        )
        return [OpenDeal(str(row["id"]), row["created_at"])] if row is not None else []

    def create_deal(self, props: dict[str, str], key: str, owner: DealOwner) -> ActionResult:
        amount = props.get("amount") if props.get("currency", "USD") == "USD" else None
        row = self.fetchrow(
            "INSERT INTO crm_deals (name, company_id, contact_id, amount_usd, queue, source_email_id, owner) "
            "VALUES ($1, $2, $3, $4, $5, $6, $7) RETURNING id",
            props.get("name", "Inbound deal"), _int(owner.company_id), _int(owner.contact_id),
            float(amount) if amount else None, props.get("queue"), props["email_id"], props.get("owner"),
        )
        return ActionResult("deal", str(row["id"]), "created", "deal created")

    def associate_contact(self, props: dict[str, str]) -> ActionResult:
        """Link a contact to its company (when it has none) and to the company's open deal."""
        company_id = self.find_company(props.get("company_domain"), props.get("company_name"))
        contact_id = self.fetchval(
            "UPDATE crm_contacts SET company_id = COALESCE(company_id, $2), updated_at = now() "
            "WHERE lower(email) = lower($1) RETURNING id",
            props["contact_email"], company_id,
        )
        if contact_id is None or company_id is None:
            return ActionResult("association", None, "unchanged", "no contact or company to associate")
        deal_id = self.fetchval(  # newest_open_deal, as one indexed read
            "SELECT id FROM crm_deals WHERE company_id = $1 AND stage = 'open' ORDER BY created_at DESC LIMIT 1",
            company_id,
        )
        if deal_id is None:
            return ActionResult("association", f"contact:{contact_id}", "updated",
                                f"contact {contact_id} in company {company_id}; no open deal")
        inserted = self.fetchval(
            "INSERT INTO crm_deal_contacts (deal_id, contact_id) VALUES ($1, $2) "
            "ON CONFLICT DO NOTHING RETURNING deal_id", deal_id, contact_id,
        )
        return ActionResult("association", f"deal:{deal_id}/contact:{contact_id}",
                            "created" if inserted else "unchanged",
                            f"contact {contact_id} in company {company_id} and open deal {deal_id}")

    def create_ticket(self, props: dict[str, str], key: str) -> ActionResult:
        """One ticket per email (``source_email_id`` is unique), with the queue's owner."""
        company_id = self.find_company(props.get("company_domain"), props.get("company_name"))
        contact_id = self.find_contact(props.get("contact_email"))
        row = self.fetchrow(
            """
            INSERT INTO crm_tickets (subject, content, priority, queue, owner, contact_id, company_id,
                                     source_email_id)
            VALUES ($1, $2, $3, $4, $5, $6, $7, $8)
            ON CONFLICT (source_email_id) DO UPDATE SET source_email_id = EXCLUDED.source_email_id
            RETURNING id, (xmax = 0) AS inserted
            """,
            props.get("subject") or "Support request", props.get("content"), props.get("priority", "normal"),
            props.get("queue", ""), props.get("owner"), contact_id, company_id, props["email_id"],
        )
        status = "created" if row["inserted"] else "unchanged"
        owner = props.get("owner") or "no owner"
        return ActionResult("ticket", str(row["id"]), status, f"ticket {row['id']} {status} ({owner})")


def _text(value: int | None) -> str | None:
    return None if value is None else str(value)


def _int(value: str | None) -> int | None:
    return None if value is None else int(value)
