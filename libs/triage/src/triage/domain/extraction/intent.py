"""Deciding the intent: hard gates first, in order of how hard their evidence is to fake
(failed authentication, a look-alike domain, bulk headers), then the learned intent model
(``intent_model``); without a model, the softer gates and the keyword vote.
"""

from __future__ import annotations

from dataclasses import dataclass

from triage.domain.extraction.about import About
from triage.domain.extraction.domains import in_domains, is_free_mail
from triage.domain.extraction.intent_model import (
    IntentWeights,
    intent_features,
    intent_probabilities,
)
from triage.domain.extraction.signals import (
    imitates_known_domain,
    imitates_quoted_correspondent,
    signals_of,
)
from triage.domain.models import CleanEmail, Intent, Mailbox

_BULK_PRECEDENCE = frozenset({"bulk", "list", "junk"})
_AUTH_FAILURES = frozenset({"fail", "softfail", "hardfail", "permerror"})


@dataclass(frozen=True)
class Verdict:
    intent: Intent
    decided_by: str
    confidence: float


def classify(
    clean: CleanEmail,
    about: About,
    mailbox: Mailbox,
    scores: dict[str, int],
    model: IntentWeights | None,
) -> Verdict:
    """Hard gates first, in order of how hard their evidence is to fake (failed authentication,
    a look-alike of the mailbox's own or a customer's domain, bulk headers); below them the
    learned intent model decides, its calibrated probability the confidence. Without a model
    (``TRIAGE_INTENT_MODEL=off``) the rules' softer gates and the keyword vote decide instead.
    """
    features = _model_features(clean, about, mailbox, scores)
    if about.relay is None:
        verdict = _spam_gate(clean, scores, mailbox, hard_only=model is not None)
        verdict = verdict or _bulk_gate(clean, model, features)
        if verdict:
            return verdict
    if model is not None:
        return _relayed(_model_verdict(model, features), about.relay)
    verdict = _customer_gate(about, scores, mailbox)
    if verdict is None and about.relay == "web_form":
        verdict = _form_gate(scores)
    return _relayed(verdict or _keyword_gate(scores, about), about.relay)


# What the model's probability cannot know: a message none of the cue lists speak for is
# decided by the intercepts alone, and a one-liner carries too little to act on unseen.
NO_CUE_CAP = 0.5  # the review band: a person decides
SHORT_CAP = 0.75  # the suggest band: a person approves


def _model_verdict(model: IntentWeights, features: list[str]) -> Verdict:
    probabilities = intent_probabilities(model, features)
    intent = max(_KEYWORD_INTENTS, key=lambda name: probabilities.get(name, 0.0))
    confidence = probabilities[intent]
    if "c:none" in features:
        confidence = min(confidence, NO_CUE_CAP)
    if "s:short" in features:
        confidence = min(confidence, SHORT_CAP)
    return Verdict(intent, "intent_model", round(confidence, 4))  # type: ignore[arg-type]


def _model_features(
    clean: CleanEmail, about: About, mailbox: Mailbox, scores: dict[str, int]
) -> list[str]:
    return intent_features(clean, signals_of(clean, about, mailbox, scores), mailbox)


def _auth_failed(clean: CleanEmail) -> bool:
    return any(
        verdict in _AUTH_FAILURES for verdict in (clean.auth.dkim, clean.auth.spf, clean.auth.dmarc)
    )


def _spoofs_known_domain(clean: CleanEmail, mailbox: Mailbox) -> bool:
    """DMARC failing for our own or a customer's domain: someone is impersonating them."""
    known = [domain.lower() for domain in (*mailbox.domains, *mailbox.customer_domains)]
    return clean.auth.dmarc in _AUTH_FAILURES and in_domains(clean.from_email, known)


