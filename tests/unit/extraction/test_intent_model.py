"""The intent model's features, scoring, calibration and place behind the hard gates (pure),
on cases small enough to check by hand."""

from __future__ import annotations

import math

import pytest

from triage.domain.extraction import extract_fields
from triage.domain.extraction.intent_model import (
    IntentWeights,
    Signals,
    intent_features,
    intent_probabilities,
    shipped_weights,
    weights_from_json,
    weights_to_json,
)
from triage.domain.extraction.signals import intent_signals
from triage.domain.models import AuthVerdicts, CleanEmail, Mailbox
from triage.domain.pipeline import EPOCH

MAILBOX = Mailbox(company="Lumora Analytics", domains=["lumora.io"], customer_domains=["globex.com"])


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

    features = intent_features(message, signals(free_mail=True, subject="Quote"), MAILBOX)

    assert {
        "h:list_unsubscribe",
        "h:dkim_fail",
        "h:to_sales",
        "s:free_mail",
        "s:short",
        "c:lead_2",
        "c:top_lead",
        "w:pricing",
        "w:radar",
        "t:quote",
    } <= set(features)
    assert "c:spam_0" not in features  # a cue that did not fire is no feature
    assert "h:spf_pass" not in features  # only failed verdicts are signals
    assert features == sorted(features)


def test_text_without_spaces_between_words_is_read_in_overlapping_pairs() -> None:
    features = intent_features(clean(), signals(words="見積もりをお願いします"), MAILBOX)

    assert {"w:見積", "w:積も", "w:願い"} <= set(features)


@pytest.mark.parametrize("subject", ["Faktura 880214 – servere", "Renewal quote Q-2026-0193", "Tilbud 24-11873",
                                     "Factuur CH-2026-004417"])
def test_a_document_number_in_the_subject_is_a_feature(subject: str) -> None:
    assert "x:reference" in intent_features(clean(), signals(subject=subject), MAILBOX)


@pytest.mark.parametrize("subject", ["Pricing for 40 seats in 2026", "Demo next week?", "Call on 12/03"])
def test_a_year_a_count_or_a_date_is_no_document_number(subject: str) -> None:
    assert "x:reference" not in intent_features(clean(), signals(subject=subject), MAILBOX)


def test_line_items_in_any_currency_are_a_feature_one_amount_is_not() -> None:
    invoice = "3 x Dedikeret server   DKK 13.500,00\nBackup 5 TB   DKK 1.250,00\nI alt 18.437,50"
    features = intent_features(clean(), signals(words=invoice), MAILBOX)
    assert {"x:money", "x:money_lines"} <= set(features)
    one = intent_features(clean(), signals(words="Our budget is NOK 400 000 for the pilot."), MAILBOX)
    assert "x:money" in one and "x:money_lines" not in one


def test_probabilities_are_a_tempered_softmax_of_linear_scores() -> None:
    coefficients = {"w:demo": (2.0, -1.0)}
    plain = IntentWeights(classes=("lead", "spam"), intercepts=(0.0, 1.0), coefficients=coefficients)
    sharper = IntentWeights(("lead", "spam"), (0.0, 1.0), coefficients, temperature=0.5)

    # scores: lead 0 + 2 = 2, spam 1 - 1 = 0; a temperature of 0.5 doubles them
    assert intent_probabilities(plain, ["w:demo", "w:unknown"])["lead"] == pytest.approx(
        math.exp(2) / (math.exp(2) + 1)
    )
    assert intent_probabilities(sharper, ["w:demo"])["lead"] == pytest.approx(math.exp(4) / (math.exp(4) + 1))
    assert sum(intent_probabilities(sharper, ["w:demo"]).values()) == pytest.approx(1.0)


def test_weights_round_trip_through_their_data_file() -> None:
    weights = IntentWeights(("lead", "spam"), (0.5, -0.5), {"w:b": (1.0, 2.0), "w:a": (0.0, -1.0)}, 0.7)

    text = weights_to_json(weights, {"rows": 2})

    assert weights_from_json(text) == IntentWeights(
        ("lead", "spam"), (0.5, -0.5), {"w:a": (0.0, -1.0), "w:b": (1.0, 2.0)}, 0.7
    )
    assert text == weights_to_json(weights_from_json(text), {"rows": 2})  # deterministic


MESSAGE = clean(
    subject="Demo request",
    text="We would like a demo and pricing for Revenue Radar for our sales team this quarter.",
    from_email="ana@brightwater.com",
)


def sure_of(intent: str) -> IntentWeights:
    others = [name for name in ("lead", "spam", "vendor", "support") if name != intent]
    return IntentWeights(classes=(intent, *others), intercepts=(6.0, 0.0, 0.0, 0.0), coefficients={})


