"""Property over every labelled email (gold/tuning, gold/heldout, samples): evidence is exact.

For every extraction: each non-null quoted field has at least one span; each span's text is
exactly its source's slice and supports the value (the address holds the email, re-reading
the phrase gives the budget, the timeline, the region); and a null field has no span.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from triage.domain.extraction.budget import annual_usd
from triage.domain.extraction.evidence import field_values, span_holds
from triage.domain.extraction.region import cctld_country, region_cues
from triage.domain.extraction.timeline import buying_timeline
from triage.domain.models import CleanEmail, Evidence
from triage.domain.pipeline import load_mailbox, process_message

ROOT = Path(__file__).resolve().parents[2]
SETS = ("gold/tuning", "gold/heldout", "samples")


def fold(text: str) -> str:
    return " ".join(text.casefold().split())


def supports(path: str, value: object, evidence: Evidence, clean: CleanEmail) -> bool:
    """The span, read on its own, gives (or contains) the value."""
    text = evidence.text
    if path.startswith("interest.products"):
        return fold(text) == fold(str(value))
    if path == "person.name":  # whole, or a form's first or last name
        return fold(text) in fold(str(value)).split() or fold(text) == fold(str(value))
    if path in ("person.email", "company.name", "company.domain"):
        return fold(str(value)) in fold(text)
    if path == "budget.annual_amount_usd":  # the phrase re-read gives the annual amount
        return annual_usd(text) == value
    if path == "timeline":
        return buying_timeline(text, clean.date) == value
    if path == "region":
        return value in {country for country, _ in region_cues(f"{text} ")} or cctld_country(text) == value
    raise AssertionError(f"unexpected evidence field {path}")


def problems(part: str) -> tuple[int, list[str]]:
    folder = ROOT / part
    mailbox = load_mailbox((folder / "mailbox.json").read_text(encoding="utf-8"))
    found: list[str] = []
    emails = sorted((folder / "emails").glob("*.eml"))
    for path in emails:
        result = process_message(path.read_bytes(), mailbox)
        values = field_values(result.extraction)
        spans = result.extraction.evidence
        backed = {evidence.field for evidence in spans}
        found += [f"{path.stem}: {field} = {values[field]!r} has no evidence" for field in values.keys() - backed]
        for evidence in spans:
            if evidence.field not in values:
                found.append(f"{path.stem}: evidence for null field {evidence.field}")
            elif not span_holds(result.clean, evidence):
                found.append(f"{path.stem}: span does not quote its source: {evidence}")
            elif not supports(evidence.field, values[evidence.field], evidence, result.clean):
                found.append(f"{path.stem}: {evidence.text!r} does not support {values[evidence.field]!r}")
    return len(emails), found


@pytest.mark.parametrize("part", SETS)
def test_every_quoted_value_has_exact_supporting_evidence_and_null_values_have_none(part: str) -> None:
    count, found = problems(part)

    assert count >= 37
    assert found == []
