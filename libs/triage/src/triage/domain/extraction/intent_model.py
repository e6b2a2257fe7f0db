"""The learned intent model: features from headers, senders and words, scored by a linear model.

Pure: the model is data (``IntentWeights``: per-feature coefficients, one intercept per class
and a calibration temperature), trained offline with scikit-learn by
``triage_cli.intent_training`` on every labelled source in the repository and shipped as the
package data file ``triage/domain/extraction/intent_model.json`` (read with importlib.resources). Scoring is a dot product and a
tempered softmax, so the domain needs no ML library at run time.

Below the hard gates (failed authentication, a look-alike of the mailbox's domains, bulk
headers: ``intent.classify``) the model decides the intent, and its
calibrated probability for that intent is the extraction's confidence, so the band
thresholds (auto_write 0.85, suggest 0.6) read as "at least this likely to be right".
"""

from __future__ import annotations

import json
import math
import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from functools import cache
from importlib import resources

from triage.domain.models import CleanEmail, Mailbox

_WORD = re.compile(r"[^\W\d_]{2,}", re.UNICODE)
# Scripts written without spaces between words: their runs are cut into overlapping pairs.
_UNSPACED = re.compile(r"[\u3040-\u30ff\u3400-\u4dbf\u4e00-\u9fff\uac00-\ud7af]")
_BULK = frozenset({"bulk", "list", "junk"})
_FAILED = frozenset({"fail", "softfail", "hardfail", "permerror"})
_CV_FILE = re.compile(r"cv|resume|résumé|lebenslauf|curriculum|bewerbung", re.I)
_INBOXES = re.compile(
    r"^(sales|jobs?|careers?|hr|support|help|partners?|partnerships?|info|hello|contact)@"
)
_CURRENCY = r"usd|eur|gbp|chf|nok|dkk|sek|pln|jpy|brl|kr|zł|円"
_MONEY = re.compile(rf"[$€£¥]\s?\d|\d\s?(?:{_CURRENCY}|k\b|€)|\b(?:{_CURRENCY}|us\$)\s?\d", re.I)
# A document's number in the subject (an invoice, a quote, a renewal: "Q-2026-0193", "Faktura
# 880214"): what a supplier's billing carries and a first enquiry rarely does.
_REFERENCE = re.compile(r"\b[A-Z]{1,4}-\d{2,}(?:-\d+)*\b|\b\d{2,4}-\d{4,}\b|\b\d{5,}\b")
_LINK = re.compile(r"https?://", re.I)
_PHONE = re.compile(r"(?:\+|00)\d[\d ()./-]{7,}\d")
_LEGAL_FORM = re.compile(
    r"\b(?:inc|llc|ltd|gmbh|ag|kg|s\.?l|s\.?a|sas|sarl|b\.?v|n\.?v|s\.?r\.?l|s\.?p\.?a|lda|ltda|k\.?k|plc|oy|ab)\b\.?"
    r"|株式会社|有限会社",
    re.I,
)
MAX_WORDS = 400  # the newest message's first words carry the intent; the rest is cost
SHIPPED = "intent_model.json"


@dataclass(frozen=True)
class IntentWeights:
    """A multinomial linear model: one coefficient per (feature, class), one intercept per class.

    ``temperature`` divides the scores before the softmax: fitted on out-of-fold predictions
    so that a probability of 0.9 is right about nine times in ten.
    """

    classes: tuple[str, ...]
    intercepts: tuple[float, ...]
    coefficients: Mapping[str, Sequence[float]]
    temperature: float = 1.0


def weights_from_json(text: str) -> IntentWeights:
    data = json.loads(text)
    return IntentWeights(
        classes=tuple(data["classes"]),
        intercepts=tuple(data["intercepts"]),
        coefficients={name: tuple(values) for name, values in data["coefficients"].items()},
        temperature=float(data.get("temperature", 1.0)),
    )


def weights_to_json(weights: IntentWeights, about: Mapping[str, object]) -> str:
    """Deterministic text (sorted keys, one feature a line), so a rebuild compares byte for byte."""
    head = {
        "about": about,
        "classes": list(weights.classes),
        "intercepts": list(weights.intercepts),
        "temperature": weights.temperature,
    }
    lines = [json.dumps(head, sort_keys=True, ensure_ascii=False)[:-1] + ', "coefficients": {']
    items = sorted(weights.coefficients.items())
    lines += [
        f"  {json.dumps(name, ensure_ascii=False)}: {json.dumps(list(values))}"
        + ("," if index < len(items) - 1 else "")
        for index, (name, values) in enumerate(items)
    ]
    lines.append("}}")
    return "\n".join(lines) + "\n"


@cache
def shipped_weights() -> IntentWeights:
    """The model shipped with the package, read once on first use (never at import)."""
    text = resources.files("triage.domain.extraction").joinpath(SHIPPED).read_text(encoding="utf-8")
    return weights_from_json(text)


