"""Entrypoint of the audit service."""

from triage.platform.check import check_requested, run_check
from triage.platform.db import Database, migrate
from triage.platform.service import run_stage
from triage.platform.settings import AuditSettings, load_settings
from triage.platform.slack import notifier_from
from triage_audit.handler import AuditHandler
from triage_audit.rows import AUDITED_TOPICS


def build(settings: AuditSettings) -> AuditHandler:
    url = settings.require_database_url()
    migrate(url)
    return AuditHandler(Database(url).connect(), notifier_from(settings))


def main() -> None:
    if check_requested():  # the start-up check: settings and shipped data, no Kafka (ADR 0031)
        raise SystemExit(run_check("audit", AuditSettings))
    # audit observes topics other stages own: they dead-letter what cannot be decoded.
    run_stage("audit", AUDITED_TOPICS, build, load_settings(AuditSettings), dead_letter_undecodable=False)


if __name__ == "__main__":
    main()
