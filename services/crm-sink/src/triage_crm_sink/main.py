"""Entrypoint of the crm-sink service (local PostgreSQL CRM by default; HubSpot or Salesforce by config)."""

from triage.platform.check import check_requested, run_check
from triage.platform.db import Database, migrate
from triage.platform.service import run_stage
from triage.platform.settings import CrmSinkSettings, load_settings
from triage.platform.topics import ROUTED
from triage_crm.backends import auto_write_intents, build_backend, load_queues
from triage_crm_sink.handler import CrmSinkHandler
from triage_crm_sink.queue_notices import NotifyingHandler, with_queue_notices


def build(settings: CrmSinkSettings) -> CrmSinkHandler | NotifyingHandler:
    url = settings.require_database_url()
    migrate(url)
    queues = load_queues(settings)  # triage/config/queues.yaml: owners, tickets, Slack notices
    database = Database(url).connect()  # the stage's pool: the CRM writes and the queue notices
    crm = build_backend(settings, database, queues, in_transaction=True)
    return with_queue_notices(CrmSinkHandler(crm, auto_write_intents(settings)), settings, queues, database)


def main() -> None:
    if check_requested():  # the start-up check: settings and shipped data, no Kafka (ADR 0031)
        raise SystemExit(run_check("crm-sink", CrmSinkSettings))
    run_stage("crm-sink", [ROUTED], build, load_settings(CrmSinkSettings))


if __name__ == "__main__":
    main()
