"""A company's name that ends in a legal form ("Globex Corporation", "X GmbH"), read from a
text's lines split at separators; never a register entry nor another party of a footer.
"""

from __future__ import annotations

import re

from triage.domain.extraction.company_phrases import NAME_JOINERS, is_capital
from triage.domain.extraction.legal import LEGAL_FORMS, LEGAL_SUFFIX, TRAILING_FORM
from triage.domain.extraction.text import squash

# Split signature lines into parts, but keep "Acme, Inc." together.
# A sentence's end ("…at clinicops.media. ClinicOps Media Ltd") and an opening parenthesis
# ("newsletter of X (Editrice Y S.r.l., P.IVA …)") start a part too.
_SEGMENT_SPLIT = re.compile(
    rf"\s*(?:\||·|•|,(?!\s*(?:{LEGAL_FORMS})\b)|\s[-–—/]\s|(?<=[a-z]{{3}}\.)\s(?=[A-ZÀ-Ý])|"
    rf"\s\((?=[A-ZÀ-Ý]))\s*"
)
# A footer's labels name the register, not the company; some name another company.
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


def segments(text: str) -> list[str]:
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
        wrapped = (
            lines
            and len(lines[-1]) >= width
            and lines[-1][-1:] not in ".!?:;"
            and not _ENDS_IN_LINK.search(lines[-1])  # "Cancellati: https://…" ends its line
        )
        if wrapped and line.strip():
            lines[-1] = f"{lines[-1].rstrip()} {line.strip()}"
        else:
            lines.append(line)
    return lines


_ENDS_IN_LINK = re.compile(r"(?:https?://|www\.)\S+$")
_PARENTHESES = re.compile(r"\s+\((?=[^)]{3,}\)$)|(?<=\w\.)\)$|(?<=\w)\)$")


def suffixed_name(text: str, label: str, words: int = 6) -> str | None:
    """A short part ending in a legal suffix ("Globex Corporation"), the domain's own first;
    after a footer's label ("Impressum: X GmbH"), never a register entry or another party."""
    return next(iter(suffixed_names(text, label, words)), None)


def suffixed_names(text: str, label: str, words: int = 6) -> list[str]:
    """Every such name, the domain's own first, then in the order written."""
    names = [
        *_dashed_names(text, label),
        *(
            name
            for segment in segments(text)
            if (part := _after_label(segment))
            and LEGAL_SUFFIX.search(part)
            and len(TRAILING_FORM.sub("", part).split()) <= words
            if (name := _capitalized_tail(part)) and not _REGISTER_WORDS.search(name)
        ),
    ]
    return sorted(names, key=lambda name: not (label and label in squash(name)))


_DASHED = re.compile(r"^(?P<brand>[^\s–—-][^–—]{2,40}?)\s[–—-]\s(?P<rest>[^–—|·•]+)$")


def _dashed_names(text: str, label: str) -> list[str]:
    """ "Norte Saúde – Hospitais Privados, S.A.": a brand, a dash, then the whole legal name,
    one company's name when the domain spells the brand (else a person and a firm, say)."""
    names = []
    for line in text.split("\n") if label else ():
        match = _DASHED.match(line.strip())
        if not match:
            continue
        brand, rest = match.group("brand"), match.group("rest").strip().rstrip(" ,;")
        squashed = squash(brand)
        if (
            len(squashed) >= 4
            and squashed in label
            and is_capital(brand)
            and LEGAL_SUFFIX.search(rest)
            and _capitalized_tail(rest) == rest
        ):
            names.append(line.strip().rstrip(" ,;"))
    return names


def _after_label(segment: str) -> str | None:
    """The part after a "Label:" ("Impressum: X" → "X"); None after another party's label."""
    label, colon, rest = segment.rpartition(":")
    if not colon or not rest.strip():
        return segment
    return None if _OTHER_PARTY_LABELS.search(label) else rest.strip()


def _capitalized_tail(segment: str) -> str | None:
    """The run of capitalised words that ends a segment ("at Globex Corp" → "Globex Corp")."""
    form = TRAILING_FORM.search(segment)  # "sp. z o.o.", "A/S": a form need not be capitalised
    words = segment[: form.start()].split() if form else segment.split()
    start = len(words)
    while start > 0 and (is_capital(words[start - 1]) or words[start - 1] in NAME_JOINERS):
        start -= 1
    while start < len(words) and words[start] in NAME_JOINERS:
        start += 1
    if start == len(words) and form and _whole_line_name(words):
        start = 0  # "Hanácké strojírny a.s.": Czech and Polish write the nouns in lower case
    suffix = form.group(0) if form and start < len(words) else ""
    name = (" ".join(words[start:]) + suffix).strip(" ,;:()")
    return name if name and not LEGAL_SUFFIX.fullmatch(name) else None


# Words that make a part a phrase about a company rather than its name ("manager at X a.s.").
_NOT_IN_A_NAME = frozenset({
    "at", "for", "of", "from", "with", "bei", "für", "von", "chez", "pour", "en", "na", "w", "z",
    "ze", "ve", "v", "u", "pro", "do", "od", "manager", "director", "team", "sales", "ceo",
    "our", "we", "i", "is", "are", "jest", "je", "sme", "jsme",
})  # fmt: skip


def _whole_line_name(words: list[str]) -> bool:
    """A short part that opens with a capital and holds only name words, whatever their case."""
    return (
        0 < len(words) <= 3
        and is_capital(words[0])
        and all(word.isalpha() or "-" in word for word in words)
        and not any(word.lower() in _NOT_IN_A_NAME for word in words)
    )

