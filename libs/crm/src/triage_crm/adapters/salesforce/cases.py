"""Salesforce Cases: a support email becomes one Case (``sobjects/Case``), a mixin of SalesforceCrm.

An upsert by the external id ``Case.Triage_Email_Id__c`` (the email id: ``PATCH
sobjects/Case/Triage_Email_Id__c/<id>``, 201 created / 200 updated), so a create repeated after a
crash finds the Case it made; the ledger answers a replay before that. Fields: ``Subject``,
``Description`` (the extraction's summary), ``Origin`` and ``Status`` (config/queues.yaml;
``Email`` and ``New`` by default), ``Priority`` (High/Medium/Low from the route's priority), the
queue's owner as ``OwnerId`` (a User or a Queue), and the email's ``ContactId`` and ``AccountId``.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from triage.domain.crm_decisions import ActionResult
from triage.domain.queues import SALESFORCE_CASE_PRIORITY

CASE_KEY = "Triage_Email_Id__c"


class SalesforceCases:
    """``create_ticket``; ``SalesforceCrm`` supplies the reads and the request path."""

    upsert_by_key: Callable[..., tuple[str, bool]]
    find_account: Callable[[str | None, str | None], tuple[str, dict] | None]
    contact: Callable[[str], dict | None]

    def create_ticket(self, props: dict[str, str], key: str) -> ActionResult:
        account = self.find_account(props.get("company_domain"), props.get("company_name"))
        contact = self.contact(props["contact_email"].lower()) if props.get("contact_email") else None
        fields: dict[str, Any] = {
            "Subject": props.get("subject") or "Support request", "Description": props.get("content"),
            "Origin": props.get("case_origin") or "Email", "Status": props.get("case_status") or "New",
            "Priority": SALESFORCE_CASE_PRIORITY.get(props.get("priority", ""), "Medium"),
            "OwnerId": props.get("owner"), "AccountId": account[0] if account else None,
            "ContactId": contact["Id"] if contact else None,
        }
        case_id, created = self.upsert_by_key("Case", CASE_KEY, props["email_id"],
                                              {k: v for k, v in fields.items() if v not in (None, "")})
        status = "created" if created else "unchanged"
        owner = f", owner {props['owner']}" if props.get("owner") else ""
        return ActionResult("case", case_id, status, f"Salesforce case {case_id} {status}{owner}")
