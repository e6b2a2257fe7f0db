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

import re
import unicodedata
from collections.abc import Callable, Iterable, Iterator, Mapping
from dataclasses import dataclass, field
from datetime import datetime
from typing import Final, Generic, Literal, TypeVar

from triage.domain.evidence import field_values, first_located, locate, supported
from triage.domain.extraction_company import (
    NAME_JOINERS,
    acronym_name,
    company_field,
    introduced_name,
    is_capital,
    japanese_name,
    published_by,
)
from triage.domain.extraction_dates import dated_horizons
from triage.domain.extraction_intent import (
    IntentWeights,
    Signals,
    intent_features,
    intent_probabilities,
    shipped_weights,
)
from triage.domain.extraction_legal import LEGAL_FORMS
from triage.domain.extraction_timing import (
    BUYING_PHRASES,
    CONTRAST_WORDS,
    LATER_PHRASES,
    MEETING_PHRASES,
    NOW_PHRASES,
    QUARTER_PHRASES,
    SIX_MONTH_PHRASES,
)
from triage.domain.lookalike import is_lookalike
from triage.domain.models import (
    Budget,
    CleanEmail,
    Company,
    Evidence,
    EvidenceSource,
    Extraction,
    Intent,
    Interest,
    Mailbox,
    Person,
    RequiredAction,
    Timeline,
)
from triage.domain.normalize import split_body

_T = TypeVar("_T", covariant=True)  # a Found[float] is a Found[object]

MODEL = "local-rules"
MODEL_VERSION = "7"  # 3: evidence spans; 4: the intent model gates the confidence; 5: it decides; 6: dated timelines, company grammar; 7: periods by their middle, Nordic/Finnish/Polish dates, more legal forms

# fmt: off
FREE_MAIL_DOMAINS = frozenset({
    "gmail.com", "googlemail.com", "outlook.com", "hotmail.com", "live.com", "yahoo.com",
    "icloud.com", "me.com", "aol.com", "proton.me", "protonmail.com", "gmx.de", "gmx.net",
    "web.de", "yandex.ru", "mail.ru", "qq.com", "163.com",
})
# fmt: on


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
    timeline = stated_timeline(about.words, clean.date) if is_lead else None
    region = None if intent == "spam" else located_region(intent, about, clean)
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


@dataclass(frozen=True)
class Found(Generic[_T]):
    """A value read from a phrase of the email (fullest phrasing first), and where to look."""

    value: _T
    phrases: tuple[str, ...]
    sources: tuple[EvidenceSource, ...] = ()


def quoted_evidence(
    extraction: Extraction, clean: CleanEmail, about: About, found: Mapping[str, Found[object] | None]
) -> list[Evidence]:
    """The span of every quoted value: found phrases as they are, other values where written."""
    spans: list[Evidence] = []
    for path, value in field_values(extraction).items():
        phrase = found.get(path)
        if phrase is not None:  # read from what the sender wrote unless the finder says where
            sources = phrase.sources or about.sources_of("subject", "text")
            spans += _listed(first_located(clean, path, phrase.phrases, sources))
        elif path == "person.name":
            spans += _name_evidence(clean, about, str(value))
        elif path == "company.domain":
            spans += _listed(_domain_evidence(clean, about, str(value)))
        else:
            spans += _listed(locate(clean, path, str(value), _value_sources(path, about)))
    return spans


def _listed(evidence: Evidence | None) -> list[Evidence]:
    return [] if evidence is None else [evidence]


def _value_sources(path: str, about: About) -> tuple[EvidenceSource, ...]:
    if path == "person.email":
        return about.sources_of("email")
    if path == "company.name":  # the signature, the text, a form, a footer or a publisher's name
        return (*about.sources_of("signature", "text", "footer", "subject", "name"),
                "footer", "signature", "text", "from_name")  # fmt: skip
    return about.sources_of("subject", "text")  # products, named in what the sender wrote


def _name_evidence(clean: CleanEmail, about: About, name: str) -> list[Evidence]:
    """Where the name is written whole, else a form's first and last name fields."""
    sources = about.sources_of("name", "signature", "text")
    whole = locate(clean, "person.name", name, sources)
    if whole is not None:
        return [whole]
    parts = [locate(clean, "person.name", about.form.get(key), sources)
             for key in ("first_name", "last_name")]  # fmt: skip
    return [part for part in parts if part is not None]


def _domain_evidence(clean: CleanEmail, about: About, domain: str) -> Evidence | None:
    """The address the domain was derived from, else the website that spells it."""
    addresses = [a for a in (about.email, clean.from_email) if company_domain(a) == domain]
    sources = (*about.sources_of("email"), "from_email", *about.sources_of("signature"))
    return first_located(clean, "company.domain", [*addresses, domain], sources)


# ---------------------------------------------------------------- whom the email is about


@dataclass(frozen=True)
class About:
    """The person an email is about and what they wrote, after unwrapping relays."""

    name: str | None
    email: str | None
    subject: str
    text: str
    signature: str = ""
    footer: str = ""
    relay: str | None = None
    form: dict[str, str] = field(default_factory=dict)
    #: where each part (name, email, subject, text, signature, footer) is in email.clean
    sources: Mapping[str, tuple[EvidenceSource, ...]] = field(default_factory=dict)

    def sources_of(self, *parts: str) -> tuple[EvidenceSource, ...]:
        return tuple(source for part in parts for source in self.sources.get(part, ()))

    @property
    def words(self) -> str:
        """What the sender wrote: the basis of every field."""
        return f"{self.subject}\n{self.text}"

    @property
    def evidence(self) -> str:
        """Everything that votes on intent: opt-out footers betray cold pitches."""
        return f"{self.words}\n{self.footer}"


def about_whom(clean: CleanEmail, mailbox: Mailbox) -> About:
    form = relayed_form(clean)
    if form:
        return _from_form(clean, form)
    if is_colleague_forward(clean, mailbox):
        return _from_forward(clean)
    return About(
        name=clean.from_name,
        email=clean.from_email,
        subject=clean.subject,
        text=clean.text,
        signature=clean.signature or "",
        footer=clean.footer or "",
        sources=_DIRECT_SOURCES,
    )


_DIRECT_SOURCES: dict[str, tuple[EvidenceSource, ...]] = {
    "name": ("from_name",),
    "email": ("from_email",),
    "subject": ("subject",),
    "text": ("text",),
    "signature": ("signature",),
    "footer": ("footer",),
}
# A form's fields are lines of the notification's text.
_FORM_SOURCES: dict[str, tuple[EvidenceSource, ...]] = {
    "name": ("text",), "email": ("text",), "subject": ("subject",), "text": ("text",),
}  # fmt: skip
# A forward's original: its header, then its text (which holds its signature and footer).
_FORWARD_SOURCES: dict[str, tuple[EvidenceSource, ...]] = {
    "name": ("forwarded.from_name", "forwarded.text", "text"),
    "email": ("forwarded.from_email", "forwarded.text", "text"),
    "subject": ("forwarded.subject", "subject"),
    "text": ("forwarded.text", "text"),
    "signature": ("forwarded.text", "text"),
    "footer": ("forwarded.text", "text"),
}

_RELAY_SENDER = re.compile(
    r"no-?reply|do-?not-?reply|forms?\b|web-?forms?|notifications?|notify|wordpress|website|"
    r"webmaster|contact-?form|typeform|hubspot|jotform|formspree|wufoo|formrelay",
    re.IGNORECASE,
)
_FORM_FIELD = re.compile(r"^\s*\*?([^\W\d][\w '/?-]{0,30}?)\*?\s*[:\t]\s*(.*)$")
# fmt: off
_FORM_LABELS = {
    "name": "name", "full name": "name", "your name": "name", "nombre": "name", "nom": "name",
    "candidate": "name", "applicant": "name",
    "first name": "first_name", "vorname": "first_name", "prénom": "first_name",
    "last name": "last_name", "nachname": "last_name", "surname": "last_name",
    "apellido": "last_name", "apellidos": "last_name",
    "email": "email", "e-mail": "email", "email address": "email", "your email": "email",
    "work email": "email", "business email": "email", "correo": "email",
    "correo electrónico": "email", "e-mail-adresse": "email", "courriel": "email",
    "company": "company", "company name": "company", "organization": "company",
    "organisation": "company", "firma": "company", "unternehmen": "company",
    "entreprise": "company", "société": "company", "empresa": "company",
    "phone": "phone", "telephone": "phone", "phone number": "phone", "telefon": "phone",
    "téléphone": "phone", "teléfono": "phone",
    "country": "country", "land": "country", "pays": "country", "país": "country",
    "location": "location", "city": "location", "standort": "location", "ville": "location",
    "message": "message", "comments": "message", "comment": "message", "nachricht": "message",
    "mensaje": "message", "how can we help": "message", "how can we help?": "message",
    "details": "message", "inquiry": "message", "anfrage": "message", "demande": "message",
}
# fmt: on
_APPLIED_NAME = re.compile(
    r"^([A-Z][\w'’-]+(?: [A-Z][\w'’-]+){1,3}) (?:has )?(?:applied|submitted|sent)\b", re.MULTILINE
)


