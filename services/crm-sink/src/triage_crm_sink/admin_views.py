"""How the UI words the audit rows: SLA countdowns, bands, CRM status. Pure functions."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from triage.domain.bands import ConfidenceBands, confidence_band


def duration(seconds: float) -> str:
    """``3d 4h``, ``2h 05m``, ``4m 09s``: the two largest units are enough to act on."""
    seconds = int(abs(seconds))
    days, rest = divmod(seconds, 86_400)
    hours, rest = divmod(rest, 3_600)
    minutes, secs = divmod(rest, 60)
    if days:
        return f"{days}d {hours}h"
    if hours:
        return f"{hours}h {minutes:02d}m"
    return f"{minutes}m {secs:02d}s"


def sla(due_at: datetime | None, now: datetime, stopped_at: datetime | None = None,
        stop: str | None = None) -> tuple[str, str]:
    """(text, state) of the countdown to the SLA due time; state: none|due|overdue|stopped.

    ``stopped_at``/``stop``: a person assigned, dismissed or answered the email (desk_clock): the
    clock no longer runs, and says whether it stopped in time.
    """
    if due_at is None:
        return "no SLA", "none"
    if stopped_at is not None:
        late = stopped_at - due_at
        when = "in time" if late.total_seconds() <= 0 else f"{duration(late.total_seconds())} late"
        return f"stopped: {stop or 'handled'} ({when})", "stopped"
    left = (due_at - now).total_seconds()
    if left < 0:
        return f"overdue by {duration(left)}", "overdue"
    return f"due in {duration(left)}", "due"


def crm_status(statuses: list[str] | None) -> str:
    """One word per distinct crm.events status of the email, the most telling first."""
    if not statuses:
        return "—"
    order = ("failed", "awaiting_approval", "created", "updated", "unchanged", "ignored")
    return ", ".join(sorted(statuses, key=lambda s: order.index(s) if s in order else len(order)))


def band(row: dict[str, Any], bands: ConfidenceBands) -> str:
    """The review queue's band when the email has an item there, else the confidence's band."""
    if row.get("band"):
        return row["band"]
    if row.get("confidence") is None:
        return "—"
    return confidence_band(row["confidence"], bands)


def email_row(row: dict[str, Any], now: datetime, bands: ConfidenceBands) -> dict[str, Any]:
    text, state = sla(row.get("due_at"), now, row.get("clock_at"), row.get("clock_stop"))
    return {
        **row,
        "band": band(row, bands),
        "sla_text": text,
        "sla_state": state,
        "due_iso": row["due_at"].isoformat() if row.get("due_at") and state != "stopped" else "",
        "crm": crm_status(row.get("crm_statuses")),
        "confidence_text": "—" if row.get("confidence") is None else f"{row['confidence']:.2f}",
    }
