"""The UI's wording of audit rows: countdowns, bands, CRM status."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from triage.domain.bands import ConfidenceBands
from triage_crm_sink.admin_views import crm_status, duration, email_row, sla

NOW = datetime(2026, 11, 25, 12, 0, tzinfo=UTC)


def test_durations_keep_the_two_largest_units() -> None:
    assert [duration(s) for s in (9, 249, 7_500, 3 * 86_400 + 4 * 3_600 + 59)] == ["0m 09s", "4m 09s",
                                                                                 "2h 05m", "3d 4h"]


def test_the_sla_counts_down_then_shows_overdue() -> None:
    assert sla(NOW + timedelta(hours=2, minutes=5), NOW) == ("due in 2h 05m", "due")
    assert sla(NOW - timedelta(minutes=4, seconds=9), NOW) == ("overdue by 4m 09s", "overdue")
    assert sla(None, NOW) == ("no SLA", "none")


def test_the_most_telling_crm_status_comes_first() -> None:
    assert crm_status(["created", "awaiting_approval", "failed"]) == "failed, awaiting_approval, created"
    assert crm_status(None) == crm_status([]) == "—"


def test_the_band_is_the_review_items_or_else_the_confidences() -> None:
    bands = ConfidenceBands(0.85, 0.6)
    row = {"due_at": None, "confidence": 0.7, "band": None, "crm_statuses": None}
    assert email_row(row, NOW, bands)["band"] == "suggest"
    assert email_row({**row, "band": "review"}, NOW, bands)["band"] == "review"
    assert email_row({**row, "confidence": None}, NOW, bands)["band"] == "—"
