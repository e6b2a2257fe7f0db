"""crm-sink: the confidence band decides whether the planned writes happen or wait for a person."""

from __future__ import annotations

import pytest

from tests.unit.services.test_crm_sink_handler import FakeCrm, events, inbound, routed
from triage.domain.models import RoutedEmail
from triage_crm_sink.handler import CrmSinkHandler


def in_band(band: str, confidence: float, **fields: object) -> RoutedEmail:
    email = routed(**fields)  # type: ignore[arg-type]
    extraction = email.extraction.model_copy(update={"confidence": confidence})
    return email.model_copy(update={"band": band, "extraction": extraction})


def test_the_auto_write_band_writes_every_planned_action() -> None:
    crm = FakeCrm()
    email = in_band("auto_write", 0.9)

    out = events(CrmSinkHandler(crm).handle(inbound(email)))

    assert [a.idempotency_key for a in crm.applied] == [a.idempotency_key for a in email.crm_actions]
    assert {event.status for event in out} == {"created"}


@pytest.mark.parametrize(
    ("band", "confidence", "words"),
    [("suggest", 0.72, ["suggest band at confidence 0.72", "a person confirms"]),
     ("review", 0.41, ["review band at confidence 0.41", "nothing is written", "human_review"])],
)
def test_suggest_and_review_announce_the_writes_and_write_nothing(
    band: str, confidence: float, words: list[str]
) -> None:
    crm = FakeCrm()
    email = in_band(band, confidence, queue="human_review" if band == "review" else "sales_inbound")

    out = events(CrmSinkHandler(crm).handle(inbound(email)))

    assert crm.applied == []
    assert [(e.action, e.status) for e in out] == [(a.action, "awaiting_approval") for a in email.crm_actions]
    assert [e.idempotency_key for e in out] == [a.idempotency_key for a in email.crm_actions]
    for event in out:
        assert all(word in event.response_summary for word in [*words, "Create in CRM button"])


def test_the_band_holds_writes_even_for_intents_mvp_mode_writes_on_its_own() -> None:
    crm = FakeCrm()
    email = in_band("suggest", 0.7, intent="lead")

    out = events(CrmSinkHandler(crm, auto_write_intents=frozenset({"lead"})).handle(inbound(email)))

    assert crm.applied == [] and {e.status for e in out} == {"awaiting_approval"}


def test_in_the_auto_write_band_mvp_mode_still_holds_other_intents() -> None:
    crm = FakeCrm()
    email = in_band("auto_write", 0.9, intent="support")

    out = events(CrmSinkHandler(crm, auto_write_intents=frozenset({"lead"})).handle(inbound(email)))

    assert crm.applied == []
    assert all("auto-write is off for intent support" in e.response_summary for e in out)


def test_an_ignored_email_in_the_review_band_is_still_one_ignored_decision() -> None:
    crm = FakeCrm()
    email = in_band("review", 0.3, intent="spam", ignored=True, queue="ignored")

    [event] = events(CrmSinkHandler(crm).handle(inbound(email)))

    assert (event.action, event.status) == ("none", "ignored") and crm.applied == []
