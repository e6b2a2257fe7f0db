"""Email domains: the part a company owns, free mail, a signature's website, and whether an
address belongs to a list of domains.
"""

from __future__ import annotations

import re
from collections.abc import Iterable

# Free and ISP mailboxes by country (a person's, never a company's): the international ones,
# then the big national providers of the languages the mailboxes receive.
FREE_MAIL_DOMAINS = frozenset({
    "gmail.com", "googlemail.com", "outlook.com", "hotmail.com", "live.com", "yahoo.com",
    "icloud.com", "me.com", "mac.com", "aol.com", "proton.me", "pm.me", "protonmail.com",
    "tutanota.com", "tuta.io", "fastmail.com", "zoho.com", "mail.com", "msn.com", "ymail.com",
    "gmx.de", "gmx.net", "gmx.at", "gmx.ch", "web.de", "t-online.de", "posteo.de", "freenet.de",
    "mailbox.org", "bluewin.ch", "orange.fr", "wanadoo.fr", "free.fr", "laposte.net", "sfr.fr",
    "libero.it", "virgilio.it", "tiscali.it", "alice.it", "sapo.pt", "uol.com.br",
    "bol.com.br", "terra.com.br", "telefonica.net", "ziggo.nl", "kpnmail.nl", "telenet.be",
    "skynet.be", "online.no", "jubii.dk", "mail.dk", "suomi24.fi", "wp.pl", "o2.pl",
    "onet.pl", "op.pl", "interia.pl", "gazeta.pl", "tlen.pl", "vp.pl", "seznam.cz", "email.cz",
    "centrum.cz", "post.cz", "volny.cz", "atlas.cz", "azet.sk", "zoznam.sk", "centrum.sk",
    "post.sk", "freemail.hu", "citromail.hu", "indamail.hu", "yandex.ru", "mail.ru", "qq.com",
    "163.com", "naver.com", "daum.net", "hanmail.net", "yahoo.co.jp",
})
# Providers that register one name under many country domains (hotmail.fr, yahoo.es, outlook.ie).
_FREE_MAIL_NAMES = frozenset({"hotmail", "outlook", "live", "yahoo", "gmx", "yandex", "icloud"})


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
    return domain is not None and is_free_mail_domain(domain)


def is_free_mail_domain(domain: str) -> bool:
    registrable = registrable_domain(domain)
    return registrable in FREE_MAIL_DOMAINS or registrable.split(".")[0] in _FREE_MAIL_NAMES


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
        if not is_free_mail_domain(domain) and not domain.startswith("linkedin."):
            return domain
    return None


def in_domains(address: str | None, domains: Iterable[str]) -> bool:
    domain = email_domain(address)
    return domain is not None and any(
        domain == own or domain.endswith("." + own) for own in domains
    )


def work_domains(text: str) -> list[str]:
    """The company domains of the addresses a text writes ("Min bruger er rth@nordhavnrederi.dk"),
    free mail left out, in order."""
    found = (registrable_domain(email_domain(address) or "") for address in EMAIL_ADDRESS.findall(text))
    return list(dict.fromkeys(domain for domain in found if domain and not is_free_mail_domain(domain)))
