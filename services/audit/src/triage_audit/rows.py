"""Which row each topic's record becomes. Every statement is an upsert on a natural key,
so writing the same record twice (a replay, a retried batch) changes nothing.

An ``email.routed`` record that needs a person also opens a ``review_queue`` item. That
insert does nothing on conflict: a replayed or re-routed email never reopens an item a
person has already resolved.

A ``crm.events`` record the CRM refused (``failed``) opens one too, reason
``crm_rejected`` (``UPSERT_REVIEW_REJECTED``): an open item of the email keeps its place and
takes that reason; a resolved one is reopened only by a refusal newer than its resolution
(``review.reopens``), so re-reading the same record changes nothing. ``crm.events`` carry
no queue, intent or confidence: they are read from the email's ``routes`` and latest
``extractions`` rows in the same statement (``unknown``/0 when audit has not seen them yet;
in one batch the statement runs after those upserts, ``RUNS_LAST``)."""

from __future__ import annotations

import json
from collections.abc import Callable

from triage.domain.models import (
    CleanEmail,
    CrmEvent,
    DeadLetter,
    ExtractedEmail,
    RawEmail,
    RoutedEmail,
)
from triage.domain.normalize.limits import MAX_TEXT_CHARS
from triage.platform.crm_events_sql import UPSERT_CRM_EVENT, crm_event_row
from triage.platform.db import JsonText
from triage.platform.topics import CLEAN, CRM_EVENTS, DLQ, EXTRACTED, RAW, ROUTED
from triage_audit.review import CRM_REJECTED_BAND, crm_review_reason, review_reason

