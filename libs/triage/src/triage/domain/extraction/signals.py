"""What the rules see in a message before anything decides: each intent's cue score (with
products named, application files, brand impersonation, fake replies and inbox priors)
and the ``Signals`` the intent model reads.
"""

from __future__ import annotations

import re

from triage.domain.extraction.about import About, about_whom, strip_reply_prefixes
from triage.domain.extraction.buying_phrases import EXPANSION
from triage.domain.extraction.cues import INTENT_CUES
from triage.domain.extraction.domains import EMAIL_ADDRESS, email_domain, in_domains, is_free_mail
from triage.domain.extraction.intent_model import Signals
from triage.domain.lookalike import is_lookalike
from triage.domain.models import CleanEmail, Mailbox

# Which inbox a message was sent to says something about why it was sent.
_INBOX_PRIORS = (
    (re.compile(r"^(jobs?|careers?|hr|hiring|recruit\w*|bewerbung\w*)@"), "job_applicant"),
    (re.compile(r"^(support|help|helpdesk|service|kundenservice)@"), "support"),
    (re.compile(r"^(partners?|partnerships?|vendors?|procurement)@"), "vendor"),
    (re.compile(r"^(sales|vertrieb|ventes|ventas|demo)@"), "lead"),
)
_APPLICATION_FILE = re.compile(r"cv|resume|résumé|lebenslauf|curriculum|bewerbung", re.I)
# A display name claiming a brand that the sending domain does not belong to.
# fmt: off
_IMPERSONATED_BRANDS = ("paypal", "microsoft", "office365", "apple", "amazon", "netflix", "dhl",
                        "fedex", "docusign", "wells fargo", "chase")
# fmt: on


def mentioned_products(text: str, mailbox: Mailbox) -> list[str]:
    """The mailbox's products the text names, in the order it names them."""
    positions = {
        product: found.start()
        for product in mailbox.products
        if product.strip()
        and (found := re.search(rf"(?<!\w){re.escape(product)}(?!\w)", text, re.IGNORECASE))
    }
    return sorted(positions, key=positions.__getitem__)


def intent_signals(clean: CleanEmail, mailbox: Mailbox) -> Signals:
    """What the rules see in a message, as the intent model's input (and its training data)."""
    about = about_whom(clean, mailbox)
    return signals_of(clean, about, mailbox, intent_scores(clean, about, mailbox))


def signals_of(clean: CleanEmail, about: About, mailbox: Mailbox, scores: dict[str, int]) -> Signals:
    return Signals(
        words=about.evidence,
        free_mail=is_free_mail(about.email),
        customer=in_domains(about.email, [d.lower() for d in mailbox.customer_domains]),
        own_domain=in_domains(clean.from_email, [d.lower() for d in mailbox.domains]),
        relay=about.relay,
        cue_scores=scores,
        subject=strip_reply_prefixes(clean.subject),
        lookalike=imitates_known_domain(clean, mailbox) or imitates_quoted_correspondent(clean),
        expansion=EXPANSION.search(about.evidence) is not None,
    )


def intent_scores(clean: CleanEmail, about: About, mailbox: Mailbox) -> dict[str, int]:
    scores = {intent: cues.score(about.evidence) for intent, cues in INTENT_CUES.items()}
    scores["lead"] += 3 * len(mentioned_products(about.words, mailbox))
    scores["job_applicant"] += 4 * any(
        _APPLICATION_FILE.search(attachment.filename or "") for attachment in clean.attachments
    )
    scores["spam"] += 3 * (_impersonates_brand(clean) + _fake_reply(clean))
    for intent in _inbox_priors(clean):
        scores[intent] += 1
    return scores


def _inbox_priors(clean: CleanEmail) -> list[str]:
    recipients = [clean.mailbox, *clean.to, *clean.cc]
    return [
        intent
        for pattern, intent in _INBOX_PRIORS
        if any(pattern.match(address.lower()) for address in recipients)
    ]


def _impersonates_brand(clean: CleanEmail) -> bool:
    name = (clean.from_name or "").lower()
    domain = email_domain(clean.from_email) or ""
    return any(
        brand in name and brand.replace(" ", "") not in domain for brand in _IMPERSONATED_BRANDS
    )


def _fake_reply(clean: CleanEmail) -> bool:
    """A "Re:" with nothing it replies to: a trick to look like an ongoing conversation."""
    is_reply = re.match(r"\s*(re|aw)\s*:", clean.subject, re.IGNORECASE) is not None
    return is_reply and not clean.in_reply_to and not clean.references and not clean.quoted


def imitates_known_domain(clean: CleanEmail, mailbox: Mailbox) -> bool:
    """The sender's domain dressed up as ours or a customer's (nordIicht-robotics.de)."""
    return is_lookalike(email_domain(clean.from_email), [*mailbox.domains, *mailbox.customer_domains])


def imitates_quoted_correspondent(clean: CleanEmail) -> bool:
    """A reply from a look-alike of a domain in the thread it quotes (lumenlog-io.com answering
    lumenlog.io's quote): a hijacked conversation, whatever the mailbox's own domains are."""
    sender = email_domain(clean.from_email)
    quoted = {email_domain(address) for address in EMAIL_ADDRESS.findall(clean.quoted or "")}
    correspondents = sorted(domain for domain in quoted if domain and domain != sender)
    return bool(correspondents) and is_lookalike(sender, correspondents)
