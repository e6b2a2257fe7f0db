"""The local extractor: intent and fields from the signals real mail carries.

Deterministic and offline, so it is the default extractor, the fallback when
a provider is down, and the baseline an LLM has to beat on the gold set. It
first unwraps relays (website forms, a colleague's forward) to find whom the
email is about, decides intent through gates ordered by how hard their
evidence is to fake (authentication, bulk headers, customer domain, then
words), and fills each field only from evidence in the email: a value it
cannot point at is null.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Final, Literal

from triage.domain.extraction.about import About, about_whom
from triage.domain.extraction.action import required_action
from triage.domain.extraction.budget import stated_budget
from triage.domain.extraction.company import company_of
from triage.domain.extraction.evidence import supported
from triage.domain.extraction.intent import classify
from triage.domain.extraction.intent_model import IntentWeights, shipped_weights
from triage.domain.extraction.person import person_of
from triage.domain.extraction.quotes import quoted_evidence
from triage.domain.extraction.region import SOUTHERN_HEMISPHERE, located_region
from triage.domain.extraction.signals import intent_scores, mentioned_products
from triage.domain.extraction.summary import summarize
from triage.domain.extraction.timeline import stated_timeline
from triage.domain.models import Budget, CleanEmail, Extraction, Intent, Interest, Mailbox

MODEL = "local-rules"
MODEL_VERSION = "28"  # 3: evidence spans; 4: the intent model gates the confidence; 5: it decides; 6: dated timelines, company grammar; 7: periods by their middle, Nordic/Finnish/Polish dates, more legal forms; 8: the intent model reads line items, more currencies and a subject's document number; 9: web forms and applicant-tracking notices in Nordic, Dutch, Portuguese, Italian, Polish, Finnish and Japanese; 10: Nordic, Finnish and Polish forward prefixes (VS:, VB:, VL:, PD:); 11: a domain that drops a descriptor word ("studioferrante"), whose newsletter it is ("Nyhetsbrev från X"); 12: Czech, Slovak and Hungarian months, lower-case Central European names, budgets per user with their count and in more languages; 13: form labels in Czech, Slovak and Hungarian, table-rendered forms ("Label value"); 14: price requests in Nordic, Finnish, Polish, Czech, Slovak, Hungarian, Japanese and Korean; 15: a mailbox's own domains are never look-alikes of each other, Czech/Slovak/Hungarian seasons, "u nás ve firmě X", form labels of two names; 16: an applicant's words in Italian, Portuguese, Dutch, Nordic, Finnish, Polish, Czech, Slovak and Hungarian; 17: every client language's reply and forward prefixes stripped from the subject (Odp:, Vá:, Antw:, PD:, VS:); 18: "I work at X" in Polish, Czech, Slovak and Nordic, a From name with a legal form is the firm, "Brand – Legal Name, S.A." lines; 19: vendor, support and fraud words in fourteen languages, a customer buying more, a look-alike of a quoted correspondent, opt-out lines are prose, horizons in whole months; 20: a buyer's words in the Nordic and Central European languages; 21: forgotten passwords, a supplier's bill, a customer buying more weighed as a prospect; 22: national free mail, a free-mail sender's work address, "my w X"; 23: weak cues after a negation do not vote; 24: "ACR – Full Name" publishers; 25: Nordic and other languages' extra users and quotes, a screen that freezes, "you are receiving this" footers in nine languages; 26: four more independent sets in training, our own firm addressed above a letter, articles inside names, "luglio al più tardi", a known customer named from a private address; 27: chat transcripts and Reply-To-only forms, Catalan introductions, elided articles, "antes de la temporada de", a timestamp is no deadline, a short sentence after a meeting request, more support and expansion words; 28: a southern sender's seasons (ADR 0041)


@dataclass(frozen=True)
class ExtractionOutcome:
    extraction: Extraction
    decided_by: str
    model: str = MODEL
    model_version: str = MODEL_VERSION


SHIPPED_MODEL: Final = "shipped"  # extract_fields' default: the model shipped with the package


def extract_fields(
    clean: CleanEmail,
    mailbox: Mailbox,
    weights: IntentWeights | Literal["shipped"] | None = SHIPPED_MODEL,
) -> ExtractionOutcome:
    """Hard gates, then the intent model (``weights``: the shipped one unless given; ``None``:
    the hand-weighted keyword vote) decide the intent; the fields come from the email."""
    model = shipped_weights() if weights == SHIPPED_MODEL else weights
    about = about_whom(clean, mailbox)
    scores = intent_scores(clean, about, mailbox)
    verdict = classify(clean, about, mailbox, scores, model)
    extraction = fields_for(verdict.intent, clean, about, mailbox, verdict.confidence)
    return ExtractionOutcome(extraction=extraction, decided_by=verdict.decided_by)


def fields_for(
    intent: Intent, clean: CleanEmail, about: About, mailbox: Mailbox, confidence: float
) -> Extraction:
    """Each field from the email, with the span it came from; a value without one is null."""
    is_lead = intent == "lead"
    budget = stated_budget(about.words) if is_lead else None
    region = None if intent == "spam" else located_region(intent, about, clean)
    # a season is the sender's: "verano" from Buenos Aires starts in December
    southern = region is not None and region.value in SOUTHERN_HEMISPHERE
    timeline = stated_timeline(about.words, clean.date, southern) if is_lead else None
    extraction = Extraction(
        intent=intent,
        person=person_of(intent, about),
        company=company_of(intent, clean, about, mailbox),
        interest=Interest(
            products=mentioned_products(about.words, mailbox)
            if intent in ("lead", "support")
            else []
        ),
        budget=Budget(annual_amount_usd=budget.value if budget else None),
        timeline=timeline.value if timeline else "unknown",
        region=region.value if region else None,
        summary=summarize(about),
        required_action=required_action(intent, about.words),
        confidence=confidence,
    )
    found = {"budget.annual_amount_usd": budget, "timeline": timeline, "region": region}
    evidence = quoted_evidence(extraction, clean, about, found)
    return supported(extraction.model_copy(update={"evidence": evidence}))