UPSERT_RAW = """
INSERT INTO emails (email_id, thread_id, message_id, mailbox, source, gmail_id, received_at, size_bytes, truncated, raw)
VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10)
ON CONFLICT (email_id) DO UPDATE SET
  source = EXCLUDED.source, gmail_id = COALESCE(EXCLUDED.gmail_id, emails.gmail_id),
  size_bytes = EXCLUDED.size_bytes, truncated = EXCLUDED.truncated,
  raw = COALESCE(emails.raw, EXCLUDED.raw), updated_at = now()
"""
UPSERT_CLEAN = """
INSERT INTO emails (email_id, thread_id, message_id, mailbox, received_at, subject, from_email, language,
                    clean_parts)
VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9::jsonb)
ON CONFLICT (email_id) DO UPDATE SET
  subject = EXCLUDED.subject, from_email = EXCLUDED.from_email, language = EXCLUDED.language,
  clean_parts = EXCLUDED.clean_parts, updated_at = now()
"""
UPSERT_EXTRACTION = """
INSERT INTO extractions (email_id, model, model_version, schema_name, thread_id, decided_by, intent,
                         confidence, data, tokens_in, tokens_out, cost_usd)
VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9::jsonb, $10, $11, $12)
ON CONFLICT (email_id, model, model_version) DO UPDATE SET
  decided_by = EXCLUDED.decided_by, intent = EXCLUDED.intent, confidence = EXCLUDED.confidence,
  data = EXCLUDED.data, tokens_in = EXCLUDED.tokens_in, tokens_out = EXCLUDED.tokens_out,
  cost_usd = EXCLUDED.cost_usd
"""
UPSERT_ROUTE = """
INSERT INTO routes (email_id, thread_id, queue, priority, sla_minutes, due_at, rule, reason, ignored,
                    actions, received_at)
VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10::jsonb, $11)
ON CONFLICT (email_id) DO UPDATE SET
  queue = EXCLUDED.queue, priority = EXCLUDED.priority, sla_minutes = EXCLUDED.sla_minutes,
  due_at = EXCLUDED.due_at, rule = EXCLUDED.rule, reason = EXCLUDED.reason,
  ignored = EXCLUDED.ignored, actions = EXCLUDED.actions
-- A person's correction decided this route (ADR 0025): routing the email again does not undo it.
WHERE routes.corrected_at IS NULL
"""
UPSERT_DEAD_LETTER = """
INSERT INTO dead_letters (source_topic, source_partition, source_offset, service, error_class,
                          error_message, attempts, failed_at, original_key)
VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9)
ON CONFLICT (source_topic, source_partition, source_offset) DO UPDATE SET
  error_class = EXCLUDED.error_class, error_message = EXCLUDED.error_message,
  attempts = EXCLUDED.attempts, failed_at = EXCLUDED.failed_at
"""
INSERT_REVIEW_ITEM = """
INSERT INTO review_queue (email_id, thread_id, reason, band, queue, intent, confidence)
VALUES ($1, $2, $3, $4, $5, $6, $7)
ON CONFLICT (email_id) DO UPDATE SET
  reason = EXCLUDED.reason, band = EXCLUDED.band, queue = EXCLUDED.queue, intent = EXCLUDED.intent,
  confidence = EXCLUDED.confidence
-- only an open approval item read before its routed record (another topic) takes route's reason
WHERE review_queue.status = 'open' AND review_queue.reason = 'awaiting_approval'
"""
#: a held write (MVP mode, or after a refusal) waits for Create in CRM: the review queue is where
#: people find it. An existing item (route's reason, a refusal) is kept as it is.
INSERT_REVIEW_APPROVAL = """
INSERT INTO review_queue (email_id, thread_id, reason, band, queue, intent, confidence)
SELECT v.email_id, v.thread_id, 'awaiting_approval', 'auto_write', COALESCE(r.queue, 'unknown'),
       COALESCE(x.intent, 'unknown'), COALESCE(x.confidence, 0)
FROM (VALUES ($1::text, $2::text)) AS v (email_id, thread_id)
LEFT JOIN routes r ON r.email_id = v.email_id
LEFT JOIN LATERAL (SELECT intent, confidence FROM extractions WHERE email_id = v.email_id
                   ORDER BY created_at DESC LIMIT 1) x ON true
ON CONFLICT (email_id) DO NOTHING
"""
UPSERT_REVIEW_REJECTED = """
INSERT INTO review_queue (email_id, thread_id, reason, band, queue, intent, confidence)
SELECT v.email_id, v.thread_id, v.reason, v.band, COALESCE(r.queue, 'unknown'), COALESCE(x.intent, 'unknown'),
       COALESCE(x.confidence, 0)
FROM (VALUES ($1::text, $2::text, $3::text, $4::text)) AS v (email_id, thread_id, reason, band)
LEFT JOIN routes r ON r.email_id = v.email_id
LEFT JOIN LATERAL (SELECT intent, confidence FROM extractions WHERE email_id = v.email_id
                   ORDER BY created_at DESC LIMIT 1) x ON true
ON CONFLICT (email_id) DO UPDATE SET
  reason = EXCLUDED.reason, status = 'open', resolved_at = NULL, resolved_by = NULL,
  created_at = CASE WHEN review_queue.status = 'open' THEN review_queue.created_at ELSE now() END
-- review.reopens: open stays open; resolved reopens only for a refusal newer than the resolution
WHERE review_queue.status = 'open' OR review_queue.resolved_at IS NULL
   OR review_queue.resolved_at < $5::timestamptz
"""
#: email.clean's parts the admin shows (ADR 0025): the sources of evidence spans, and the quoted history
CLEAN_PARTS = ("subject", "from_name", "from_email", "reply_to", "text", "signature", "quoted", "footer")
FORWARDED_PARTS = ("from_name", "from_email", "subject", "text")

#: statements that read rows other statements of the same batch write: written after them
RUNS_LAST = frozenset({UPSERT_REVIEW_REJECTED, INSERT_REVIEW_APPROVAL})

#: The same upsert, answering whether the row is new (xmax = 0: inserted, not updated).
INSERTED_DEAD_LETTER = UPSERT_DEAD_LETTER.rstrip() + "\nRETURNING (xmax = 0)\n"


