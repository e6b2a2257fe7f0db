"""Confidence bands: what an extraction's confidence allows (issue 5).

``auto_write`` — crm-sink writes the planned CRM records on its own;
``suggest`` — the writes are announced and wait for a person's approval;
``review`` — the email goes to the human review queue (a routing rule on the
band) and nothing is written until a person approves it.

The thresholds live in one place, the settings ``TRIAGE_CONFIDENCE_AUTO_WRITE``
and ``TRIAGE_CONFIDENCE_SUGGEST``; the route service computes the band once and
publishes it on ``email.routed``, so the rules and crm-sink act on the same band.
"""

from __future__ import annotations

from dataclasses import dataclass

from triage.domain.models import Band, ExtractedEmail

#: decided_by values whose extraction no confidence can vouch for: the LLM's answer failed
#: validation and the fields are the local extractor's guess (docs/extraction.md).
ALWAYS_REVIEWED = frozenset({"llm_invalid", "not_an_email"})
_ORDER: tuple[Band, ...] = ("review", "suggest", "auto_write")


@dataclass(frozen=True)
class ConfidenceBands:
    """auto_write ≥ ``auto_write``, suggest ≥ ``suggest``, else review.

    The defaults are the settings' defaults (a test keeps them equal); services pass the
    configured values.
    """

    auto_write: float = 0.85
    suggest: float = 0.6

    def __post_init__(self) -> None:
        if not 0.0 <= self.suggest <= self.auto_write <= 1.0:
            raise ValueError("confidence bands need 0 <= suggest <= auto_write <= 1")


#: the settings' defaults, for callers without settings (``triage process``, the evaluation)
DEFAULT_BANDS = ConfidenceBands()


def confidence_band(confidence: float, thresholds: ConfidenceBands) -> Band:
    if confidence >= thresholds.auto_write:
        return "auto_write"
    if confidence >= thresholds.suggest:
        return "suggest"
    return "review"


def email_band(extracted: ExtractedEmail, thresholds: ConfidenceBands) -> Band:
    """The band an extracted email is routed and written under: never above its cap (ADR 0015)."""
    if extracted.decided_by in ALWAYS_REVIEWED:
        return "review"
    band = confidence_band(extracted.extraction.confidence, thresholds)
    if extracted.band_cap is None:
        return band
    return min(band, extracted.band_cap, key=_ORDER.index)
