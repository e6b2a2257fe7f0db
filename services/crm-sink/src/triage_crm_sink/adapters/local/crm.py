"""The local CRM backend: contacts, companies and deals in PostgreSQL (the default backend).

Delivery guarantee: effectively once. Every action runs in one database
transaction together with its idempotency record, so a replayed action
returns the recorded result instead of writing again; companies and contacts
are upserts on their natural keys (domain, email), searched before created.

crm-sink hands a Kafka batch's actions to ``prefetch`` first: they run in order in ONE
transaction (their keys' advisory locks taken in one statement, in a fixed order; the recorded
results read in one; the idempotency records written in one), committed before the batch's
Kafka transaction, exactly as each action's own transaction was. ``apply`` then returns those
results. Should anything in it fail (a value PostgreSQL refuses, a deadlock with another
writer), the whole transaction rolls back and every action runs on its own as before, so a
refused action is still isolated and dead-lettered alone (docs/benchmarks.md: 1.6 commits and
14 statements per email became ~0.01 and ~5).
"""

from __future__ import annotations

from collections.abc import Sequence

import asyncpg

from triage.domain.crm_decisions import OPEN_DEAL_WINDOW_DAYS, ActionResult
from triage.domain.models import CrmAction
from triage.platform.db import Database
from triage.platform.metrics import IDEMPOTENCY_CONFLICTS


class LocalCrm:
    backend = "local"

    def __init__(self, database: Database, batch_transaction: bool = True) -> None:
        self.db = database
        self.batch_transaction = batch_transaction
        self.performed: dict[str, ActionResult] = {}  # this batch's results, by idempotency key

    def prefetch(self, actions: Sequence[CrmAction]) -> None:
        """Perform a batch's actions in one transaction; on any failure, nothing (see the module doc)."""
        self.performed = {}
        if not self.batch_transaction or not actions:
            return
        try:
            self.performed = self.db.run(self._apply_all(actions))
        except Exception:  # noqa: BLE001 - rolled back: each action runs on its own, and fails there
            self.performed = {}

    def apply(self, action: CrmAction) -> ActionResult:
        done = self.performed.pop(action.idempotency_key, None)
        if done is not None:
            return done
        return self.db.run(self._apply(action))

    async def _apply_all(self, actions: Sequence[CrmAction]) -> dict[str, ActionResult]:
        keys = list(dict.fromkeys(a.idempotency_key for a in actions))
        async with self.db.pool.acquire() as conn, conn.transaction():
            # One order for every writer of overlapping keys: two batches wait, never deadlock here.
            await conn.execute("SELECT pg_advisory_xact_lock(h) FROM (SELECT DISTINCT hashtextextended(k, 0) AS h "
                               "FROM unnest($1::text[]) AS k) AS keys ORDER BY h", keys)
            rows = await conn.fetch("SELECT idempotency_key, object_type, object_id, status, response_summary "
                                    "FROM crm_actions_done WHERE idempotency_key = ANY($1::text[])", keys)
            results = {row[0]: ActionResult(*row[1:]) for row in rows}
            if results:
                IDEMPOTENCY_CONFLICTS.labels(self.backend).inc(len(results))
            new: list[tuple] = []
            for action in actions:
                if action.idempotency_key in results:
                    continue
                result = await PERFORMERS[action.action](conn, action.properties)
                results[action.idempotency_key] = result
                new.append((action.idempotency_key, result.object_type, result.object_id, result.status,
                            result.summary))
            await conn.executemany(RECORD_DONE, new)
        return results

    async def _apply(self, action: CrmAction) -> ActionResult:
        async with self.db.pool.acquire() as conn, conn.transaction():
            # Two writers of one key (an old owner still finishing after a rebalance)
            # queue here; the second then finds the first one's recorded result.
            await conn.execute("SELECT pg_advisory_xact_lock(hashtextextended($1, 0))", action.idempotency_key)
            done = await conn.fetchrow(
                "SELECT object_type, object_id, status, response_summary FROM crm_actions_done "
                "WHERE idempotency_key = $1",
                action.idempotency_key,
            )
            if done is not None:
                IDEMPOTENCY_CONFLICTS.labels(self.backend).inc()
                return ActionResult(*done)
            result = await PERFORMERS[action.action](conn, action.properties)
            await conn.execute(RECORD_DONE, action.idempotency_key, result.object_type, result.object_id,
                               result.status, result.summary)
            return result


RECORD_DONE = ("INSERT INTO crm_actions_done (idempotency_key, object_type, object_id, status, response_summary) "
               "VALUES ($1, $2, $3, $4, $5)")


