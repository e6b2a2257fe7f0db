"""Entrypoint of the crm-sink service (local PostgreSQL CRM by default)."""

from triage.platform.db import Database, migrate
from triage.platform.metrics_observers import MeasuredCrm
from triage.platform.service import run_stage
from triage.platform.settings import Settings
from triage.platform.topics import ROUTED
from triage_crm_sink.handler import CrmSinkHandler
from triage_crm_sink.local_crm import LocalCrm


def build(settings: Settings) -> CrmSinkHandler:
    url = settings.require_database_url()
    migrate(url)
    return CrmSinkHandler(MeasuredCrm(LocalCrm(Database(url).connect())))


def main() -> None:
    run_stage("crm-sink", [ROUTED], build)


if __name__ == "__main__":
    main()
