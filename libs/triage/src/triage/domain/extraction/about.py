"""Whom an email is about, after unwrapping relays: a website form's fields, a colleague's
forward (its original sender), else the sender; and where each part is in ``email.clean``.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass, field

from triage.domain.extraction.domains import EMAIL_ADDRESS, in_domains
from triage.domain.extraction.forms import relayed_form
from triage.domain.models import CleanEmail, EvidenceSource, Mailbox
from triage.domain.normalize import split_body
from triage.domain.normalize.vocabulary import FORWARD_SUBJECT_PREFIXES, REPLY_SUBJECT_PREFIXES


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
    "name": ("text",), "email": ("text", "reply_to"), "subject": ("subject",), "text": ("text",),
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


def _from_form(clean: CleanEmail, form: dict[str, str]) -> About:
    name = form.get("name") or " ".join(
        part for part in (form.get("first_name"), form.get("last_name")) if part
    )
    found = EMAIL_ADDRESS.search(form.get("email", ""))
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
    return in_domains(clean.from_email, own) and not in_domains(forwarded.from_email, own)


def _from_forward(clean: CleanEmail) -> About:
    forwarded = clean.forwarded
    assert forwarded is not None  # guarded by is_colleague_forward
    parts = split_body(forwarded.text, forwarded.from_name)
    return About(
        name=forwarded.from_name,
        email=forwarded.from_email,
        subject=forwarded.subject or strip_reply_prefixes(clean.subject),
        text=parts.text,
        signature=parts.signature or "",
        footer=parts.footer or "",
        relay="forward",
        sources=_FORWARD_SOURCES,
    )


def strip_reply_prefixes(subject: str) -> str:
    return _SUBJECT_PREFIXES.sub("", subject)


# Every reply and forward prefix, stacked ("RE: FW: AW:"); longest first ("fwd" before "fw").
_SUBJECT_PREFIXES = re.compile(
    rf"^\s*(?:(?:{'|'.join(sorted({*REPLY_SUBJECT_PREFIXES, *FORWARD_SUBJECT_PREFIXES}, key=len, reverse=True))})"
    r"\s*:\s*)+",
    re.IGNORECASE,
)
