"""HubSpot deals and notes: the port's deal reads and create, one note per email (a mixin of HubSpotCrm).

A deal carries its email's action key in ``triage_idempotency_key`` (read by it
before a create: ``deal_made_for``; a create that collides reads the winner).
The company's (else the contact's) deals are read through its v4 associations
(``read_deals``) or taken from the batch's snapshot (``known_deals``); whether
one blocks a new deal is the writer's decision (writer.py), which trusts a
snapshot that shows one and reads again when it shows none, under the deal
lock (deal_lock.py). A note is found by its marker ``triage-<email id>`` among the
contact's newest notes, the same way: a snapshot without the marker is checked
again (one association read) before a note is written.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime
from typing import Any

from hubspot.crm.deals import SimplePublicObjectInputForCreate as DealCreate
from hubspot.crm.objects.notes import SimplePublicObjectInputForCreate as NoteCreate

from triage.domain.crm_decisions import ActionResult, OpenDeal, newest_open_deal
from triage_crm.adapters.hubspot.reads import BatchView, HubSpotReads
from triage_crm.adapters.hubspot.schema import KEY_PROPERTY
from triage_crm.crm_port import DealOwner

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

    def deal_made_for(self, props: dict[str, str], key: str) -> ActionResult | None:
        earlier = self.deal_by_key(key)
        if earlier is None:
            return None
        return ActionResult("deal", earlier, "created",
                            f"HubSpot deal {earlier} found by its idempotency key (an earlier attempt made it)")

    def deal_owner(self, props: dict[str, str]) -> DealOwner:
        company = self.find_company(props.get("company_domain"), props.get("company_name"))
        company_id = company["id"] if company else None
        contact_id = self.contact_id(props.get("contact_email"))
        lock_key = f"companies:{company_id}" if company_id else f"contacts:{contact_id}" if contact_id else None
        return DealOwner(company_id, contact_id, lock_key)

    def known_deals(self, owner: DealOwner) -> list[OpenDeal] | None:
        owner_id = owner.company_id or owner.contact_id
        if owner_id is None:
            return []
        deals = self.view.owned_deals.get(owner_id)
        return _open_deals(deals) if deals is not None else None

    def read_deals(self, owner: DealOwner, since: datetime | None = None) -> list[OpenDeal]:
        """The owner's deals from its associations: consistent at once (all of them: HubSpot cannot filter)."""
        owner_type, owner_id = ("companies", owner.company_id) if owner.company_id else ("contacts", owner.contact_id)
        if owner_id is None:
            return []
        deals = self.reads.deals_of(owner_type, [owner_id]).get(owner_id, [])
        self.view.owned_deals[owner_id] = deals
        return _open_deals(deals)

    def create_deal(self, props: dict[str, str], key: str, owner: DealOwner) -> ActionResult:
        company_id, contact_id = owner.company_id, owner.contact_id
        associations = [_association(company_id, DEAL_TO_COMPANY), _association(contact_id, DEAL_TO_CONTACT)]
        properties = _present(dealname=props.get("name", "Inbound deal"), pipeline=self.pipeline,
                              dealstage=self.deal_stage, **{KEY_PROPERTY: key}, hubspot_owner_id=props.get("owner"),
                              amount=props.get("amount") if props.get("currency", "USD") == "USD" else None)
        created = self.create_keyed(self.deal_basic.create, "deals", key, lambda: DealCreate(
            properties=properties, associations=[a for a in associations if a]))
        self.view.deals[key] = created["id"]
        if contact_id is not None:
            self.view.deal_contacts.add((created["id"], contact_id))
        owner_id = company_id or contact_id
        if owner_id is not None and owner_id in self.view.owned_deals:
            self.view.owned_deals[owner_id].append({"id": created["id"], "properties": {
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
        owner = DealOwner(company_id, None, None)
        known = self.known_deals(owner)
        deal_id = newest_open_deal(known if known is not None else self.read_deals(owner))
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


def _present(**values: str | None) -> dict[str, str]:
    return {k: v for k, v in values.items() if v}


def _open_deals(deals: list[dict]) -> list[OpenDeal]:
    return [OpenDeal(d["id"], _created(d["properties"].get("createdate")),
                     closed=d["properties"].get("hs_is_closed") == "true") for d in deals]


def _created(stamp: str | None) -> datetime:
    """``createdate`` as HubSpot answers it (ISO 8601, ``Z``; without a zone: UTC); unknown: the distant past."""
    if not stamp:
        return datetime.min.replace(tzinfo=UTC)
    created = datetime.fromisoformat(stamp.replace("Z", "+00:00"))
    return created if created.tzinfo is not None else created.replace(tzinfo=UTC)


def _association(object_id: str | None, type_id: int) -> dict[str, Any] | None:
    if object_id is None:
        return None
    return {"to": {"id": object_id},
            "types": [{"associationCategory": "HUBSPOT_DEFINED", "associationTypeId": type_id}]}


