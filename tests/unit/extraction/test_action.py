"""A lead's required action: a request for prices in any language we read gets pricing,
another lead a demo; the other intents go where their intent says (action.py)."""

from __future__ import annotations

import pytest

from triage.domain.extraction.action import required_action


@pytest.mark.parametrize(
    "text",
    [
        "Could you send us your pricing?",
        "Können Sie uns ein Angebot schicken?",
        "Kan ni skicka en offert för 120 anställda?",
        "Kan dere sende et pristilbud?",
        "Voisitteko lähettää tarjouksen?",
        "Prosimy o wycenę dla 300 pracowników.",
        "Můžete nám poslat cenovou nabídku?",
        "Pošlite nám prosím cenovú ponuku.",
        "Kérem, küldjenek árajánlatot.",
        "お見積りをお願いできますでしょうか。",
        "견적을 보내주실 수 있나요?",
    ],
)
def test_a_lead_asking_for_prices_in_any_language_gets_pricing(text: str) -> None:
    assert required_action("lead", text) == "send_pricing"


def test_a_lead_without_a_price_request_gets_a_demo_and_other_intents_their_route() -> None:
    assert required_action("lead", "Chcielibyśmy zobaczyć prezentację systemu.") == "schedule_demo"
    assert required_action("support", "Prosimy o wycenę.") == "forward_support"
    assert required_action("spam", "Kérem, küldjenek árajánlatot.") == "ignore"
