"""Email domains: the part a company owns, free mail, a signature's website, and whether an
address belongs to a list of domains.
"""

from __future__ import annotations

import re
from collections.abc import Iterable

FREE_MAIL_DOMAINS = frozenset({
    "gmail.com", "googlemail.com", "outlook.com", "hotmail.com", "live.com", "yahoo.com",
    "icloud.com", "me.com", "aol.com", "proton.me", "protonmail.com", "gmx.de", "gmx.net",
    "web.de", "yandex.ru", "mail.ru", "qq.com", "163.com",
})


EMAIL_ADDRESS = re.compile(r"[\w.+'-]+@[\w-]+(?:\.[\w-]+)+")
_WEBSITE = re.compile(
    r"(?<![@\w.])(?:https?://)?(?:www\.)?((?:[a-z0-9-]+\.)+[a-z]{2,})(?![\w@])", re.I
)
# Second-level labels under which companies register (acme.co.uk, acme.com.au).
_SECOND_LEVEL = frozenset({"co", "com", "org", "net", "ac", "gov", "ltd", "plc", "edu", "gob"})


def email_domain(address: str | None) -> str | None:
    if not address or "@" not in address:
        return None
    return address.rsplit("@", 1)[1].strip().strip(">").lower() or None


def registrable_domain(domain: str) -> str:
    """mail.eu.acme.co.uk → acme.co.uk: the part a company actually owns."""
    labels = domain.lower().split(".")
    keep = 3 if len(labels) >= 3 and labels[-2] in _SECOND_LEVEL and len(labels[-1]) == 2 else 2
    return ".".join(labels[-keep:])


def is_free_mail(address: str | None) -> bool:
    domain = email_domain(address)
    return domain is not None and registrable_domain(domain) in FREE_MAIL_DOMAINS


def company_domain(address: str | None) -> str | None:
    domain = email_domain(address)
    if domain is None or is_free_mail(address):
        return None
    return registrable_domain(domain)


def domain_label(domain: str) -> str:
    return registrable_domain(domain).split(".")[0]


def website_domain(signature: str) -> str | None:
    """A free-mail sender's company is the website in their signature, if any."""
    for match in _WEBSITE.finditer(signature):
        domain = registrable_domain(match.group(1))
        if domain not in FREE_MAIL_DOMAINS and not domain.startswith("linkedin."):
            return domain
    return None


def in_domains(address: str | None, domains: Iterable[str]) -> bool:
    domain = email_domain(address)
    return domain is not None and any(
        domain == own or domain.endswith("." + own) for own in domains
    )
