"""The queue's settings travel with each action: its owner in this backend, and how a ticket is filed.

config/queues.yaml (triage.domain.queues) names, per queue, the owner of its mail in each CRM
and how its tickets are filed. ``QueueOwnedCrm`` wraps any backend (local, HubSpot, Salesforce)
and adds those to the action's properties as the adapter reads them: ``owner`` (a HubSpot owner
id, a Salesforce User/Queue id, a local name) and, for ``create_ticket``, ``ticket_pipeline`` /
``ticket_stage`` (HubSpot) or ``case_status`` / ``case_origin`` (Salesforce). The idempotency key
is untouched: a replay after a change of owner returns the recorded result, it does not re-own.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from triage.domain.crm_decisions import ActionResult
from triage.domain.models import CrmAction
from triage.domain.queues import QueueTable


def queue_properties(action: CrmAction, queues: QueueTable, backend: str) -> dict[str, str]:
    settings = queues.of(action.properties.get("queue", ""))
    extra: dict[str, str] = {}
    owner = settings.owner.for_backend(backend)
    if owner:
        extra["owner"] = owner
    if action.action == "create_ticket" and settings.ticket is not None:
        extra.update(ticket_pipeline=settings.ticket.hubspot_pipeline, ticket_stage=settings.ticket.hubspot_stage,
                     case_status=settings.ticket.salesforce_status, case_origin=settings.ticket.salesforce_origin)
    return extra


def owned(action: CrmAction, queues: QueueTable, backend: str) -> CrmAction:
    extra = queue_properties(action, queues, backend)
    if not extra:
        return action
    return action.model_copy(update={"properties": {**action.properties, **extra}})


class QueueOwnedCrm:
    """A backend whose actions carry their queue's owner and ticket settings."""

    def __init__(self, crm: Any, queues: QueueTable) -> None:
        self.crm = crm
        self.queues = queues
        self.backend = crm.backend

    def __getattr__(self, name: str) -> Any:  # anything else the port grows passes through
        return getattr(self.crm, name)

    def apply(self, action: CrmAction) -> ActionResult:
        return self.crm.apply(owned(action, self.queues, self.backend))

    def prefetch(self, actions: Sequence[CrmAction]) -> None:
        prefetch = getattr(self.crm, "prefetch", None)
        if prefetch is not None:
            prefetch([owned(a, self.queues, self.backend) for a in actions])
