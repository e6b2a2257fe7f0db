"""The CRM port: the primitive reads and writes each adapter (local, HubSpot, Salesforce) implements.

An adapter does I/O in its CRM's terms and decides nothing the seed rules say: whether an
email gets a new deal is the writer's (writer.py), through ``triage.domain.crm_decisions``
(ADR 0030). Upserts (company, contact), the association and the ticket are primitive for the
port: each is one idempotent write in the CRM's own terms (search before create, a unique key).
"""

from __future__ import annotations

from collections.abc import Sequence
from contextlib import AbstractContextManager
from dataclasses import dataclass
from datetime import datetime
from typing import Protocol

from triage.domain.crm_decisions import ActionResult, OpenDeal
from triage.domain.models import CrmAction


@dataclass(frozen=True)
class DealOwner:
    """Whose open deals block a new one: the CRM's company (account) id, else the contact's id.

    ``lock_key``: what the deal lock serialises the check and the create on (deal_lock.py); None
    when there is nothing to check the rule on.
    """

    company_id: str | None
    contact_id: str | None
    lock_key: str | None


class CrmPort(Protocol):
    backend: str
    deal_type: str  # the object a deal is in this CRM: "deal", "opportunity"
    deal_label: str  # how a summary names one: "deal", "HubSpot deal", "Salesforce opportunity"

    def prefetch(self, actions: Sequence[CrmAction]) -> None:
        """Read what a batch's actions need in bulk (an optimisation: what it misses is read per action)."""

    def performing(self) -> AbstractContextManager[None]:
        """Around each action: the adapter's own bookkeeping (a stale batch view, a cached id gone)."""

    def upsert_company(self, props: dict[str, str]) -> ActionResult: ...

    def upsert_contact(self, props: dict[str, str]) -> ActionResult: ...

    def deal_made_for(self, props: dict[str, str], key: str) -> ActionResult | None:
        """The deal an earlier attempt of this very action made (found by its key), if the CRM can tell."""

    def deal_owner(self, props: dict[str, str]) -> DealOwner: ...

    def known_deals(self, owner: DealOwner) -> list[OpenDeal] | None:
        """The owner's deals in the batch's snapshot (None: not in it). What exists there is trusted;
        that none blocks is not: the writer reads again (``read_deals``) before it creates."""

    def read_deals(self, owner: DealOwner, since: datetime) -> list[OpenDeal]:
        """The owner's deals now, at least every open one created since ``since`` (consistent at once)."""

    def create_deal(self, props: dict[str, str], key: str, owner: DealOwner) -> ActionResult: ...

    def associate_contact(self, props: dict[str, str]) -> ActionResult:
        """The contact into its company and the company's newest open deal (``newest_open_deal``)."""

    def create_ticket(self, props: dict[str, str], key: str) -> ActionResult: ...
