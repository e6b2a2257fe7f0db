"""Which CRM backend a process writes to: ``TRIAGE_CRM_BACKEND`` = local | hubspot | salesforce."""

from __future__ import annotations

from typing import TYPE_CHECKING

from triage.domain.queues import NO_QUEUES, QueueTable
from triage.platform.db import Database
from triage.platform.queues_config import QueuesConfigError, load_queues_file
from triage.platform.settings import AdminSettings, CrmSinkSettings
from triage.platform.settings.groups import CrmSettings, QueueFileSettings
from triage.platform.settings.secrets import (
    hubspot_access_token,
    salesforce_credentials,
    secret_value,
)
from triage_crm.adapters.local.crm import LocalCrm
from triage_crm.adapters.local.ledger import LocalLedger
from triage_crm.deal_lock import DealLock
from triage_crm.ledger import Ledger, LedgeredCrm
from triage_crm.measured import MeasuredCrm
from triage_crm.perform import CrmBackend
from triage_crm.queue_owners import QueueOwnedCrm
from triage_crm.writer import crm_writer

if TYPE_CHECKING:  # imported when built: a process of another backend never loads the SDK
    from triage_crm.adapters.hubspot.crm import HubSpotCrm
    from triage_crm.adapters.salesforce.crm import SalesforceCrm


def build_backend(settings: CrmSinkSettings | AdminSettings, database: Database, queues: QueueTable = NO_QUEUES,
                  in_transaction: bool = False) -> CrmBackend:
    """The configured adapter, exactly once per idempotency key, measured (crm_write_latency_seconds).

    Each is the one writer (writer.py) over the adapter's port: a remote CRM's deal check and create
    hold the deal lock (deal_lock.py) in the ledger's database, so the deal rule holds across crm-sink
    instances and the admin process; the local CRM's hold a row lock in its own transaction.
    ``in_transaction`` (crm-sink): the adapter never sleeps, a 429 or a spent budget is the runtime's to
    wait out, outside the Kafka transaction (ADR 0022).
    """
    if settings.triage_crm_backend == "hubspot":
        crm: CrmBackend = crm_writer(hubspot(settings, in_transaction), Ledger(database, "hubspot"),
                                     DealLock(database, "hubspot"))
    elif settings.triage_crm_backend == "salesforce":
        crm = crm_writer(salesforce(settings, in_transaction), Ledger(database, "salesforce"),
                         DealLock(database, "salesforce"))
    else:
        crm = local_crm(database, batch_transaction=settings.triage_local_crm_batch_transaction)
    if queues.queues:  # triage/config/queues.yaml: each action carries its queue's owner and ticket settings
        crm = QueueOwnedCrm(crm, queues)
    return MeasuredCrm(crm)


#: Inside a transaction, the longest wait for a slot of the request budget; past it: ``Throttled``.
IN_TRANSACTION_MAX_WAIT_S = 0.5


def local_crm(database: Database, batch_transaction: bool = True) -> LedgeredCrm:
    """The local CRM: records its own idempotency keys, in the same transaction as the write."""
    port = LocalCrm(database)
    return crm_writer(port, LocalLedger(port, batch_transaction=batch_transaction))


def hubspot(settings: CrmSinkSettings | AdminSettings, in_transaction: bool = False) -> HubSpotCrm:
    from triage_crm.adapters.hubspot.crm import HubSpotCrm, hubspot_client
    from triage_crm.limits import RequestBudget

    hubspot_access_token(settings)  # run by load_settings too; here for settings built in code
    return HubSpotCrm(
        hubspot_client(secret_value(settings.triage_hubspot_access_token), settings.triage_hubspot_base_url),
        RequestBudget(settings.triage_hubspot_requests_per_10s, 10.0,
                      max_wait_s=IN_TRANSACTION_MAX_WAIT_S if in_transaction else None),
        timeout_s=settings.triage_crm_timeout_s,
        retry_after_cap_s=settings.triage_crm_retry_after_cap_s,
        pipeline=settings.triage_hubspot_deal_pipeline,
        deal_stage=settings.triage_hubspot_deal_stage,
        create_properties=settings.triage_hubspot_create_properties,
        in_transaction=in_transaction,
    )


def salesforce(settings: CrmSinkSettings | AdminSettings, in_transaction: bool = False) -> SalesforceCrm:
    from triage_crm.adapters.salesforce.crm import (
        SalesforceCrm,
        TimedSession,
        salesforce_client,
    )

    salesforce_credentials(settings)  # run by load_settings too; here for settings built in code

    def secret(value) -> str | None:
        return secret_value(value) or None

    client = salesforce_client(
        instance_url=settings.triage_salesforce_instance_url,
        access_token=secret(settings.triage_salesforce_access_token),
        username=settings.triage_salesforce_username,
        password=secret(settings.triage_salesforce_password),
        security_token=secret(settings.triage_salesforce_security_token),
        domain=settings.triage_salesforce_domain,
        version=settings.triage_salesforce_api_version,
        session=TimedSession(settings.triage_crm_timeout_s),
    )
    return SalesforceCrm(client, retry_after_cap_s=settings.triage_crm_retry_after_cap_s,
                         in_transaction=in_transaction)


def auto_write_intents(settings: CrmSettings) -> frozenset[str]:
    return frozenset(settings.triage_crm_auto_write_intents)


def load_queues(settings: QueueFileSettings) -> QueueTable:
    """triage/config/queues.yaml (or TRIAGE_QUEUES_FILE); an invalid file stops the process, naming the line."""
    try:
        return load_queues_file(settings.triage_queues_file)
    except QueuesConfigError as exc:
        raise SystemExit(f"invalid queue settings: {exc}") from exc
