"""HubSpot deals and notes: the 45-day rule, one deal per email, one note per email (a mixin of HubSpotCrm).

A deal carries its email's action key in ``triage_idempotency_key`` (read by it
before a create; a create that collides reads the winner). Whether the company
(else the contact) already has an open deal younger than 45 days is read
through its v4 associations; the batch's snapshot (``prefetch``) is trusted
when it shows one, and read again right before a create when it shows none:
another writer (another crm-sink instance, the admin's Create in CRM) may have
made one since. That fresh read and the create are made under a PostgreSQL
advisory lock on the owner (deal_lock.py), so two instances handling two emails
of one company at the same moment take turns instead of both creating. A note is found by its marker ``triage-<email id>`` among the
contact's newest notes, the same way: a snapshot without the marker is checked
again (one association read) before a note is written.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from typing import Any

from hubspot.crm.deals import SimplePublicObjectInputForCreate as DealCreate
from hubspot.crm.objects.notes import SimplePublicObjectInputForCreate as NoteCreate

from triage.domain.crm_decisions import OPEN_DEAL_WINDOW_DAYS, ActionResult
from triage_crm_sink.adapters.hubspot.reads import BatchView, HubSpotReads
from triage_crm_sink.adapters.hubspot.schema import KEY_PROPERTY
from triage_crm_sink.deal_lock import DealLock, Unlocked

# HubSpot-defined association type ids (v4 "default" associations use the same ones).
DEAL_TO_COMPANY = 341
DEAL_TO_CONTACT = 3
NOTE_TO_CONTACT = 202


class HubSpotDealsAndNotes:
    """Deal, association and note actions; ``HubSpotCrm`` supplies the reads, the view and the request path."""

    view: BatchView
    reads: HubSpotReads
    pipeline: str
    deal_stage: str
    deal_basic: Any
    note_basic: Any
    call: Callable[..., Any]
    create_keyed: Callable[..., dict]
    find_company: Callable[[str | None, str | None], dict | None]
    contact_id: Callable[[str | None], str | None]
    associate: Callable[[str, str, str, str], None]
    deal_lock: DealLock | Unlocked

    def create_deal(self, props: dict[str, str], key: str) -> ActionResult:
        earlier = self.deal_by_key(key)
        if earlier is not None:
            return ActionResult("deal", earlier, "created",
                                f"HubSpot deal {earlier} found by its idempotency key (an earlier attempt made it)")
        company = self.find_company(props.get("company_domain"), props.get("company_name"))
        company_id = company["id"] if company else None
        contact_id = self.contact_id(props.get("contact_email"))
        owner = f"companies:{company_id}" if company_id else f"contacts:{contact_id}" if contact_id else None
        with self.deal_lock.held(owner):  # the fresh read and the create: one instance at a time (deal_lock.py)
            return self._create_deal_unless_open(props, key, company_id, contact_id)

    def _create_deal_unless_open(self, props: dict[str, str], key: str, company_id: str | None,
                                 contact_id: str | None) -> ActionResult:
        since = datetime.now(UTC) - timedelta(days=OPEN_DEAL_WINDOW_DAYS)
        open_deal = self.open_deal(company_id, contact_id, since, confirm_none=True)
        if open_deal is not None:
            return ActionResult("deal", open_deal, "unchanged",
                                f"open HubSpot deal {open_deal} younger than {OPEN_DEAL_WINDOW_DAYS} days")
        associations = [_association(company_id, DEAL_TO_COMPANY), _association(contact_id, DEAL_TO_CONTACT)]
        properties = _present(dealname=props.get("name", "Inbound deal"), pipeline=self.pipeline,
                              dealstage=self.deal_stage, **{KEY_PROPERTY: key}, hubspot_owner_id=props.get("owner"),
                              amount=props.get("amount") if props.get("currency", "USD") == "USD" else None)
        created = self.create_keyed(self.deal_basic.create, "deals", key, lambda: DealCreate(
            properties=properties, associations=[a for a in associations if a]))
        self.view.deals[key] = created["id"]
        if contact_id is not None:
            self.view.deal_contacts.add((created["id"], contact_id))
        owner = company_id or contact_id
        if owner is not None and owner in self.view.owned_deals:
            self.view.owned_deals[owner].append({"id": created["id"], "properties": {
                "hs_is_closed": "false", "createdate": datetime.now(UTC).isoformat()}})
        return ActionResult("deal", created["id"], "created", f"HubSpot deal {created['id']} created")

    def associate_contact(self, props: dict[str, str]) -> ActionResult:
        """Contact -> its company, and contact -> the company's open deal (v4 default associations)."""
        company = self.find_company(props.get("company_domain"), props.get("company_name"))
        contact_id = self.contact_id(props.get("contact_email"))
        if company is None or contact_id is None:
            return ActionResult("association", None, "unchanged", "no contact or company to associate")
        company_id = company["id"]
        self.associate("contacts", contact_id, "companies", company_id)
        deal_id = self.open_deal(company_id, None, None)
        if deal_id is None:
            return ActionResult("association", f"contact:{contact_id}", "updated",
                                f"HubSpot contact {contact_id} associated with company {company_id}; no open deal")
        if (deal_id, contact_id) not in self.view.deal_contacts:  # else linked when the deal was made
            self.associate("deals", deal_id, "contacts", contact_id)
        return ActionResult("association", f"deal:{deal_id}/contact:{contact_id}", "created",
                            f"HubSpot contact {contact_id} associated with company {company_id} and deal {deal_id}")

    def log_email(self, contact_id: str, props: dict[str, str], *, new: bool) -> str:
        """A note on the contact's timeline, once per email (its marker among the contact's recent notes)."""
        marker = f"triage-{props.get('email_id', 'unknown')}"
        if not new:  # the snapshot shows a note that exists; that it lacks one is read again (another writer)
            markers = self.view.note_markers.get(contact_id) or {}
            if marker not in markers.values():
                markers = self.reads.note_markers([contact_id], known=self.view.note_markers).get(contact_id, {})
                self.view.note_markers[contact_id] = markers
            if marker in markers.values():
                return f"already logged ({marker})"
        body = (f"Inbound email to {props.get('mailbox', 'a shared mailbox')} ({props.get('intent', 'unknown')}), "
                f"routed to {props.get('queue', 'a queue')}. Ref: {marker}")
        created = self.call(self.note_basic.create, simple_public_object_input_for_create=NoteCreate(
            properties={"hs_timestamp": datetime.now(UTC).isoformat(timespec="milliseconds"), "hs_note_body": body},
            associations=[_association(contact_id, NOTE_TO_CONTACT)]))
        self.view.note_markers.setdefault(contact_id, {})[str(created.id)] = marker
        return created.id

    # -- reads ----------------------------------------------------------------------------
    def deal_by_key(self, key: str) -> str | None:
        if key in self.view.deals:
            return self.view.deals[key]
        found = self.reads.by_id_property("deals", KEY_PROPERTY, [key], [KEY_PROPERTY]).get(key)
        return found["id"] if found else None

    def open_deal(self, company_id: str | None, contact_id: str | None, since: datetime | None, *,
                  confirm_none: bool = False) -> str | None:
        """The owner's newest open deal (younger than ``since``), from its associations: consistent at once.

        The batch's snapshot is trusted when it shows an open deal; ``confirm_none`` (before creating one):
        when it shows none, the owner's deals are read again — another writer (another crm-sink instance,
        the admin's Create in CRM) may have made one since the snapshot, up to ``VIEW_TTL_S`` ago.
        """
        owner_type, owner = ("companies", company_id) if company_id else ("contacts", contact_id)
        if owner is None:
            return None
        deals = self.view.owned_deals.get(owner)
        found = _newest_open(deals, since) if deals is not None else None
        if found is None and (deals is None or confirm_none):
            deals = self.reads.deals_of(owner_type, [owner]).get(owner, [])
            self.view.owned_deals[owner] = deals
            found = _newest_open(deals, since)
        return found



def _present(**values: str | None) -> dict[str, str]:
    return {k: v for k, v in values.items() if v}


def _newest_open(deals: list[dict], since: datetime | None) -> str | None:
    cutoff = since.timestamp() if since else float("-inf")
    young = [(_epoch(d["properties"].get("createdate")), d["id"]) for d in deals
             if d["properties"].get("hs_is_closed") != "true"]
    young = [deal for deal in young if deal[0] >= cutoff]
    return max(young)[1] if young else None


def _epoch(stamp: str | None) -> float:
    """``createdate`` as HubSpot answers it (ISO 8601, ``Z``) in seconds; unknown: the distant past."""
    if not stamp:
        return float("-inf")
    return datetime.fromisoformat(stamp.replace("Z", "+00:00")).timestamp()



def _association(object_id: str | None, type_id: int) -> dict[str, Any] | None:
    if object_id is None:
        return None
    return {"to": {"id": object_id},
            "types": [{"associationCategory": "HUBSPOT_DEFINED", "associationTypeId": type_id}]}


