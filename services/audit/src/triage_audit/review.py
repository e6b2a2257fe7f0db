"""Which routed emails need a person, and why: the review queue's reasons. Pure.

A ``crm.events`` record with status ``failed`` (the CRM refused the email's data, its
message in ``response_summary``) needs a person too: ``crm_rejected``. crm-sink performs
writes on its own only in the ``auto_write`` band, so that is the band such an item gets
when it is new (an existing item keeps what route decided).

``email.routed`` does not carry the extract stage's ``decided_by``; an answer that failed
validation (``llm_invalid``) is routed by the first rule of ``triage/config/routing.yaml``,
``invalid_extraction``, so its name stands for that gate here.
"""

from __future__ import annotations

from datetime import datetime
from typing import Literal

from triage.domain.models import CrmEvent, RoutedEmail

ReviewReason = Literal["schema_failure", "low_confidence", "suggest", "crm_rejected", "awaiting_approval"]

#: triage/config/routing.yaml: the rule that takes every decided_by=llm_invalid email
INVALID_EXTRACTION_RULE = "invalid_extraction"
#: triage/config/routing.yaml: the queue people work through by hand
HUMAN_REVIEW_QUEUE = "human_review"
#: the band of the emails crm-sink writes on its own, the only ones whose writes it can see refused
CRM_REJECTED_BAND = "auto_write"


def review_reason(routed: RoutedEmail) -> ReviewReason | None:
    """Why this email goes to the review queue; None when nobody needs to look at it."""
    if routed.rule == INVALID_EXTRACTION_RULE:
        return "schema_failure"
    if routed.band == "review" or routed.queue == HUMAN_REVIEW_QUEUE:
        return "low_confidence"
    if routed.band == "suggest":
        return "suggest"
    return None


def crm_review_reason(event: CrmEvent) -> ReviewReason | None:
    """A CRM outcome that needs a person: the CRM refused the action's data (``failed``), or a
    write is held until someone presses Create in CRM (``awaiting_approval``: MVP mode's intents;
    the suggest and review bands already have route's item, which is kept)."""
    if event.status == "failed":
        return "crm_rejected"
    return "awaiting_approval" if event.status == "awaiting_approval" else None


def reopens(item_status: str, resolved_at: datetime | None, failed_at: datetime) -> bool:
    """Whether a refusal at ``failed_at`` (re)opens the email's existing review item.

    An open item stays open (its reason becomes ``crm_rejected``). A resolved one (approved,
    corrected, dismissed) is reopened by a refusal that came after it was resolved: a person
    acted, the CRM refused again. The same refusal read again (a re-consumed batch) is older
    than the resolution and changes nothing. ``UPSERT_REVIEW_REJECTED`` (rows.py) says the same in SQL.
    """
    return item_status == "open" or resolved_at is None or resolved_at < failed_at