@pytest.mark.parametrize("intent", ["lead", "vendor", "support"])
def test_below_the_hard_gates_the_model_decides_the_intent_and_its_probability_is_the_confidence(
    intent: str,
) -> None:
    outcome = extract_fields(MESSAGE, MAILBOX, sure_of(intent))

    expected = math.exp(6) / (math.exp(6) + 3)
    assert (outcome.extraction.intent, outcome.decided_by) == (intent, "intent_model")
    assert outcome.extraction.confidence == pytest.approx(expected, abs=1e-4)


def test_failed_authentication_with_bait_is_spam_whatever_the_model_says() -> None:
    phish = MESSAGE.model_copy(update={
        "auth": AuthVerdicts(dkim="fail", spf="fail", dmarc="fail"),
        "text": "Your mailbox is full. Verify your account within 24 hours to release held messages.",
    })

    outcome = extract_fields(phish, MAILBOX, sure_of("lead"))

    assert (outcome.extraction.intent, outcome.decided_by) == ("spam", "auth_fail")


@pytest.mark.parametrize("sender", ["ceo@lurnora.io", "billing@lumora-io.co", "ap@lumora.io.co", "x@g1obex.com"])
def test_a_look_alike_of_our_own_or_a_customers_domain_is_spam_whatever_the_model_says(sender: str) -> None:
    outcome = extract_fields(MESSAGE.model_copy(update={"from_email": sender}), MAILBOX, sure_of("lead"))

    assert (outcome.extraction.intent, outcome.decided_by) == ("spam", "lookalike_domain")
    assert outcome.extraction.person.email is None  # junk senders are not recorded


def test_bulk_headers_leave_the_model_only_the_kinds_of_bulk_mail() -> None:
    bulk = MESSAGE.model_copy(update={"list_unsubscribe": True})

    assert extract_fields(bulk, MAILBOX, sure_of("lead")).extraction.intent in {"newsletter", "vendor", "spam"}
    vendor = extract_fields(bulk, MAILBOX, sure_of("vendor"))
    assert (vendor.extraction.intent, vendor.decided_by) == ("vendor", "bulk_headers")
    assert extract_fields(bulk, MAILBOX, None).extraction.intent == "newsletter"  # rules only


def test_without_a_model_the_keyword_vote_decides() -> None:
    outcome = extract_fields(MESSAGE, MAILBOX, None)

    assert (outcome.extraction.intent, outcome.decided_by) == ("lead", "keywords")


def test_the_shipped_model_is_the_default_and_is_calibrated() -> None:
    shipped = shipped_weights()

    assert extract_fields(MESSAGE, MAILBOX) == extract_fields(MESSAGE, MAILBOX, shipped)
    assert 0.1 < shipped.temperature < 5
    assert set(shipped.classes) == {"lead", "support", "vendor", "job_applicant", "newsletter", "spam"}


def test_a_reply_from_a_look_alike_of_a_domain_in_the_quoted_thread_is_spam() -> None:
    # A hijacked thread: lumenlog-io.com answers the quote lumenlog.io sent, asking for the
    # payment to go to a new account. Neither domain is ours or a customer's.
    thread = "From: Rachel Kim <rachel.kim@lumenlog.io>\nSubject: Renewal quote Q-2026-0193\n> Please find the quote"
    hijack = MESSAGE.model_copy(update={"from_email": "rachel.kim@lumenlog-io.com", "quoted": thread})
    genuine = MESSAGE.model_copy(update={"from_email": "rachel.kim@lumenlog.io", "quoted": thread})

    outcome = extract_fields(hijack, MAILBOX, sure_of("vendor"))

    assert (outcome.extraction.intent, outcome.decided_by) == ("spam", "thread_lookalike")
    assert extract_fields(genuine, MAILBOX, sure_of("vendor")).decided_by == "intent_model"


def test_a_customer_buying_more_is_weighed_as_a_prospect_not_as_a_customer() -> None:
    # s:customer pulls hard towards support (most customer mail is); a customer buying more
    # seats is a lead by the gold conventions, so it carries its own features instead.
    more = signals("We'd like to add 6 more licenses", customer=True, expansion=True)
    buying = set(intent_features(clean(), more, MAILBOX))
    asking = set(intent_features(clean(), signals(customer=True), MAILBOX))

    assert {"s:expansion", "s:customer_expands"} <= buying and "s:customer" not in buying
    assert "s:customer" in asking and "s:customer_expands" not in asking


def test_the_signals_see_a_customer_buying_more_in_the_text() -> None:
    message = clean(text="Hi Ana, we'd like to add 6 more licenses for Contagem.", from_email="rui@globex.com")

    seen = intent_signals(message, MAILBOX)

    assert (seen.customer, seen.expansion) == (True, True)

