"""The person a lead, support request or application is from: the name as written, else
the signature's name line.
"""

from __future__ import annotations

import re

from triage.domain.extraction.about import About
from triage.domain.extraction.forms import RELAY_SENDER
from triage.domain.extraction.legal import LEGAL_SUFFIX, ends_in_legal_form
from triage.domain.models import Intent, Person


def person_of(intent: Intent, about: About) -> Person:
    if intent in ("spam", "newsletter"):
        return Person()
    return Person(
        name=_clean_name(about.name) or signature_name(about.signature), email=about.email
    )


def _clean_name(name: str | None) -> str | None:
    if not name or "@" in name or RELAY_SENDER.search(name) or ends_in_legal_form(name):
        return None  # a company's name in the From header: the signature names the person
    return name.strip(" \"'") or None


_NAME_LINE = re.compile(r"[-–—]?\s?([A-ZÀ-Ý][\w'’.-]+(?: [A-ZÀ-Ý][\w'’.-]+){1,3})")


def signature_name(signature: str) -> str | None:
    """The first line after the sign-off that reads like a person's name."""
    for line in signature.split("\n")[:4]:
        match = _NAME_LINE.fullmatch(line.strip())
        if match and not LEGAL_SUFFIX.search(line):
            return match.group(1)
    return None
