"""route: the confidence band of every routed email, from the configured thresholds."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from tests.unit.services.test_route_handler import LUMORA, extracted, inbound
from triage.domain.bands import ConfidenceBands
from triage.domain.models import ExtractedEmail, RoutedEmail
from triage.domain.rules import DEFAULT_RULES
from triage.platform.settings import InvalidSetting, RouteSettings, load_settings
from triage_route.handler import RouteHandler


def route(email: ExtractedEmail, bands: ConfidenceBands | None = None) -> RoutedEmail:
    handler = RouteHandler(LUMORA, DEFAULT_RULES, changelog=lambda p: [], window=timedelta(days=7),
                           clock=lambda: datetime.now(UTC), **({"bands": bands} if bands else {}))
    routed = handler.handle(inbound(email))[0].value
    assert isinstance(routed, RoutedEmail)
    return routed


@pytest.mark.parametrize(
    ("confidence", "band", "queue"),
    [(0.95, "auto_write", "sales_inbound"), (0.85, "auto_write", "sales_inbound"),
     (0.84, "suggest", "sales_inbound"), (0.6, "suggest", "sales_inbound"),
     (0.59, "review", "human_review"), (0.2, "review", "human_review")],
)
def test_the_band_follows_the_confidence_and_review_goes_to_the_review_queue(
    confidence: float, band: str, queue: str
) -> None:
    routed = route(extracted(confidence=confidence, timeline="now"))

    assert (routed.band, routed.queue) == (band, queue)
    if band == "review":
        assert routed.rule == "review_band" and "review band" in routed.reason
        assert routed.crm_actions  # planned for the person who approves them


def test_an_invalid_llm_answer_is_in_the_review_band_whatever_its_confidence() -> None:
    email = extracted(confidence=0.95)
    email = email.model_copy(update={"decided_by": "llm_invalid"})

    routed = route(email)

    assert (routed.band, routed.queue, routed.rule) == ("review", "human_review", "invalid_extraction")


def test_the_thresholds_come_from_the_settings() -> None:
    bands = RouteSettings(triage_confidence_auto_write=0.95, triage_confidence_suggest=0.8).confidence_bands()

    assert route(extracted(confidence=0.9), bands).band == "suggest"
    assert route(extracted(confidence=0.79), bands).queue == "human_review"


def test_inverted_thresholds_stop_the_service() -> None:
    with pytest.raises(InvalidSetting, match="TRIAGE_CONFIDENCE_SUGGEST and TRIAGE_CONFIDENCE_AUTO_WRITE"):
        load_settings(RouteSettings, triage_confidence_auto_write=0.5, triage_confidence_suggest=0.7)
