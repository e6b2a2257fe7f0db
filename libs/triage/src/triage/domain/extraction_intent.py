"""The small intent model: features from headers and words, scored by a linear model.

Pure: the model is data (``IntentWeights``: per-feature coefficients), trained
offline with scikit-learn by ``triage_cli.intent_training`` from the labelled
mail in the repository and shipped as the module
``triage.domain.extraction_intent_weights``. Scoring is a dot product and a
softmax, so the domain needs no ML library at run time.

The model is the extractor's gate (``gated_confidence``): it never changes the
rules' intent or fields, only how sure the extraction says it is, so the band
(auto_write, suggest, review) in which a person does or does not look at it.
"""

from __future__ import annotations

import math
import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass

from triage.domain.models import CleanEmail, Mailbox

_WORD = re.compile(r"[^\W\d_]{2,}", re.UNICODE)
_BULK = frozenset({"bulk", "list", "junk"})
_FAILED = frozenset({"fail", "softfail", "hardfail", "permerror"})
_CV_FILE = re.compile(r"cv|resume|résumé|lebenslauf|curriculum|bewerbung", re.I)
_INBOXES = re.compile(
    r"^(sales|jobs?|careers?|hr|support|help|partners?|partnerships?|info|hello)@"
)
MAX_WORDS = 400  # the newest message's first words carry the intent; the rest is cost

# The gate's levels, chosen by 5-fold cross-validation on gold/tuning + samples at the default bands
# (auto_write 0.85, suggest 0.6; `python -m triage_cli.intent_training --gate-cv`, docs/extraction.md).
VETO_BELOW = 0.3  # the model gives the rules' intent less than this: it disagrees ...
VETO_CAP = 0.5  # ... and the confidence is at most this, the review band: a person decides
ENDORSE_FROM = 0.5  # the model gives the rules' intent at least this: it agrees ...
ENDORSE_MIN = 0.6  # ... and when the rules alone are at least this sure (never from review) ...
ENDORSED = 0.85  # ... the confidence is at least this, the auto_write band


@dataclass(frozen=True)
class IntentWeights:
    """A multinomial linear model: one coefficient per (feature, class), one intercept per class."""

    classes: tuple[str, ...]
    intercepts: tuple[float, ...]
    coefficients: Mapping[str, Sequence[float]]


@dataclass(frozen=True)
class Signals:
    """What the rules already know about a message, as inputs to the model."""

    words: str
    free_mail: bool
    customer: bool
    own_domain: bool
    relay: str | None
    cue_scores: Mapping[str, int]


def intent_features(clean: CleanEmail, signals: Signals, mailbox: Mailbox) -> list[str]:
    """Binary features, each named: header signals, rule cue strengths and words."""
    return sorted(
        {*_header_features(clean), *_sender_features(signals), *_cue_features(signals)}
        | _word_features(signals.words)
    )


def _header_features(clean: CleanEmail) -> set[str]:
    features = set()
    if clean.list_unsubscribe:
        features.add("h:list_unsubscribe")
    if clean.precedence in _BULK:
        features.add("h:precedence_bulk")
    if clean.auto_submitted:
        features.add("h:auto_submitted")
    # Only failures: a missing or passing verdict says little (forwarded and internal mail
    # often has none), and the gold set's authors were not careful to vary it.
    for name in ("dkim", "spf", "dmarc"):
        if getattr(clean.auth, name) in _FAILED:
            features.add(f"h:{name}_fail")
    if clean.in_reply_to or clean.references:
        features.add("h:reply")
    if any(_CV_FILE.search(a.filename or "") for a in clean.attachments):
        features.add("h:cv_attachment")
    elif clean.attachments:
        features.add("h:attachment")
    for address in (clean.mailbox, *clean.to, *clean.cc):
        found = _INBOXES.match(address.lower())
        if found:
            features.add(f"h:to_{found.group(1)}")
    return features


def _sender_features(signals: Signals) -> set[str]:
    flags = {
        "s:free_mail": signals.free_mail,
        "s:customer": signals.customer,
        "s:own_domain": signals.own_domain,
        f"s:relay_{signals.relay}": signals.relay is not None,
        "s:short": len(signals.words.split()) < 8,
    }
    return {name for name, on in flags.items() if on}


def _cue_features(signals: Signals) -> set[str]:
    """The rules' keyword scores, bucketed: the model learns how far to trust each."""
    return {
        f"c:{intent}_{min(score // 3, 3)}" for intent, score in signals.cue_scores.items() if score
    }


def _word_features(text: str) -> set[str]:
    words = _WORD.findall(text.lower())[:MAX_WORDS]
    return {f"w:{word}" for word in words}


def intent_probabilities(weights: IntentWeights, features: Sequence[str]) -> dict[str, float]:
    """Softmax over the classes' linear scores."""
    scores = list(weights.intercepts)
    for feature in features:
        for index, value in enumerate(weights.coefficients.get(feature, ())):
            scores[index] += value
    top = max(scores)
    exps = [math.exp(score - top) for score in scores]
    total = sum(exps)
    return {intent: exp / total for intent, exp in zip(weights.classes, exps, strict=True)}


def gated_confidence(rules: float, model: float) -> float:
    """The rules' confidence, vetoed or endorsed by the model's probability for the rules' intent.

    A veto sends the email to a person whatever the rules thought; an endorsement lifts a
    suggest-band email into auto_write but never one the rules alone would send to review,
    since the model reads the rules' cue scores and its agreement is not independent evidence.
    """
    if model < VETO_BELOW:
        return min(rules, VETO_CAP)
    if model >= ENDORSE_FROM and rules >= ENDORSE_MIN:
        return max(rules, ENDORSED)
    return rules
