"""The email list's filters: whitelisted names and values, bound parameters, keyset pages."""

from __future__ import annotations

import re
from datetime import UTC, date, datetime, timedelta

import pytest

from triage.domain.bands import ConfidenceBands
from triage_admin.email_list import (
    Cursor,
    EmailFilter,
    FilterError,
    like_pattern,
    page_query,
    paginate,
    parse_filter,
)

BANDS = ConfidenceBands(0.85, 0.6)
T0 = datetime(2026, 12, 1, 9, 0, tzinfo=UTC)


@pytest.mark.parametrize(("params", "field"), [
    ({"intent": "lead'; DROP TABLE emails; --"}, "intent"),
    ({"band": "everything"}, "band"),
    ({"review": "pending"}, "review"),
    ({"crm": "written"}, "crm"),
    ({"mailbox": "sales@x.io' OR '1'='1"}, "mailbox"),
    ({"queue": "a b"}, "queue"),
    ({"received_from": "yesterday"}, "received_from"),
    ({"received_from": "2026-12-02", "received_to": "2026-12-01"}, "received_to"),
    ({"sort": "subject"}, "sort"),
    ({"size": "100000"}, "size"),
    ({"q": "x" * 201}, "q"),
    ({"after": "not-a-cursor"}, "page link"),
])
def test_a_value_outside_the_whitelist_is_refused_naming_the_field(params: dict, field: str) -> None:
    with pytest.raises(FilterError, match=field):
        parse_filter(params)


def test_no_text_from_the_browser_reaches_the_sql() -> None:
    hostile = "'; DROP TABLE emails; --"
    chosen = parse_filter({"q": hostile, "mailbox": "sales@lumora.io", "queue": "sales_inbound", "intent": "lead",
                           "band": "suggest", "review": "open", "crm": "awaiting_approval",
                           "received_from": "2026-12-01", "received_to": "2026-12-03"})
    text, params = page_query(chosen, BANDS)
    for value in (hostile, "DROP", "sales@lumora.io", "sales_inbound", "awaiting_approval"):
        assert value not in text
    assert f"%{hostile}%" in params and "sales@lumora.io" in params and "awaiting_approval" in params
    assert len(set(re.findall(r"\$(\d+)", text))) == len(params), "every value is a bound parameter"
    assert datetime(2026, 12, 4, tzinfo=UTC) in params, "the end date is inclusive: up to the next midnight"


def test_search_wildcards_are_searched_for_as_characters() -> None:
    assert like_pattern("100%_off\\") == "%100\\%\\_off\\\\%"


def test_without_filters_the_page_is_one_ordered_scan() -> None:
    text, params = page_query(EmailFilter(), BANDS)
    assert "WHERE" not in text.split("LEFT JOIN review_queue")[1]
    assert text.rstrip().endswith("ORDER BY e.received_at DESC, e.email_id DESC\nLIMIT $1") and params == [51]


def test_a_cursor_continues_after_its_row_in_either_direction() -> None:
    after = parse_filter({"after": Cursor(T0, "e9").encode()})
    text, params = page_query(after, BANDS)
    assert "(e.received_at, e.email_id) < ($1, $2)" in text and params[:2] == [T0, "e9"]
    before = parse_filter({"before": Cursor(T0, "e9").encode()})
    text, _ = page_query(before, BANDS)
    assert "(e.received_at, e.email_id) > ($1, $2)" in text and "ORDER BY e.received_at ASC" in text
    oldest = parse_filter({"sort": "oldest", "after": Cursor(T0, "e9").encode()})
    assert "> ($1, $2)" in page_query(oldest, BANDS)[0]


def rows(n: int, start: int = 0) -> list[dict]:
    return [{"email_id": f"e{i}", "received_at": T0 - timedelta(minutes=i)} for i in range(start, start + n)]


def test_pages_link_to_their_neighbours_and_the_first_has_no_previous() -> None:
    first = paginate(EmailFilter(size=25), rows(26))
    assert len(first.rows) == 25 and first.newer is None
    assert first.older == Cursor(T0 - timedelta(minutes=24), "e24", True)
    last = paginate(EmailFilter(size=25, cursor=first.older), rows(3, 25))
    assert last.older is None and last.newer == Cursor(T0 - timedelta(minutes=25), "e25", False)
    # going back: read oldest first, shown newest first
    back = paginate(EmailFilter(size=25, cursor=last.newer), list(reversed(rows(25))))
    assert [r["email_id"] for r in back.rows] == [f"e{i}" for i in range(25)]
    assert back.newer is None and back.older is not None
    assert paginate(EmailFilter(), []).rows == []


def test_a_cursor_survives_its_link_and_a_damaged_one_is_refused() -> None:
    cursor = Cursor(T0, "abc|def:1")
    assert Cursor.decode(cursor.encode(), True) == cursor
    with pytest.raises(FilterError):
        Cursor.decode(Cursor(T0.replace(tzinfo=None), "x").encode(), True)


def test_the_query_string_keeps_the_filters_and_leaves_defaults_out() -> None:
    chosen = parse_filter({"intent": "lead", "received_from": "2026-12-01", "size": "50", "q": "  acme   corp "})
    assert chosen.q == "acme corp" and chosen.received_from == date(2026, 12, 1)
    assert chosen.query() == "intent=lead&received_from=2026-12-01&q=acme+corp"
    assert chosen.active and not EmailFilter(size=100).active
