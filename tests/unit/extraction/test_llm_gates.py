"""The cost-control gates and confidence bands, as pure functions (issue 5, point 4)."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from triage.domain.bands import ConfidenceBands, confidence_band
from triage.domain.extraction.llm_gates import (
    GatePolicy,
    ThreadClassification,
    blocklisted,
    invalid_llm_result,
    llm_gate,
    local_result,
    needs_large_model,
    reused_extraction,
    word_count,
)
from triage.domain.models import AuthVerdicts, CleanEmail, Extraction, ForwardedMessage, Mailbox

NOW = datetime(2026, 1, 12, 9, 30, tzinfo=UTC)
POLICY = GatePolicy(blocklist=frozenset({"spammer@junk.example", "listseller.example"}))
MAILBOX = Mailbox(company="Lumora Analytics", domains=["lumora.io"], products=["Revenue Radar"])
TEXT = "We would like a demo of Revenue Radar for our sales team next month, budget $40,000."


def email(text: str = TEXT, **update: object) -> CleanEmail:
    fields: dict[str, object] = {
        "email_id": "e1", "thread_id": "t1", "mailbox": "sales@lumora.io", "received_at": NOW,
        "from_name": "Jane Doe", "from_email": "jane@acme-robotics.com", "subject": "Demo",
        "text": text,
    }
    return CleanEmail.model_validate({**fields, **update})


def previous(hours_ago: float, intent: str = "lead") -> ThreadClassification:
    return ThreadClassification(intent, 0.9, "small-m", NOW - timedelta(hours=hours_ago))  # type: ignore[arg-type]


def extraction(intent: str = "lead", confidence: float = 0.8) -> Extraction:
    return Extraction(intent=intent, required_action="schedule_demo", confidence=confidence)  # type: ignore[arg-type]


def test_an_ordinary_email_goes_to_the_llm() -> None:
    decision = llm_gate(email(), None, NOW, POLICY)
    assert (decision.route, decision.decided_by) == ("llm", "llm")


@pytest.mark.parametrize("verdict", ["fail", "FAIL", "permerror"])
def test_dkim_failure_means_no_llm_call(verdict: str) -> None:
    decision = llm_gate(email(auth=AuthVerdicts(dkim=verdict)), None, NOW, POLICY)
    assert (decision.route, decision.decided_by) == ("local", "auth_fail")


@pytest.mark.parametrize("verdict", ["pass", "none", None])
def test_dkim_pass_or_absent_is_no_failure(verdict: str | None) -> None:
    assert llm_gate(email(auth=AuthVerdicts(dkim=verdict)), None, NOW, POLICY).route == "llm"


def test_dkim_failure_wins_over_a_recent_thread_classification() -> None:
    decision = llm_gate(email(auth=AuthVerdicts(dkim="fail")), previous(1), NOW, POLICY)
    assert decision.decided_by == "auth_fail"


@pytest.mark.parametrize(
    ("sender", "blocked"),
    [
        ("spammer@junk.example", True),
        ("SPAMMER@JUNK.EXAMPLE", True),
        ("other@junk.example", False),
        ("sales@listseller.example", True),
        ("a@mail.listseller.example", True),
        ("a@notlistseller.example", False),
        (None, False),
    ],
)
def test_blocklist_matches_addresses_domains_and_subdomains(sender: str | None, blocked: bool) -> None:
    assert blocklisted(sender, POLICY.blocklist) is blocked


def test_a_blocklisted_sender_or_reply_to_means_no_llm_call() -> None:
    by_from = llm_gate(email(from_email="x@listseller.example"), None, NOW, POLICY)
    by_reply_to = llm_gate(email(reply_to="spammer@junk.example"), None, NOW, POLICY)
    assert (by_from.route, by_from.decided_by) == ("local", "blocklist")
    assert (by_reply_to.route, by_reply_to.decided_by) == ("local", "blocklist")


def test_an_empty_blocklist_blocks_nothing() -> None:
    assert not blocklisted("anyone@anywhere.example", frozenset())


@pytest.mark.parametrize(("text", "short"), [("Thanks, Tuesday works.", True),
                                             ("one two three four five", True),
                                             ("one two three four five six", False),
                                             ("", True)])
def test_messages_under_six_words_stay_local(text: str, short: bool) -> None:
    decision = llm_gate(email(text), None, NOW, POLICY)
    assert (decision.decided_by == "short_message") is short
    assert decision.route == ("local" if short else "llm")


def test_a_forwards_text_counts_as_words() -> None:
    forwarded = ForwardedMessage(text="please send me your pricing for ten seats")
    assert word_count(email("FYI", forwarded=forwarded)) == 9


def test_a_short_message_keeps_the_local_result_at_low_confidence() -> None:
    decision = llm_gate(email("ok"), None, NOW, POLICY)
    assert local_result(extraction(confidence=0.9), decision, POLICY).confidence == 0.4
    assert local_result(extraction(confidence=0.2), decision, POLICY).confidence == 0.2


def test_other_local_gates_keep_the_local_confidence() -> None:
    decision = llm_gate(email(auth=AuthVerdicts(dkim="fail")), None, NOW, POLICY)
    assert local_result(extraction(confidence=0.9), decision, POLICY).confidence == 0.9


def test_a_thread_classified_in_the_last_24_hours_is_reused() -> None:
    decision = llm_gate(email(), previous(23.9), NOW, POLICY)
    assert (decision.route, decision.decided_by) == ("reuse", "thread_reuse")
    assert "small-m" in decision.reason


def test_an_older_thread_classification_is_not_reused() -> None:
    assert llm_gate(email(), previous(24.1), NOW, POLICY).route == "llm"


def test_the_reuse_window_is_configurable() -> None:
    policy = GatePolicy(reuse_within=timedelta(hours=1))
    assert llm_gate(email(), previous(2), NOW, policy).route == "llm"
    assert llm_gate(email(), previous(0.5), NOW, policy).route == "reuse"


def test_a_reused_classification_reads_this_messages_fields_as_the_threads_intent() -> None:
    reused = reused_extraction(email(), MAILBOX, previous(1, "lead"))
    assert (reused.intent, reused.confidence) == ("lead", 0.9)
    assert reused.person.email == "jane@acme-robotics.com"
    assert reused.budget.annual_amount_usd == 40_000


def test_the_large_model_only_for_configured_intents() -> None:
    assert needs_large_model(extraction("lead"), POLICY)
    assert needs_large_model(extraction("support"), POLICY)
    assert not needs_large_model(extraction("vendor"), POLICY)
    assert not needs_large_model(extraction("lead"), GatePolicy(large_model_intents=frozenset()))
    assert needs_large_model(extraction("vendor"), GatePolicy(large_model_intents=frozenset({"vendor"})))


def test_invalid_llm_output_keeps_the_local_fields_at_confidence_zero() -> None:
    local = extraction(confidence=0.9)
    assert invalid_llm_result(local) == local.model_copy(update={"confidence": 0.0})


@pytest.mark.parametrize(
    ("confidence", "band"),
    [(1.0, "auto_write"), (0.85, "auto_write"), (0.849, "suggest"), (0.6, "suggest"),
     (0.59, "review"), (0.0, "review")],
)
def test_confidence_bands_default_thresholds(confidence: float, band: str) -> None:
    assert confidence_band(confidence, ConfidenceBands()) == band


def test_confidence_bands_from_configuration() -> None:
    bands = ConfidenceBands(auto_write=0.95, suggest=0.5)
    assert confidence_band(0.9, bands) == "suggest"
    assert confidence_band(0.5, bands) == "suggest"
    assert confidence_band(0.49, bands) == "review"


def test_confidence_bands_must_be_ordered() -> None:
    with pytest.raises(ValueError):
        ConfidenceBands(auto_write=0.5, suggest=0.6)


def test_the_domains_default_bands_are_the_settings_defaults() -> None:
    """The thresholds are configured in one place; the pure default must not drift from it."""
    from triage.domain.bands import DEFAULT_BANDS
    from triage.platform.settings import ExtractSettings

    fields = ExtractSettings.model_fields
    assert (fields["triage_confidence_auto_write"].default, fields["triage_confidence_suggest"].default) == (
        DEFAULT_BANDS.auto_write, DEFAULT_BANDS.suggest)
