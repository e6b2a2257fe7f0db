"""route: email.extracted -> one routed record and one dedupe marker, in that order."""

from __future__ import annotations

import uuid
from datetime import UTC, datetime, timedelta

from triage.domain.models import (
    Budget,
    Company,
    DedupeMarker,
    ExtractedEmail,
    Extraction,
    Interest,
    Mailbox,
    Person,
    RoutedEmail,
)
from triage.domain.rules import DEFAULT_RULES
from triage.platform.runtime import Inbound
from triage.platform.topics import DEDUPE, EXTRACTED, ROUTED
from triage_route.handler import RouteHandler, dedupe_key

RECEIVED = datetime(2026, 1, 12, 9, 30, tzinfo=UTC)
TRACE = {"traceparent": b"00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01"}
LUMORA = Mailbox(company="Lumora Analytics", domains=["lumora.io"], customer_domains=["globex.com"],
                 products=["Revenue Radar"])


def extracted(*, message_id: str | None = "auto", **fields) -> ExtractedEmail:
    suffix = uuid.uuid4().hex[:12]
    extraction = Extraction(
        intent=fields.pop("intent", "lead"),
        person=Person(name="Jane Doe", email=f"jane@acme-{suffix}.com"),
        company=Company(name="Acme Robotics", domain=f"acme-{suffix}.com"),
        interest=Interest(products=["Revenue Radar"]),
        budget=Budget(annual_amount_usd=50_000),
        timeline=fields.pop("timeline", "now"),
        region="US",
        summary="wants a demo",
        required_action="schedule_demo",
        confidence=fields.pop("confidence", 0.9),
    )
    return ExtractedEmail(
        email_id=f"e-{suffix}",
        thread_id=f"t-{suffix}",
        mailbox="sales@lumora.io",
        received_at=RECEIVED,
        message_id=f"{suffix}@acme.com" if message_id == "auto" else message_id,
        from_email=f"jane@acme-{suffix}.com",
        subject="Demo please",
        extraction=extraction,
        model="rules",
        model_version="1",
        decided_by="rules",
    )


class Clock:
    """A clock the test moves by hand."""

    def __init__(self) -> None:
        self.now = datetime(2026, 3, 1, 12, 0, tzinfo=UTC)

    def __call__(self) -> datetime:
        return self.now


def handler(changelog: dict[int, list] | None = None, clock: Clock | None = None) -> RouteHandler:
    entries = changelog or {}
    return RouteHandler(LUMORA, DEFAULT_RULES, changelog=lambda p: entries.get(p, []),
                        window=timedelta(days=7), clock=clock or (lambda: datetime.now(UTC)))


def inbound(value: ExtractedEmail, headers: dict[str, bytes] | None = None) -> Inbound:
    return Inbound(topic=EXTRACTED, partition=1, offset=3, key=value.thread_id.encode(), value=value,
                   headers=dict(TRACE) if headers is None else headers, timestamp_ms=0)


def test_an_extracted_email_yields_a_routed_record_then_a_dedupe_marker() -> None:
    email = extracted()
    routed_out, marker_out = handler().handle(inbound(email))
    assert (routed_out.topic, routed_out.key) == (ROUTED, email.thread_id)
    assert isinstance(routed_out.value, RoutedEmail)
    assert (routed_out.value.email_id, routed_out.value.thread_id, routed_out.value.message_id) == (
        email.email_id, email.thread_id, email.message_id)
    assert routed_out.value.extraction == email.extraction
    assert marker_out.topic == DEDUPE


def test_the_dedupe_marker_is_keyed_by_message_id_and_thread_id() -> None:
    email = extracted()
    _, marker_out = handler().handle(inbound(email))
    assert marker_out.key == f"{email.message_id}|{email.thread_id}"
    assert isinstance(marker_out.value, DedupeMarker)
    marker = marker_out.value
    assert (marker.email_id, marker.thread_id, marker.message_id) == (
        email.email_id, email.thread_id, email.message_id)
    assert (marker.intent, marker.confidence) == ("lead", 0.9)
    assert abs(datetime.now(UTC) - marker.processed_at) < timedelta(minutes=1)


def test_without_a_message_id_the_dedupe_key_falls_back_to_the_email_id() -> None:
    email = extracted(message_id=None)
    assert dedupe_key(email) == f"{email.email_id}|{email.thread_id}"
    _, marker_out = handler().handle(inbound(email))
    assert marker_out.key == f"{email.email_id}|{email.thread_id}"


def test_seed_rule_a_lead_buying_now_goes_to_sales_inbound_high_with_a_15_minute_sla() -> None:
    [routed_out, _] = handler().handle(inbound(extracted(intent="lead", timeline="now")))
    routed = routed_out.value
    assert (routed.queue, routed.priority, routed.sla_minutes) == ("sales_inbound", "high", 15)
    assert routed.due_at == RECEIVED + timedelta(minutes=15)
    assert routed.rule == "hot_lead"
    assert routed.ignored is False


def test_a_lead_is_planned_into_company_contact_and_deal_writes() -> None:
    email = extracted()
    [routed_out, _] = handler().handle(inbound(email))
    actions = routed_out.value.crm_actions
    assert [a.action for a in actions] == ["upsert_company", "upsert_contact", "create_deal",
                                           "associate_contact"]
    assert [a.idempotency_key for a in actions] == [
        f"{email.email_id}:upsert_company", f"{email.email_id}:upsert_contact",
        f"{email.email_id}:create_deal", f"{email.email_id}:associate_contact"]


