"""The review form's fields <-> a gold-format labels object (shared docs: gold-format.md).

Pure: the UI prefills the form from an extraction (``form_from_extraction``) and turns a
submitted form into the object stored in ``eval_labels`` (``gold_labels``), the same shape
as a line of a gold set's ``labels.jsonl``, so a corrected email can join the next
training/evaluation set as it is. A form that breaks the label conventions is refused with
a message that says which field and why (the UI answers 422).
"""

from __future__ import annotations

import re
from typing import Any, get_args

from triage.domain.models import Intent, RequiredAction, Timeline

INTENTS: tuple[str, ...] = get_args(Intent)
TIMELINES: tuple[str, ...] = get_args(Timeline)
REQUIRED_ACTIONS: tuple[str, ...] = get_args(RequiredAction)
#: gold-format.md: which required actions each intent allows
ACTIONS_BY_INTENT: dict[str, tuple[str, ...]] = {
    "lead": ("schedule_demo", "send_pricing"), "support": ("forward_support",),
    "vendor": ("route_ops",), "job_applicant": ("route_ops",),
    "newsletter": ("ignore",), "spam": ("ignore",),
}
FIELDS = ("intent", "person_name", "person_email", "company_name", "company_domain", "products",
          "budget_usd", "timeline", "region", "required_action", "notes")
_EMAIL = re.compile(r"^[^@\s]+@[^@\s]+\.[^@\s]+$")
_DOMAIN = re.compile(r"^(?=.{1,253}$)([a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?\.)+[a-z]{2,63}$")
_AMOUNT = re.compile(r"^\$?\s*(\d[\d,]*(?:\.\d+)?)\s*(k)?$", re.IGNORECASE)


class LabelError(ValueError):
    """A submitted form that is not a valid label; the message names the field."""


def form_from_extraction(data: dict[str, Any]) -> dict[str, str]:
    """The form's initial values: what the model extracted, or a saved label (the same shape,
    plus its notes), as strings ('' for unknown) that ``gold_labels`` reads back unchanged."""
    person, company = data.get("person") or {}, data.get("company") or {}
    amount = (data.get("budget") or {}).get("annual_amount_usd")
    return {
        "intent": data.get("intent") or "", "person_name": person.get("name") or "",
        "person_email": person.get("email") or "", "company_name": company.get("name") or "",
        "company_domain": company.get("domain") or "",
        "products": ", ".join((data.get("interest") or {}).get("products") or []),
        "budget_usd": _amount_text(amount), "timeline": data.get("timeline") or "unknown",
        "region": data.get("region") or "", "required_action": data.get("required_action") or "",
        "notes": data.get("notes") or "",
    }


def _amount_text(amount: float | None) -> str:
    """120000, 1500000, 99.5: what ``_amount`` reads (``:g`` would write 1.5e+06)."""
    if amount is None:
        return ""
    return str(int(amount)) if float(amount).is_integer() else str(amount)


def gold_labels(email_id: str, form: dict[str, str]) -> dict[str, Any]:
    """A submitted form as one gold-format labels object; LabelError when it is not one."""
    value = {name: (form.get(name) or "").strip() for name in FIELDS}
    intent = _one_of(value["intent"], INTENTS, "intent")
    timeline = _one_of(value["timeline"] or "unknown", TIMELINES, "timeline")
    action = _one_of(value["required_action"], REQUIRED_ACTIONS, "required_action")
    if action not in ACTIONS_BY_INTENT[intent]:
        raise LabelError(f"required_action: {intent} takes {' or '.join(ACTIONS_BY_INTENT[intent])}, not {action}")
    if timeline != "unknown" and intent != "lead":
        raise LabelError("timeline: only a lead has a buying timeline; use 'unknown' for other intents")
    return {
        "id": email_id,
        "intent": intent,
        "person": {"name": value["person_name"] or None, "email": _email(value["person_email"])},
        "company": {"name": value["company_name"] or None, "domain": _domain(value["company_domain"])},
        "interest": {"products": [p.strip() for p in value["products"].split(",") if p.strip()]},
        "budget": {"annual_amount_usd": _amount(value["budget_usd"])},
        "timeline": timeline,
        "region": _region(value["region"]),
        "required_action": action,
        "notes": value["notes"],
    }


def _one_of(text: str, allowed: tuple[str, ...], field: str) -> str:
    if text not in allowed:
        raise LabelError(f"{field}: {text or '(empty)'!r} is not one of {', '.join(allowed)}")
    return text


def _email(text: str) -> str | None:
    if not text:
        return None
    if not _EMAIL.match(text):
        raise LabelError("person_email: not an email address")
    return text.lower()


def _domain(text: str) -> str | None:
    domain = text.lower().removeprefix("https://").removeprefix("http://").removeprefix("www.").rstrip("/")
    if not domain:
        return None
    if not _DOMAIN.match(domain):
        raise LabelError(f"company_domain: {text!r} is not a domain (e.g. globex.com)")
    return domain


def _amount(text: str) -> float | None:
    """Annual US dollars, as gold-format says: '120000', '120,000', '$120k'; '' is unknown."""
    if not text:
        return None
    found = _AMOUNT.match(text)
    if not found:
        raise LabelError(f"budget_usd: {text!r} is not an amount in US dollars (e.g. 120000 or 120k)")
    amount = float(found.group(1).replace(",", "")) * (1000 if found.group(2) else 1)
    return int(amount) if amount.is_integer() else amount


def _region(text: str) -> str | None:
    if not text:
        return None
    if not re.fullmatch(r"[A-Za-z]{2}", text):
        raise LabelError(f"region: {text!r} is not an ISO 3166-1 alpha-2 country code (e.g. US, DE)")
    return text.upper()
