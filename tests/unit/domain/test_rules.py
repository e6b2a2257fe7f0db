from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import NamedTuple

import pytest

from triage.domain.bands import DEFAULT_BANDS, ConfidenceBands, email_band
from triage.domain.models import Company, ExtractedEmail, Extraction, Mailbox, Person
from triage.domain.rules import (
    DEFAULT_RULES,
    Condition,
    Outcome,
    Rule,
    RuleSet,
    due_at,
    route_email,
)

RECEIVED = datetime(2026, 1, 12, 9, 30, tzinfo=UTC)
ACTIONS = {
    "lead": "schedule_demo",
    "support": "forward_support",
    "vendor": "route_ops",
    "job_applicant": "route_ops",
    "newsletter": "ignore",
    "spam": "ignore",
}


def extracted(
    intent: str = "lead",
    *,
    timeline: str = "unknown",
    confidence: float = 0.9,
    sender: str = "jane@acme.com",
    person_email: str | None = None,
) -> ExtractedEmail:
    return ExtractedEmail(
        email_id="e1",
        thread_id="t1",
        mailbox="sales@lumora.io",
        received_at=RECEIVED,
        from_email=sender,
        extraction=Extraction(
            intent=intent,  # type: ignore[arg-type]
            person=Person(email=person_email or sender),
            company=Company(domain=sender.split("@")[1]),
            timeline=timeline,  # type: ignore[arg-type]
            required_action=ACTIONS[intent],  # type: ignore[arg-type]
            confidence=confidence,
        ),
        model="local-rules",
        model_version="1",
        decided_by="keywords",
    )


class Case(NamedTuple):
    intent: str
    timeline: str
    confidence: float
    sender: str
    rule: str
    queue: str
    priority: str
    sla: int | None
    ignored: bool


# One row per routing case: the table is easier to read than to format.
# fmt: off
CASES = [
    Case("lead", "now", 0.9, "jane@acme.com", "hot_lead", "sales_inbound", "high", 15, False),
    Case("lead", "quarter", 0.9, "jane@acme.com", "hot_lead", "sales_inbound", "high", 15, False),
    Case("lead", "quarter", 0.6, "jane@acme.com", "hot_lead", "sales_inbound", "high", 15, False),
    Case("lead", "quarter", 0.59, "jane@acme.com", "review_band", "human_review", "normal", 240, False),
    Case("support", "unknown", 0.9, "karen@globex.com", "customer_support", "support_escalated", "high", 60, False),
    Case("support", "unknown", 0.9, "karen@eu.globex.com", "customer_support", "support_escalated", "high", 60, False),
    Case("spam", "unknown", 0.95, "x@scam.biz", "spam", "ignored", "low", None, True),
    Case("spam", "unknown", 0.6, "x@scam.biz", "spam", "ignored", "low", None, True),
    Case("spam", "unknown", 0.3, "x@scam.biz", "review_band", "human_review", "normal", 240, False),
    Case("vendor", "unknown", 0.4, "rep@agency.com", "review_band", "human_review", "normal", 240, False),
    Case("lead", "unknown", 0.49, "jane@acme.com", "review_band", "human_review", "normal", 240, False),
    Case("newsletter", "unknown", 0.9, "news@ledger.com", "newsletter", "ignored", "low", None, True),
    Case("lead", "six_months", 0.9, "jane@acme.com", "nurture_lead", "sales_nurture", "normal", 1440, False),
    Case("lead", "unknown", 0.6, "jane@acme.com", "nurture_lead", "sales_nurture", "normal", 1440, False),
    Case("support", "unknown", 0.9, "bob@prospect.com", "support", "support", "normal", 480, False),
    Case("vendor", "unknown", 0.9, "rep@agency.com", "vendor", "ops_vendors", "low", None, False),
    Case("job_applicant", "unknown", 0.9, "dan@gmail.com", "job_applicant", "ops_hiring", "low", 2880, False),
]
# fmt: on


@pytest.fixture
def mailbox() -> Mailbox:
    return Mailbox(
        company="Lumora Analytics", domains=["lumora.io"], customer_domains=["globex.com"]
    )


@pytest.mark.parametrize(
    "case", CASES, ids=[f"{c.intent}-{c.timeline}-{c.confidence}-{c.rule}" for c in CASES]
)
def test_the_first_matching_rule_decides(mailbox: Mailbox, case: Case) -> None:
    email = extracted(
        case.intent, timeline=case.timeline, confidence=case.confidence, sender=case.sender
    )

    decision = route_email(email, mailbox)

    assert (
        decision.rule,
        decision.queue,
        decision.priority,
        decision.sla_minutes,
        decision.ignored,
    ) == (
        case.rule,
        case.queue,
        case.priority,
        case.sla,
        case.ignored,
    )


@pytest.mark.parametrize(
    ("email", "words"),
    [
        (extracted("lead", timeline="now"), ["lead", "now"]),
        (extracted("support", sender="karen@globex.com"), ["globex.com"]),
        (extracted("vendor", confidence=0.42), ["vendor", "0.42", "review band"]),
        (extracted("vendor", sender="rep@agency.com"), ["agency.com"]),
    ],
    ids=["hot-lead", "customer", "low-confidence", "vendor"],
)
def test_the_reason_names_the_facts_that_fired_the_rule(
    mailbox: Mailbox, email: ExtractedEmail, words: list[str]
) -> None:
    reason = route_email(email, mailbox).reason

    assert all(word in reason for word in words), reason


