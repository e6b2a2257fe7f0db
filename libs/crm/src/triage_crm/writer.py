"""The one CRM writer: an action's name -> the port's call, and the deal rule decided here once.

``CrmWriter`` runs each planned action through an explicit table of operations over the port
(crm_port.py); ``create_deal`` is the only operation with a decision in it, and it asks
``decide_deal`` (triage.domain.crm_decisions) with the owner's deals the adapter read, under the
deal lock (deal_lock.py: across crm-sink instances and the admin process). ``crm_writer``
composes it with the ledger (ledger.py, or the local CRM's own, adapters/local/ledger.py), so
every backend is performed exactly once per idempotency key by the same code (ADR 0030).
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from datetime import UTC, datetime

from triage.domain.crm_decisions import ActionResult, deal_window_start, decide_deal
from triage.domain.models import CrmAction
from triage.platform.errors import PermanentError
from triage_crm.crm_port import CrmPort
from triage_crm.deal_lock import UNLOCKED, DealLock, Unlocked
from triage_crm.ledger import ActionLedger, LedgeredCrm

Operation = Callable[[CrmAction], ActionResult]


def utc_now() -> datetime:
    return datetime.now(UTC)


class CrmWriter:
    """Performs one action on the port (no ledger: ``crm_writer`` adds it)."""

    def __init__(self, port: CrmPort, deal_lock: DealLock | Unlocked = UNLOCKED,
                 clock: Callable[[], datetime] = utc_now) -> None:
        self.port = port
        self.backend = port.backend
        self.deal_lock = deal_lock
        self.clock = clock
        self.operations: dict[str, Operation] = {
            "upsert_company": lambda action: port.upsert_company(action.properties),
            "upsert_contact": lambda action: port.upsert_contact(action.properties),
            "create_deal": self.create_deal,
            "associate_contact": lambda action: port.associate_contact(action.properties),
            "create_ticket": lambda action: port.create_ticket(action.properties, action.idempotency_key),
        }

    def apply(self, action: CrmAction) -> ActionResult:
        operation = self.operations.get(action.action)
        if operation is None:  # a plan from a newer crm_plan: every replay would fail the same way
            raise PermanentError(f"unknown CRM action {action.action!r}")
        with self.port.performing():
            return operation(action)

    def prefetch(self, actions: Sequence[CrmAction]) -> None:
        self.port.prefetch(actions)

    def create_deal(self, action: CrmAction) -> ActionResult:
        """A deal unless the owner has an open one younger than the window (then the email joins it)."""
        props, key = action.properties, action.idempotency_key
        earlier = self.port.deal_made_for(props, key)
        if earlier is not None:
            return earlier
        owner = self.port.deal_owner(props)
        with self.deal_lock.held(owner.lock_key):  # the fresh read and the create: one writer at a time
            now = self.clock()
            known = self.port.known_deals(owner)
            decision = decide_deal(known, now) if known is not None else None
            if decision is None or decision.create:  # an absence in a snapshot is read again
                decision = decide_deal(self.port.read_deals(owner, deal_window_start(now)), now)
            if not decision.create:
                return ActionResult(self.port.deal_type, decision.deal_id, "unchanged",
                                    f"open {self.port.deal_label} {decision.deal_id} {decision.reason}")
            return self.port.create_deal(props, key, owner)


def crm_writer(port: CrmPort, ledger: ActionLedger, deal_lock: DealLock | Unlocked = UNLOCKED) -> LedgeredCrm:
    """The writer every process uses: each action once per idempotency key, the deal rule decided here."""
    return LedgeredCrm(CrmWriter(port, deal_lock), ledger)