async def upsert_company(conn: asyncpg.Connection, props: dict[str, str]) -> ActionResult:
    """Search before create, as one statement: the unique index settles concurrent writers."""
    domain, name = props.get("domain"), props.get("name")
    if domain:
        conflict = "ON CONFLICT (lower(domain)) WHERE domain IS NOT NULL"
    else:
        conflict = "ON CONFLICT (lower(name)) WHERE domain IS NULL"
    row = await conn.fetchrow(
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


async def find_company(conn: asyncpg.Connection, domain: str | None, name: str | None) -> int | None:
    if domain:
        return await conn.fetchval("SELECT id FROM crm_companies WHERE lower(domain) = lower($1)", domain)
    if name:
        return await conn.fetchval(
            "SELECT id FROM crm_companies WHERE domain IS NULL AND lower(name) = lower($1)", name
        )
    return None


async def upsert_contact(conn: asyncpg.Connection, props: dict[str, str]) -> ActionResult:
    company_id = await find_company(conn, props.get("company_domain"), props.get("company_name"))
    row = await conn.fetchrow(
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


async def create_deal(conn: asyncpg.Connection, props: dict[str, str]) -> ActionResult:
    company_id = await find_company(conn, props.get("company_domain"), props.get("company_name"))
    contact_id = None
    if props.get("contact_email"):
        contact_id = await conn.fetchval(
            "SELECT id FROM crm_contacts WHERE lower(email) = lower($1)", props["contact_email"]
        )
    # Serialise deal creation per company (or contact), so the 45-day rule holds under concurrency.
    if company_id is not None:
        await conn.execute("SELECT 1 FROM crm_companies WHERE id = $1 FOR UPDATE", company_id)
    elif contact_id is not None:
        await conn.execute("SELECT 1 FROM crm_contacts WHERE id = $1 FOR UPDATE", contact_id)
    open_deal = await conn.fetchval(
        """
        SELECT id FROM crm_deals
         WHERE stage = 'open' AND created_at > now() - make_interval(days => $3)
           AND ((company_id = $1 AND $1 IS NOT NULL) OR (contact_id = $2 AND $2 IS NOT NULL))
         ORDER BY created_at DESC LIMIT 1
        """,
        company_id, contact_id, OPEN_DEAL_WINDOW_DAYS,
    )
    if open_deal is not None:
        return ActionResult("deal", str(open_deal), "unchanged", f"open deal {open_deal} younger than 45 days")
    amount = props.get("amount") if props.get("currency", "USD") == "USD" else None
    row = await conn.fetchrow(
        "INSERT INTO crm_deals (name, company_id, contact_id, amount_usd, queue, source_email_id, owner) "
        "VALUES ($1, $2, $3, $4, $5, $6, $7) RETURNING id",
        props.get("name", "Inbound deal"), company_id, contact_id,
        float(amount) if amount else None, props.get("queue"), props["email_id"], props.get("owner"),
    )
    return ActionResult("deal", str(row["id"]), "created", "deal created")


async def associate_contact(conn: asyncpg.Connection, props: dict[str, str]) -> ActionResult:
    """Link a contact to its company (when it has none) and to the company's open deal."""
    company_id = await find_company(conn, props.get("company_domain"), props.get("company_name"))
    contact_id = await conn.fetchval(
        "UPDATE crm_contacts SET company_id = COALESCE(company_id, $2), updated_at = now() "
        "WHERE lower(email) = lower($1) RETURNING id",
        props["contact_email"], company_id,
    )
    if contact_id is None or company_id is None:
        return ActionResult("association", None, "unchanged", "no contact or company to associate")
    deal_id = await conn.fetchval(
        "SELECT id FROM crm_deals WHERE company_id = $1 AND stage = 'open' ORDER BY created_at DESC LIMIT 1",
        company_id,
    )
    if deal_id is None:
        return ActionResult("association", f"contact:{contact_id}", "updated",
                            f"contact {contact_id} in company {company_id}; no open deal")
    inserted = await conn.fetchval(
        "INSERT INTO crm_deal_contacts (deal_id, contact_id) VALUES ($1, $2) "
        "ON CONFLICT DO NOTHING RETURNING deal_id", deal_id, contact_id,
    )
    return ActionResult("association", f"deal:{deal_id}/contact:{contact_id}",
                        "created" if inserted else "unchanged",
                        f"contact {contact_id} in company {company_id} and open deal {deal_id}")


async def create_ticket(conn: asyncpg.Connection, props: dict[str, str]) -> ActionResult:
    """One ticket per email (``source_email_id`` is unique), with the queue's owner."""
    company_id = await find_company(conn, props.get("company_domain"), props.get("company_name"))
    contact_id = None
    if props.get("contact_email"):
        contact_id = await conn.fetchval(
            "SELECT id FROM crm_contacts WHERE lower(email) = lower($1)", props["contact_email"])
    row = await conn.fetchrow(
        """
        INSERT INTO crm_tickets (subject, content, priority, queue, owner, contact_id, company_id, source_email_id)
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


PERFORMERS = {
    "create_ticket": create_ticket,
    "upsert_company": upsert_company,
    "upsert_contact": upsert_contact,
    "create_deal": create_deal,
    "associate_contact": associate_contact,
}
