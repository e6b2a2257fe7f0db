"""A person's correction as an extraction the rules can route (ADR 0025). Pure.

A saved correction is a gold-format labels object (``triage_admin.labels``). To make it act, the
admin turns it into the extraction a person vouches for — confidence 1, ``decided_by``
``person``, no band cap — and routes it with the route service's own function
(``triage.domain.decision.routed_email``), rules and bands. The corrected plan's actions get
idempotency keys of their own where they differ from what the model planned, so an action
the model's plan already performed (a contact in a nameless company) does not answer for
the corrected one; an unchanged action keeps its key, so it is not performed twice.
"""

from __future__ import annotations

import hashlib
import json
from typing import Any

from triage.domain.extraction.evidence import field_values
from triage.domain.models import (
    Budget,
    Company,
    CrmAction,
    ExtractedEmail,
    Extraction,
    Interest,
    Person,
)

#: ``decided_by`` of an extraction a person wrote; the routing rules may name it
DECIDED_BY_PERSON = "person"
#: a person's labels are what the email says: the top of every band
PERSON_CONFIDENCE = 1.0


def corrected_extraction(labels: dict[str, Any], model: Extraction | None) -> Extraction:
    """The labels as an extraction; the model's summary stays, and its evidence of every
    value the person left as it was."""
    person, company = labels.get("person") or {}, labels.get("company") or {}
    corrected = Extraction(
        intent=labels["intent"],
        person=Person(name=person.get("name"), email=person.get("email")),
        company=Company(name=company.get("name"), domain=company.get("domain")),
        interest=Interest(products=list((labels.get("interest") or {}).get("products") or [])),
        budget=Budget(annual_amount_usd=(labels.get("budget") or {}).get("annual_amount_usd")),
        timeline=labels.get("timeline") or "unknown",
        region=labels.get("region"),
        summary=model.summary if model else "",
        required_action=labels["required_action"],
        confidence=PERSON_CONFIDENCE,
    )
    if model is None:
        return corrected
    kept, was = field_values(corrected), field_values(model)
    evidence = [e for e in model.evidence if e.field in kept and kept[e.field] == was.get(e.field)]
    return corrected.model_copy(update={"evidence": evidence})


def corrected_email(model: ExtractedEmail, labels: dict[str, Any], actor: str) -> ExtractedEmail:
    """The email as the person corrected it, ready for ``routed_email``."""
    return model.model_copy(update={
        "extraction": corrected_extraction(labels, model.extraction),
        "model": DECIDED_BY_PERSON, "model_version": actor, "decided_by": DECIDED_BY_PERSON,
        "tokens_in": 0, "tokens_out": 0, "cost_usd": 0.0, "band_cap": None, "band_cap_reason": None,
    })


def rekeyed(plan: list[CrmAction], original: list[CrmAction]) -> list[CrmAction]:
    """The corrected plan, each action keyed by what it writes: the model's key when the
    model planned the very same write, else ``<email id>:<action>:c<digest of its properties>``
    — the same correction saved twice plans the same keys (exactly once)."""
    same = {_identity(a): a.idempotency_key for a in original}
    return [action.model_copy(update={"idempotency_key": same.get(_identity(action)) or _revision_key(action)})
            for action in plan]


def _identity(action: CrmAction) -> tuple[str, str]:
    return action.action, json.dumps(action.properties, sort_keys=True)


def _revision_key(action: CrmAction) -> str:
    digest = hashlib.sha256(_identity(action)[1].encode()).hexdigest()[:12]
    return f"{action.idempotency_key}:c{digest}"
