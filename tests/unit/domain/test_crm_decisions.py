"""The deal rule, once for every CRM: no new deal while an open one is younger than 45 days."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from triage.domain.crm_decisions import (
    OPEN_DEAL_WINDOW_DAYS,
    OpenDeal,
    deal_window_start,
    decide_deal,
    expected_close_date,
    newest_open_deal,
)

NOW = datetime(2026, 12, 7, 12, 0, tzinfo=UTC)


def aged(deal_id: str, days: float, closed: bool = False) -> OpenDeal:
    return OpenDeal(deal_id, NOW - timedelta(days=days), closed)


def test_the_window_is_45_days() -> None:
    assert OPEN_DEAL_WINDOW_DAYS == 45
    assert deal_window_start(NOW) == NOW - timedelta(days=45)


@pytest.mark.parametrize(("days", "create"), [(44, False), (44.999, False), (45, True), (46, True)])
def test_an_open_deal_blocks_a_new_one_only_while_younger_than_45_days(days: float, create: bool) -> None:
    decision = decide_deal([aged("d1", days)], NOW)
    assert decision.create is create
    assert decision.deal_id == (None if create else "d1")


def test_no_deals_at_all_creates() -> None:
    decision = decide_deal([], NOW)
    assert (decision.create, decision.deal_id) == (True, None)
    assert decision.reason == "no open deal younger than 45 days"


def test_a_closed_deal_never_blocks_however_young() -> None:
    assert decide_deal([aged("won", 1, closed=True), aged("lost", 0, closed=True)], NOW).create


def test_of_several_open_deals_the_email_joins_the_newest_young_one() -> None:
    deals = [aged("old", 100), aged("young", 30), aged("newest", 2), aged("closed", 0, closed=True)]
    decision = decide_deal(deals, NOW)
    assert (decision.create, decision.deal_id) == (False, "newest")
    assert decision.reason == "younger than 45 days"


def test_only_old_open_deals_create_a_new_one() -> None:
    assert decide_deal([aged("a", 46), aged("b", 400)], NOW).create


def test_a_deal_made_a_moment_ago_or_with_a_clock_ahead_blocks() -> None:
    assert not decide_deal([aged("now", 0), aged("ahead", -0.01)], NOW).create


def test_the_deal_a_contact_joins_is_the_newest_open_one_of_any_age() -> None:
    assert newest_open_deal([aged("old", 400), aged("older", 500), aged("closed", 1, closed=True)]) == "old"
    assert newest_open_deal([aged("closed", 1, closed=True)]) is None
    assert newest_open_deal([]) is None


def test_a_tie_goes_to_the_larger_id_whatever_the_order() -> None:
    assert decide_deal([aged("d2", 3), aged("d9", 3), aged("d5", 3)], NOW).deal_id == "d9"


def test_the_expected_close_date_is_whole_days_ahead() -> None:
    assert expected_close_date(NOW, 90).isoformat() == "2027-03-07"
