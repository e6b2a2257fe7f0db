"""Entrypoint of the crm-sink service (local PostgreSQL CRM by default; HubSpot or Salesforce by config)."""

from triage.platform.db import Database, migrate
from triage.platform.service import run_stage
from triage.platform.settings import Settings
from triage.platform.topics import ROUTED
from triage_crm_sink.backends import auto_write_intents, build_backend
from triage_crm_sink.handler import CrmSinkHandler


def build(settings: Settings) -> CrmSinkHandler:
    url = settings.require_database_url()
    migrate(url)
    crm = build_backend(settings, Database(url).connect(), in_transaction=True)
    return CrmSinkHandler(crm, auto_write_intents(settings))


def main() -> None:
    run_stage("crm-sink", [ROUTED], build)


if __name__ == "__main__":
    main()
