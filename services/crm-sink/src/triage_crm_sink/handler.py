"""crm-sink: email.routed -> the CRM, and every action's outcome -> crm.events."""

from __future__ import annotations

import logging
from collections.abc import Sequence
from datetime import UTC, datetime

from triage.domain.models import CrmAction, CrmEvent, RoutedEmail
from triage.platform import metrics
from triage.platform.errors import CrmRejected
from triage.platform.handler import Handler
from triage.platform.logs import scrub
from triage.platform.runtime import REPLAY_HEADER, Inbound, Outbound, trace_headers
from triage.platform.topics import CRM_EVENTS
from triage_crm.perform import CrmBackend, perform_action, with_context

log = logging.getLogger(__name__)

#: what a held write tells the person reading it: the button, where it is (the API is for scripts)
APPROVE_HINT = "approve with the Create in CRM button (admin: Review queue, or the email's page)"


class CrmSinkHandler(Handler):
    """``auto_write_intents``: the intents written without a person's approval (None: every intent)."""

    def __init__(self, crm: CrmBackend, auto_write_intents: frozenset[str] | None = None) -> None:
        self.crm = crm
        self.auto_write_intents = auto_write_intents

    def prepare(self, records: Sequence[Inbound]) -> None:
        """Once per Kafka batch, before ``handle``: the backend reads what the batch's writes need in bulk.

        An optimisation only: what the bulk reads miss is read per action, and so is everything when the
        prefetch fails in any way (HubSpot, the ledger's database, an SDK error): a failure here must not
        abort and rewind the batch, which the runtime would retry forever without a dead letter. An action
        that fails again on its own is retried and dead-lettered by the runtime as usual.
        """
        prefetch = getattr(self.crm, "prefetch", None)
        actions = [with_context(action, routed.email_id, routed.queue)
                   for routed in (r.value for r in records if isinstance(r.value, RoutedEmail))
                   if self.writes_on_its_own(routed) for action in routed.crm_actions]
        if prefetch is None or not actions:
            return
        try:
            prefetch(actions)
        except Exception as exc:  # noqa: BLE001 - see above; CRM error texts may carry addresses: scrubbed
            log.warning("crm-sink prefetch for %d actions failed, reading per action: %s: %s", len(actions),
                        type(exc).__name__, scrub(str(exc)))

    def writes_on_its_own(self, routed: RoutedEmail) -> bool:
        """The email's planned actions are performed now (not ignored, not waiting for an approval)."""
        if routed.ignored or not routed.crm_actions or routed.band != "auto_write":
            return False
        return self.auto_write_intents is None or routed.extraction.intent in self.auto_write_intents

    def handle(self, record: Inbound) -> Sequence[Outbound]:
        assert isinstance(record.value, RoutedEmail)
        routed = record.value
        # The trace context follows the email; an operator's replay id is route's business, not crm.events'.
        trace = {k: v for k, v in trace_headers(record).items() if k != REPLAY_HEADER}
        return [Outbound(CRM_EVENTS, routed.thread_id, event, trace) for event in self.events_for(routed)]

    def observe(self, record: Inbound, outputs: Sequence[Outbound]) -> None:
        if isinstance(record.value, RoutedEmail) and any(isinstance(out.value, CrmEvent) for out in outputs):
            observe_delivery(record.value, datetime.now(UTC))

    def events_for(self, routed: RoutedEmail) -> list[CrmEvent]:
        """Write, or announce the writes for approval: by the confidence band, then MVP mode's intents."""
        if routed.ignored or not routed.crm_actions:
            return [self.no_write(routed)]
        if self.writes_on_its_own(routed):
            return self.perform_all(routed)
        if routed.band != "auto_write":
            return [self.held_by_band(routed, action) for action in routed.crm_actions]
        return [self.awaiting_approval(routed, action) for action in routed.crm_actions]  # MVP mode

    def held_by_band(self, routed: RoutedEmail, action: CrmAction) -> CrmEvent:
        """suggest: a person confirms the planned write; review: the email is in the review queue.

        Both are announced like MVP mode's writes (``awaiting_approval``), so the same
        ``POST /admin/crm/create`` approves them; only the summary says why.
        """
        confidence = f"{routed.extraction.confidence:.2f}"
        why = (
            f"suggest band at confidence {confidence}: a person confirms"
            if routed.band == "suggest"
            else f"review band at confidence {confidence}: nothing is written, the email is in {routed.queue}"
        )
        summary = f"{why}; {APPROVE_HINT}"
        return self.awaiting_approval(routed, action).model_copy(update={"response_summary": summary})

    def perform(self, routed: RoutedEmail, action: CrmAction) -> CrmEvent:
        return perform_action(self.crm, routed.email_id, routed.thread_id, routed.queue, action)

    def perform_all(self, routed: RoutedEmail) -> list[CrmEvent]:
        """The planned actions in order; the first the CRM refuses (``CrmRejected``) stops the rest.

        The refused action is announced ``failed`` with the CRM's message (audit opens a review item),
        the actions after it ``awaiting_approval`` (they may need what it would have made); the record
        is not dead-lettered. Nothing of the failure is recorded in the ledger: once the data is fixed,
        ``POST /admin/crm/create`` performs it (and the rest), the done ones return their results.
        """
        events: list[CrmEvent] = []
        for index, action in enumerate(routed.crm_actions):
            try:
                events.append(self.perform(routed, action))
            except CrmRejected as exc:
                log.warning("crm-sink: %s refused %s of email %s, to the review queue: %s", self.crm.backend,
                            action.action, routed.email_id, scrub(str(exc)))
                events.append(self.rejected(routed, action, exc))
                events.extend(self.blocked(routed, later, action) for later in routed.crm_actions[index + 1:])
                break
        return events

    def rejected(self, routed: RoutedEmail, action: CrmAction, exc: CrmRejected) -> CrmEvent:
        """The CRM refused this action's data: ``failed``, with its message, for a person."""
        return self.awaiting_approval(routed, action).model_copy(update={
            "status": "failed", "response_summary": str(exc), "at": datetime.now(UTC)})

    def blocked(self, routed: RoutedEmail, action: CrmAction, refused: CrmAction) -> CrmEvent:
        """An action after a refused one: not tried, it waits for the refused one to be fixed."""
        summary = (f"not written: waits for {refused.action}, which the CRM refused, to be fixed; "
                   f"{APPROVE_HINT}")
        return self.awaiting_approval(routed, action).model_copy(update={"response_summary": summary})

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
            response_summary=f"auto-write is off for intent {routed.extraction.intent}: {APPROVE_HINT}",
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


def observe_delivery(routed: RoutedEmail, now: datetime) -> None:
    """The email's crm.events records are written: its lead time, and whether its SLA was spent."""
    metrics.LEAD_TIME_SECONDS.labels(routed.queue).observe(max((now - routed.received_at).total_seconds(), 0.0))
    if routed.due_at is not None and now > routed.due_at:
        metrics.SLA_BREACHES.labels(routed.queue).inc()
