"""The declarative topic registry: every topic's name, value schema, partitions and configs.

``triage topics apply`` (and every service at start-up) creates what is
missing and sets the registry's configs on what exists, so applying it twice is
harmless.

Record sizes (ADR 0014): every topic that carries an email, or what was derived
from one, accepts the largest record the stage before it can emit for an email
of ``TRIAGE_INGEST_MAX_BYTES``; the dead-letter topic accepts a letter holding
any of those records. ``max_message_bytes`` is the one place that says so, and
the clients' limits (``runtime.producer_config``/``consumer_config``) follow it.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from pydantic import BaseModel

from triage.domain import models
from triage.domain.normalize.limits import MAX_HEADER_CHARS, MAX_PARTS, MAX_TEXT_CHARS

DAY_MS = 24 * 60 * 60 * 1000


@dataclass(frozen=True)
class TopicSpec:
    name: str
    schema: str
    model: type[BaseModel]
    key: str
    partitions: int = 6
    configs: dict[str, str] = field(default_factory=dict)


RAW = "email.raw"
CLEAN = "email.clean"
EXTRACTED = "email.extracted"
ROUTED = "email.routed"
CRM_EVENTS = "crm.events"
DEDUPE = "email.dedupe"
DLQ = "email.dlq"
GMAIL_NOTIFICATIONS = "gmail.notifications"
GMAIL_CURSORS = "gmail.cursors"

REGISTRY: tuple[TopicSpec, ...] = (
    # Raw mail is personal data: keep it only as long as a replay needs it.
    TopicSpec(RAW, "email_raw", models.RawEmail, "thread id",
              configs={"retention.ms": str(7 * DAY_MS)}),
    TopicSpec(CLEAN, "email_clean", models.CleanEmail, "thread id",
              configs={"retention.ms": str(7 * DAY_MS)}),
    TopicSpec(EXTRACTED, "email_extracted", models.ExtractedEmail, "thread id",
              configs={"retention.ms": str(14 * DAY_MS)}),
    TopicSpec(ROUTED, "email_routed", models.RoutedEmail, "thread id",
              configs={"retention.ms": str(14 * DAY_MS)}),
    TopicSpec(CRM_EVENTS, "crm_event", models.CrmEvent, "thread id",
              configs={"retention.ms": str(30 * DAY_MS)}),
    TopicSpec(DEDUPE, "dedupe_marker", models.DedupeMarker, "message id + thread id",
              configs={"cleanup.policy": "compact", "min.compaction.lag.ms": "60000",
                       "delete.retention.ms": str(DAY_MS)}),
    # Failures wait for a person: keep them long.
    TopicSpec(DLQ, "dead_letter", models.DeadLetter, "original key",
              configs={"retention.ms": str(90 * DAY_MS)}),
    # Triggers only (mailbox + historyId): the cursor, not the notification, decides what is fetched.
    TopicSpec(GMAIL_NOTIFICATIONS, "gmail_notification", models.GmailNotification, "mailbox",
              configs={"retention.ms": str(7 * DAY_MS)}),
    # One record per mailbox, written in the fetch worker's transaction (docs/adr, Gmail cursor).
    TopicSpec(GMAIL_CURSORS, "gmail_cursor", models.GmailCursor, "mailbox",
              configs={"cleanup.policy": "compact", "min.compaction.lag.ms": "60000",
                       "delete.retention.ms": str(DAY_MS)}),
)

BY_NAME: dict[str, TopicSpec] = {spec.name: spec for spec in REGISTRY}


def spec_for(logical_name: str) -> TopicSpec:
    try:
        return BY_NAME[logical_name]
    except KeyError:
        raise KeyError(f"unknown topic {logical_name!r}; known: {sorted(BY_NAME)}") from None


#: Room around the email a record carries: its other fields, and a dead letter's error and stack.
RECORD_OVERHEAD_BYTES = 1024 * 1024
#: The most email.clean can hold, whatever the raw size: five text fields (text, signature, quoted,
#: footer, forwarded text) of MAX_TEXT_CHARS, twenty header values, a filename and a content type per
#: MIME part, at 4 UTF-8 bytes a character (~31.5 MB; a real 25 MiB mail makes ~1.6 MB, measured).
#: What extract, route and crm-sink derive from it (fields, evidence quotes) is smaller.
NORMALISED_BOUND_BYTES = 4 * (5 * MAX_TEXT_CHARS + 20 * MAX_HEADER_CHARS + 2 * MAX_PARTS * MAX_HEADER_CHARS)
#: Topics whose records carry an email or what was derived from one.
EMAIL_TOPICS = frozenset({RAW, CLEAN, EXTRACTED, ROUTED, CRM_EVENTS})
#: The broker's own default (1 MiB) suffices for what carries no email text.
DEFAULT_MAX_MESSAGE_BYTES = 1024 * 1024 + 12


def largest_record_bytes(ingest_max_bytes: int) -> int:
    """The largest record a stage emits onto an email topic, given the ingest limit."""
    return max(ingest_max_bytes, NORMALISED_BOUND_BYTES) + RECORD_OVERHEAD_BYTES


def largest_letter_bytes(ingest_max_bytes: int) -> int:
    """The largest dead letter: one consumed record (any email topic) plus the error."""
    return largest_record_bytes(ingest_max_bytes) + RECORD_OVERHEAD_BYTES


def max_message_bytes(logical_name: str, ingest_max_bytes: int) -> int:
    """The topic's ``max.message.bytes``: what the stage before it can emit fits."""
    if logical_name == DLQ:
        return largest_letter_bytes(ingest_max_bytes)
    if logical_name in EMAIL_TOPICS:
        return largest_record_bytes(ingest_max_bytes)
    return DEFAULT_MAX_MESSAGE_BYTES


def topic_configs(spec: TopicSpec, ingest_max_bytes: int) -> dict[str, str]:
    """Every config the registry sets on ``spec``'s topic, record size included."""
    return {**spec.configs, "max.message.bytes": str(max_message_bytes(spec.name, ingest_max_bytes))}