def relayed_form(clean: CleanEmail) -> dict[str, str]:
    """The fields of a website-form or applicant-tracking notification, or {} if not one."""
    if not _RELAY_SENDER.search(f"{clean.from_name or ''} {clean.from_email or ''}"):
        return {}
    fields = form_fields(clean.text)
    applied = _APPLIED_NAME.search(clean.text)
    if "name" not in fields and applied:
        fields["name"] = applied.group(1)
    identifying = {"name", "first_name", "company"} & fields.keys()
    return fields if "email" in fields and identifying else {}


def form_fields(text: str) -> dict[str, str]:
    """"Label: value" lines, or a label alone on its line with the value below it (the
    stacked layout of WPForms, Gravity Forms and many others)."""
    fields: dict[str, str] = {}
    lines = text.split("\n")
    for index, line in enumerate(lines):
        match = _FORM_FIELD.match(line)
        key = _FORM_LABELS.get(match.group(1).strip().lower()) if match else None
        if match and key and key not in fields:
            value = _form_message(lines, index) if key == "message" else match.group(2).strip()
            if value:
                fields[key] = value
            continue
        key = _stacked_label(line)
        if key and key not in fields:
            value = _stacked_value(lines, index, key)
            if value:
                fields[key] = value
    return fields


def _stacked_label(line: str) -> str | None:
    return _FORM_LABELS.get(line.strip().rstrip(":").strip().lower())


def _stacked_value(lines: list[str], index: int, key: str) -> str:
    """The lines under a stacked label, up to the next label (one line, unless a message)."""
    collected: list[str] = []
    for line in lines[index + 1:]:
        if _stacked_label(line) or _FORM_FIELD.match(line) and _FORM_LABELS.get(
                _FORM_FIELD.match(line).group(1).strip().lower()):  # type: ignore[union-attr]
            break
        if not line.strip() and collected and key != "message":
            break
        if line.strip() or collected:
            collected.append(line.strip())
    return ("\n".join(collected) if key == "message" else " ".join(collected[:1])).strip()


def _form_message(lines: list[str], index: int) -> str:
    """A message field runs on until the next labelled field."""
    collected = [_FORM_FIELD.match(lines[index]).group(2).strip()]  # type: ignore[union-attr]
    for line in lines[index + 1 :]:
        match = _FORM_FIELD.match(line)
        if match and match.group(1).strip().lower() in _FORM_LABELS:
            break
        collected.append(line.strip())
    return "\n".join(collected).strip()


def _from_form(clean: CleanEmail, form: dict[str, str]) -> About:
    name = form.get("name") or " ".join(
        part for part in (form.get("first_name"), form.get("last_name")) if part
    )
    found = _EMAIL.search(form.get("email", ""))
    return About(
        name=name or None,
        email=found.group(0).lower() if found else None,
        subject=clean.subject,
        text=clean.text,  # every field counts: budget, timeline and products are fields too
        relay="web_form",
        form=form,
        sources=_FORM_SOURCES,
    )


def is_colleague_forward(clean: CleanEmail, mailbox: Mailbox) -> bool:
    forwarded = clean.forwarded
    if forwarded is None or not forwarded.from_email:
        return False
    own = [domain.lower() for domain in mailbox.domains]
    return _in_domains(clean.from_email, own) and not _in_domains(forwarded.from_email, own)


def _from_forward(clean: CleanEmail) -> About:
    forwarded = clean.forwarded
    assert forwarded is not None  # guarded by is_colleague_forward
    parts = split_body(forwarded.text, forwarded.from_name)
    return About(
        name=forwarded.from_name,
        email=forwarded.from_email,
        subject=forwarded.subject or _strip_reply_prefixes(clean.subject),
        text=parts.text,
        signature=parts.signature or "",
        footer=parts.footer or "",
        relay="forward",
        sources=_FORWARD_SOURCES,
    )


def _strip_reply_prefixes(subject: str) -> str:
    return re.sub(r"^\s*((re|aw|sv|fwd?|fw|wg|tr|rv|enc)\s*:\s*)+", "", subject, flags=re.I)


# ---------------------------------------------------------------- domains

_EMAIL = re.compile(r"[\w.+'-]+@[\w-]+(?:\.[\w-]+)+")
_WEBSITE = re.compile(
    r"(?<![@\w.])(?:https?://)?(?:www\.)?((?:[a-z0-9-]+\.)+[a-z]{2,})(?![\w@])", re.I
)
# Second-level labels under which companies register (acme.co.uk, acme.com.au).
_SECOND_LEVEL = frozenset({"co", "com", "org", "net", "ac", "gov", "ltd", "plc", "edu", "gob"})


def email_domain(address: str | None) -> str | None:
    if not address or "@" not in address:
        return None
    return address.rsplit("@", 1)[1].strip().strip(">").lower() or None


def registrable_domain(domain: str) -> str:
    """mail.eu.acme.co.uk → acme.co.uk: the part a company actually owns."""
    labels = domain.lower().split(".")
    keep = 3 if len(labels) >= 3 and labels[-2] in _SECOND_LEVEL and len(labels[-1]) == 2 else 2
    return ".".join(labels[-keep:])


def is_free_mail(address: str | None) -> bool:
    domain = email_domain(address)
    return domain is not None and registrable_domain(domain) in FREE_MAIL_DOMAINS


def company_domain(address: str | None) -> str | None:
    domain = email_domain(address)
    if domain is None or is_free_mail(address):
        return None
    return registrable_domain(domain)


def domain_label(domain: str) -> str:
    return registrable_domain(domain).split(".")[0]


def _website_domain(signature: str) -> str | None:
    """A free-mail sender's company is the website in their signature, if any."""
    for match in _WEBSITE.finditer(signature):
        domain = registrable_domain(match.group(1))
        if domain not in FREE_MAIL_DOMAINS and not domain.startswith("linkedin."):
            return domain
    return None


def _in_domains(address: str | None, domains: Iterable[str]) -> bool:
    domain = email_domain(address)
    return domain is not None and any(
        domain == own or domain.endswith("." + own) for own in domains
    )


# ---------------------------------------------------------------- keyword cues


def _cue(*phrases: str) -> re.Pattern[str]:
    """Whole-word, case-insensitive alternatives (phrases are regex fragments)."""
    return re.compile(r"(?<!\w)(?:" + "|".join(phrases) + r")(?!\w)", re.IGNORECASE)


@dataclass(frozen=True)
class Cues:
    """Phrases that vote for one intent; a strong one counts three times a weak one."""

    strong: re.Pattern[str]
    weak: re.Pattern[str]

    def score(self, text: str) -> int:
        return 3 * _distinct(self.strong, text) + _distinct(self.weak, text)


def _distinct(pattern: re.Pattern[str], text: str) -> int:
    return len({match.group(0).lower() for match in pattern.finditer(text)})


