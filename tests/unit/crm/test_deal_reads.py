"""What the remote adapters hand the writer: their CRM's deals as OpenDeal (times with a zone)."""

from __future__ import annotations

from datetime import UTC, datetime

from triage.domain.crm_decisions import decide_deal
from triage_crm.adapters.hubspot.deals import _open_deals
from triage_crm.adapters.salesforce.crm import _open_deal

NOW = datetime(2026, 12, 7, 12, 0, tzinfo=UTC)


def hubspot_deal(deal_id: str, createdate: str | None, closed: str = "false") -> dict:
    return {"id": deal_id, "properties": {"createdate": createdate, "hs_is_closed": closed}}


def test_hubspot_deals_keep_their_time_and_closed_flag() -> None:
    deals = _open_deals([hubspot_deal("1", "2026-12-01T09:30:00.000Z"), hubspot_deal("2", "2026-12-06T00:00:00Z", "true"),
                         hubspot_deal("3", "2026-12-05T10:00:00")])
    assert [(d.deal_id, d.created_at, d.closed) for d in deals] == [
        ("1", datetime(2026, 12, 1, 9, 30, tzinfo=UTC), False),
        ("2", datetime(2026, 12, 6, tzinfo=UTC), True),
        ("3", datetime(2026, 12, 5, 10, tzinfo=UTC), False),  # no zone: UTC, never a comparison error
    ]
    assert decide_deal(deals, NOW).deal_id == "3"


def test_a_hubspot_deal_without_createdate_is_from_the_distant_past_and_never_blocks() -> None:
    [deal] = _open_deals([hubspot_deal("9", None)])
    assert deal.created_at.year == 1 and decide_deal([deal], NOW).create


def test_salesforce_created_dates_in_either_form() -> None:
    assert _open_deal({"Id": "006A", "CreatedDate": "2026-11-25T10:00:00.000+0000"}).created_at == datetime(
        2026, 11, 25, 10, tzinfo=UTC)
    assert _open_deal({"Id": "006B", "CreatedDate": "2026-11-25T10:00:00Z"}).created_at == datetime(
        2026, 11, 25, 10, tzinfo=UTC)
    assert _open_deal({"Id": "006C", "CreatedDate": "2026-11-25T10:00:00"}).created_at.tzinfo is UTC
