"""HubSpot tickets: a support email becomes one ticket (``POST /crm/v3/objects/tickets``), a mixin of HubSpotCrm.

The ticket goes to the queue's pipeline and stage (``hs_pipeline``, ``hs_pipeline_stage``; config/
queues.yaml, HubSpot's support pipeline "0" and its stage "1" by default) with ``subject``,
``content`` (the extraction's summary), ``hs_ticket_priority`` and the queue's owner
(``hubspot_owner_id``), associated with the email's contact (type 16) and company (type 26).
Exactly once like a deal: the ledger, then the unique ``triage_idempotency_key`` (``<email
id>:create_ticket``) read before the create and colliding on a repeated one. The key property
on tickets is checked (and created) on the first ticket, so a HubSpot account that never files
tickets needs no ``tickets`` scope.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from hubspot.crm.tickets import SimplePublicObjectInputForCreate as TicketCreate

from triage.domain.crm_decisions import ActionResult
from triage.domain.queues import HUBSPOT_TICKET_PRIORITY
from triage_crm.adapters.hubspot.deals import _association, _present
from triage_crm.adapters.hubspot.reads import HubSpotReads
from triage_crm.adapters.hubspot.schema import KEY_PROPERTY, KEYED_TICKETS, ensure_key_property

TICKET_TO_CONTACT = 16
TICKET_TO_COMPANY = 26


class HubSpotTickets:
    """``create_ticket``; ``HubSpotCrm`` supplies the reads and the request path."""

    reads: HubSpotReads
    ticket_basic: Any
    properties_api: Any
    create_properties: bool
    call: Callable[..., Any]
    create_keyed: Callable[..., dict]
    find_company: Callable[[str | None, str | None], dict | None]
    contact_id: Callable[[str | None], str | None]
    _ticket_property_ready: bool = False

    def create_ticket(self, props: dict[str, str], key: str) -> ActionResult:
        self._ensure_ticket_property()
        earlier = self.reads.by_id_property("tickets", KEY_PROPERTY, [key], [KEY_PROPERTY]).get(key)
        if earlier is not None:
            return ActionResult("ticket", earlier["id"], "created",
                                f"HubSpot ticket {earlier['id']} found by its idempotency key")
        company = self.find_company(props.get("company_domain"), props.get("company_name"))
        contact_id = self.contact_id(props.get("contact_email"))
        associations = [_association(contact_id, TICKET_TO_CONTACT),
                        _association(company["id"] if company else None, TICKET_TO_COMPANY)]
        properties = _present(
            subject=props.get("subject") or "Support request", content=props.get("content"),
            hs_pipeline=props.get("ticket_pipeline") or "0", hs_pipeline_stage=props.get("ticket_stage") or "1",
            hs_ticket_priority=HUBSPOT_TICKET_PRIORITY.get(props.get("priority", ""), "MEDIUM"),
            hubspot_owner_id=props.get("owner"), **{KEY_PROPERTY: key})
        created = self.create_keyed(self.ticket_basic.create, "tickets", key, lambda: TicketCreate(
            properties=properties, associations=[a for a in associations if a]))
        status = "created" if created.get("new") else "unchanged"
        owner = f", owner {props['owner']}" if props.get("owner") else ""
        return ActionResult("ticket", created["id"], status, f"HubSpot ticket {created['id']} {status}{owner}")

    def _ensure_ticket_property(self) -> None:
        if not self._ticket_property_ready:
            ensure_key_property(self.properties_api, self.call, create=self.create_properties, types=KEYED_TICKETS)
            self._ticket_property_ready = True
