"""The intent model's features and scoring (pure), on cases small enough to check by hand."""

from __future__ import annotations

import math

import pytest

from triage.domain.extract import extract_fields
from triage.domain.extraction_intent import (
    IntentWeights,
    Signals,
    intent_features,
    intent_probabilities,
)
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


def test_a_sure_model_overrides_the_keywords_and_without_weights_the_rules_decide() -> None:
    message = clean(
        subject="Hello",
        text="We would like to talk about your product.",
        from_email="ana@brightwater.com",
    )
    sure_spam = IntentWeights(classes=("lead", "spam"), intercepts=(0.0, 5.0), coefficients={})

    assert extract_fields(message, MAILBOX, sure_spam).decided_by == "intent_model"
    assert extract_fields(message, MAILBOX, sure_spam).extraction.intent == "spam"
    assert extract_fields(message, MAILBOX, None).decided_by != "intent_model"
