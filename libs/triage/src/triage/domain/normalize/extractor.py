"""What a model reads: subject, sender, the newest text, and a taste of the thread."""

from __future__ import annotations

from triage.domain.models import CleanEmail, ForwardedMessage
from triage.domain.normalize.limits import (
    EXTRACTOR_HISTORY_CHARS,
    EXTRACTOR_SIGNATURE_CHARS,
    EXTRACTOR_TEXT_CHARS,
)


def extractor_input(clean: CleanEmail) -> str:
    """The subject, the first 1,500 characters of the newest message, minimal history.

    The signature stays in (company, title and country live there), and a
    forward's original replaces an empty "FYI" body, since that is what the
    email is about.
    """
    sections = [
        f"Subject: {clean.subject}\nFrom: {_sender(clean.from_name, clean.from_email)}",
        clean.text[:EXTRACTOR_TEXT_CHARS],
    ]
    if clean.signature:
        sections.append("Signature:\n" + clean.signature[:EXTRACTOR_SIGNATURE_CHARS])
    if clean.forwarded:
        sections.append(_forwarded_section(clean.forwarded))
    elif clean.quoted:
        sections.append("Earlier in the thread:\n" + clean.quoted[:EXTRACTOR_HISTORY_CHARS])
    return "\n\n".join(section for section in sections if section.strip())


def _forwarded_section(forwarded: ForwardedMessage) -> str:
    header = f"Forwarded message from: {_sender(forwarded.from_name, forwarded.from_email)}"
    return f"{header}\nSubject: {forwarded.subject or ''}\n{forwarded.text[:EXTRACTOR_TEXT_CHARS]}"


def _sender(name: str | None, address: str | None) -> str:
    if name and address:
        return f"{name} <{address}>"
    return name or address or "unknown"
