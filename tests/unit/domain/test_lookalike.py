"""Look-alike domains: the narrow test that sends impersonation of our own or a customer's
domain to spam before any model sees it."""

from __future__ import annotations

import pytest

from triage.domain.lookalike import is_lookalike, skeleton

TRUSTED = ["nordlicht-robotics.de", "nordlicht.io", "hollandiapay.nl", "acme.io"]


@pytest.mark.parametrize("domain", [
    "nordIicht-robotics.de",        # capital I for l (lower-cased: ii)
    "nordlicht-robotlcs.de",        # l for i
    "nordlicht-robotics.de.co",     # our domain with a suffix
    "nordlicht-io.co",              # -io.co for .io
    "hollandlapay.com",             # one glyph and another TLD
    "hollandiapay-nl.com",
    "ho1landiapay.nl",
])
def test_imitations_are_look_alikes(domain: str) -> None:
    assert is_lookalike(domain, TRUSTED)


@pytest.mark.parametrize("domain", [
    "nordlicht-robotics.de",        # the domain itself
    "mail.nordlicht-robotics.de",   # a subdomain of it
    "nordlicht.io",
    "nordlicht-solutions.com",      # a different name that shares a word
    "acmeiot.com",                  # acme.io's letters, but not acme.io with a suffix
    "acne.io",                      # short names are too easily one edit apart
    "gmail.com",
    None,
    "",
])
def test_genuine_or_unrelated_domains_are_not(domain: str | None) -> None:
    assert not is_lookalike(domain, TRUSTED)


def test_the_skeleton_folds_what_a_reader_confuses() -> None:
    assert skeleton("RN-0ffice") == skeleton("moffice")
    assert skeleton("nord-licht.de", ".") == skeleton("nord.licht.de", ".")


def test_a_companys_own_domains_are_never_look_alikes_of_each_other() -> None:
    own = ["wislacloud.pl", "wislacloud.com", "wislacloud.de"]
    assert not is_lookalike("wislacloud.pl", own)
    assert not is_lookalike("mail.wislacloud.com", own)
    assert is_lookalike("wislacloud.co", own)  # a TLD the company does not own still imitates it
    assert is_lookalike("wisllacloud.pl", own)
