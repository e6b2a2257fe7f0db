"""The remote backends' idempotency ledger on a real PostgreSQL: once per key, even when two writers race."""

from __future__ import annotations

import threading
import uuid
from collections.abc import Iterator

import psycopg
import pytest

from tests.support.stack import Stack
from triage.domain.crm_decisions import ActionResult
from triage.domain.models import CrmAction
from triage.platform.db import Database, migrate
from triage.platform.errors import TransientError
from triage.platform.metrics import IDEMPOTENCY_CONFLICTS
from triage_crm.ledger import Ledger, LedgeredCrm


class SlowCrm:
    """Counts its writes; each takes a moment, so two racing writers overlap."""

    backend = "hubspot"

    def __init__(self, fail_first: int = 0) -> None:
        self.writes: list[str] = []
        self.fail_first = fail_first
        self._lock = threading.Lock()

    def apply(self, action: CrmAction) -> ActionResult:
        threading.Event().wait(0.2)
        with self._lock:
            if self.fail_first:
                self.fail_first -= 1
                raise TransientError("HubSpot 503")
            self.writes.append(action.idempotency_key)
            return ActionResult("contact", f"c{len(self.writes)}", "created", "created")


@pytest.fixture
def url(stack: Stack) -> Iterator[str]:
    database_url = stack.new_database()
    migrate(database_url)
    yield database_url
    stack.drop_database(database_url)


def contact(email_id: str) -> CrmAction:
    return CrmAction(action="upsert_contact", object_type="contact", idempotency_key=f"{email_id}:upsert_contact",
                     properties={"email": "jane@acme.com"})


def conflicts() -> float:
    return IDEMPOTENCY_CONFLICTS.labels("hubspot")._value.get()


def test_two_writers_of_one_key_write_once_and_both_get_the_result(url: str) -> None:
    crm, action = SlowCrm(), contact(f"e-{uuid.uuid4().hex[:8]}")
    databases = [Database(url).connect() for _ in range(2)]
    results: list[ActionResult] = []
    before = conflicts()
    threads = [threading.Thread(target=lambda d=d: results.append(LedgeredCrm(crm, Ledger(d, "hubspot")).apply(action)))
               for d in databases]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(30)
    assert crm.writes == [action.idempotency_key]
    assert len(results) == 2 and results[0] == results[1]
    assert conflicts() == before + 1
    with psycopg.connect(url) as conn:
        row = conn.execute("SELECT backend, object_id, status FROM crm_ledger WHERE idempotency_key = %s",
                           (action.idempotency_key,)).fetchone()
    assert row == ("hubspot", "c1", "created")
    for database in databases:
        database.close()


def test_a_failed_write_records_nothing_and_the_retry_writes(url: str) -> None:
    crm, action = SlowCrm(fail_first=1), contact(f"e-{uuid.uuid4().hex[:8]}")
    database = Database(url).connect()
    ledgered = LedgeredCrm(crm, Ledger(database, "hubspot"))
    with pytest.raises(TransientError):
        ledgered.apply(action)
    assert ledgered.apply(action).status == "created"
    assert ledgered.apply(action).object_id == "c1"
    assert crm.writes == [action.idempotency_key]
    database.close()
