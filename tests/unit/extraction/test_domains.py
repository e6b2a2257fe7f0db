"""Whose mailbox an address is: national free-mail providers are a person's, never a
company's domain, though their country-code domain still says where the person is."""

from __future__ import annotations

import pytest

from triage.domain.extraction.domains import company_domain, is_free_mail, work_domains
from triage.domain.extraction.region import cctld_country


@pytest.mark.parametrize(
    "address", ["jana77@seznam.cz", "asia88@wp.pl", "m.rossi@libero.it", "ana@hotmail.fr", "p@yahoo.es"]
)
def test_national_free_mail_is_a_persons_mailbox_not_a_company_domain(address: str) -> None:
    assert is_free_mail(address) and company_domain(address) is None
    assert cctld_country(address) == address.rsplit(".", 1)[1].upper()


def test_a_company_address_is_its_company_domain() -> None:
    assert not is_free_mail("e.michalak@transtar.com.pl")
    assert company_domain("e.michalak@transtar.com.pl") == "transtar.com.pl"


def test_work_domains_are_the_company_addresses_a_text_writes_in_order() -> None:
    text = "Write to me at ana@gmail.com or rth@mail.nordhavnrederi.dk (or rth@nordhavnrederi.dk)."

    assert work_domains(text) == ["nordhavnrederi.dk"]
