"""Deterministic routing: which queue, how urgent, and why.

The rules are data: an ordered list of named conditions and outcomes, read
top to bottom, the first match wins. Operators keep them in a YAML file
(``triage/config/routing.yaml``, loaded by ``triage.platform.routing_config``);
``DEFAULT_RULES`` below is the seed design's table, identical to the shipped
file (a test keeps the two equal).
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime, timedelta
from string import Formatter
from typing import Any

from pydantic import BaseModel, ConfigDict, Field, field_validator

from triage.domain.bands import DEFAULT_BANDS, ConfidenceBands, email_band
from triage.domain.models import (
    Band,
    ExtractedEmail,
    Intent,
    Mailbox,
    Priority,
    RouteDecision,
    Timeline,
)

#: The facts a reason template may name.
FACT_NAMES = ("intent", "timeline", "confidence", "band", "customer_domain", "sender_domain",
              "region", "language", "mailbox")


class RuleData(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid")


class Condition(RuleData):
    """Every field that is set must hold; an empty condition always holds."""

    intent: list[Intent] | None = None
    timeline: list[Timeline] | None = None
    confidence_below: float | None = Field(default=None, ge=0, le=1)
    confidence_at_least: float | None = Field(default=None, ge=0, le=1)
    customer_domain: bool | None = None
    region: list[str] | None = None
    language: list[str] | None = None
    mailbox: list[str] | None = None
    decided_by: list[str] | None = None
    #: the confidence band (triage.domain.bands): the thresholds stay in the settings, so a
    #: rule names a band rather than repeating a number.
    band: list[Band] | None = None

    def holds(self, email: ExtractedEmail, mailbox: Mailbox, band: Band = "auto_write") -> bool:
        extraction = email.extraction
        checks = (
            self.intent is None or extraction.intent in self.intent,
            self.timeline is None or extraction.timeline in self.timeline,
            self.confidence_below is None or extraction.confidence < self.confidence_below,
            self.confidence_at_least is None or extraction.confidence >= self.confidence_at_least,
            self.customer_domain is None or (customer_domain(email, mailbox) is not None) == self.customer_domain,
            self.region is None or extraction.region in self.region,
            self.language is None or email.language in self.language,
            self.mailbox is None or email.mailbox.lower() in {m.lower() for m in self.mailbox},
            self.decided_by is None or email.decided_by in self.decided_by,
            self.band is None or band in self.band,
        )
        return all(checks)

    @property
    def is_unconditional(self) -> bool:
        return not self.model_dump(exclude_none=True)


class Outcome(RuleData):
    queue: str = Field(min_length=1)
    priority: Priority
    sla_minutes: int | None = Field(default=None, ge=1)
    ignored: bool = False


class Rule(RuleData):
    name: str = Field(min_length=1)
    when: Condition = Field(default_factory=Condition)
    route: Outcome
    because: str = ""

    @field_validator("because")
    @classmethod
    def _names_known_facts(cls, template: str) -> str:
        unknown = {field for _, field, _, _ in Formatter().parse(template) if field} - set(FACT_NAMES)
        if unknown:
            raise ValueError(f"reason names unknown facts {sorted(unknown)}; known: {list(FACT_NAMES)}")
        return template


class RuleSet(RuleData):
    """A whole table: names unique, and the last rule catches everything (routing is total)."""

    rules: list[Rule] = Field(min_length=1)

    @field_validator("rules")
    @classmethod
    def _is_total_and_unambiguous(cls, rules: list[Rule]) -> list[Rule]:
        names = [rule.name for rule in rules]
        duplicates = sorted({n for n in names if names.count(n) > 1})
        if duplicates:
            raise ValueError(f"rule names must be unique; repeated: {duplicates}")
        if not rules[-1].when.is_unconditional:
            raise ValueError(
                f"the last rule ({rules[-1].name!r}) must have no condition, so that every email is routed"
            )
        return rules


def seed_rule(name: str, when: dict[str, Any], route: dict[str, Any], because: str) -> Rule:
    return Rule(name=name, when=Condition(**when), route=Outcome(**route), because=because)


DEFAULT_RULES: tuple[Rule, ...] = (
    # First of all: input that is no RFC 5322 message was kept, never classified (confidence 0,
    # no CRM plan) — a person looks at what arrived.
    seed_rule("not_an_email", {"decided_by": ["not_an_email"]},
              {"queue": "human_review", "priority": "normal", "sla_minutes": 240},
              "not an RFC 5322 message: a person decides"),
    # First: when the model's answer failed validation, the fields are the local extractor's
    # guess at confidence 0 — a person decides, whatever that guess says.
    seed_rule("invalid_extraction", {"decided_by": ["llm_invalid"]},
              {"queue": "human_review", "priority": "normal", "sla_minutes": 240},
              "the model's answer failed validation; {intent} is the local extractor's guess"),
    # Second: below the suggest threshold no CRM write happens on its own (crm-sink), so a
    # person must look — a low-confidence "hot lead" or "spam" included.
    seed_rule("review_band", {"band": ["review"]},
              {"queue": "human_review", "priority": "normal", "sla_minutes": 240},
              "{intent} at confidence {confidence}: review band, a person decides"),
    seed_rule("hot_lead", {"intent": ["lead"], "timeline": ["now", "quarter"]},
              {"queue": "sales_inbound", "priority": "high", "sla_minutes": 15},
              "lead, buying timeline {timeline}"),
    seed_rule("customer_support", {"intent": ["support"], "customer_domain": True},
              {"queue": "support_escalated", "priority": "high", "sla_minutes": 60},
              "support request from customer domain {customer_domain}"),
    seed_rule("spam", {"intent": ["spam"]}, {"queue": "ignored", "priority": "low", "ignored": True},
              "spam at confidence {confidence}"),
    seed_rule("newsletter", {"intent": ["newsletter"]},
              {"queue": "ignored", "priority": "low", "ignored": True}, "bulk newsletter"),
    seed_rule("nurture_lead", {"intent": ["lead"]},
              {"queue": "sales_nurture", "priority": "normal", "sla_minutes": 1440},
              "lead, buying timeline {timeline}"),
    seed_rule("support", {"intent": ["support"]},
              {"queue": "support", "priority": "normal", "sla_minutes": 480},
              "support request from {sender_domain}, not a customer domain"),
    seed_rule("vendor", {"intent": ["vendor"]}, {"queue": "ops_vendors", "priority": "low"},
              "vendor pitch from {sender_domain}"),
    seed_rule("job_applicant", {"intent": ["job_applicant"]},
              {"queue": "ops_hiring", "priority": "low", "sla_minutes": 2880}, "job application"),
    # Every intent is covered above; this keeps routing total if the schema grows one.
    seed_rule("fallback", {}, {"queue": "human_review", "priority": "normal", "sla_minutes": 240},
              "no rule matched {intent}"),
)


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


def route_email(
    extracted: ExtractedEmail,
    mailbox: Mailbox,
    rules: Sequence[Rule] = DEFAULT_RULES,
    bands: ConfidenceBands = DEFAULT_BANDS,
) -> RouteDecision:
    band = email_band(extracted, bands)
    rule = next((rule for rule in rules if rule.when.holds(extracted, mailbox, band)), None)
    if rule is None:  # only a hand-built table can lack a catch-all; RuleSet forbids it
        raise ValueError(f"no routing rule matched email {extracted.email_id}")
    return RouteDecision(
        queue=rule.route.queue,
        priority=rule.route.priority,
        sla_minutes=rule.route.sla_minutes,
        rule=rule.name,
        reason=_with_cap(rule.because.format(**facts(extracted, mailbox, band)), extracted),
        ignored=rule.route.ignored,
    )


def _with_cap(reason: str, extracted: ExtractedEmail) -> str:
    """The band cap's reason, when the evidence held the email below its confidence's band."""
    if not extracted.band_cap_reason:
        return reason
    return f"{reason}; band capped at {extracted.band_cap}: {extracted.band_cap_reason}"


def facts(extracted: ExtractedEmail, mailbox: Mailbox, band: Band) -> dict[str, str]:
    """What a reason template may name (FACT_NAMES)."""
    extraction = extracted.extraction
    return {
        "intent": extraction.intent,
        "timeline": extraction.timeline,
        "confidence": f"{extraction.confidence:.2f}",
        "band": band,
        "customer_domain": customer_domain(extracted, mailbox) or "none",
        "sender_domain": _domain(extraction.person.email or extracted.from_email) or "unknown",
        "region": extraction.region or "unknown",
        "language": extracted.language or "unknown",
        "mailbox": extracted.mailbox,
    }


def due_at(received_at: datetime, sla_minutes: int | None) -> datetime | None:
    return None if sla_minutes is None else received_at + timedelta(minutes=sla_minutes)
