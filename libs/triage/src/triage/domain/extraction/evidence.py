"""Evidence spans: the text of the email each extracted value came from (issue 5).

A span indexes one string field of the email.clean record (``EvidenceSource``)
exactly as published, in Python string indices, so whoever holds the record
can check ``source_text(clean, source)[start:end] == text``. Only fields that
quote the email carry evidence: person, company, products, budget, timeline
and region. Intent, summary, required action and confidence are judgements
about the whole message, not quotes, and carry none.

Both extractors finish with ``supported``: a value without a span is nulled,
and a span of a null value is dropped — what cannot be pointed at is invented.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence
from typing import TypeVar

from triage.domain.models import (
    Budget,
    CleanEmail,
    Company,
    Evidence,
    EvidenceSource,
    Extraction,
    Interest,
    Person,
)

_V = TypeVar("_V")

#: The fields that quote the email (``interest.products[i]`` for each product).
QUOTED_FIELDS = (
    "person.name",
    "person.email",
    "company.name",
    "company.domain",
    "budget.annual_amount_usd",
    "timeline",
    "region",
)


def source_text(clean: CleanEmail, source: EvidenceSource) -> str:
    """The string an evidence span indexes ("" when the email has no such part)."""
    if source.startswith("forwarded."):
        owner = clean.forwarded
        return "" if owner is None else getattr(owner, source.removeprefix("forwarded.")) or ""
    return getattr(clean, source) or ""


def span_holds(clean: CleanEmail, evidence: Evidence) -> bool:
    text = source_text(clean, evidence.source)
    return 0 <= evidence.start < evidence.end <= len(text) and (
        text[evidence.start : evidence.end] == evidence.text
    )


def locate(
    clean: CleanEmail, field: str, needle: str | None, sources: Iterable[EvidenceSource]
) -> Evidence | None:
    """The first place, in the order of ``sources``, where ``needle`` is written.

    Case and runs of white space may differ (headers are case-folded, names re-joined
    from words); the span is what the email says, character for character.
    """
    words = (needle or "").split()
    if not words:
        return None
    pattern = re.compile(r"\s+".join(re.escape(word) for word in words), re.IGNORECASE)
    for source in dict.fromkeys(sources):
        found = pattern.search(source_text(clean, source))
        if found:
            return Evidence(
                field=field, source=source, start=found.start(), end=found.end(), text=found.group(0)
            )
    return None


def first_located(
    clean: CleanEmail, field: str, needles: Sequence[str | None], sources: Iterable[EvidenceSource]
) -> Evidence | None:
    """The first of several phrasings (the fullest first) that the email contains."""
    sources = tuple(sources)
    return next(
        (found for needle in needles if (found := locate(clean, field, needle, sources))), None
    )


def field_values(extraction: Extraction) -> dict[str, object]:
    """Every non-null quoted field by its evidence path ("unknown" timeline is null)."""
    values: dict[str, object] = {
        "person.name": extraction.person.name,
        "person.email": extraction.person.email,
        "company.name": extraction.company.name,
        "company.domain": extraction.company.domain,
        "budget.annual_amount_usd": extraction.budget.annual_amount_usd,
        "timeline": None if extraction.timeline == "unknown" else extraction.timeline,
        "region": extraction.region,
    }
    values |= {f"interest.products[{i}]": p for i, p in enumerate(extraction.interest.products)}
    return {path: value for path, value in values.items() if value is not None}


def supported(extraction: Extraction) -> Extraction:
    """Null every quoted value without evidence; keep only evidence of values that remain."""
    backed = {evidence.field for evidence in extraction.evidence}
    keep = {path for path in field_values(extraction) if path in backed}
    products = [
        product
        for i, product in enumerate(extraction.interest.products)
        if f"interest.products[{i}]" in keep
    ]
    renumbered = {
        f"interest.products[{old}]": f"interest.products[{new}]"
        for new, old in enumerate(
            i for i in range(len(extraction.interest.products)) if f"interest.products[{i}]" in keep
        )
    }
    evidence = [
        evidence.model_copy(update={"field": renumbered.get(evidence.field, evidence.field)})
        for evidence in extraction.evidence
        if evidence.field in keep
    ]

    def kept(path: str, value: _V) -> _V | None:
        return value if path in keep else None

    return extraction.model_copy(
        update={
            "person": Person(
                name=kept("person.name", extraction.person.name),
                email=kept("person.email", extraction.person.email),
            ),
            "company": Company(
                name=kept("company.name", extraction.company.name),
                domain=kept("company.domain", extraction.company.domain),
            ),
            "interest": Interest(products=products),
            "budget": Budget(
                annual_amount_usd=kept(
                    "budget.annual_amount_usd", extraction.budget.annual_amount_usd
                )
            ),
            "timeline": extraction.timeline if "timeline" in keep else "unknown",
            "region": kept("region", extraction.region),
            "evidence": evidence,
        }
    )
