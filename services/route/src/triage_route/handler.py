"""route: email.extracted -> email.routed, and the processed marker on email.dedupe.

The marker is written in the same transaction as the routed record, so the
two never disagree (the dedupe check that reads it back is the routing issue's).
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import UTC, datetime

from triage.domain.crm_plan import plan_crm_actions
from triage.domain.models import DedupeMarker, ExtractedEmail, Mailbox, RoutedEmail
from triage.domain.rules import due_at, route_email
from triage.platform.runtime import Inbound, Outbound, trace_headers
from triage.platform.topics import DEDUPE, ROUTED


def dedupe_key(extracted: ExtractedEmail) -> str:
    return f"{extracted.message_id or extracted.email_id}|{extracted.thread_id}"


def routed_email(extracted: ExtractedEmail, mailbox: Mailbox) -> RoutedEmail:
    decision = route_email(extracted, mailbox)
    return RoutedEmail(
        email_id=extracted.email_id,
        thread_id=extracted.thread_id,
        mailbox=extracted.mailbox,
        received_at=extracted.received_at,
        message_id=extracted.message_id,
        from_email=extracted.from_email,
        subject=extracted.subject,
        extraction=extracted.extraction,
        queue=decision.queue,
        priority=decision.priority,
        sla_minutes=decision.sla_minutes,
        due_at=due_at(extracted.received_at, decision.sla_minutes),
        rule=decision.rule,
        reason=decision.reason,
        ignored=decision.ignored,
        crm_actions=plan_crm_actions(extracted, decision),
    )


class RouteHandler:
    def __init__(self, mailbox: Mailbox) -> None:
        self.mailbox = mailbox

    def handle(self, record: Inbound) -> Sequence[Outbound]:
        assert isinstance(record.value, ExtractedEmail)
        extracted = record.value
        routed = routed_email(extracted, self.mailbox)
        marker = DedupeMarker(
            email_id=extracted.email_id,
            thread_id=extracted.thread_id,
            message_id=extracted.message_id,
            intent=extracted.extraction.intent,
            confidence=extracted.extraction.confidence,
            processed_at=datetime.now(UTC),
        )
        trace = trace_headers(record)
        return [
            Outbound(ROUTED, routed.thread_id, routed, trace),
            Outbound(DEDUPE, dedupe_key(extracted), marker),
        ]
