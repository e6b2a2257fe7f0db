"""crm-sink: email.routed -> the CRM, and every action's outcome -> crm.events."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import UTC, datetime
from typing import Protocol

from triage.domain.models import CrmAction, CrmEvent, RoutedEmail
from triage.platform.runtime import Inbound, Outbound, trace_headers
from triage.platform.topics import CRM_EVENTS
from triage_crm_sink.local_crm import ActionResult


class CrmBackend(Protocol):
    """The port every CRM adapter implements: local PostgreSQL, HubSpot, Salesforce (backends.py)."""

    backend: str

    def apply(self, action: CrmAction) -> ActionResult: ...


class CrmSinkHandler:
    """``auto_write_intents``: the intents written without a person's approval (None: every intent)."""

    def __init__(self, crm: CrmBackend, auto_write_intents: frozenset[str] | None = None) -> None:
        self.crm = crm
        self.auto_write_intents = auto_write_intents

    def handle(self, record: Inbound) -> Sequence[Outbound]:
        assert isinstance(record.value, RoutedEmail)
        routed = record.value
        trace = trace_headers(record)
        return [Outbound(CRM_EVENTS, routed.thread_id, event, trace) for event in self.events_for(routed)]

    def events_for(self, routed: RoutedEmail) -> list[CrmEvent]:
        if routed.ignored or not routed.crm_actions:
            return [self.no_write(routed)]
        if self.auto_write_intents is not None and routed.extraction.intent not in self.auto_write_intents:
            return [self.awaiting_approval(routed, action) for action in routed.crm_actions]
        return [self.perform(routed, action) for action in routed.crm_actions]

    def perform(self, routed: RoutedEmail, action: CrmAction) -> CrmEvent:
        return perform_action(self.crm, routed.email_id, routed.thread_id, routed.queue, action)

    def awaiting_approval(self, routed: RoutedEmail, action: CrmAction) -> CrmEvent:
        """MVP mode: the planned write is announced, and waits for ``POST /admin/crm/create``."""
        return CrmEvent(
            email_id=routed.email_id,
            thread_id=routed.thread_id,
            action=action.action,
            object_type=action.object_type,
            status="awaiting_approval",
            idempotency_key=action.idempotency_key,
            backend=self.crm.backend,
            response_summary=f"auto-write is off for intent {routed.extraction.intent}: "
                             "approve with POST /admin/crm/create",
            at=datetime.now(UTC),
        )

    def no_write(self, routed: RoutedEmail) -> CrmEvent:
        """Ignored emails (spam, newsletters) and ops-only ones still get an event: the decision is audited."""
        reason = "ignored by rule " + routed.rule if routed.ignored else f"no CRM write for queue {routed.queue}"
        return CrmEvent(
            email_id=routed.email_id,
            thread_id=routed.thread_id,
            action="none",
            status="ignored",
            idempotency_key=f"{routed.email_id}:none",
            backend=self.crm.backend,
            response_summary=reason,
            at=datetime.now(UTC),
        )


def perform_action(crm: CrmBackend, email_id: str, thread_id: str, queue: str, action: CrmAction) -> CrmEvent:
    """Apply one planned action (with the email id and queue as context) and describe its outcome."""
    context = {"email_id": email_id, "queue": queue}
    result = crm.apply(action.model_copy(update={"properties": {**context, **action.properties}}))
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
