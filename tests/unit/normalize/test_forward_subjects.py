"""A forward is known by its subject's prefix in each language's mail client (vocabulary.py)."""

from __future__ import annotations

import pytest

from triage.domain.normalize import find_forwarded, is_forward_subject

ORIGINAL = """Hei team, kan noen i salg ta den?

-----Opprinnelig melding-----
Fra: Daan Verhoeven <d.verhoeven@rijnmondtugs.nl>
Sendt: tirsdag 18. november 2025 17:42
Til: Eirik <eirik@fjordline.no>
Emne: Tug fleet

Hi Eirik, we'd like to see a demo next week.

Daan Verhoeven
Rijnmond Tugs B.V.
"""


@pytest.mark.parametrize("subject", ["Fwd: x", "WG: x", "TR: x", "RV: x", "Doorst: x", "VS: Tug fleet",
                                     "VB: offert", "VL: tarjous", "PD: oferta"])
def test_each_languages_forward_prefix_marks_a_forward(subject: str) -> None:
    assert is_forward_subject(subject)


@pytest.mark.parametrize("subject", ["SV: Tug fleet", "Re: x", "AW: x", "Vs Code question", "Pd of the order"])
def test_replies_and_ordinary_words_are_no_forward(subject: str) -> None:
    assert not is_forward_subject(subject)


def test_a_norwegian_outlook_forward_gives_its_original_sender() -> None:
    forwarded = find_forwarded(ORIGINAL, "VS: Tug fleet")
    assert forwarded is not None
    assert (forwarded.from_email, forwarded.subject) == ("d.verhoeven@rijnmondtugs.nl", "Tug fleet")
    assert "demo next week" in forwarded.text