# fmt: off
INTENT_CUES: dict[str, Cues] = {
    "lead": Cues(
        strong=_cue(
            r"demo", r"demonstration", r"walkthrough", r"pricing", r"price list", r"(?:a|formal) quote",
            r"quote (?:request|for)", r"quotation", r"free trial", r"trial", r"purchas(?:e|ing)",
            r"licen[cs]es", r"procurement", r"rfp", r"request for proposal",
            r"evaluat(?:e|ing|ion)", r"interested in (?:your|the|a)", r"budget(?:ed)?", r"pilot",
            r"shortlist",
            r"anfrage", r"angebot", r"preise", r"preisliste", r"vorführung", r"interessier(?:t|en)",
            r"lizenzen", r"testversion",
            r"devis", r"tarifs?", r"tarification", r"démo", r"démonstration", r"intéressée?s?",
            r"essai gratuit",
            r"presupuesto", r"cotización", r"precios", r"demostración", r"interesad[oa]s?",
            r"nos interesa", r"me interesa", r"demonstração", r"temos interesse", r"cotação",
            r"tabela de preços", r"siamo interessati", r"preventivo", r"listino", r"geïnteresseerd",
            r"offerte",
        ),
        weak=_cue(
            r"looking for a (?:solution|tool|platform|vendor)", r"how much",
            r"roll(?:ing)? ?out", r"\d+ (?:users|seats|reps)", r"get started", r"switch(?:ing)? from",
            r"replace our", r"alternative to", r"our team", r"use case", r"sign up", r"seats",
            r"notre équipe", r"nuestro equipo", r"unser team", r"prueba",
        ),
    ),
    "support": Cues(
        strong=_cue(
            r"not working", r"(?:doesn't|does not|don't|isn't|is not|won't|haven't) (?:work|load|sync|refresh)\w*",
            r"stopped working", r"error", r"bug", r"broken", r"crash(?:es|ed|ing)?", r"outage",
            r"(?:is|are|went) down", r"can'?t (?:log|sign) ?in", r"cannot (?:log|sign) ?in",
            r"unable to", r"can'?t access", r"cannot access", r"locked out",
            r"reset (?:my|our) password", r"password reset", r"ticket", r"issue with",
            r"problem with", r"fail(?:s|ing|ed)", r"stuck", r"missing", r"incident",
            r"funktioniert nicht", r"fehler(?:meldung)?", r"störung", r"geht nicht",
            r"kein zugriff", r"ausfall", r"absturz",
            r"ne fonctionne (?:pas|plus)", r"ne marche (?:pas|plus)", r"erreur", r"panne",
            r"impossible de",
            r"no funciona", r"fallo", r"incidencia", r"no puedo",
        ),
        weak=_cue(
            r"help", r"support", r"our account", r"invoice", r"billing", r"refund", r"renewal",
            r"subscription", r"problem", r"issue", r"urgent", r"question", r"configur\w+",
            r"hilfe", r"rechnung", r"aide", r"facture", r"problème", r"ayuda", r"factura",
            r"problema",
        ),
    ),
    "vendor": Cues(
        strong=_cue(
            r"we help (?:\w+ ){0,2}(?:companies|businesses|teams|brands|startups|firms|saas)",
            r"we speciali[sz]e", r"(?:our|an?) agency", r"outsourc\w*", r"offshore",
            r"white[- ]label", r"lead gen(?:eration)?", r"seo", r"backlinks?", r"guest post",
            r"partnerships?", r"partner program", r"partner with you", r"co-marketing",
            r"referral (?:share|fee|commission)", r"reseller", r"affiliate", r"our services",
            r"our (?:solution|platform|tool|software|team) (?:helps|can help|enables)",
            r"we can help you", r"increase your", r"boost your", r"grow your", r"scale your",
            r"would you be open to", r"open to a (?:quick|short|brief|free)", r"\d{2}[- ]minutes? (?:call|chat|teardown|audit)",
            r"quick call", r"worth a (?:chat|conversation)", r"i'?d love to show you",
            r"(?:free|quick) (?:\d{2}[- ]minute )?(?:audit|teardown|review|assessment)",
            r"(?:packages|retainers|plans) (?:start|starts) at", r"pricing is per",
            r"(?:teams|companies|tools?|businesses) (?:like|similar to) yours",
            r"we recently helped", r"recent work includes", r"can i send (?:it|you|over|a|the)",
            r"for (?:b2b|saas)(?: \w+)? (?:companies|sites|websites|teams|brands|businesses)",
            r"we (?:usually|typically|recently|often) (?:lift|help|increase|boost|grow|double|see)",
            r"our clients", r"across our clients",
            r"appointment setting", r"qualified meetings", r"dedicated developers",
            r"staff augmentation", r"sponsor(?:ship)?", r"not the right person", r"opt out",
            r"rather not hear from me",
            r"wir helfen (?:\w+ ){0,2}unternehmen", r"agentur", r"partnerschaft", r"kooperation",
            r"unsere dienstleistungen", r"nous aidons (?:\w+ ){0,2}entreprises", r"notre agence",
            r"partenariat", r"nos services", r"ayudamos a (?:\w+ ){0,2}(?:empresas|compañías)",
            r"nuestra agencia", r"alianza", r"nuestros servicios",
        ),
        weak=_cue(
            r"book a (?:call|time|meeting)", r"calendly", r"my calendar", r"collaboration",
            r"zusammenarbeit", r"colaboración", r"roi", r"agency", r"agencia", r"studio",
            r"integration", r"our customers", r"we (?:make|produce|create|design|build) \w+",
        ),
    ),
    "job_applicant": Cues(
        strong=_cue(
            r"resume", r"résumé", r"cv", r"curriculum vitae", r"cover (?:letter|note)",
            r"my application", r"job application", r"new application", r"application\s*[-:–]",
            r"appl(?:y|ying) for", r"application for", r"job opening", r"open position",
            r"vacancy", r"internship", r"applied (?:on|via|for)", r"hiring (?:team|manager)",
            r"recruiting team",
            r"bewerbung", r"lebenslauf", r"anschreiben", r"stellenanzeige", r"bewerbe mich",
            r"praktikum", r"candidature", r"lettre de motivation", r"offre d'emploi", r"postuler",
            r"candidatura", r"currículum", r"carta de presentación", r"solicitud de empleo",
            r"oferta de empleo", r"vacante", r"postular",
        ),
        weak=_cue(
            r"position", r"role", r"years of experience", r"careers?(?: page| portal)?",
            r"portfolio", r"linkedin", r"hiring", r"stelle", r"poste", r"puesto", r"candidate",
        ),
    ),
    "spam": Cues(
        strong=_cue(
            r"bitcoin", r"btc", r"crypto(?:currency)?", r"lottery", r"you(?:'ve| have) won",
            r"inheritance", r"beneficiary", r"next of kin", r"wire transfer", r"western union",
            r"moneygram", r"verify your (?:account|identity|email|mailbox)",
            r"account (?:has been |was |will be )?(?:suspended|locked|compromised|deactivated)",
            r"confirm your (?:password|credentials|account|login|bank(?:ing)? details|payment details)",
            r"password (?:will )?expires?", r"unusual sign[- ]in", r"gift ?cards?",
            r"claim (?:your|my|within)", r"million (?:dollars|usd)", r"viagra", r"casino",
            r"investment opportunity", r"guaranteed (?:\d+% )?(?:\w+ )?(?:returns?|profit)",
            r"100% free", r"risk[- ]free", r"mailbox (?:is )?full", r"(?:storage|quota) (?:limit|exceeded|is full)",
            r"payment (?:is )?overdue", r"dear (?:friend|beneficiary|winner|partner)",
            r"final notice", r"action required", r"not an invoice",
            r"search engine (?:submission|registration|listing)", r"this is not (?:a )?spam",
            r"reply with \W?remove", r"release (?:held|your) messages", r"remittance advice",
            r"confirm your (?:current )?password", r"sign in with your (?:work |email )?account",
            r"(?:has been|was) shared with you", r"avoid (?:lockout|suspension|deactivation)",
            r"expires? (?:today|in \d+ hours)",
            r"gewinner", r"gewonnen", r"erbschaft", r"konto (?:wurde )?gesperrt",
            r"gagnant", r"héritage", r"compte (?:a été )?suspendu",
            r"ganador", r"herencia", r"cuenta suspendida",
        ),
        weak=_cue(
            r"click (?:here|below)", r"act now", r"limited time", r"urgent(?:ly)?", r"kindly",
            r"password", r"passwort", r"mot de passe", r"contraseña", r"congratulations",
            r"loan", r"within (?:24|48|72) hours", r"winner", r"secure payment",
        ),
    ),
    "newsletter": Cues(
        strong=_cue(
            r"newsletter", r"unsubscribe", r"view (?:this email )?in (?:your )?browser",
            r"weekly digest", r"this week'?s", r"issue #?\d+", r"abmelden", r"se désinscrire",
            r"désabonner", r"darse de baja",
        ),
        weak=_cue(r"digest", r"edition", r"webinar", r"read more", r"top stories", r"release notes"),
    ),
}
# fmt: on

# Which inbox a message was sent to says something about why it was sent.
_INBOX_PRIORS = (
    (re.compile(r"^(jobs?|careers?|hr|hiring|recruit\w*|bewerbung\w*)@"), "job_applicant"),
    (re.compile(r"^(support|help|helpdesk|service|kundenservice)@"), "support"),
    (re.compile(r"^(partners?|partnerships?|vendors?|procurement)@"), "vendor"),
    (re.compile(r"^(sales|vertrieb|ventes|ventas|demo)@"), "lead"),
)
_APPLICATION_FILE = re.compile(r"cv|resume|résumé|lebenslauf|curriculum|bewerbung", re.I)
_BULK_PRECEDENCE = frozenset({"bulk", "list", "junk"})
_AUTH_FAILURES = frozenset({"fail", "softfail", "hardfail", "permerror"})
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


# ---------------------------------------------------------------- intent


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
    return intent_features(clean, _signals(clean, about, mailbox, scores), mailbox)


