"""Look-alike domains: a sender domain dressed up as the mailbox's own (or a customer's).

``nordIicht-robotics.de`` for ``nordlicht-robotics.de``, ``rn`` for ``m``, ``acme-io.co``
for ``acme.io``, ``acme.io.co``: fraud that borrows a trusted name. The test is on the
registrable part of the domain and is deliberately narrow: the same domain, or a
subdomain of it, is never a look-alike, and two unrelated short names are not either.
"""

from __future__ import annotations

import re
import unicodedata
from functools import lru_cache

# Glyphs a reader takes for one another, folded to one spelling before comparing.
_CONFUSABLE = (("rn", "m"), ("vv", "w"), ("cl", "d"), ("0", "o"), ("1", "l"), ("i", "l"),
               ("5", "s"), ("3", "e"))
_SEPARATORS = re.compile(r"[-_.]")
MIN_LABEL = 5  # shorter names are too easily one edit apart by chance


# Pure and called for every trusted domain of every message: the mailbox's few domains
# repeat, so their skeletons are computed once.
@lru_cache(maxsize=4096)
def skeleton(label: str, separators: str = "") -> str:
    """The label as a hurried reader sees it: confusables folded, accents gone, and the
    separators (``-``, ``_``, ``.``) replaced by ``separators``."""
    text = unicodedata.normalize("NFKD", label.lower())
    text = "".join(c for c in text if not unicodedata.combining(c))
    text = _SEPARATORS.sub(separators, text)
    for glyphs, seen_as in _CONFUSABLE:
        text = text.replace(glyphs, seen_as)
    return text


def is_lookalike(sender_domain: str | None, trusted: list[str]) -> bool:
    """True when ``sender_domain`` imitates one of ``trusted`` without being it or under it."""
    if not sender_domain:
        return False
    sender = sender_domain.lower().strip(".")
    domains = [domain for domain in (d.lower().strip(".") for d in trusted) if domain]
    # One of the trusted domains is trusted, whatever the others look like: wislacloud.pl is
    # not a look-alike of the same company's wislacloud.com.
    if any(sender == domain or sender.endswith("." + domain) for domain in domains):
        return False
    return any(_imitates(sender, domain) for domain in domains)


def _imitates(sender: str, trusted: str) -> bool:
    trusted_label, _, _ = trusted.partition(".")
    if len(trusted_label) < MIN_LABEL:
        return False
    name = skeleton(trusted_label)
    # acme.io.co, acme-io.co, acme.io-secure.com: the trusted domain spelled inside another
    # (a separator after it, so acmeiot.com is not acme.io).
    if skeleton(sender, ".").startswith(skeleton(trusted, ".") + "."):
        return True
    # nordIicht-robotics.de, hollandlapay.com: one glyph away once confusables are folded.
    labels = sender.split(".")
    candidates = {skeleton(labels[0]), skeleton(".".join(labels[:-1]))}
    return any(_within_one_edit(candidate, name) for candidate in candidates)


def _within_one_edit(a: str, b: str) -> bool:
    """Levenshtein distance ≤ 1 (same spelling included: the raw domains differ)."""
    if abs(len(a) - len(b)) > 1:
        return False
    if len(a) == len(b):
        return sum(x != y for x, y in zip(a, b, strict=True)) <= 1
    short, long_ = (a, b) if len(a) < len(b) else (b, a)
    return any(long_[:index] + long_[index + 1:] == short for index in range(len(long_)))
