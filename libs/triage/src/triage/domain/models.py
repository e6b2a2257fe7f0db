"""The records that travel between stages, as frozen pydantic models.

Pydantic is a pure data-validation library (no I/O), which is why the domain
may use it (docs/adr/0002-pydantic-in-the-domain.md). Field names match the
Avro schemas in ``triage/schemas/`` one to one, so ``model_dump()`` is the Avro
record and ``model_validate(record)`` reads one back.
"""

from __future__ import annotations

from datetime import datetime
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field

Intent = Literal["lead", "support", "vendor", "job_applicant", "newsletter", "spam"]
Timeline = Literal["now", "quarter", "six_months", "unknown"]
RequiredAction = Literal["schedule_demo", "send_pricing", "forward_support", "ignore", "route_ops"]
Priority = Literal["high", "normal", "low"]
#: confidence bands: what a confidence allows (thresholds in configuration, docs/extraction.md)
Band = Literal["auto_write", "suggest", "review"]
INTENTS: tuple[str, ...] = ("lead", "support", "vendor", "job_applicant", "newsletter", "spam")


class Frozen(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid")


class Mailbox(Frozen):
    """Whose mailbox this is: the receiving company (gold-format.md's mailbox.json)."""

    company: str
    domains: list[str] = Field(default_factory=list)
    inboxes: list[str] = Field(default_factory=list)
    customer_domains: list[str] = Field(default_factory=list)
    products: list[str] = Field(default_factory=list)


class Envelope(Frozen):
    """What identifies an email on every topic after email.raw."""

    email_id: str
    thread_id: str
    mailbox: str
    received_at: datetime
    message_id: str | None = None


class RawEmail(Envelope):
    """email.raw: the message exactly as received, plus where it came from."""

    source: str
    gmail_id: str | None = None
    raw: bytes
    size_bytes: int
    truncated: bool = False


class Attachment(Frozen):
    filename: str | None = None
    content_type: str
    size_bytes: int


class AuthVerdicts(Frozen):
    """dkim/spf/dmarc results from Authentication-Results ("pass", "fail", ... or None)."""

    dkim: str | None = None
    spf: str | None = None
    dmarc: str | None = None


class ForwardedMessage(Frozen):
    """The original message inside a forward."""

    from_name: str | None = None
    from_email: str | None = None
    date: str | None = None
    subject: str | None = None
    text: str = ""


class CleanEmail(Envelope):
    """email.clean: the headers that matter and the visible text, split into parts."""

    date: datetime | None = None
    in_reply_to: str | None = None
    references: list[str] = Field(default_factory=list)
    from_name: str | None = None
    from_email: str | None = None
    reply_to: str | None = None
    to: list[str] = Field(default_factory=list)
    cc: list[str] = Field(default_factory=list)
    subject: str = ""
    text: str = ""
    signature: str | None = None
    quoted: str | None = None
    footer: str | None = None
    forwarded: ForwardedMessage | None = None
    language: str | None = None
    attachments: list[Attachment] = Field(default_factory=list)
    auth: AuthVerdicts = Field(default_factory=AuthVerdicts)
    list_unsubscribe: bool = False
    precedence: str | None = None
    auto_submitted: str | None = None
    truncated: bool = False
    defects: list[str] = Field(default_factory=list)


class Person(Frozen):
    name: str | None = None
    email: str | None = None


class Company(Frozen):
    name: str | None = None
    domain: str | None = None


class Interest(Frozen):
    products: list[str] = Field(default_factory=list)


class Budget(Frozen):
    annual_amount_usd: float | None = None


#: The string fields of email.clean (CleanEmail) an evidence span may index; ``forwarded.*`` are
#: the forwarded original's. Spans index the record as published, so anyone holding it can check them.
EvidenceSource = Literal[
    "subject", "from_name", "from_email", "reply_to", "text", "signature", "footer",
    "forwarded.from_name", "forwarded.from_email", "forwarded.subject", "forwarded.text",
]  # fmt: skip


class Evidence(Frozen):
    """Where one field's value came from: ``source_text(clean, source)[start:end] == text``.

    ``field`` names the value it supports, as a path: ``person.email``, ``company.domain``,
    ``interest.products[0]``, ``budget.annual_amount_usd``, ``timeline``, ``region``. A derived
    value (a domain from an address, an annualised monthly budget, a timeline relative to the
    Date header) points at the span it was derived from (triage.domain.extraction.evidence).
    """

    field: str
    source: EvidenceSource
    start: int = Field(ge=0)
    end: int = Field(ge=0)
    text: str


class Extraction(Frozen):
    """The seed design's extraction schema, plus the evidence of every quoted field."""

    intent: Intent
    person: Person = Field(default_factory=Person)
    company: Company = Field(default_factory=Company)
    interest: Interest = Field(default_factory=Interest)
    budget: Budget = Field(default_factory=Budget)
    timeline: Timeline = "unknown"
    region: str | None = None
    summary: str = ""
    required_action: RequiredAction
    confidence: float = Field(ge=0.0, le=1.0)
    #: one or more spans per non-null quoted field; judgements (intent, summary, required_action,
    #: confidence) have none. Empty in records written before v3.
    evidence: list[Evidence] = Field(default_factory=list)


class ExtractedEmail(Envelope):
    """email.extracted: the extraction plus who produced it and what it cost."""

    from_email: str | None = None
    subject: str = ""
    extraction: Extraction
    model: str
    model_version: str
    decided_by: str
    tokens_in: int = 0
    tokens_out: int = 0
    cost_usd: float = 0.0
    language: str | None = None
    #: v4: the highest band the evidence allows, whatever the confidence (None: no cap) — an LLM
    #: answer the local extractor and grounding do not support, or input that is no email
    #: (triage.domain.band_cap, ADR 0015); ``band_cap_reason`` says why, and routing shows it.
    band_cap: Band | None = None
    band_cap_reason: str | None = None


CrmActionName = Literal["upsert_company", "upsert_contact", "create_deal", "associate_contact", "create_ticket"]
CrmObjectType = Literal["company", "contact", "deal", "association", "ticket"]


class CrmAction(Frozen):
    """One planned CRM write; the idempotency key makes replays harmless."""

    action: CrmActionName
    object_type: CrmObjectType
    idempotency_key: str
    properties: dict[str, str] = Field(default_factory=dict)


class RoutedEmail(Envelope):
    """email.routed: where the email goes, why, and the CRM writes it needs."""

    from_email: str | None = None
    subject: str = ""
    extraction: Extraction
    queue: str
    priority: Priority
    sla_minutes: int | None = None
    due_at: datetime | None = None
    rule: str
    reason: str
    ignored: bool
    crm_actions: list[CrmAction] = Field(default_factory=list)
    #: the confidence band (thresholds in configuration): crm-sink writes (auto_write), announces the
    #: writes for a person to approve (suggest), or leaves them to the review queue (review).
    band: Band = "auto_write"


class CrmEvent(Frozen):
    """crm.events: one CRM action and its outcome (or the decision not to write)."""

    email_id: str
    thread_id: str
    action: str
    object_type: str | None = None
    object_id: str | None = None
    status: Literal["created", "updated", "unchanged", "ignored", "failed", "awaiting_approval"]
    idempotency_key: str
    backend: str
    response_summary: str = ""
    at: datetime


class DedupeMarker(Frozen):
    """email.dedupe (compacted): this message was routed, and how its thread was classified."""

    email_id: str
    thread_id: str
    message_id: str | None = None
    intent: Intent
    confidence: float
    processed_at: datetime


class DeadLetter(Frozen):
    """email.dlq: a record that could not be processed, with everything needed to replay it."""

    source_topic: str
    source_partition: int
    source_offset: int
    service: str
    error_class: str
    error_message: str
    stack: str = ""
    attempts: int
    failed_at: datetime
    original_key: bytes | None = None
    original_value: bytes | None = None
    original_headers: dict[str, bytes] = Field(default_factory=dict)


class GmailNotification(Frozen):
    """gmail.notifications (keyed by mailbox): Gmail said a mailbox changed, or a watch was renewed.

    Only a trigger: the fetch worker syncs the mailbox's history from its stored
    cursor, so a lost or repeated notification loses or duplicates nothing.
    """

    mailbox: str
    history_id: int
    received_at: datetime
    source: str  # pubsub|watch|replay
    pubsub_message_id: str | None = None
    watch_expires_at: datetime | None = None


class GmailCursor(Frozen):
    """gmail.cursors (compacted, keyed by mailbox): how far a mailbox's history is synced.

    ``recent_gmail_ids`` are the last ids published, so a resync (or a repeated
    history window) skips what was already ingested.
    """

    mailbox: str
    history_id: int
    updated_at: datetime
    recent_gmail_ids: list[str] = Field(default_factory=list)


class RouteDecision(Frozen):
    """What the rules decided for one email (pure output of triage.domain.rules)."""

    queue: str
    priority: Priority
    sla_minutes: int | None
    rule: str
    reason: str
    ignored: bool


class ProcessResult(Frozen):
    """The whole pure pipeline for one message (``triage process``)."""

    clean: CleanEmail
    extraction: Extraction
    route: RouteDecision
    crm_actions: list[CrmAction] = Field(default_factory=list)
