"""A valid extraction as an LLM returns it (tool-call arguments), shared by the LLM tests."""

from __future__ import annotations


def valid_arguments(**overrides: object) -> dict[str, object]:
    return {
        "intent": "lead",
        "person": {"name": "Jane Doe", "email": "jane@globex-robotics.com"},
        "company": {"name": "Globex Robotics Ltd", "domain": "globex-robotics.com"},
        "interest": {"products": ["Revenue Radar"]},
        "budget": {"annual_amount_usd": 54000},
        "timeline": "unknown",
        "region": "US",
        "summary": "Wants a Revenue Radar demo.",
        "required_action": "schedule_demo",
        "confidence": 0.9,
        **overrides,
    }
