"""What the team should do with the email: a lead asking for prices gets pricing, another
lead a demo; the other intents go where their intent says.
"""

from __future__ import annotations

from triage.domain.extraction.text import cue
from triage.domain.models import Intent, RequiredAction

# fmt: off
_PRICING_ASK = cue(
    r"pricing", r"price list", r"prices", r"per-seat price", r"(?:a|formal|the) quote",
    r"quote (?:request|for)", r"quotation", r"how much", r"what (?:does|would) it cost",
    r"preise", r"preisliste", r"kostenvoranschlag", r"was kostet", r"ein angebot", r"devis",
    r"tarifs?", r"tarification", r"combien", r"precios", r"cotización", r"cuánto cuesta",
    r"(?:solicitar|pedir|enviar(?:nos|me)?|mandar(?:nos|me)?) (?:un )?presupuesto",
    r"tabela de preços", r"cotação", r"preventivo", r"listino(?: prezzi)?", r"offerte", r"prijzen",
)
# fmt: on
_ACTIONS: dict[str, RequiredAction] = {
    "support": "forward_support",
    "vendor": "route_ops",
    "job_applicant": "route_ops",
    "newsletter": "ignore",
    "spam": "ignore",
}


def required_action(intent: Intent, text: str) -> RequiredAction:
    if intent == "lead":
        return "send_pricing" if _PRICING_ASK.search(text) else "schedule_demo"
    return _ACTIONS[intent]
