"""Capitalised words that spell the sender's domain: whole ("Acme Robotics" for
acmerobotics.com), by initials or as a shortened label, run on to a short line's end.
"""

from __future__ import annotations

import re

from triage.domain.extraction.company_phrases import NAME_JOINERS, is_capital
from triage.domain.extraction.company_suffix import segments
from triage.domain.extraction.legal import LEGAL_SUFFIX
from triage.domain.extraction.text import squash


def name_spelling(text: str, label: str) -> str | None:
    """Capitalised words that spell the domain: "Acme Robotics" or "Harrowgate Insurance Brokers"
    for acmerobotics.com and harrowgate-ib.co.uk."""
    if len(label) < 3:
        return None
    for segment in segments(text):
        # "d'Autocars Garrotxa", "dell'Hotel Roma": the elided article is not the name's
        words = [_ELIDED.sub("", word) for word in segment.split()]
        for start in range(len(words)):
            found = _phrase_spelling(words, start, label)
            if found:
                return _whole_name(words, start, found)
    return None


_ELIDED = re.compile(r"^(?:d|l|dell|all|dall|nell|sull)['’](?=[A-ZÀ-Ý])")


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
    for end in range(start + 1, min(start + 6, len(words)) + 1):
        phrase = words[start:end]
        if not all(is_capital(word.lstrip("(")) or word in NAME_JOINERS for word in phrase):
            return None
        if phrase[-1] in NAME_JOINERS:
            continue
        if _spells(phrase, label):
            return _with_suffix(words, start, end)
    return None


# What a domain wraps around a name: thelarkhotels.com, getacme.io, acmehq.com.
_DOMAIN_AFFIXES = re.compile(r"^(?:the|get|try|use|go|my|hello|join|b2b)|(?:hq|app|group|online)$")
# A trade word after the name: softrate-reviews.com for SoftRate, acme-data.io for Acme.
_DOMAIN_DESCRIPTORS = re.compile(
    r"(?<=\w{5})(?:reviews|data|labs|digital|media|software|cloud|tech|solutions|systems)$"
)


def _spells(phrase: list[str], label: str) -> bool:
    """The phrase is the domain's name: whole, by initials, or as a shortened label
    ("HôtelPro Magazine" for hotelpro-mag.fr)."""
    squashed = squash(" ".join(phrase))
    capitals = [squash(word) for word in phrase if word not in NAME_JOINERS]
    labels = {label, bare := _DOMAIN_AFFIXES.sub("", label), _DOMAIN_DESCRIPTORS.sub("", bare)}
    if squashed in labels:
        return True
    if len(capitals) > 1 and any(len(name) >= 5 and _abbreviates(name, capitals) for name in labels):
        return True
    # the joiners may stay in the label: "remontees-valdespins" for Remontées Mécaniques du Val des Pins
    every = [squash(word) for word in phrase]
    if len(capitals) > 2 and any(_drops_words(name, every) for name in labels):
        return True
    return len(label) >= 8 and len(phrase) > 1 and squashed.startswith(label)


def _drops_words(label: str, words: list[str]) -> bool:
    """The label is the name's first and last words, whole, a descriptor between them left
    out: "studioferrante" for Studio Medico Ferrante."""
    if len(label) < 8 or not label.startswith(words[0]) or not label.endswith(words[-1]):
        return False
    middle = label[len(words[0]) : len(label) - len(words[-1])]
    return any(middle == "".join(kept) for kept in _subsequences(words[1:-1]))


def _subsequences(words: list[str]) -> list[list[str]]:
    if not words:
        return [[]]
    rest = _subsequences(words[1:])
    return rest + [[words[0], *kept] for kept in rest]


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
        while end < len(words) and not LEGAL_SUFFIX.fullmatch(words[end].strip(",;:()")):
            joined = words[end] in NAME_JOINERS and end + 1 < len(words)  # "Physio & Sports"
            if not (_is_name_word(words[end]) or joined and _is_name_word(words[end + 1])):
                break
            end += 2 if joined else 1
    if end < len(words) and LEGAL_SUFFIX.fullmatch(words[end].strip(",;:()")):
        end += 1
    return " ".join(words[start:end]).strip(" ,;:()")


def _is_name_word(word: str) -> bool:
    return not word.startswith("(") and word[:1].isupper() and word.rstrip(")").isalpha()