def raw_row(r: RawEmail) -> tuple:
    return (r.email_id, r.thread_id, r.message_id, r.mailbox, r.source, r.gmail_id, r.received_at,
            r.size_bytes, r.truncated, r.raw)


def clean_row(c: CleanEmail) -> tuple:
    return (c.email_id, c.thread_id, c.message_id, c.mailbox, c.received_at, c.subject, c.from_email,
            c.language, JsonText(json.dumps(clean_parts(c))))


def clean_parts(c: CleanEmail) -> dict[str, object]:
    """The string fields evidence spans index (``EvidenceSource``) and the quoted history, each cut
    at the normaliser's own bound (a no-op for what it publishes; a span past a cut is not shown)."""
    parts: dict[str, object] = {name: _cut(getattr(c, name)) for name in CLEAN_PARTS}
    if c.forwarded is not None:
        parts["forwarded"] = {name: _cut(getattr(c.forwarded, name)) for name in FORWARDED_PARTS}
    return parts


def _cut(value: str | None) -> str | None:
    return None if value is None else value[:MAX_TEXT_CHARS]


def extraction_row(e: ExtractedEmail) -> tuple:
    return (e.email_id, e.model, e.model_version, "triage.extracted.Extraction", e.thread_id,
            e.decided_by, e.extraction.intent, e.extraction.confidence, JsonText(e.extraction.model_dump_json()),
            e.tokens_in, e.tokens_out, e.cost_usd)


def route_row(r: RoutedEmail) -> tuple:
    actions = JsonText(json.dumps([a.model_dump() for a in r.crm_actions]))
    return (r.email_id, r.thread_id, r.queue, r.priority, r.sla_minutes, r.due_at, r.rule, r.reason,
            r.ignored, actions, r.received_at)


def review_item_row(r: RoutedEmail) -> tuple | None:
    reason = review_reason(r)
    if reason is None:
        return None
    return (r.email_id, r.thread_id, reason, r.band, r.queue, r.extraction.intent, r.extraction.confidence)


def rejected_review_row(e: CrmEvent) -> tuple | None:
    if crm_review_reason(e) != "crm_rejected":
        return None
    return (e.email_id, e.thread_id, "crm_rejected", CRM_REJECTED_BAND, e.at)


def approval_review_row(e: CrmEvent) -> tuple | None:
    return (e.email_id, e.thread_id) if crm_review_reason(e) == "awaiting_approval" else None


def dead_letter_row(d: DeadLetter) -> tuple:
    return (d.source_topic, d.source_partition, d.source_offset, d.service, d.error_class,
            d.error_message, d.attempts, d.failed_at, d.original_key)


#: topic -> (statement, row builder)
ROW_FOR_TOPIC = {
    RAW: (UPSERT_RAW, raw_row),
    CLEAN: (UPSERT_CLEAN, clean_row),
    EXTRACTED: (UPSERT_EXTRACTION, extraction_row),
    ROUTED: (UPSERT_ROUTE, route_row),
    CRM_EVENTS: (UPSERT_CRM_EVENT, crm_event_row),
    DLQ: (UPSERT_DEAD_LETTER, dead_letter_row),
}
#: topic -> further (statement, row builder) pairs; a builder's None means no row for this record
ALSO_FOR_TOPIC: dict[str, tuple[tuple[str, Callable[..., tuple | None]], ...]] = {
    ROUTED: ((INSERT_REVIEW_ITEM, review_item_row),),
    CRM_EVENTS: ((UPSERT_REVIEW_REJECTED, rejected_review_row), (INSERT_REVIEW_APPROVAL, approval_review_row)),
}
AUDITED_TOPICS = tuple(ROW_FOR_TOPIC)


def rows_for(topic: str, value: object) -> list[tuple[str, tuple]]:
    """Every (statement, row) one record becomes."""
    statement, to_row = ROW_FOR_TOPIC[topic]
    found = [(statement, to_row(value))]
    for also, to_also in ALSO_FOR_TOPIC.get(topic, ()):
        row = to_also(value)
        if row is not None:
            found.append((also, row))
    return found