def test_a_nurture_lead_has_a_day_long_sla_and_its_own_due_date() -> None:
    [routed_out, _] = handler().handle(inbound(extracted(timeline="six_months")))
    routed = routed_out.value
    assert (routed.queue, routed.priority, routed.sla_minutes) == ("sales_nurture", "normal", 1440)
    assert routed.due_at == RECEIVED + timedelta(days=1)


def test_spam_is_ignored_without_a_due_date_or_crm_writes() -> None:
    [routed_out, marker_out] = handler().handle(inbound(extracted(intent="spam")))
    routed = routed_out.value
    assert (routed.queue, routed.ignored, routed.sla_minutes, routed.due_at) == ("ignored", True, None, None)
    assert routed.crm_actions == []
    assert marker_out.value.intent == "spam"


def test_trace_headers_follow_the_routed_record() -> None:
    headers = {**TRACE, "x-other": b"1"}
    routed_out, _ = handler().handle(inbound(extracted(), headers))
    assert routed_out.headers == TRACE


def marker_for(email: ExtractedEmail, at: datetime) -> DedupeMarker:
    return DedupeMarker(email_id=email.email_id, thread_id=email.thread_id, message_id=email.message_id,
                        intent="lead", confidence=0.9, processed_at=at)


def test_the_marker_is_pinned_to_the_input_partition() -> None:
    _, marker_out = handler().handle(inbound(extracted()))
    assert marker_out.partition == 1  # co-partitioned with email.extracted


def test_a_message_routed_in_a_committed_batch_is_not_routed_again() -> None:
    route, email = handler(), extracted()
    assert len(route.handle(inbound(email))) == 2
    route.committed()
    assert route.handle(inbound(email)) == []


def test_a_duplicate_inside_one_batch_is_not_routed_twice() -> None:
    route, email = handler(), extracted()
    route.handle(inbound(email))
    assert route.handle(inbound(email)) == []


def test_an_aborted_batch_leaves_nothing_behind() -> None:
    route, email = handler(), extracted()
    route.handle(inbound(email))
    route.discard()  # the transaction aborted: the marker never reached the topic
    assert len(route.handle(inbound(email))) == 2


def test_assignment_rebuilds_the_index_from_the_changelog() -> None:
    clock = Clock()
    kept, tombstoned, expired = extracted(), extracted(), extracted()
    changelog = {1: [
        (dedupe_key(kept), marker_for(kept, clock.now - timedelta(days=1))),
        (dedupe_key(tombstoned), marker_for(tombstoned, clock.now)),
        (dedupe_key(tombstoned), None),
        (dedupe_key(expired), marker_for(expired, clock.now - timedelta(days=8))),
    ]}
    route = handler(changelog, clock)
    route.assigned({EXTRACTED: [1]})
    assert route.handle(inbound(kept)) == []
    assert len(route.handle(inbound(tombstoned))) == 2
    assert len(route.handle(inbound(expired))) == 2
    assert route.index.thread_classification(1, kept.thread_id, clock.now, timedelta(days=2)).intent == "lead"
    assert route.index.thread_classification(1, kept.thread_id, clock.now, timedelta(hours=23)) is None


def test_a_revoked_partition_is_forgotten() -> None:
    route, email = handler(), extracted()
    route.handle(inbound(email))
    route.committed()
    route.revoked({EXTRACTED: [1]})
    assert len(route.index) == 0


def test_markers_past_the_window_are_tombstoned_then_forgotten() -> None:
    clock = Clock()
    route, old = handler(clock=clock), extracted()
    route.handle(inbound(old))
    route.committed()
    clock.now += timedelta(days=8)
    outputs = route.handle(inbound(extracted()))
    tombstones = [o for o in outputs if o.topic == DEDUPE and o.value is None]
    assert [(t.key, t.partition) for t in tombstones] == [(dedupe_key(old), 1)]
    route.committed()
    assert len(route.index) == 1  # only the new marker


def test_a_low_confidence_reply_reuses_its_threads_recent_classification() -> None:
    clock = Clock()
    route, first = handler(clock=clock), extracted(intent="lead", timeline="now", confidence=0.9)
    route.handle(inbound(first))
    route.committed()
    clock.now += timedelta(hours=2)
    reply = extracted(intent="newsletter", confidence=0.3).model_copy(
        update={"thread_id": first.thread_id, "message_id": "reply@acme.com"})
    routed_out, marker_out = route.handle(inbound(reply))[:2]
    assert routed_out.value.extraction.intent == "lead"
    assert routed_out.value.extraction.required_action == "schedule_demo"
    assert "reused from this thread's classification" in routed_out.value.reason
    assert (marker_out.value.intent, marker_out.value.confidence) == ("lead", 0.9)


def test_an_old_or_confident_thread_message_keeps_its_own_intent() -> None:
    clock = Clock()
    route, first = handler(clock=clock), extracted(intent="lead", confidence=0.9)
    route.handle(inbound(first))
    route.committed()
    confident = extracted(intent="support", confidence=0.8).model_copy(
        update={"thread_id": first.thread_id, "message_id": "r1@acme.com"})
    assert route.handle(inbound(confident))[0].value.extraction.intent == "support"
    route.committed()
    clock.now += timedelta(hours=25)
    late = extracted(intent="spam", confidence=0.3).model_copy(
        update={"thread_id": first.thread_id, "message_id": "r2@acme.com"})
    assert route.handle(inbound(late))[0].value.extraction.intent == "spam"