def intent_signals(clean: CleanEmail, mailbox: Mailbox) -> Signals:
    """What the rules see in a message, as the intent model's input (and its training data)."""
    about = about_whom(clean, mailbox)
    return _signals(clean, about, mailbox, intent_scores(clean, about, mailbox))


def _signals(clean: CleanEmail, about: About, mailbox: Mailbox, scores: dict[str, int]) -> Signals:
    return Signals(
        words=about.evidence,
        free_mail=is_free_mail(about.email),
        customer=_in_domains(about.email, [d.lower() for d in mailbox.customer_domains]),
        own_domain=_in_domains(clean.from_email, [d.lower() for d in mailbox.domains]),
        relay=about.relay,
        cue_scores=scores,
        subject=_strip_reply_prefixes(clean.subject),
        lookalike=_imitates_known_domain(clean, mailbox),
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


def _auth_failed(clean: CleanEmail) -> bool:
    return any(
        verdict in _AUTH_FAILURES for verdict in (clean.auth.dkim, clean.auth.spf, clean.auth.dmarc)
    )


def _spoofs_known_domain(clean: CleanEmail, mailbox: Mailbox) -> bool:
    """DMARC failing for our own or a customer's domain: someone is impersonating them."""
    known = [domain.lower() for domain in (*mailbox.domains, *mailbox.customer_domains)]
    return clean.auth.dmarc in _AUTH_FAILURES and _in_domains(clean.from_email, known)


def _imitates_known_domain(clean: CleanEmail, mailbox: Mailbox) -> bool:
    """The sender's domain dressed up as ours or a customer's (nordIicht-robotics.de)."""
    return is_lookalike(email_domain(clean.from_email), [*mailbox.domains, *mailbox.customer_domains])


def _spam_gate(
    clean: CleanEmail, scores: dict[str, int], mailbox: Mailbox, hard_only: bool = False
) -> Verdict | None:
    bait = scores["spam"]
    if _auth_failed(clean) and (bait >= 3 or _spoofs_known_domain(clean, mailbox)):
        return Verdict("spam", "auth_fail", 0.95)
    if _imitates_known_domain(clean, mailbox):
        return Verdict("spam", "lookalike_domain", 0.95)
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
    if _in_domains(about.email, customers):
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


# ---------------------------------------------------------------- person and company


def person_of(intent: Intent, about: About) -> Person:
    if intent in ("spam", "newsletter"):
        return Person()
    return Person(
        name=_clean_name(about.name) or signature_name(about.signature), email=about.email
    )


def _clean_name(name: str | None) -> str | None:
    if not name or "@" in name or _RELAY_SENDER.search(name):
        return None
    return name.strip(" \"'") or None


_NAME_LINE = re.compile(r"[-–—]?\s?([A-ZÀ-Ý][\w'’.-]+(?: [A-ZÀ-Ý][\w'’.-]+){1,3})")


def signature_name(signature: str) -> str | None:
    """The first line after the sign-off that reads like a person's name."""
    for line in signature.split("\n")[:4]:
        match = _NAME_LINE.fullmatch(line.strip())
        if match and not _LEGAL_SUFFIX.search(line):
            return match.group(1)
    return None


# Legal forms in the languages mail arrives in (several words first: "GmbH & Co. KG").
_SUFFIXES = LEGAL_FORMS
_LEGAL_SUFFIX = re.compile(rf"\b(?:{_SUFFIXES})\.?$")
_TRAILING_FORM = re.compile(rf",?\s+(?:{_SUFFIXES})\.?$")
# Split signature lines into parts, but keep "Acme, Inc." together.
# A sentence's end ("…at clinicops.media. ClinicOps Media Ltd") and an opening parenthesis
# ("newsletter of X (Editrice Y S.r.l., P.IVA …)") start a part too.
_SEGMENT_SPLIT = re.compile(
    rf"\s*(?:\||·|•|,(?!\s*(?:{_SUFFIXES})\b)|\s[-–—/]\s|(?<=[a-z]{{3}}\.)\s(?=[A-ZÀ-Ý])|"
    rf"\s\((?=[A-ZÀ-Ý]))\s*"
)
# A footer's labels name the register, not the company; some name another company.
# fmt: off
_OTHER_PARTY_LABELS = re.compile(
    r"(?:gesellschafter\w*|komplementär\w*|general partner|geschäftsführ\w*|managing director|"
    r"director|vorstand|aufsichtsrat|sitz|registered office|registered in|siège social|siège|"
    r"domicilio social|sede legale|sede|handelsregister|registergericht|amtsgericht|"
    r"registro mercantil|inscrit\w*|rcs|kvk|btw|ust-idnr|vat|tva|cif|nif|p\.\s?iva|c\.f\.)\W*$",
    re.IGNORECASE,
)
_REGISTER_WORDS = re.compile(
    r"(?<!\w)(?:impressum|handelsregister|registergericht|amtsgericht|registered office|"
    r"registro mercantil|siège social|hrb|hra|kvk|ust-idnr)(?!\w)",
    re.IGNORECASE,
)
# fmt: on


def company_of(
    intent: Intent, clean: CleanEmail, about: About, mailbox: Mailbox | None = None
) -> Company:
    if intent in ("spam", "job_applicant"):
        return Company()
    if intent == "newsletter":
        return publisher_of(clean)
    domain = company_domain(about.email) or _website_domain(about.signature)
    relayed = about.relay or _RELAY_SENDER.search(clean.from_email or "")  # stacked form fields
    form = about.form.get("company") or (company_field(about.text) if relayed else None)
    own = _own_names(mailbox)
    name = _without_aside(form) or company_name(about, domain, own)
    return Company(name=name, domain=domain)


def _own_names(mailbox: Mailbox | None) -> frozenset[str]:
    """The mailbox's own company, as squashed names: a quoted reply carries its signature."""
    if mailbox is None:
        return frozenset()
    names = {_squash(mailbox.company), *(_squash(domain_label(d)) for d in mailbox.domains)}
    return frozenset(name for name in names if name)


def _without_aside(name: str | None) -> str | None:
    """"Hôtel Les Tilleuls (Dijon)": the name without its parenthesised aside."""
    return re.sub(r"\s*\([^)]*\)?\s*$", "", name).strip() or None if name else None


def company_name(
    about: About, domain: str | None, own: frozenset[str] = frozenset()
) -> str | None:
    """The name as the sender writes it (signature, their introduction, then the body);
    null when never written, never a person's name nor the mailbox's own company."""
    label = _squash(domain_label(domain)) if domain else ""
    people = (about.name,) if about.name else ()  # a signature's first name line may be the firm
    finders: tuple[Callable[[], str | None], ...] = (
        lambda: _written_name(about.signature, label),
        lambda: _suffixed_name(about.text, label) or japanese_name(about.text),
        lambda: introduced_name(about.text, people, label),
        lambda: _name_spelling(about.text, label),
        lambda: _written_name(about.footer, label),
    )
    for finder in finders:
        found = finder()
        if found and not _names_a_person(found, people) and not _is_own(found, own):
            return found
    return None


def _is_own(name: str, own: frozenset[str]) -> bool:
    squashed = _squash(_TRAILING_FORM.sub("", name))
    return any(squashed == mine or (len(mine) >= 5 and squashed.startswith(mine)) for mine in own)


def _written_name(text: str, label: str) -> str | None:
    return _suffixed_name(text, label) or japanese_name(text) or _name_spelling(text, label)


def _names_a_person(name: str, people: tuple[str, ...]) -> bool:
    return any(_squash(name) == _squash(person) for person in people)


def _segments(text: str) -> list[str]:
    """A text's lines, split at separators; "株式会社X (X K.K.)" gives both names."""
    return [
        part.strip()
        for line in _unwrapped(text)
        for segment in _SEGMENT_SPLIT.split(line.strip())
        for part in _PARENTHESES.split(segment)
        if part.strip()
    ]


def _unwrapped(text: str, width: int = 60) -> list[str]:
    """The text's lines, a hard-wrapped line (long, no end mark) joined to the next."""
    lines: list[str] = []
    for line in text.split("\n"):
        wrapped = lines and len(lines[-1]) >= width and lines[-1][-1:] not in ".!?:;"
        if wrapped and line.strip():
            lines[-1] = f"{lines[-1].rstrip()} {line.strip()}"
        else:
            lines.append(line)
    return lines


_PARENTHESES = re.compile(r"\s+\((?=[^)]{3,}\)$)|(?<=\w\.)\)$|(?<=\w)\)$")


def _suffixed_name(text: str, label: str, words: int = 6) -> str | None:
    """A short part ending in a legal suffix ("Globex Corporation"), the domain's own first;
    after a footer's label ("Impressum: X GmbH"), never a register entry or another party."""
    names = [
        name
        for segment in _segments(text)
        if (part := _after_label(segment))
        and _LEGAL_SUFFIX.search(part)
        and len(_TRAILING_FORM.sub("", part).split()) <= words
        if (name := _capitalized_tail(part)) and not _REGISTER_WORDS.search(name)
    ]
    return next((name for name in names if label and label in _squash(name)), None) or next(
        iter(names), None
    )


def _after_label(segment: str) -> str | None:
    """The part after a "Label:" ("Impressum: X" → "X"); None after another party's label."""
    label, colon, rest = segment.rpartition(":")
    if not colon or not rest.strip():
        return segment
    return None if _OTHER_PARTY_LABELS.search(label) else rest.strip()


_NAME_JOINERS = NAME_JOINERS


def _capitalized_tail(segment: str) -> str | None:
    """The run of capitalised words that ends a segment ("at Globex Corp" → "Globex Corp")."""
    form = _TRAILING_FORM.search(segment)  # "sp. z o.o.", "A/S": a form need not be capitalised
    words = segment[: form.start()].split() if form else segment.split()
    start = len(words)
    while start > 0 and (is_capital(words[start - 1]) or words[start - 1] in _NAME_JOINERS):
        start -= 1
    while start < len(words) and words[start] in _NAME_JOINERS:
        start += 1
    suffix = form.group(0) if form and start < len(words) else ""
    name = (" ".join(words[start:]) + suffix).strip(" ,;:()")
    return name if name and not _LEGAL_SUFFIX.fullmatch(name) else None


def _name_spelling(text: str, label: str) -> str | None:
    """Capitalised words that spell the domain: "Acme Robotics" or "Harrowgate Insurance Brokers"
    for acmerobotics.com and harrowgate-ib.co.uk."""
    if len(label) < 3:
        return None
    for segment in _segments(text):
        words = segment.split()
        for start in range(len(words)):
            found = _phrase_spelling(words, start, label)
            if found:
                return _whole_name(words, start, found)
    return None


def _whole_name(words: list[str], start: int, found: str) -> str:
    """A short part of capitalised words only is the name whole: "Rede OdontoVida" when the
    domain spells "OdontoVida"."""
    before = words[:start]
    short = start > 0 and len(words) <= 4 and all(_is_name_word(word) for word in before)
    if short and not any(word.lower() in _ROLE_WORDS for word in before):
        return " ".join(before) + " " + found
    return found


# Words of a job title or a team, never the start of a company's name.
_ROLE_WORDS = frozenset({
    "manager", "director", "head", "chief", "ceo", "cto", "cfo", "coo", "founder", "owner",
    "team", "sales", "support", "marketing", "the", "your", "from", "with",
    "geschäftsführer", "leiter", "directeur", "directrice", "gerente", "diretor", "diretora",
    "direttore", "responsabile", "equipe", "équipe", "daglig", "leder", "chef",
})  # fmt: skip


def _phrase_spelling(words: list[str], start: int, label: str) -> str | None:
    first = words[start].lstrip("(")
    if not (first[:1].isupper() or first[:1].isdigit()):
        return None
    for end in range(start + 1, min(start + 5, len(words)) + 1):
        phrase = words[start:end]
        if not all(is_capital(word.lstrip("(")) or word in _NAME_JOINERS for word in phrase):
            return None
        if phrase[-1] in _NAME_JOINERS:
            continue
        if _spells(phrase, label):
            return _with_suffix(words, start, end)
    return None


# What a domain wraps around a name: thelarkhotels.com, getacme.io, acmehq.com.
_DOMAIN_AFFIXES = re.compile(r"^(?:the|get|try|use|go|my|hello|join)|(?:hq|app|group|online)$")


def _spells(phrase: list[str], label: str) -> bool:
    """The phrase is the domain's name: whole, by initials, or as a shortened label
    ("HôtelPro Magazine" for hotelpro-mag.fr)."""
    squashed = _squash(" ".join(phrase))
    capitals = [_squash(word) for word in phrase if word not in _NAME_JOINERS]
    labels = {label, _DOMAIN_AFFIXES.sub("", label)}
    if squashed in labels:
        return True
    if len(capitals) > 1 and any(len(name) >= 5 and _abbreviates(name, capitals) for name in labels):
        return True
    return len(label) >= 8 and len(phrase) > 1 and squashed.startswith(label)


def _abbreviates(label: str, words: list[str]) -> bool:
    """Each word gives the label its first letter and maybe more, in order: "otdigital" for
    Observatório (do) Turismo Digital, "inkwellmfg" for Inkwell Manufacturing."""
    if not words:
        return not label
    word = words[0]
    if not label or not word or label[0] != word[0]:
        return False
    for taken in range(1, len(label) + 1):
        if _is_subsequence(label[1:taken], word[1:]) and _abbreviates(label[taken:], words[1:]):
            return True
    return False


def _is_subsequence(part: str, word: str) -> bool:
    letters = iter(word)
    return all(char in letters for char in part)


def _with_suffix(words: list[str], start: int, end: int) -> str:
    """The spelled phrase, run on to the end of a short name line ("Vandelay" → "Vandelay
    Industries"), then its legal suffix."""
    if len(words) <= 6:
        while end < len(words) and not _LEGAL_SUFFIX.fullmatch(words[end].strip(",;:()")):
            joined = words[end] in _NAME_JOINERS and end + 1 < len(words)  # "Physio & Sports"
            if not (_is_name_word(words[end]) or joined and _is_name_word(words[end + 1])):
                break
            end += 2 if joined else 1
    if end < len(words) and _LEGAL_SUFFIX.fullmatch(words[end].strip(",;:()")):
        end += 1
    return " ".join(words[start:end]).strip(" ,;:()")


def _is_name_word(word: str) -> bool:
    return not word.startswith("(") and word[:1].isupper() and word.rstrip(")").isalpha()


def _squash(text: str) -> str:
    folded = unicodedata.normalize("NFKD", text.lower())
    return "".join(char for char in folded if char.isalnum() and not unicodedata.combining(char))


def publisher_of(clean: CleanEmail) -> Company:
    """A newsletter's company is its publisher: the legal name in its footer, or the sender's name."""
    domain = company_domain(clean.from_email)
    label = _squash(domain_label(domain)) if domain else ""
    footer = "\n".join(part or "" for part in (clean.footer, clean.signature, clean.text))
    display = (clean.from_name or "").strip(" \"'")
    named = display if label and label in _squash(display) else None
    name = (
        published_by(footer)
        or _suffixed_name(footer, label, words=8)
        or japanese_name(footer)
        or acronym_name(footer, label)
        or named
        or _name_spelling(footer, label)
        or _name_spelling(display, label)
        or display
    )
    return Company(name=name or None, domain=domain)


# ---------------------------------------------------------------- budget

# Digits with thousands grouped by commas, dots or (French) spaces: "3 000", "120,000".
_DIGITS = r"\d(?:[\d,.]|[ \u00a0\u202f](?=\d{3}(?!\d)))*"
_USD_AMOUNT = re.compile(
    rf"(?<![A-Za-z])(?:US\$|USD\s?\$?|\$)\s?(?P<a>{_DIGITS})(?:\s?(?P<am>k|m|mm|million|thousand))?(?![A-Za-z])"
    rf"|(?<![\w.,])(?P<b>{_DIGITS})(?:\s?(?P<bm>k|m|million|thousand|mil))?\s?"
    r"(?:USD|US[- ]dollars?|US-Dollar|dollars?(?: US| am[ée]ricains)?|d[óo]lares(?: estadounidenses)?|"
    r"dollari(?: statunitensi)?)(?!\w)",
    re.IGNORECASE,
)
_MULTIPLIERS = {"k": 1e3, "thousand": 1e3, "mil": 1e3, "m": 1e6, "mm": 1e6, "million": 1e6}
_PER_MONTH = re.compile(
    r"\s*(?:/\s?(?:month|mo|mes|mois|monat)\b|(?:per|a|each|every) month|monthly|pro monat|"
    r"im monat|par mois|au mois|al mes|por mes|mensual(?:es)?|al mese|por m[eê]s|ao m[eê]s|"
    r"per maand|/\s?maand|mensili?|mensais?)",
    re.IGNORECASE,
)
_PER_QUARTER = re.compile(r"\s*(?:/\s?quarter\b|(?:per|a) quarter|quarterly)", re.IGNORECASE)
_MONTHLY_BEFORE = re.compile(
    r"(?:monthly|per month|a month|monatlich\w*|mensuel\w*|mensual\w*)\W+(?:\w+\W+){0,4}$", re.I
)
# "$49 per seat" is a list price, not what the buyer means to spend.
_PER_UNIT = re.compile(r"\s*(?:/\s?(?:user|seat|licen[cs]e)|per (?:user|seat|licen[cs]e))", re.I)
_BUDGET_WORD = re.compile(r"budget|presupuesto|spend|invest|approved", re.IGNORECASE)


def annual_usd(text: str) -> float | None:
    """The budget the sender states in US dollars, annualised; None unless dollars are said."""
    found = stated_budget(text)
    return None if found is None else float(found.value)


def stated_budget(text: str) -> Found[float] | None:
    """The annualised budget and the phrase it was read from ("$5k per month", amount first)."""
    amounts = [m for m in _USD_AMOUNT.finditer(text) if not _PER_UNIT.match(text, m.end())]
    if not amounts:
        return None
    near_budget = [
        m for m in amounts if _BUDGET_WORD.search(text[max(0, m.start() - 60) : m.start()])
    ]
    chosen = (near_budget or amounts)[0]
    amount = _amount(chosen)
    if amount is None:
        return None
    periods, start, end = _period(text, chosen)
    return Found(round(amount * periods, 2), (text[start:end], chosen.group(0)))


def _amount(match: re.Match[str]) -> float | None:
    digits = re.sub(r"[ \u00a0\u202f]", ",", (match.group("a") or match.group("b")).rstrip(".,"))
    multiplier = _MULTIPLIERS.get((match.group("am") or match.group("bm") or "").lower(), 1.0)
    value = parse_number(digits)
    return None if value is None else value * multiplier


def parse_number(digits: str) -> float | None:
    """120,000 and 120.000 are thousands; 1.5 and 1,5 are decimals."""
    if re.fullmatch(r"\d{1,3}(?:[.,]\d{3})+", digits):
        return float(re.sub(r"[.,]", "", digits))
    if re.fullmatch(r"\d{1,3}(?:,\d{3})+\.\d{1,2}", digits):
        return float(digits.replace(",", ""))
    if re.fullmatch(r"\d+[.,]\d{1,2}", digits):
        return float(digits.replace(",", "."))
    return float(digits) if digits.isdigit() else None


def _period(text: str, match: re.Match[str]) -> tuple[int, int, int]:
    """Periods per year, and the phrase that says so around the amount (start, end)."""
    window = max(0, match.start() - 40)
    monthly_before = _MONTHLY_BEFORE.search(text[window : match.start()])
    per_month = _PER_MONTH.match(text, match.end())
    if per_month or monthly_before:
        start = window + monthly_before.start() if monthly_before else match.start()
        return 12, start, per_month.end() if per_month else match.end()
    per_quarter = _PER_QUARTER.match(text, match.end())
    return (4, match.start(), per_quarter.end()) if per_quarter else (1, match.start(), match.end())


# ---------------------------------------------------------------- timeline


def _timing_cue(*phrases: str) -> re.Pattern[str]:
    """Like ``_cue``, but a space also matches a line break: mail is hard-wrapped."""
    return _cue(*(phrase.replace(" ", r"\s+") for phrase in phrases))


# fmt: off
_NOW = _timing_cue(
    r"asap", r"as soon as possible", r"immediately", r"right away", r"urgently", r"this week",
    r"this month", r"(?<!from.)(?<!of.)today", r"end of (?:the|this) month",
    r"within (?:a|one|1|two|2) weeks?",
    r"next week", r"by next week", r"right now", r"starting now",
    r"sofort", r"umgehend", r"so schnell wie möglich", r"schnellstmöglich", r"diese woche",
    r"diesen monat", r"ende des monats", r"nächste woche", r"nächsten woche", r"ab sofort",
    r"dès que possible", r"au plus vite", r"immédiatement", r"cette semaine", r"ce mois-ci",
    r"(?:la )?semaine prochaine", r"fin du mois", r"fin de mois", r"d[èe]s maintenant",
    r"lo antes posible", r"cuanto antes", r"inmediatamente", r"esta semana", r"este mes",
    r"(?:la )?(?:próxima|proxima) semana", r"la semana que viene", r"fin(?:ales)? de mes",
    r"desde ya", r"da subito", r"desde já",
    r"il prima possibile", r"entro questo mese", r"questo mese", r"(?:la )?prossima settimana",
    r"(?:entro )?fine mese", r"o quanto antes", r"este m[eê]s", r"ainda este m[eê]s",
    r"(?:na )?próxima semana", r"fim do m[eê]s", r"zo snel mogelijk", r"deze maand",
    r"volgende week", r"今月中?", r"来週", r"至急", *NOW_PHRASES,
)
_QUARTER = _timing_cue(
    r"this quarter", r"next quarter", r"next month", r"end of (?:the|this) quarter",
    r"(?:within|in|over) the (?:next|coming) (?:few |couple of )?(?:weeks|months)",
    r"in (?:a|the) (?:few|couple of) (?:weeks|months)", r"in the coming weeks",
    r"dieses quartal", r"nächste[nms]? quartal", r"nächsten monat",
    r"in den (?:nächsten|kommenden) wochen", r"ce trimestre", r"(?:le )?trimestre prochain",
    r"prochain trimestre", r"le mois prochain", r"dans les prochaines semaines",
    r"este trimestre", r"(?:el )?próximo trimestre", r"el mes que viene", r"el próximo mes",
    r"en las próximas semanas", r"(?:nel )?prossimo trimestre", r"(?:no )?próximo trimestre",
    r"volgend kwartaal", r"(?:the )?next (?:two|2|three|3) months", r"今四半期", r"来月",
    *QUARTER_PHRASES,
)
_SIX_MONTHS = _timing_cue(
    r"half a year", r"six months", r"6 months", r"next two quarters", r"halbes jahr",
    r"sechs monaten?", r"6 monaten?", r"six mois", r"6 mois", r"seis meses", r"6 meses",
    r"medio año", r"half[- ]year", r"sei mesi", r"seis meses", r"zes maanden",
    *SIX_MONTH_PHRASES,
)
_LATER = _timing_cue(
    r"next year", r"nächstes jahr", r"im nächsten jahr", r"l'année prochaine", r"el próximo año",
    r"el año que viene", r"l'anno prossimo", r"(?:no )?ano que vem", r"volgend jaar",
    *LATER_PHRASES,
)
# "No rush" is a timeline too: unless a buying sentence names a date, nothing is pressing.
_NO_RUSH = _timing_cue(
    r"no rush", r"no hurry", r"not in a hurry", r"keine eile", r"nicht eilig", r"pas press[ée]s?",
    r"rien ne presse", r"pas d'urgence", r"sin prisa", r"no hay prisa", r"non c'è fretta",
    r"nessuna fretta", r"sem pressa", r"geen haast", r"急ぎません",
)
# A horizon in a sentence about going live or signing is the buying timeline; one about
# a demo next week or a pipeline review is not.
_BUYING_WORDS = _cue(
    r"live", r"roll(?:ing)?[ -]?out", r"in place", r"sign(?:ed|ing)?", r"decision", r"decide",
    r"implement\w*", r"launch", r"start(?:ing)?", r"go[- ]live", r"timeline", r"purchase", r"buy",
    r"migrat\w*", r"switch(?:ed)? over", r"install\w*", r"choose", r"open(?:ing)?",
    r"einführen", r"entscheid\w*", r"vertrag\w*", r"umstellen", r"installiert",
    r"décision", r"décider", r"déployer", r"migrer", r"installée?s?", r"ouverture", r"ouvr\w+",
    r"repartir", r"funcionando", r"implementar", r"decisión", r"contratar", r"firmar",
    r"abrir", r"partire", r"decideremo", r"chiudere", r"implantar", r"assinar", r"abertura",
    r"trial", r"test(?:er|en)", r"probar", r"provare", r"testar", r"稼働", r"導入",
    r"稟議", r"live gaan", r"beslissen", *BUYING_PHRASES,
)
# Sentences that set up a meeting name when to talk, not when to buy.
_MEETING_WORDS = _cue(
    r"demo\w*", r"démo\w*", r"demostraci[óo]n", r"demonstra\w+", r"walkthrough", r"call",
    r"meeting", r"intro", r"visio", r"presentazione", r"presentación", r"reuni[óo]n", r"reunião",
    r"termin", r"gespräch", r"chiamata", r"llamada", r"rendez-vous", r"horarios", r"times",
    r"calendar", r"vorführung", r"zeit für", r"slot", r"créneau\w*", r"打ち合わせ", r"面談",
    # a weekday names when to talk
    r"monday", r"tuesday", r"wednesday", r"thursday", r"friday", r"montag", r"dienstag",
    r"mittwoch", r"donnerstag", r"freitag", r"lundi", r"mardi", r"mercredi", r"jeudi",
    r"vendredi", r"lunes", r"martes", r"miércoles", r"jueves", r"viernes", r"lunedì",
    r"martedì", r"mercoledì", r"giovedì", r"venerdì", r"segunda-feira", r"terça-feira",
    r"quarta-feira", r"quinta-feira", r"sexta-feira", *MEETING_PHRASES,
)
# fmt: on
# Sentence ends; a hard-wrapped line (long, no end mark) runs on to the next line.
# A dot after a one- or two-digit number is an ordinal ("20. April"), not an end.
_SENTENCE_END = re.compile(
    r"(?:(?<!(?<!\d)\d)(?<!(?<!\d)\d\d)\.|[!?。！？])[.!?。！？]*(?=\s|$)"
)
# "..., but I'd like a demo next month": a contrasting clause is a sentence of its own.
_CLAUSE_END = re.compile(
    rf"{_SENTENCE_END.pattern}|[,;]\s+(?=(?:but|aber|mais|pero|ma|mas|maar|{CONTRAST_WORDS})\b)",
    re.IGNORECASE,
)
_WRAPPED = 60
# "not before our budget round in the autumn", "erst nach ... im Herbst": a lower bound,
# the earliest they might buy, says nothing about when they will.
_LOWER_BOUND = re.compile(
    r"(?:(?:won't|will not|not|nothing|no|nicht|nichts|kein\w*|pas|rien|nada|non|niente|não|"
    r"niet)\b[^.]{0,60}\b(?:before|until|vor|avant|antes|prima|até|voor)\b|"
    r"\b(?:not until|only after|after|erst|nach|après|después|dopo|após|na afloop)\b)"
    r"[^.]{0,60}$",
    re.IGNORECASE,
)
_HORIZONS: tuple[tuple[int, Timeline], ...] = ((0, "now"), (3, "quarter"), (6, "six_months"))


def buying_timeline(text: str, sent: datetime | None) -> Timeline:
    """The soonest buying horizon the email states, relative to when it was sent."""
    found = stated_timeline(text, sent)
    return "unknown" if found is None else found.value


def stated_timeline(text: str, sent: datetime | None) -> Found[Timeline] | None:
    """The soonest horizon of the first tier that states one (sentences about buying, then
    others; never one that only sets up a meeting), and the phrase that states it."""
    sentences = list(_sentences(text))
    buying = [sentence for sentence in sentences if _BUYING_WORDS.search(sentence)]
    others = [s for s in sentences if s not in buying and not _MEETING_WORDS.search(s)]
    for tier, candidates in enumerate((buying, others)):
        horizons = [h for sentence in candidates for h in stated_horizons(sentence, sent)]
        if horizons:
            if tier > 0 and _NO_RUSH.search(text):
                return None
            months, phrase = min(horizons, key=lambda found: found[0])
            timeline = horizon(months)
            return None if timeline == "unknown" else Found(timeline, (phrase,))
    return None


def _sentences(text: str) -> Iterator[str]:
    """The sentences of a text, each a substring of it (wrapped lines joined as written)."""
    block: list[str] = []
    for line in text.split("\n"):
        block.append(line)
        if len(line.rstrip()) < _WRAPPED or _SENTENCE_END.search(line.rstrip()[-1:] or "."):
            yield from _split_sentences("\n".join(block))
            block = []
    yield from _split_sentences("\n".join(block))


# "ca. 40", "sp. z o.o. zwracam": a short lower-case word's dot before a lower-case word or a
# number abbreviates; it does not end the sentence.
_ABBREVIATED = re.compile(r"(?<![^\W\d_])(?:[a-zà-ÿ]{1,3}\.)*[a-zà-ÿ]{1,3}$")
_RUNS_ON = re.compile(r"\s+[a-zà-ÿ0-9]")


def _split_sentences(block: str) -> Iterator[str]:
    start = 0
    for end in _CLAUSE_END.finditer(block):
        if block[end.start() : end.start() + 1] == "." and _abbreviation(block, end):
            continue
        if block[start : end.start()].strip():
            yield block[start : end.start()].strip()
        start = end.end()
    if block[start:].strip():
        yield block[start:].strip()


def _abbreviation(block: str, end: re.Match[str]) -> bool:
    before = block[max(0, end.start() - 12) : end.start()].split()
    return bool(before and _ABBREVIATED.fullmatch(before[-1]) and _RUNS_ON.match(block, end.end()))


def horizon_phrases(text: str, sent: datetime | None) -> Iterator[tuple[Timeline, str]]:
    """Every horizon phrase of a text and the timeline it states (grounds an LLM's timeline)."""
    for sentence in _sentences(text):
        for months, phrase in stated_horizons(sentence, sent):
            yield horizon(months), phrase


def horizon(months_ahead: float) -> Timeline:
    for limit, timeline in _HORIZONS:
        if months_ahead <= limit:
            return timeline
    return "unknown"


def stated_horizons(text: str, sent: datetime | None) -> list[tuple[float, str]]:
    """Months until each buying horizon the text names (0 = this month), and its phrase."""
    found: list[tuple[float, str]] = []
    for pattern, months in ((_NOW, 0), (_QUARTER, 2), (_SIX_MONTHS, 5), (_LATER, 12)):
        if said := pattern.search(text):
            found.append((months, said.group(0)))
    found += dated_horizons(text, sent)
    return [(months, phrase) for months, phrase in found if not _bounded_below(text, phrase)]


def _bounded_below(text: str, phrase: str) -> bool:
    """A lower bound before the phrase, or a negation right after it ("Antes do verão não
    vamos conseguir", "Before the summer we can't")."""
    at = max(text.find(phrase), 0)
    return bool(_LOWER_BOUND.search(text[:at]) or _NEGATED_AFTER.match(text, at + len(phrase)))


_NEGATED_AFTER = re.compile(
    r"\s+(?:[^\W\d]+\s+){0,2}?(?:not|won't|can't|cannot|nicht|kein\w*|ne|pas|não|non|niet|"
    r"ikke|inte|ei|nie)(?!\w)",
    re.IGNORECASE,
)


# ---------------------------------------------------------------- region

# fmt: off
_COUNTRIES = {
    "united states": "US", "usa": "US", "u.s.a.": "US", "united kingdom": "GB", "uk": "GB",
    "england": "GB", "scotland": "GB", "wales": "GB", "great britain": "GB", "germany": "DE",
    "deutschland": "DE", "allemagne": "DE", "alemania": "DE", "france": "FR", "frankreich": "FR",
    "francia": "FR", "spain": "ES", "españa": "ES", "spanien": "ES", "espagne": "ES",
    "italy": "IT", "italia": "IT", "italien": "IT", "netherlands": "NL", "nederland": "NL",
    "niederlande": "NL", "belgium": "BE", "belgique": "BE", "belgien": "BE",
    "switzerland": "CH", "schweiz": "CH", "suisse": "CH", "austria": "AT", "österreich": "AT",
    "ireland": "IE", "portugal": "PT", "sweden": "SE", "sverige": "SE", "norway": "NO",
    "denmark": "DK", "finland": "FI", "poland": "PL", "polska": "PL", "czech republic": "CZ",
    "canada": "CA", "mexico": "MX", "méxico": "MX", "brazil": "BR", "brasil": "BR",
    "argentina": "AR", "chile": "CL", "colombia": "CO", "peru": "PE", "perú": "PE",
    "australia": "AU", "new zealand": "NZ", "india": "IN", "japan": "JP", "china": "CN",
    "singapore": "SG", "south africa": "ZA", "israel": "IL", "united arab emirates": "AE",
    "uae": "AE", "luxembourg": "LU", "luxemburg": "LU",
}
_CITIES = {
    "london": "GB", "manchester": "GB", "edinburgh": "GB", "berlin": "DE", "munich": "DE",
    "münchen": "DE", "hamburg": "DE", "frankfurt": "DE", "köln": "DE", "cologne": "DE",
    "stuttgart": "DE", "düsseldorf": "DE", "paris": "FR", "lyon": "FR", "marseille": "FR",
    "toulouse": "FR", "madrid": "ES", "barcelona": "ES", "valencia": "ES", "sevilla": "ES",
    "bilbao": "ES", "new york": "US", "san francisco": "US", "boston": "US", "chicago": "US",
    "austin": "US", "seattle": "US", "los angeles": "US", "denver": "US", "atlanta": "US",
    "dallas": "US", "toronto": "CA", "vancouver": "CA", "montreal": "CA", "calgary": "CA",
    "sydney": "AU", "melbourne": "AU", "amsterdam": "NL", "rotterdam": "NL", "dublin": "IE",
    "zurich": "CH", "zürich": "CH", "geneva": "CH", "genève": "CH", "vienna": "AT", "wien": "AT",
    "brussels": "BE", "bruxelles": "BE", "stockholm": "SE", "copenhagen": "DK", "oslo": "NO",
    "helsinki": "FI", "lisbon": "PT", "lisboa": "PT", "milan": "IT", "milano": "IT",
    "rome": "IT", "roma": "IT", "warsaw": "PL", "mexico city": "MX", "buenos aires": "AR",
    "são paulo": "BR", "rio de janeiro": "BR", "bogotá": "CO", "tokyo": "JP", "bangalore": "IN",
    "bengaluru": "IN", "mumbai": "IN", "chennai": "IN", "pune": "IN", "tel aviv": "IL",
    "dubai": "AE",
}
_PHONE_PREFIXES = {
    "1": "US", "44": "GB", "49": "DE", "33": "FR", "34": "ES", "39": "IT", "31": "NL",
    "32": "BE", "41": "CH", "43": "AT", "353": "IE", "351": "PT", "46": "SE", "47": "NO",
    "45": "DK", "358": "FI", "48": "PL", "420": "CZ", "52": "MX", "55": "BR", "54": "AR",
    "56": "CL", "57": "CO", "51": "PE", "61": "AU", "64": "NZ", "91": "IN", "81": "JP",
    "86": "CN", "65": "SG", "27": "ZA", "972": "IL", "971": "AE", "352": "LU",
}
# Country-code domains sold as generic ones (and .eu) say nothing about a country.
_GENERIC_CCTLDS = frozenset({"io", "ai", "co", "me", "tv", "ly", "fm", "am", "to", "gg", "sh",
                             "cc", "ws", "eu"})
# fmt: on
_US_STATE_ZIP = re.compile(
    r"\b(?:AL|AK|AZ|AR|CA|CO|CT|DE|FL|GA|HI|ID|IL|IN|IA|KS|KY|LA|ME|MD|MA|MI|MN|MS|MO|MT|NE|NV|"
    r"NH|NJ|NM|NY|NC|ND|OH|OK|OR|PA|RI|SC|SD|TN|TX|UT|VT|VA|WA|WV|WI|WY|DC)\s+\d{5}(?:-\d{4})?\b"
)
_PHONE = re.compile(r"(?:\+|\b00)\s?(\d{1,3})[\s.\-()]")
_PLACE_WORDS = re.compile(
    r"(?<!\w)("
    + "|".join(re.escape(name) for name in sorted({**_COUNTRIES, **_CITIES}, key=len, reverse=True))
    + r")(?!\w)",
    re.IGNORECASE,
)
_UPPERCASE_ONLY = frozenset({"uk", "usa", "uae"})  # "uk" in prose is rarely the country


def region_of(intent: Intent, about: About, clean: CleanEmail) -> str | None:
    found = located_region(intent, about, clean)
    return None if found is None else str(found.value)


def located_region(intent: Intent, about: About, clean: CleanEmail) -> Found[str] | None:
    """Where the person or company is: their address, phone, country-code domain, then prose."""
    contact = "\n".join(
        (about.form.get("country", ""), about.form.get("location", ""), about.signature)
    )
    contact_sources = about.sources_of("signature", "text")  # a form's fields are in its text
    newsletter_footer = f"{clean.footer or ''}\n{clean.text}" if intent == "newsletter" else ""
    cctld = cctld_country(about.email)
    candidates: tuple[tuple[tuple[str, str] | None, tuple[EvidenceSource, ...]], ...] = (
        (_first(_place_cues(contact)), contact_sources),
        (_first(_us_address_cues(contact)), contact_sources),
        (_first(_phone_cues(f"{contact}\n{about.form.get('phone', '')}")), contact_sources),
        (_first(_place_cues(newsletter_footer)), ("footer", "text")),
        ((cctld, about.email or "") if cctld else None, about.sources_of("email")),
        (_first(_place_cues(about.text)), about.sources_of("text")),
    )
    return next(
        (Found(cue[0], (cue[1],), sources) for cue, sources in candidates if cue is not None), None
    )


def _first(cues: Iterator[tuple[str, str]]) -> tuple[str, str] | None:
    return next(cues, None)


def region_cues(text: str) -> Iterator[tuple[str, str]]:
    """Every (country, phrase) a text shows: places, US addresses, phone prefixes."""
    yield from _place_cues(text)
    yield from _us_address_cues(text)
    yield from _phone_cues(text)


def _place_cues(text: str) -> Iterator[tuple[str, str]]:
    for match in _PLACE_WORDS.finditer(text):
        word = match.group(1)
        if word.lower() in _UPPERCASE_ONLY and not word.isupper():
            continue
        country = _COUNTRIES.get(word.lower()) or _CITIES.get(word.lower())
        if country:
            yield country, word


def _us_address_cues(text: str) -> Iterator[tuple[str, str]]:
    for match in _US_STATE_ZIP.finditer(text):
        yield "US", match.group(0)


def _phone_cues(text: str) -> Iterator[tuple[str, str]]:
    for match in _PHONE.finditer(text):
        digits = match.group(1)
        for length in (3, 2, 1):
            if digits[:length] in _PHONE_PREFIXES:  # the phrase is "+44" or "0044"
                yield (
                    _PHONE_PREFIXES[digits[:length]],
                    text[match.start() : match.start(1) + length],
                )
                break


def cctld_country(address: str | None) -> str | None:
    """The country of an address's country-code domain (not free mail, not generic ccTLDs)."""
    domain = email_domain(address)
    if domain is None or is_free_mail(address):
        return None
    tld = domain.rsplit(".", 1)[-1]
    if len(tld) != 2 or tld in _GENERIC_CCTLDS:
        return None
    return "GB" if tld == "uk" else tld.upper()


# ---------------------------------------------------------------- summary and action

_GREETING = re.compile(
    r"(hi|hello|hey|dear|good (morning|afternoon|evening)|hallo|guten tag|liebe[rs]?|"
    r"sehr geehrte[rs]?|bonjour|bonsoir|cher|chère|hola|buenos días|buenas tardes|"
    r"estimad[oa]s?)\b[^.!?\n]{0,60}",
    re.IGNORECASE,
)
_SENTENCE_END = re.compile(r"(?<=[.!?])\s")
_SUMMARY_CHARS = 280


def summarize(about: About) -> str:
    """The subject, then the first sentence after the greeting."""
    title = _strip_reply_prefixes(about.subject).strip()
    # A form's own preamble ("You have a new submission") says nothing; its message does.
    sentence = first_sentence(about.form.get("message") or about.text)
    parts = [part.rstrip(".:!? ") for part in (title, sentence) if part]
    summary = ". ".join(part for part in parts if part)
    return (summary + "." if summary else "")[:_SUMMARY_CHARS]


def first_sentence(text: str) -> str:
    """The first sentence of the first paragraph that is not a greeting, at most ~200 chars."""
    for paragraph in re.split(r"\n\s*\n", text):
        lines = [line.strip() for line in paragraph.split("\n") if line.strip()]
        body = " ".join(line for line in lines if not _GREETING.fullmatch(line.rstrip(",:!")))
        if body:
            return _shorten(_SENTENCE_END.split(body, maxsplit=1)[0].strip())
    return ""


def _shorten(sentence: str, limit: int = 200) -> str:
    return sentence if len(sentence) <= limit else sentence[:limit].rsplit(" ", 1)[0] + "…"


# fmt: off
_PRICING_ASK = _cue(
    r"pricing", r"price list", r"prices", r"per-seat price", r"(?:a|formal|the) quote",
    r"quote (?:request|for)", r"quotation", r"how much", r"what (?:does|would) it cost",
    r"preise", r"preisliste", r"kostenvoranschlag", r"was kostet", r"ein angebot", r"devis",
    r"tarifs?", r"tarification", r"combien", r"precios", r"cotización", r"cuánto cuesta",
    r"(?:solicitar|pedir|enviar(?:nos|me)?|mandar(?:nos|me)?) (?:un )?presupuesto",
    r"tabela de preços", r"cotação", r"preventivo", r"listino(?: prezzi)?", r"offerte", r"prijzen",
)
# fmt: on
_ACTIONS: dict[str, RequiredAction] = {
    "support": "forward_support",
    "vendor": "route_ops",
    "job_applicant": "route_ops",
    "newsletter": "ignore",
    "spam": "ignore",
}


def required_action(intent: Intent, text: str) -> RequiredAction:
    if intent == "lead":
        return "send_pricing" if _PRICING_ASK.search(text) else "schedule_demo"
    return _ACTIONS[intent]
