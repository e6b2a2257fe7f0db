"""The whole pure pipeline for one message: bytes in, a routed, planned result out.

The services run the same steps one Kafka topic apart; ``triage process`` and
the evaluation harness run them here in one call, with no broker.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Literal

from triage.domain.bands import DEFAULT_BANDS, ConfidenceBands
from triage.domain.crm_plan import plan_crm_actions
from triage.domain.extraction import SHIPPED_MODEL, ExtractionOutcome, extract_fields
from triage.domain.extraction.intent_model import IntentWeights
from triage.domain.intake import NOT_AN_EMAIL, not_a_message, raw_email
from triage.domain.models import CleanEmail, ExtractedEmail, Extraction, Mailbox, ProcessResult
from triage.domain.normalize import clean_email
from triage.domain.queues import NO_QUEUES, QueueTable
from triage.domain.rules import DEFAULT_RULES, Rule, route_email

# Purity forbids reading the clock: a message without a Date header is dated at the epoch.
EPOCH = datetime(1970, 1, 1, tzinfo=UTC)


@dataclass(frozen=True)
class PipelineConfig:
    """What the extract and route services are configured with, for the same steps in one call:
    the intent model (``None``: the hand-weighted rules alone), the routing rules, the
    confidence bands and the queue table (``triage.platform.pipeline_config`` reads them from
    the settings, as the services do)."""

    rules: Sequence[Rule] = DEFAULT_RULES
    bands: ConfidenceBands = DEFAULT_BANDS
    queues: QueueTable = NO_QUEUES
    intent_model: IntentWeights | Literal["shipped"] | None = SHIPPED_MODEL


DEFAULT_CONFIG = PipelineConfig()


def process_message(
    raw: bytes,
    mailbox: Mailbox,
    *,
    mailbox_address: str | None = None,
    received_at: datetime | None = None,
    config: PipelineConfig = DEFAULT_CONFIG,
) -> ProcessResult:
    """extract's two steps (normalise, extract) and route's (rules under the band, CRM plan), with
    the services' own functions and ``config``; only the broker-held state (dedupe, a thread's
    earlier classification, the LLM) is not here."""
    clean = flag_non_message(
        normalize_message(raw, mailbox_address=mailbox_address, received_at=received_at), raw)
    extracted = extract_or_flag(clean, mailbox, config.intent_model)
    decision = route_email(extracted, mailbox, config.rules, config.bands)
    return ProcessResult(
        clean=clean,
        extraction=extracted.extraction,
        route=decision,
        crm_actions=plan_crm_actions(extracted, decision, config.queues),
    )


def normalize_message(
    raw: bytes, *, mailbox_address: str | None = None, received_at: datetime | None = None
) -> CleanEmail:
    """Raw bytes to email.clean, received at the given time, else when the Date header says."""
    record = raw_email(
        raw,
        source="local",
        received_at=received_at or EPOCH,
        max_bytes=len(raw),
        mailbox=mailbox_address,
    )
    clean = clean_email(record)
    if received_at is None:
        clean = clean.model_copy(update={"received_at": clean.date or EPOCH})
    return clean


def extract_or_flag(clean: CleanEmail, mailbox: Mailbox,
                    intent_model: IntentWeights | Literal["shipped"] | None = SHIPPED_MODEL) -> ExtractedEmail:
    if non_message_reason(clean) is not None:
        return non_message_extracted(clean)
    return extracted_email(clean, extract_fields(clean, mailbox, intent_model))


# ---------------------------------------------------------------- input that is no email


def flag_non_message(clean: CleanEmail, raw: bytes) -> CleanEmail:
    """A kept non-message (binary, JSON, empty, no header block) carries why in its defects."""
    problem = not_a_message(raw)
    if problem is None:
        return clean
    return clean.model_copy(update={"defects": [*clean.defects, f"{NOT_AN_EMAIL}: {problem}"]})


def non_message_reason(clean: CleanEmail) -> str | None:
    prefix = f"{NOT_AN_EMAIL}: "
    return next((d.removeprefix(prefix) for d in clean.defects if d.startswith(prefix)), None)


def non_message_extracted(clean: CleanEmail) -> ExtractedEmail:
    """Never classified: confidence 0, decided_by not_an_email (review, no CRM plan).

    ``intent`` is only the schema's required value ("spam", action "ignore"), not a verdict.
    """
    nothing = Extraction(intent="spam", required_action="ignore", confidence=0.0,
                         summary="not an RFC 5322 message")
    outcome = ExtractionOutcome(nothing, NOT_AN_EMAIL)
    return extracted_email(clean, outcome).model_copy(update={
        "band_cap": "review", "band_cap_reason": f"not an RFC 5322 message: {non_message_reason(clean)}"})


def extracted_email(clean: CleanEmail, outcome: ExtractionOutcome) -> ExtractedEmail:
    return ExtractedEmail(
        email_id=clean.email_id,
        thread_id=clean.thread_id,
        mailbox=clean.mailbox,
        received_at=clean.received_at,
        message_id=clean.message_id,
        from_email=clean.from_email,
        subject=clean.subject,
        extraction=outcome.extraction,
        model=outcome.model,
        model_version=outcome.model_version,
        decided_by=outcome.decided_by,
        language=clean.language,
    )


def load_mailbox(text: str) -> Mailbox:
    """A mailbox.json document; raises ValueError (pydantic's ValidationError) when invalid."""
    return Mailbox.model_validate_json(text)
