"""TRIAGE_CRM_BACKEND picks the adapter; a remote one is ledgered and measured; missing secrets stop the start."""

from __future__ import annotations

import pytest

from triage.platform.db import Database
from triage.platform.settings import CrmSinkSettings
from triage_crm.adapters.hubspot.crm import HubSpotCrm
from triage_crm.adapters.local.crm import LocalCrm
from triage_crm.adapters.local.ledger import LocalLedger
from triage_crm.backends import auto_write_intents, build_backend
from triage_crm.deal_lock import DealLock
from triage_crm.ledger import LedgeredCrm
from triage_crm.measured import MeasuredCrm
from triage_crm.writer import CrmWriter

URL = "postgresql://u:p@127.0.0.1:1/none"  # never connected: building a backend does no I/O


def settings(**values: object) -> CrmSinkSettings:
    return CrmSinkSettings(database_url=URL, **values)


def test_local_is_the_default() -> None:
    crm = build_backend(settings(), Database(URL))
    assert isinstance(crm, MeasuredCrm) and isinstance(crm.crm, LedgeredCrm)
    assert isinstance(crm.crm.crm, CrmWriter) and isinstance(crm.crm.crm.port, LocalCrm)
    assert isinstance(crm.crm.ledger, LocalLedger) and crm.crm.ledger.batch_transaction
    assert crm.backend == "local"


def test_the_local_batch_transaction_can_be_turned_off() -> None:
    crm = build_backend(settings(triage_local_crm_batch_transaction=False), Database(URL))
    assert not crm.crm.ledger.batch_transaction


def test_hubspot_is_ledgered_and_measured() -> None:
    crm = build_backend(settings(triage_crm_backend="hubspot", triage_hubspot_access_token="pat-na1-x",
                                 triage_hubspot_requests_per_10s=150), Database(URL))
    assert isinstance(crm, MeasuredCrm) and isinstance(crm.crm, LedgeredCrm)
    assert isinstance(crm.crm.crm, CrmWriter) and isinstance(crm.crm.crm.port, HubSpotCrm)
    assert (crm.backend, crm.crm.ledger.backend, crm.crm.crm.port.budget.limit) == ("hubspot", "hubspot", 150)


@pytest.mark.parametrize("backend", ["hubspot", "salesforce"])
def test_a_remote_backend_decides_deals_under_the_deal_lock_in_the_ledger_database(backend: str) -> None:
    """The 45-day rule across instances: the writer's deal lock is on the ledger's (shared) database."""
    database = Database(URL)
    crm = build_backend(settings(triage_crm_backend=backend, triage_hubspot_access_token="pat-na1-x",
                                 triage_salesforce_instance_url="https://example.my.salesforce.com",
                                 triage_salesforce_access_token="00Dx!token"), database)
    lock = crm.crm.crm.deal_lock
    assert isinstance(lock, DealLock) and (lock.db, lock.backend) == (database, backend)
    assert crm.crm.ledger.db is database


@pytest.mark.parametrize("backend", ["hubspot", "salesforce"])
def test_a_remote_backend_without_credentials_refuses_to_start(backend: str) -> None:
    with pytest.raises(SystemExit, match="docs/crm.md"):
        build_backend(settings(triage_crm_backend=backend), Database(URL))


def test_an_unknown_backend_is_a_settings_error() -> None:
    with pytest.raises(ValueError):
        settings(triage_crm_backend="pipedrive")


def test_auto_write_intents_are_read_as_a_set() -> None:
    assert auto_write_intents(settings(triage_crm_auto_write_intents=" lead, support ,")) == {"lead", "support"}
    assert auto_write_intents(settings()) == {"lead", "support"}
