"""Which routed emails need a person, and why: the review queue's reasons. Pure.

``email.routed`` does not carry the extract stage's ``decided_by``; an answer that failed
validation (``llm_invalid``) is routed by the first rule of ``config/routing.yaml``,
``invalid_extraction``, so its name stands for that gate here.
"""

from __future__ import annotations

from typing import Literal

from triage.domain.models import RoutedEmail

ReviewReason = Literal["schema_failure", "low_confidence", "suggest"]

#: config/routing.yaml: the rule that takes every decided_by=llm_invalid email
INVALID_EXTRACTION_RULE = "invalid_extraction"
#: config/routing.yaml: the queue people work through by hand
HUMAN_REVIEW_QUEUE = "human_review"


def review_reason(routed: RoutedEmail) -> ReviewReason | None:
    """Why this email goes to the review queue; None when nobody needs to look at it."""
    if routed.rule == INVALID_EXTRACTION_RULE:
        return "schema_failure"
    if routed.band == "review" or routed.queue == HUMAN_REVIEW_QUEUE:
        return "low_confidence"
    if routed.band == "suggest":
        return "suggest"
    return None
