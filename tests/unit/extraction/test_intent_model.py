"""The intent model's features, scoring and gate (pure), on cases small enough to check by hand."""

from __future__ import annotations

import math

import pytest

from triage.domain.bands import DEFAULT_BANDS, confidence_band
from triage.domain.extract import extract_fields
from triage.domain.extraction_intent import (
    IntentWeights,
    Signals,
    gated_confidence,
    intent_features,
    intent_probabilities,
)
from triage.domain.extraction_intent_weights import WEIGHTS
from triage.domain.models import AuthVerdicts, CleanEmail, Mailbox
from triage.domain.pipeline import EPOCH

MAILBOX = Mailbox(company="Lumora Analytics", domains=["lumora.io"])


def clean(**fields: object) -> CleanEmail:
    base = {"email_id": "e", "thread_id": "t", "mailbox": "sales@lumora.io", "received_at": EPOCH}
    return CleanEmail.model_validate({**base, **fields})


def signals(words: str = "Please send pricing for Revenue Radar", **fields: object) -> Signals:
    base = {
        "free_mail": False,
        "customer": False,
        "own_domain": False,
        "relay": None,
        "cue_scores": {"lead": 6, "spam": 0},
    }
    return Signals(words=words, **{**base, **fields})  # type: ignore[arg-type]


def test_features_name_headers_sender_cues_and_words() -> None:
    message = clean(list_unsubscribe=True, auth=AuthVerdicts(dkim="fail", spf="pass"))

    features = intent_features(message, signals(free_mail=True), MAILBOX)

    assert {
        "h:list_unsubscribe",
        "h:dkim_fail",
        "h:to_sales",
        "s:free_mail",
        "s:short",
        "c:lead_2",
        "w:pricing",
        "w:radar",
    } <= set(features)
    assert "c:spam_0" not in features  # a cue that did not fire is no feature
    assert "h:spf_pass" not in features  # only failed verdicts are signals
    assert features == sorted(features)


def test_probabilities_are_a_softmax_of_linear_scores() -> None:
    weights = IntentWeights(
        classes=("lead", "spam"), intercepts=(0.0, 1.0), coefficients={"w:demo": (2.0, -1.0)}
    )

    probabilities = intent_probabilities(weights, ["w:demo", "w:unknown"])

    # scores: lead 0 + 2 = 2, spam 1 - 1 = 0
    assert probabilities["lead"] == pytest.approx(math.exp(2) / (math.exp(2) + 1))
    assert sum(probabilities.values()) == pytest.approx(1.0)


MESSAGE = clean(
    subject="Demo request",
    text="We would like a demo and pricing for Revenue Radar for our sales team this quarter.",
    from_email="ana@brightwater.com",
)


def sure_of(intent: str) -> IntentWeights:
    others = [name for name in ("lead", "spam", "vendor") if name != intent]
    return IntentWeights(
        classes=(intent, *others), intercepts=(6.0, 0.0, 0.0), coefficients={}
    )


@pytest.mark.parametrize("rules", [0.6, 0.7, 0.85, 0.95])
def test_when_the_model_agrees_the_confidence_is_kept_or_raised_to_auto_write(rules: float) -> None:
    gated = gated_confidence(rules, 0.9)

    assert gated >= rules
    assert gated >= DEFAULT_BANDS.auto_write


@pytest.mark.parametrize("rules", [0.53, 0.6, 0.85, 0.95])
def test_when_the_model_strongly_disagrees_a_person_sees_the_email(rules: float) -> None:
    gated = gated_confidence(rules, 0.05)

    assert gated < DEFAULT_BANDS.auto_write
    assert confidence_band(gated, DEFAULT_BANDS) == "review"


def test_the_model_never_lifts_an_email_the_rules_would_send_to_review() -> None:
    assert gated_confidence(0.3, 0.99) == 0.3
    assert gated_confidence(0.53, 0.99) == 0.53


def test_an_unsure_model_leaves_the_rules_confidence_alone() -> None:
    assert gated_confidence(0.77, 0.4) == 0.77
    assert gated_confidence(0.95, 0.4) == 0.95


def test_the_gate_is_bounded_monotone_in_the_model_and_deterministic() -> None:
    levels = [i / 20 for i in range(21)]
    for rules in levels:
        gated = [gated_confidence(rules, model) for model in levels]
        assert all(0.0 <= value <= 1.0 for value in gated)
        assert gated == sorted(gated)  # more agreement never means less confidence
        assert gated == [gated_confidence(rules, model) for model in levels]


def test_the_model_gates_the_confidence_but_never_the_intent_or_the_fields() -> None:
    rules_only = extract_fields(MESSAGE, MAILBOX, None)
    agrees = extract_fields(MESSAGE, MAILBOX, sure_of("lead"))
    disagrees = extract_fields(MESSAGE, MAILBOX, sure_of("spam"))

    assert rules_only.extraction.intent == "lead"
    assert agrees.extraction.confidence >= max(rules_only.extraction.confidence, 0.85)
    assert disagrees.extraction.confidence < 0.6
    for outcome in (agrees, disagrees):
        assert outcome.decided_by == rules_only.decided_by
        unchanged = outcome.extraction.model_copy(update={"confidence": 0.0})
        assert unchanged == rules_only.extraction.model_copy(update={"confidence": 0.0})


def test_the_shipped_model_is_the_default() -> None:
    assert extract_fields(MESSAGE, MAILBOX) == extract_fields(MESSAGE, MAILBOX, WEIGHTS)
