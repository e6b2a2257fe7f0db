"""The HubSpot custom property crm-sink keys its companies and deals by: ``triage_idempotency_key``.

A property with ``hasUniqueValue`` is HubSpot's only per-object uniqueness
besides the contact's email: a second object with the same value is refused,
and objects are read by it (``idProperty``) from the object store — at once,
unlike the search index, which lags writes by seconds (ADR 0013). The property
is created on first use when the token has the ``crm.schemas.{type}.write``
scope; otherwise it must exist already (docs/crm.md) and the process stops with
a message naming what is missing.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from hubspot.crm.properties import PropertyCreate

KEY_PROPERTY = "triage_idempotency_key"
KEYED_TYPES = {"companies": "companyinformation", "deals": "dealinformation"}
KEYED_TICKETS = {"tickets": "ticketinformation"}  # checked on the first ticket only (hubspot_tickets.py)


class HubSpotSetupError(SystemExit):
    """HubSpot is not set up for exactly-once writes: stop the process, say what to fix (never dead-letter)."""


def ensure_key_property(properties_api: Any, call: Callable[..., Any], *, create: bool = True,
                        types: dict[str, str] = KEYED_TYPES) -> None:
    """Check (and create, when allowed) the unique key property on companies and deals (or ``types``)."""
    for object_type, group in types.items():
        found = _read(properties_api, call, object_type)
        if found is None and not create:
            raise HubSpotSetupError(
                f"HubSpot has no {object_type} property {KEY_PROPERTY}: create it once (docs/crm.md, "
                f"'HubSpot: the idempotency property'), or grant the token crm.schemas.{object_type}.write and set "
                "TRIAGE_HUBSPOT_CREATE_PROPERTIES=true")
        if found is None:
            found = _create(properties_api, call, object_type, group)
        if not found.has_unique_value:
            raise HubSpotSetupError(
                f"The HubSpot {object_type} property {KEY_PROPERTY} exists but is not unique (hasUniqueValue is "
                "false, and HubSpot cannot make an existing property unique): archive it and let crm-sink create "
                "it again (docs/crm.md)")


def _read(properties_api: Any, call: Callable[..., Any], object_type: str) -> Any:
    try:
        return call(properties_api.get_by_name, object_type, KEY_PROPERTY, passthrough=(403, 404))
    except Exception as exc:
        if getattr(exc, "status", None) == 403:
            raise HubSpotSetupError(_scope_message(object_type, "read")) from exc
        if getattr(exc, "status", None) == 404:
            return None
        raise


def _create(properties_api: Any, call: Callable[..., Any], object_type: str, group: str) -> Any:
    definition = PropertyCreate(
        name=KEY_PROPERTY, label="Triage idempotency key", type="string", field_type="text", group_name=group,
        has_unique_value=True, form_field=False,
        description="Written by inbound-triage crm-sink: the key it creates this record under, so a retried "
                    "create finds it instead of making a duplicate. Do not edit.")
    try:
        return call(properties_api.create, object_type, property_create=definition, passthrough=(403, 409))
    except Exception as exc:
        if getattr(exc, "status", None) == 403:
            raise HubSpotSetupError(_scope_message(object_type, "write")) from exc
        if getattr(exc, "status", None) == 409:  # another instance created it a moment ago
            return call(properties_api.get_by_name, object_type, KEY_PROPERTY)
        raise


def _scope_message(object_type: str, access: str) -> str:
    return (f"The HubSpot token lacks the scope crm.schemas.{object_type}.{access}, needed to "
            f"{'create' if access == 'write' else 'check'} the {object_type} property {KEY_PROPERTY} "
            "(docs/crm.md): add the scope to the private app, or create the property by hand")