def test_a_relayed_customer_counts_by_the_persons_domain(mailbox: Mailbox) -> None:
    email = extracted("support", sender="tom@lumora.io", person_email="karen@globex.com")

    assert route_email(email, mailbox).rule == "customer_support"


def test_the_rules_are_a_table_of_named_data() -> None:
    assert isinstance(DEFAULT_RULES, tuple) and all(isinstance(rule, Rule) for rule in DEFAULT_RULES)
    assert [rule.name for rule in DEFAULT_RULES][:5] == ["not_an_email", "invalid_extraction", "review_band", "hot_lead", "customer_support"]
    RuleSet(rules=list(DEFAULT_RULES))  # unique names, a final catch-all


def test_a_different_table_can_be_passed_in(mailbox: Mailbox) -> None:
    rules = (
        Rule(
            name="everything",
            when=Condition(intent=["lead", "spam"]),
            route=Outcome(queue="triage", priority="normal", sla_minutes=5),
            because="intent {intent}",
        ),
    )

    decision = route_email(extracted("spam"), mailbox, rules)

    assert (decision.rule, decision.queue, decision.reason) == (
        "everything",
        "triage",
        "intent spam",
    )


@pytest.mark.parametrize(
    ("sla", "expected"),
    [(15, RECEIVED + timedelta(minutes=15)), (2880, RECEIVED + timedelta(days=2)), (None, None)],
)
def test_due_at_adds_the_sla_to_the_received_time(
    sla: int | None, expected: datetime | None
) -> None:
    assert due_at(RECEIVED, sla) == expected


def with_fields(email: ExtractedEmail, **update: object) -> ExtractedEmail:
    extraction = email.extraction.model_copy(update={k: v for k, v in update.items() if k == "region"})
    rest = {k: v for k, v in update.items() if k != "region"}
    return email.model_copy(update={"extraction": extraction, **rest})


@pytest.mark.parametrize(
    ("condition", "email", "holds"),
    [
        (Condition(region=["DE", "AT"]), with_fields(extracted(), region="DE"), True),
        (Condition(region=["DE", "AT"]), with_fields(extracted(), region="US"), False),
        (Condition(region=["DE"]), extracted(), False),
        (Condition(language=["de"]), with_fields(extracted(), language="de"), True),
        (Condition(language=["de"]), with_fields(extracted(), language="en"), False),
        (Condition(mailbox=["Partnerships@lumora.io"]), with_fields(extracted(), mailbox="partnerships@lumora.io"), True),
        (Condition(mailbox=["partnerships@lumora.io"]), extracted(), False),
        (Condition(confidence_at_least=0.9), extracted(confidence=0.9), True),
        (Condition(confidence_at_least=0.9), extracted(confidence=0.89), False),
        (Condition(customer_domain=False), extracted("support", sender="a@globex.com"), False),
        (Condition(customer_domain=False), extracted("support", sender="a@other.com"), True),
        (Condition(decided_by=["llm_invalid"]), with_fields(extracted(), decided_by="llm_invalid"), True),
        (Condition(decided_by=["llm_invalid"]), extracted(), False),
        (Condition(band=["review"]), extracted(confidence=0.3), True),
        (Condition(band=["review"]), extracted(confidence=0.9), False),
        (Condition(band=["suggest", "review"]), extracted(confidence=0.7), True),
        (Condition(band=["review"]), with_fields(extracted(confidence=0.9), decided_by="llm_invalid"), True),
        (Condition(), extracted(), True),
    ],
)
def test_each_condition_field(mailbox: Mailbox, condition: Condition, email: ExtractedEmail, holds: bool) -> None:
    assert condition.holds(email, mailbox, email_band(email, DEFAULT_BANDS)) is holds


@pytest.mark.parametrize(
    ("confidence", "rule"),
    [(0.95, "hot_lead"), (0.7, "hot_lead"), (0.69, "review_band"), (0.3, "review_band")],
)
def test_the_review_band_follows_the_configured_thresholds(mailbox: Mailbox, confidence: float, rule: str) -> None:
    bands = ConfidenceBands(auto_write=0.9, suggest=0.7)

    decision = route_email(extracted("lead", timeline="now", confidence=confidence), mailbox, bands=bands)

    assert decision.rule == rule


def test_an_invalid_llm_answer_is_reviewed_whatever_its_confidence(mailbox: Mailbox) -> None:
    email = with_fields(extracted("lead", timeline="now", confidence=0.95), decided_by="llm_invalid")

    assert email_band(email, DEFAULT_BANDS) == "review"
    assert route_email(email, mailbox).rule == "invalid_extraction"  # first: its own reason


def test_a_table_without_a_final_catch_all_is_refused() -> None:
    with pytest.raises(ValueError, match="must have no condition"):
        RuleSet(rules=[Rule(name="only_leads", when=Condition(intent=["lead"]),
                            route=Outcome(queue="q", priority="high"))])


def test_duplicate_rule_names_are_refused() -> None:
    rule = Rule(name="same", route=Outcome(queue="q", priority="low"))
    with pytest.raises(ValueError, match="repeated: \\['same'\\]"):
        RuleSet(rules=[rule, rule])


def test_a_reason_naming_an_unknown_fact_is_refused() -> None:
    with pytest.raises(ValueError, match="unknown facts \\['budget'\\]"):
        Rule(name="x", route=Outcome(queue="q", priority="low"), because="budget {budget}")
