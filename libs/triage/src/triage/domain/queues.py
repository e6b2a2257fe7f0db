"""What each queue leads to: its owner in the CRM, a support ticket, a Slack notice; and when its SLA clock stops.

A queue is a label route gives an email (triage/config/routing.yaml). triage/config/queues.yaml says, per
queue, who owns its mail (a HubSpot owner id, a Salesforce user or queue id, a name in the
local CRM), whether support mail there becomes a ticket (HubSpot ticket, Salesforce Case,
local ``crm_tickets`` row) and whether a Slack channel hears of each new email. Pure data and
functions: the loader (triage.platform.queues_config) reads the file, crm-sink and the admin
act on the answers.

The SLA clock of an email runs from its receipt to its due time (``RoutedEmail.due_at``) and
stops the first time a person assigns it, dismisses it or marks it answered in the desk. An
email is *breached* while its clock runs past the due time; a stopped clock never breaches,
however late it stopped (the lateness is in the desk's history, not in the open count).
"""

from __future__ import annotations

from datetime import datetime
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field, field_validator

Backend = Literal["local", "hubspot", "salesforce"]
#: what a person did in the desk that stops the email's SLA clock
ClockStop = Literal["assigned", "dismissed", "answered"]
CLOCK_STOPS: tuple[ClockStop, ...] = ("assigned", "dismissed", "answered")
#: HubSpot's ticket priorities (hs_ticket_priority) and Salesforce's Case.Priority, by route priority
HUBSPOT_TICKET_PRIORITY = {"high": "HIGH", "normal": "MEDIUM", "low": "LOW"}
SALESFORCE_CASE_PRIORITY = {"high": "High", "normal": "Medium", "low": "Low"}


class QueueData(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class Owner(QueueData):
    """Who owns the queue's mail in each CRM; a CRM not named leaves the owner as the CRM sets it."""

    hubspot_owner_id: str | None = Field(default=None, pattern=r"^[0-9]{1,20}$")
    #: a User (005...) or a Queue (00G...) id, 15 or 18 characters
    salesforce_owner_id: str | None = Field(default=None, pattern=r"^(005|00G)[A-Za-z0-9]{12}([A-Za-z0-9]{3})?$")
    local: str | None = Field(default=None, min_length=1, max_length=200)

    def for_backend(self, backend: str) -> str | None:
        return {"hubspot": self.hubspot_owner_id, "salesforce": self.salesforce_owner_id,
                "local": self.local}.get(backend)


class Ticket(QueueData):
    """Support mail in the queue becomes a ticket: HubSpot (pipeline, stage) or a Salesforce Case."""

    hubspot_pipeline: str = Field(default="0", min_length=1)  # HubSpot's default support pipeline
    hubspot_stage: str = Field(default="1", min_length=1)  # its first stage, "New"
    salesforce_status: str = Field(default="New", min_length=1)
    salesforce_origin: str = Field(default="Email", min_length=1)


class SlackNotice(QueueData):
    """A notice per new email of the queue in this channel (an id like C0123ABCD, or #name)."""

    channel: str = Field(pattern=r"^(#[a-z0-9._-]{1,80}|[CGD][A-Z0-9]{8,})$")


class QueueSettings(QueueData):
    owner: Owner = Field(default_factory=Owner)
    ticket: Ticket | None = None
    slack: SlackNotice | None = None


class QueueTable(QueueData):
    """triage/config/queues.yaml: ``queues: {name: settings}``; a queue not listed leads to nothing."""

    queues: dict[str, QueueSettings] = Field(default_factory=dict)

    @field_validator("queues")
    @classmethod
    def _names_are_queue_names(cls, queues: dict[str, QueueSettings]) -> dict[str, QueueSettings]:
        bad = sorted(name for name in queues if not name or not name.replace("_", "").isalnum())
        if bad:
            raise ValueError(f"queue names are letters, digits and '_' (as in routing.yaml's route.queue): {bad}")
        return queues

    def of(self, queue: str) -> QueueSettings:
        return self.queues.get(queue) or QueueSettings()

    def owner(self, queue: str, backend: str) -> str | None:
        return self.of(queue).owner.for_backend(backend)

    def unknown_to(self, routed_queues: set[str]) -> list[str]:
        """Queues configured here that no routing rule sends mail to (a typo, most likely)."""
        return sorted(set(self.queues) - routed_queues)


NO_QUEUES = QueueTable()


def sla_running(due_at: datetime | None, stopped_at: datetime | None) -> bool:
    """The clock runs while the email has an SLA and nobody has acted on it yet."""
    return due_at is not None and stopped_at is None


def sla_breached(due_at: datetime | None, stopped_at: datetime | None, now: datetime) -> bool:
    """Still open past its due time: counted in ``email_sla_breached`` and shown overdue."""
    return sla_running(due_at, stopped_at) and due_at is not None and now > due_at


def stopped_in_time(due_at: datetime | None, stopped_at: datetime | None) -> bool | None:
    """Whether a stopped clock stopped before the due time (None: no SLA, or still running)."""
    if due_at is None or stopped_at is None:
        return None
    return stopped_at <= due_at
