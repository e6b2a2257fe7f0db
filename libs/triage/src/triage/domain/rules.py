"""Deterministic routing: which queue, how urgent, and why.

The rules are data: an ordered table of named conditions and outcomes, so an
operator can read them top to bottom (the first match wins) and a later issue
can load the same table from YAML. Every condition is built from a small
vocabulary of predicates (intent_is, timeline_in, from_customer_domain,
confidence_below) that a YAML loader can name.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, timedelta

from triage.domain.models import ExtractedEmail, Mailbox, Priority, RouteDecision

Predicate = Callable[[ExtractedEmail, Mailbox], bool]


@dataclass(frozen=True)
class Outcome:
    queue: str
    priority: Priority
    sla_minutes: int | None = None
    ignored: bool = False


@dataclass(frozen=True)
class Rule:
    """When ``when`` holds, route to ``outcome``; ``because`` names the facts, as a template."""

    name: str
    when: Predicate
    outcome: Outcome
    because: str


# ---------------------------------------------------------------- predicates


def intent_is(*intents: str) -> Predicate:
    return lambda email, _mailbox: email.extraction.intent in intents


def timeline_in(*timelines: str) -> Predicate:
    return lambda email, _mailbox: email.extraction.timeline in timelines


def confidence_below(threshold: float) -> Predicate:
    return lambda email, _mailbox: email.extraction.confidence < threshold


def from_customer_domain(email: ExtractedEmail, mailbox: Mailbox) -> bool:
    return customer_domain(email, mailbox) is not None


def all_of(*predicates: Predicate) -> Predicate:
    return lambda email, mailbox: all(predicate(email, mailbox) for predicate in predicates)


def always(_email: ExtractedEmail, _mailbox: Mailbox) -> bool:
    return True


def customer_domain(email: ExtractedEmail, mailbox: Mailbox) -> str | None:
    """The customer domain the email comes from: the sender's, or (for a relay) the person's."""
    candidates = (
        _domain(email.extraction.person.email),
        email.extraction.company.domain,
        _domain(email.from_email),
    )
    customers = [domain.lower() for domain in mailbox.customer_domains]
    for candidate in candidates:
        for customer in customers:
            if candidate and (candidate == customer or candidate.endswith("." + customer)):
                return customer
    return None


def _domain(address: str | None) -> str | None:
    return address.rsplit("@", 1)[1].lower() if address and "@" in address else None


# ---------------------------------------------------------------- the table

RULES: tuple[Rule, ...] = (
    Rule(
        "hot_lead",
        all_of(intent_is("lead"), timeline_in("now", "quarter")),
        Outcome("sales_inbound", "high", 15),
        "lead, buying timeline {timeline}",
    ),
    Rule(
        "customer_support",
        all_of(intent_is("support"), from_customer_domain),
        Outcome("support_escalated", "high", 60),
        "support request from customer domain {customer_domain}",
    ),
    Rule(
        "spam",
        intent_is("spam"),
        Outcome("ignored", "low", None, ignored=True),
        "spam at confidence {confidence}",
    ),
    Rule(
        "low_confidence",
        confidence_below(0.5),
        Outcome("human_review", "normal", 240),
        "{intent} at confidence {confidence}, below 0.5",
    ),
    Rule(
        "newsletter",
        intent_is("newsletter"),
        Outcome("ignored", "low", None, ignored=True),
        "bulk newsletter",
    ),
    Rule(
        "nurture_lead",
        intent_is("lead"),
        Outcome("sales_nurture", "normal", 1440),
        "lead, buying timeline {timeline}",
    ),
    Rule(
        "support",
        intent_is("support"),
        Outcome("support", "normal", 480),
        "support request from {sender_domain}, not a customer domain",
    ),
    Rule(
        "vendor",
        intent_is("vendor"),
        Outcome("ops_vendors", "low", None),
        "vendor pitch from {sender_domain}",
    ),
    Rule(
        "job_applicant",
        intent_is("job_applicant"),
        Outcome("ops_hiring", "low", 2880),
        "job application",
    ),
    # Every intent is covered above; this keeps routing total if the schema grows one.
    Rule("fallback", always, Outcome("human_review", "normal", 240), "no rule matched {intent}"),
)


def route_email(
    extracted: ExtractedEmail, mailbox: Mailbox, rules: tuple[Rule, ...] = RULES
) -> RouteDecision:
    rule = next(rule for rule in rules if rule.when(extracted, mailbox))
    return RouteDecision(
        queue=rule.outcome.queue,
        priority=rule.outcome.priority,
        sla_minutes=rule.outcome.sla_minutes,
        rule=rule.name,
        reason=rule.because.format(**facts(extracted, mailbox)),
        ignored=rule.outcome.ignored,
    )


def facts(extracted: ExtractedEmail, mailbox: Mailbox) -> dict[str, str]:
    """What a reason template may name."""
    extraction = extracted.extraction
    return {
        "intent": extraction.intent,
        "timeline": extraction.timeline,
        "confidence": f"{extraction.confidence:.2f}",
        "customer_domain": customer_domain(extracted, mailbox) or "none",
        "sender_domain": _domain(extraction.person.email or extracted.from_email) or "unknown",
    }


def due_at(received_at: datetime, sla_minutes: int | None) -> datetime | None:
    return None if sla_minutes is None else received_at + timedelta(minutes=sla_minutes)
