"""The declarative topic registry: every topic's name, value schema, partitions and configs.

``triage topics apply`` (and every service at start-up) creates what is
missing and leaves what exists alone, so applying it twice is harmless.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from pydantic import BaseModel

from triage.domain import models

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
              configs={"retention.ms": str(7 * DAY_MS), "max.message.bytes": str(32 * 1024 * 1024)}),
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
              configs={"retention.ms": str(90 * DAY_MS), "max.message.bytes": str(32 * 1024 * 1024)}),
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
