"""One extracted email -> its routed record: the rules' decision, the band and the CRM plan.

The route service decides every email with this function, and the admin re-decides a
corrected one with it (ADR 0025), so a person's correction is routed by exactly the rules
and bands the stream uses.
"""

from __future__ import annotations

from collections.abc import Sequence

from triage.domain.bands import DEFAULT_BANDS, ConfidenceBands, email_band
from triage.domain.crm_plan import plan_crm_actions
from triage.domain.models import ExtractedEmail, Mailbox, RoutedEmail
from triage.domain.queues import NO_QUEUES, QueueTable
from triage.domain.rules import Rule, due_at, route_email


def routed_email(extracted: ExtractedEmail, mailbox: Mailbox, rules: Sequence[Rule],
                 bands: ConfidenceBands = DEFAULT_BANDS, queues: QueueTable = NO_QUEUES) -> RoutedEmail:
    """The rules' decision and the CRM plan, under the band both the rules and crm-sink act on."""
    decision = route_email(extracted, mailbox, rules, bands)
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
        crm_actions=plan_crm_actions(extracted, decision, queues),
        band=email_band(extracted, bands),
    )
