"""A value read from a phrase of the email (``Found``), and the evidence span of every
value the local extractor fills: found phrases as they are, other values where written.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Generic, TypeVar

from triage.domain.extraction.about import About
from triage.domain.extraction.domains import company_domain
from triage.domain.extraction.evidence import field_values, first_located, locate
from triage.domain.models import CleanEmail, Evidence, EvidenceSource, Extraction

_T = TypeVar("_T", covariant=True)  # a Found[float] is a Found[object]


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
    """The address the domain was derived from, else the website that spells it, else the work
    address a free-mail sender writes in the text."""
    addresses = [a for a in (about.email, clean.from_email) if company_domain(a) == domain]
    sources = (*about.sources_of("email"), "from_email", *about.sources_of("signature", "text"))
    return first_located(clean, "company.domain", [*addresses, domain], sources)
