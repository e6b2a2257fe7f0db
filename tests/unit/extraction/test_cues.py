"""The keyword cues the intent model reads as features (cues.py): an applicant's words in the
languages the mailboxes receive, and the everyday words they must not catch."""

from __future__ import annotations

import pytest

from triage.domain.extraction.cues import INTENT_CUES


@pytest.mark.parametrize(
    "text",
    [
        "Vorrei candidarmi per un tirocinio nel vostro team.",
        "Gostaria de me candidatar ao estágio de verão.",
        "Hierbij mijn sollicitatie voor de functie van tester.",
        "Här kommer min ansökan till tjänsten som utvecklare.",
        "Vedlagt er min søknad og CV.",
        "Liitteenä työhakemus ja ansioluettelo.",
        "W załączniku przesyłam życiorys, szukam stażu.",
        "Posílám životopis a přihlášku na stáž.",
        "Chcel by som sa uchádzať o letnú stáž.",
        "Csatolom az önéletrajzomat a gyakornoki pozícióra.",
    ],
)
def test_an_applicants_words_in_each_language_vote_for_job_applicant(text: str) -> None:
    assert INTENT_CUES["job_applicant"].score(text) >= 3


@pytest.mark.parametrize(
    "text",
    [
        "At this stage we are only gathering information about payroll tools.",
        "Stosujemy dobre praktyki przy wdrożeniach.",
    ],
)
def test_everyday_words_are_not_an_application(text: str) -> None:
    assert INTENT_CUES["job_applicant"].score(text) == 0
