"""One planned action performed through a backend, and its outcome as a ``CrmEvent``.

crm-sink's stage (its handler) performs an email's actions on its own, the admin's
"Create in CRM" performs them on a person's approval: both through ``perform_action`` (ADR 0039).
"""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Protocol

from triage.domain.crm_decisions import ActionResult
from triage.domain.models import CrmAction, CrmEvent


class CrmBackend(Protocol):
    """What the handler writes through: the one writer over any adapter (writer.py, backends.py).

    Optionally ``prefetch(actions)``: once per Kafka batch, before its actions are applied."""

    backend: str

    def apply(self, action: CrmAction) -> ActionResult: ...


def perform_action(crm: CrmBackend, email_id: str, thread_id: str, queue: str, action: CrmAction) -> CrmEvent:
    """Apply one planned action (with the email id and queue as context) and describe its outcome."""
    result = crm.apply(with_context(action, email_id, queue))
    return CrmEvent(
        email_id=email_id,
        thread_id=thread_id,
        action=action.action,
        object_type=result.object_type,
        object_id=result.object_id,
        status=result.status,
        idempotency_key=action.idempotency_key,
        backend=crm.backend,
        response_summary=result.summary,
        at=datetime.now(UTC),
    )


def with_context(action: CrmAction, email_id: str, queue: str) -> CrmAction:
    """The action as the backend gets it: its properties plus the email id and queue."""
    return action.model_copy(update={"properties": {"email_id": email_id, "queue": queue, **action.properties}})
