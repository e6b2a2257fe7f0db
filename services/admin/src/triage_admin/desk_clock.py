"""The desk's SLA clock: a person assigns, dismisses or answers an email, and its clock stops (``desk_clock``).

The first stop wins and is final (``INSERT ... ON CONFLICT DO NOTHING``): a second click, a
second admin or a later action is recorded in ``admin_actions`` only, so the stop time is
when the mail was first taken care of. Each stop and its ``admin_actions`` row commit in one
transaction. ``open_past_due`` is what ``email_sla_breached{queue}`` reports: routed, not
ignored, past its due time, and no stop (triage.domain.queues.sla_breached, in SQL).
"""

from __future__ import annotations

import json
import logging
from typing import Any

from prometheus_client.core import GaugeMetricFamily
from prometheus_client.registry import Collector

from triage.domain.queues import ClockStop
from triage.platform.db import Database, JsonText

log = logging.getLogger(__name__)

STOP = """
INSERT INTO desk_clock (email_id, stop, assignee, stopped_by) VALUES ($1, $2, $3, $4)
ON CONFLICT (email_id) DO NOTHING"""
RECORD = "INSERT INTO admin_actions (actor, action, email_id, detail) VALUES ($1, $2, $3, $4::jsonb)"
STATE = "SELECT stop, assignee, stopped_by, stopped_at FROM desk_clock WHERE email_id = $1"
OPEN_PAST_DUE = """
SELECT r.queue, count(*) AS n FROM routes r
WHERE r.due_at < now() AND NOT r.ignored
  AND NOT EXISTS (SELECT 1 FROM desk_clock k WHERE k.email_id = r.email_id)
GROUP BY r.queue"""
QUEUES = "SELECT DISTINCT queue FROM routes WHERE due_at IS NOT NULL AND NOT ignored"


class DeskClock:
    def __init__(self, database: Database) -> None:
        self.db = database  # its pool serves the admin's threads, each its own connection

    def stop(self, email_id: str, stop: ClockStop, actor: str, assignee: str | None = None) -> bool:
        """Stop the email's clock (first stop only); the action is recorded either way. True: this stopped it."""
        with self.db.transaction() as conn:
            stopped = conn.command(STOP, email_id, stop, assignee, actor) != "INSERT 0 0"
            detail = {"clock": "stopped" if stopped else "already stopped", **({"assignee": assignee}
                                                                                if assignee else {})}
            conn.execute(RECORD, (actor, f"desk_{stop}", email_id, JsonText(json.dumps(detail))))
            return stopped

    def state(self, email_id: str) -> dict[str, Any] | None:
        row = self.db.run(lambda conn: conn.fetchrow(STATE, email_id))
        return None if row is None else dict(row)

    def open_past_due(self) -> dict[str, int]:
        """queue -> emails still open past their due time (every queue with an SLA, 0 included)."""
        with self.db.transaction() as conn:
            counts = {row["queue"]: 0 for row in conn.fetch(QUEUES)}
            counts.update({row["queue"]: row["n"] for row in conn.fetch(OPEN_PAST_DUE)})
            return counts


class SlaBreachCollector(Collector):
    """``email_sla_breached{queue}``, read from the database at each scrape of the admin's /metrics."""

    def __init__(self, clock: DeskClock) -> None:
        self.clock = clock

    def collect(self):  # noqa: ANN201 - prometheus_client's protocol
        family = GaugeMetricFamily("email_sla_breached", "Emails still open (no one assigned, dismissed or "
                                   "answered them in the desk) past their SLA due time", labels=["queue"])
        try:
            counts = self.clock.open_past_due()
        except Exception as exc:  # noqa: BLE001 - a scrape must answer; the gauge is absent, not 0
            log.warning("email_sla_breached: the database did not answer: %s", type(exc).__name__)
            return
        for queue, count in sorted(counts.items()):
            family.add_metric([queue], count)
        yield family
