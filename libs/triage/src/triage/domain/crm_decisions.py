"""What the CRM writer decides, for every backend alike: the deal window and an action's result.

The seed design's rule: an email creates a deal only when its company (else its contact) has no
open deal younger than ``OPEN_DEAL_WINDOW_DAYS``; otherwise the email joins that deal. The
adapters (local PostgreSQL, HubSpot, Salesforce) only read the owner's deals and create one; the
writer (triage_crm.writer) asks ``decide_deal`` which to do (ADR 0030).

"Younger than 45 days" is strict: a deal exactly 45 days old no longer blocks a new one.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date, datetime, timedelta

#: No new deal while the company (contact) has an open one younger than this.
OPEN_DEAL_WINDOW_DAYS = 45
OPEN_DEAL_WINDOW = timedelta(days=OPEN_DEAL_WINDOW_DAYS)


@dataclass(frozen=True)
class ActionResult:
    """What one CRM action did: recorded in the ledger, published on crm.events."""

    object_type: str
    object_id: str | None
    status: str  # created | updated | unchanged
    summary: str


@dataclass(frozen=True)
class OpenDeal:
    """A deal of the owner as the CRM shows it (``closed``: won or lost, it never blocks)."""

    deal_id: str
    created_at: datetime  # timezone-aware
    closed: bool = False


@dataclass(frozen=True)
class DealDecision:
    create: bool
    deal_id: str | None  # the open deal that blocks a new one (``create`` is False)
    reason: str


def deal_window_start(now: datetime) -> datetime:
    """The oldest creation time a blocking deal can have: reads may filter on it (a superset is fine)."""
    return now - OPEN_DEAL_WINDOW


def blocks_a_new_deal(deal: OpenDeal, now: datetime) -> bool:
    return not deal.closed and now - deal.created_at < OPEN_DEAL_WINDOW


def decide_deal(deals: Iterable[OpenDeal], now: datetime) -> DealDecision:
    """Create, or skip because of the newest open deal younger than the window (the one the email joins)."""
    blocking = [deal for deal in deals if blocks_a_new_deal(deal, now)]
    if not blocking:
        return DealDecision(True, None, f"no open deal younger than {OPEN_DEAL_WINDOW_DAYS} days")
    newest = max(blocking, key=_age_order)
    return DealDecision(False, newest.deal_id, f"younger than {OPEN_DEAL_WINDOW_DAYS} days")


def newest_open_deal(deals: Iterable[OpenDeal]) -> str | None:
    """The deal a contact joins (``associate_contact``): the owner's newest open one, of any age."""
    open_deals = [deal for deal in deals if not deal.closed]
    return max(open_deals, key=_age_order).deal_id if open_deals else None


def expected_close_date(now: datetime, in_days: int) -> date:
    """A new deal's expected close date (a field Salesforce requires)."""
    return (now + timedelta(days=in_days)).date()


def _age_order(deal: OpenDeal) -> tuple[datetime, str]:
    return deal.created_at, deal.deal_id  # the newest; a tie goes to the larger id, as the CRMs' own sorts