@dataclass(frozen=True)
class Signals:
    """What the rules already know about a message, as inputs to the model."""

    words: str
    free_mail: bool
    customer: bool
    own_domain: bool
    relay: str | None
    cue_scores: Mapping[str, int]
    subject: str = ""
    lookalike: bool = False
    expansion: bool = False  # buying more seats, sites or products (cues.EXPANSION)


def intent_features(clean: CleanEmail, signals: Signals, mailbox: Mailbox) -> list[str]:
    """Binary features, each named: header signals, sender signals, rule cue strengths, words."""
    return sorted(
        {*_header_features(clean), *_sender_features(signals), *_cue_features(signals)}
        | _signature_features(clean)
        | _word_features(signals.words, "w")
        | _word_features(signals.subject, "t")
        | _shape_features(signals.words)
        | _reference_features(signals.subject)
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
    # often has none).
    for name in ("dkim", "spf", "dmarc"):
        if getattr(clean.auth, name) in _FAILED:
            features.add(f"h:{name}_fail")
    if clean.in_reply_to or clean.references:
        features.add("h:reply")
    if clean.quoted:
        features.add("h:quotes")
    if any(_CV_FILE.search(a.filename or "") for a in clean.attachments):
        features.add("h:cv_attachment")
    elif clean.attachments:
        features.add("h:attachment")
    if clean.reply_to and clean.reply_to.lower() != (clean.from_email or "").lower():
        features.add("h:reply_to_elsewhere")
    for address in (clean.mailbox, *clean.to, *clean.cc):
        found = _INBOXES.match(address.lower())
        if found:
            features.add(f"h:to_{found.group(1)}")
    return features


def _sender_features(signals: Signals) -> set[str]:
    flags = {
        "s:free_mail": signals.free_mail,
        # a customer buying more is weighed as a prospect: s:customer alone pulls hard
        # towards support, and the model has seen too few expansions to outweigh it
        "s:customer": signals.customer and not signals.expansion,
        "s:own_domain": signals.own_domain,
        f"s:relay_{signals.relay}": signals.relay is not None,
        "s:short": len(signals.words.split()) < 8,
        "s:lookalike": signals.lookalike,
        "s:expansion": signals.expansion,
        "s:customer_expands": signals.customer and signals.expansion,
    }
    return {name for name, on in flags.items() if on}


def _cue_features(signals: Signals) -> set[str]:
    """The hand-written cue lists' scores, bucketed: the model learns how far to trust each."""
    scores = signals.cue_scores
    features = {f"c:{intent}_{min(score // 3, 3)}" for intent, score in scores.items() if score}
    ranked = sorted(scores, key=lambda intent: -scores[intent])
    if ranked and scores[ranked[0]]:
        margin = scores[ranked[0]] - (scores[ranked[1]] if len(ranked) > 1 else 0)
        features.add(f"c:top_{ranked[0]}")
        features.add(f"c:top_{ranked[0]}_by_{min(margin // 2, 3)}")
    else:
        features.add("c:none")
    return features


def _signature_features(clean: CleanEmail) -> set[str]:
    """A real business writes a signature: a phone, a legal form, its own website. Junk rarely."""
    signature = clean.signature or ""
    if not signature.strip():
        return {"g:none"}
    features = {"g:present"}
    if _PHONE.search(signature):
        features.add("g:phone")
    if _LEGAL_FORM.search(signature) or _LEGAL_FORM.search(clean.footer or ""):
        features.add("g:legal_form")
    domain = (clean.from_email or "").rpartition("@")[2].lower()
    if domain and domain in signature.lower():
        features.add("g:own_website")
    return features


def _shape_features(text: str) -> set[str]:
    features = set()
    if _MONEY.search(text):
        features.add("x:money")
    if sum(1 for line in text.splitlines() if _MONEY.search(line)) >= 2:
        features.add("x:money_lines")  # line items: a quote, an invoice, a price list
    links = len(_LINK.findall(text))
    if links:
        features.add(f"x:links_{min(links, 3)}")
    return features


def _reference_features(subject: str) -> set[str]:
    return {"x:reference"} if _REFERENCE.search(subject) else set()


def _word_features(text: str, prefix: str) -> set[str]:
    features = set()
    for word in _WORD.findall(text.lower())[:MAX_WORDS]:
        if _UNSPACED.search(word):
            features |= {f"{prefix}:{word[i:i + 2]}" for i in range(len(word) - 1)}
        else:
            features.add(f"{prefix}:{word}")
    return features


def intent_probabilities(weights: IntentWeights, features: Sequence[str]) -> dict[str, float]:
    """Tempered softmax over the classes' linear scores."""
    scores = list(weights.intercepts)
    for feature in features:
        for index, value in enumerate(weights.coefficients.get(feature, ())):
            scores[index] += value
    scores = [score / weights.temperature for score in scores]
    top = max(scores)
    exps = [math.exp(score - top) for score in scores]
    total = sum(exps)
    return {intent: exp / total for intent, exp in zip(weights.classes, exps, strict=True)}
