"""Which CRM writes an email calls for, planned before anything is written.

Only prospects and customers become CRM records; vendors, applicants,
newsletters and spam never do. Every action carries an idempotency key made
of the email id and the action, so replaying an email plans the same keys and
the CRM sink turns the repeat into a no-op.
"""

from __future__ import annotations

from triage.domain.models import (
    CrmAction,
    CrmActionName,
    CrmObjectType,
    ExtractedEmail,
    Extraction,
    RouteDecision,
)
from triage.domain.queues import NO_QUEUES, QueueTable

# Below this a lead is real enough for a contact, not for a forecasted deal.
DEAL_MIN_CONFIDENCE = 0.6
_RECORDED_INTENTS = ("lead", "support")
#: input that is no email was never classified: nothing to write, even after a person's look
_UNPLANNED = frozenset({"not_an_email"})
#: one planned write before its key: (action, object type, properties), or None for none
Planned = tuple[CrmActionName, CrmObjectType, dict[str, str]] | None


def plan_crm_actions(extracted: ExtractedEmail, decision: RouteDecision,
                     queues: QueueTable = NO_QUEUES) -> list[CrmAction]:
    """``queues``: triage/config/queues.yaml; support mail in a queue with ``ticket`` also plans ``create_ticket``."""
    extraction = extracted.extraction
    if decision.ignored or extraction.intent not in _RECORDED_INTENTS or extracted.decided_by in _UNPLANNED:
        return []
    planned = [
        _company_action(extraction),
        _contact_action(extracted),
        _deal_action(extraction, decision),
        _association_action(extraction),
        _ticket_action(extracted, decision, queues),
    ]
    return [
        CrmAction(
            action=action,
            object_type=object_type,
            idempotency_key=idempotency_key(extracted.email_id, action),
            properties=properties,
        )
        for action, object_type, properties in (plan for plan in planned if plan)
    ]


def idempotency_key(email_id: str, action: str) -> str:
    return f"{email_id}:{action}"


def _company_action(extraction: Extraction) -> Planned:
    company = extraction.company
    if not (company.domain or company.name):
        return None
    return "upsert_company", "company", _strings(name=company.name, domain=company.domain)


def _contact_action(extracted: ExtractedEmail) -> Planned:
    extraction = extracted.extraction
    if not extraction.person.email:
        return None
    return (
        "upsert_contact",
        "contact",
        _strings(
            email=extraction.person.email,
            name=extraction.person.name,
            company_domain=extraction.company.domain,
            company_name=extraction.company.name,
            mailbox=extracted.mailbox,
            region=extraction.region,
            intent=extraction.intent,
        ),
    )


def _deal_action(
    extraction: Extraction, decision: RouteDecision
) -> Planned:
    if extraction.intent != "lead" or extraction.confidence < DEAL_MIN_CONFIDENCE:
        return None
    if not (extraction.company.domain or extraction.company.name):
        return None  # values are grounded or nulled: no company the email names, no deal (ADR 0015)
    return (
        "create_deal",
        "deal",
        _strings(
            name=deal_name(extraction),
            amount=extraction.budget.annual_amount_usd,
            currency="USD" if extraction.budget.annual_amount_usd is not None else None,
            timeline=extraction.timeline,
            queue=decision.queue,
            company_domain=extraction.company.domain,
            company_name=extraction.company.name,
            contact_email=extraction.person.email,
        ),
    )


def _association_action(extraction: Extraction) -> Planned:
    """Last: link the contact to its company and to the company's open deal, new or existing."""
    if not extraction.person.email or not (extraction.company.domain or extraction.company.name):
        return None
    return (
        "associate_contact",
        "association",
        _strings(
            contact_email=extraction.person.email,
            company_domain=extraction.company.domain,
            company_name=extraction.company.name,
        ),
    )


def _ticket_action(extracted: ExtractedEmail, decision: RouteDecision,
                   queues: QueueTable) -> Planned:
    """Last, after the contact and company exist: the support request as a ticket (HubSpot) or Case (Salesforce)."""
    extraction = extracted.extraction
    if extraction.intent != "support" or queues.of(decision.queue).ticket is None:
        return None
    return (
        "create_ticket",
        "ticket",
        _strings(
            subject=(extracted.subject or extraction.summary or "Support request")[:250],
            content=extraction.summary or None,
            priority=decision.priority,
            contact_email=extraction.person.email,
            company_domain=extraction.company.domain,
            company_name=extraction.company.name,
        ),
    )


def deal_name(extraction: Extraction) -> str:
    """The company, then the first product asked about: "Globex — Revenue Radar"."""
    company = extraction.company.name or extraction.company.domain or extraction.person.email
    product = extraction.interest.products[0] if extraction.interest.products else "inbound"
    return f"{company or 'Unknown company'} — {product}"


def _strings(**values: object) -> dict[str, str]:
    """CRM properties are strings; an unknown value is left out rather than sent empty."""
    return {key: _string(value) for key, value in values.items() if value is not None}


def _string(value: object) -> str:
    if isinstance(value, float) and value.is_integer():
        return str(int(value))  # 60000, not 60000.0
    return str(value)