def _spam_gate(
    clean: CleanEmail, scores: dict[str, int], mailbox: Mailbox, hard_only: bool = False
) -> Verdict | None:
    bait = scores["spam"]
    if _auth_failed(clean) and (bait >= 3 or _spoofs_known_domain(clean, mailbox)):
        return Verdict("spam", "auth_fail", 0.95)
    if imitates_known_domain(clean, mailbox):
        return Verdict("spam", "lookalike_domain", 0.95)
    if imitates_quoted_correspondent(clean):
        return Verdict("spam", "thread_lookalike", 0.95)
    if hard_only:  # below this, keyword evidence: the model weighs it
        return None
    # A real company pitches from its own domain; a free-mail pitch is junk.
    if (
        is_free_mail(clean.from_email)
        and max(bait, scores["vendor"]) >= 3
        and max(bait, scores["vendor"]) > max(scores["lead"], scores["job_applicant"])
    ):
        return Verdict("spam", "free_mail_junk", 0.85)
    if bait >= 6 and bait > max(scores["lead"], scores["support"], scores["vendor"]):
        return Verdict("spam", "bait", 0.8)
    return None


_BULK_INTENTS = ("newsletter", "vendor", "spam")


def _bulk_gate(
    clean: CleanEmail, model: IntentWeights | None, features: list[str]
) -> Verdict | None:
    """Bulk headers say the mail went to a list; which kind of bulk (the newsletter one signed
    up for, a vendor's campaign, junk) the model decides among those three."""
    if not (clean.list_unsubscribe or clean.precedence in _BULK_PRECEDENCE):
        return None
    if model is None:
        return Verdict("newsletter", "bulk_headers", 0.9)
    probabilities = intent_probabilities(model, features)
    total = sum(probabilities.get(name, 0.0) for name in _BULK_INTENTS) or 1.0
    intent = max(_BULK_INTENTS, key=lambda name: probabilities.get(name, 0.0))
    return Verdict(intent, "bulk_headers", round(probabilities.get(intent, 0.0) / total, 4))  # type: ignore[arg-type]


def _customer_gate(about: About, scores: dict[str, int], mailbox: Mailbox) -> Verdict | None:
    customers = [domain.lower() for domain in mailbox.customer_domains]
    if in_domains(about.email, customers):
        return Verdict("support", "customer_domain", 0.9 if scores["support"] else 0.75)
    return None


def _form_gate(scores: dict[str, int]) -> Verdict:
    """A website form is how prospects reach sales, unless the form plainly says otherwise."""
    others = ("job_applicant", "vendor", "spam", "support")
    other = max(others, key=scores.__getitem__)
    if scores[other] >= 6 and scores[other] > scores["lead"]:
        return Verdict(other, "web_form_keywords", 0.75)  # type: ignore[arg-type]
    return Verdict("lead", "web_form", 0.85)


# Order breaks ties: a prospect mistaken for a vendor costs more than the reverse.
_KEYWORD_INTENTS = ("lead", "support", "job_applicant", "vendor", "spam", "newsletter")


def _keyword_gate(scores: dict[str, int], about: About) -> Verdict:
    ranked = sorted(_KEYWORD_INTENTS, key=lambda intent: -scores[intent])
    best, runner_up = ranked[0], ranked[1]
    if scores[best] == 0:
        return Verdict("lead", "default", 0.3)
    confidence = keyword_confidence(scores[best], scores[best] - scores[runner_up], about.words)
    return Verdict(best, "keywords", confidence)  # type: ignore[arg-type]


def keyword_confidence(top: int, margin: int, text: str) -> float:
    """More agreeing cues, and a wider lead over the runner-up, mean more confidence."""
    confidence = 0.35 + 0.06 * min(top, 6) + 0.06 * min(margin, 5)
    if len(text.split()) < 6:
        confidence *= 0.6  # a one-liner carries too little to be sure of anything
    return round(min(confidence, 0.95), 2)


def _relayed(verdict: Verdict, relay: str | None) -> Verdict:
    if relay != "forward":
        return verdict
    return Verdict(verdict.intent, f"forward:{verdict.decided_by}", verdict.confidence)
