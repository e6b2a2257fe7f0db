"""The email page's text with each extracted field's evidence marked. Pure.

Evidence spans index the string fields of the email's ``email.clean`` record (ADR 0012);
audit keeps those fields (``emails.clean_parts``, ADR 0025). Each part becomes a list of
segments — plain text, or text covered by one or more spans with the fields they support —
and the template writes every segment through Jinja's escaping: mail text never reaches the
page as markup, whatever it contains. A span that does not index its source as published
(a record older than its text, a cut past the bound) is listed, never marked.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

#: (source, heading, folded): the order the page shows an email's parts in; folded parts are
#: <details> the person opens (quoted history, signature, footer)
PARTS: tuple[tuple[str, str, bool], ...] = (
    ("subject", "Subject", False),
    ("from_name", "From (name)", False),
    ("from_email", "From (address)", False),
    ("reply_to", "Reply-To", False),
    ("text", "Visible text", False),
    ("forwarded.from_name", "Forwarded from (name)", False),
    ("forwarded.from_email", "Forwarded from (address)", False),
    ("forwarded.subject", "Forwarded subject", False),
    ("forwarded.text", "Forwarded message", False),
    ("signature", "Signature", True),
    ("quoted", "Quoted history", True),
    ("footer", "Footer", True),
)


@dataclass(frozen=True)
class Segment:
    text: str
    fields: tuple[str, ...] = ()  # the evidence fields whose spans cover this text; () is plain


@dataclass(frozen=True)
class Part:
    source: str
    heading: str
    folded: bool
    segments: tuple[Segment, ...]
    marked: int  # how many spans are marked in it


@dataclass(frozen=True)
class Span:
    field: str
    source: str
    start: int
    end: int
    text: str
    value: str  # the extracted value it supports, as the page shows it
    shown: bool  # marked in its part (it indexes the stored text exactly)


def source_text(parts: dict[str, Any], source: str) -> str | None:
    if source.startswith("forwarded."):
        owner = parts.get("forwarded") or {}
        return owner.get(source.removeprefix("forwarded."))
    return parts.get(source)


def segments(text: str, spans: list[tuple[int, int, str]]) -> tuple[Segment, ...]:
    """``text`` cut at every span boundary; each piece names the fields covering it."""
    cuts = sorted({0, len(text), *(s for s, _, _ in spans), *(e for _, e, _ in spans)})
    pieces = []
    for start, end in zip(cuts, cuts[1:], strict=False):
        if start == end:
            continue
        covering = tuple(dict.fromkeys(f for s, e, f in spans if s <= start and end <= e))
        pieces.append(Segment(text[start:end], covering))
    return tuple(pieces)


def spans(parts: dict[str, Any] | None, data: dict[str, Any] | None) -> list[Span]:
    """Every evidence span of the extraction, each saying whether the stored text shows it."""
    values = field_values(data or {})
    found = []
    for ev in (data or {}).get("evidence") or []:
        text = source_text(parts or {}, ev["source"])
        shown = text is not None and 0 <= ev["start"] < ev["end"] <= len(text) and (
            text[ev["start"]:ev["end"]] == ev["text"])
        found.append(Span(ev["field"], ev["source"], ev["start"], ev["end"], ev["text"],
                          values.get(ev["field"], ""), shown))
    return found


def email_parts(parts: dict[str, Any] | None, marked: list[Span]) -> list[Part]:
    """The stored parts in page order, each with its shown spans marked; empty parts left out."""
    if not parts:
        return []
    shown = []
    for source, heading, folded in PARTS:
        text = source_text(parts, source)
        if not text:
            continue
        own = [(s.start, s.end, s.field) for s in marked if s.shown and s.source == source]
        shown.append(Part(source, heading, folded, segments(text, own), len(own)))
    return shown


def field_values(data: dict[str, Any]) -> dict[str, str]:
    """The extracted value of each evidence path, as text."""
    person, company = data.get("person") or {}, data.get("company") or {}
    amount = (data.get("budget") or {}).get("annual_amount_usd")
    values = {
        "person.name": person.get("name"), "person.email": person.get("email"),
        "company.name": company.get("name"), "company.domain": company.get("domain"),
        "budget.annual_amount_usd": None if amount is None else f"{amount:,.0f} USD/yr",
        "timeline": data.get("timeline"), "region": data.get("region"),
    }
    for i, product in enumerate((data.get("interest") or {}).get("products") or []):
        values[f"interest.products[{i}]"] = product
    return {path: str(value) for path, value in values.items() if value is not None}
