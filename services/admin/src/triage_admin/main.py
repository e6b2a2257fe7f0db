"""Entrypoint of the admin process (``triage-admin``): the JSON API and the web UI.

docs/operations.md ("Admin"), docs/crm.md, ADRs 0009 and 0011.
"""

import uvicorn
from prometheus_client import REGISTRY

from triage.domain.bands import ConfidenceBands
from triage.domain.queues import QueueTable
from triage.platform.admin import apply_topics
from triage.platform.db import Database, migrate
from triage.platform.dlq_states import LetterStates
from triage.platform.logs import configure_logging
from triage.platform.mailbox_file import load_mailbox_file
from triage.platform.routing_config import RulesConfigError, load_rules_file
from triage.platform.settings import AdminSettings, load_settings
from triage.platform.topics import DLQ
from triage_admin.app import EventPublisher, RouteStore, create_admin_app
from triage_admin.auth import load_admins
from triage_admin.desk import AdminDesk, Routing
from triage_admin.desk_clock import DeskClock, SlaBreachCollector
from triage_admin.store import AdminStore
from triage_admin.ui import UiConfig
from triage_crm.backends import build_backend, load_queues


def ui_config(settings: AdminSettings, session_secret: str) -> UiConfig:
    return UiConfig(session_secret, cookie_secure=settings.triage_admin_cookie_secure,
                    max_age_s=settings.triage_admin_session_max_age_s, bands=settings.confidence_bands())


def routing(settings: AdminSettings, bands: ConfidenceBands, queues: QueueTable) -> Routing:
    """The route service's rules, mailbox and queues, loaded as it loads them: corrections are re-decided by them."""
    try:
        rules = load_rules_file(settings.triage_routing_rules_file)
    except RulesConfigError as exc:
        raise SystemExit(f"admin: invalid routing rules: {exc}") from exc
    return Routing(rules, load_mailbox_file(settings), bands, queues)


def main() -> None:
    settings = load_settings(AdminSettings)  # its secret rules: the tokens first, then the others
    configure_logging("crm-admin", settings.triage_log_level)
    admins, session_secret = load_admins(settings)
    url = settings.require_database_url()
    migrate(url)
    apply_topics(settings)
    database = Database(url).connect()
    queues = load_queues(settings)
    routes, crm, publisher = RouteStore(database), build_backend(settings, database, queues), EventPublisher(settings)
    ui = ui_config(settings, session_secret)
    clock = DeskClock(database)  # the desk's SLA clock, and email_sla_breached on /metrics
    REGISTRY.register(SlaBreachCollector(clock))
    desk = AdminDesk(routes, crm, publisher, store=AdminStore(database), settings=settings,
                     routing=routing(settings, ui.bands, queues), clock=clock,
                     letter_states=LetterStates(database, settings.topic(DLQ)))  # the DLQ page, on this pool
    app = create_admin_app(admins, routes, crm, publisher, read_only=settings.triage_admin_read_only,
                           desk=desk, ui=ui)
    # Keep-alive above the load balancers' idle timeouts (60 s), as the ingest door does.
    uvicorn.run(app, host=settings.triage_metrics_host, port=settings.triage_admin_port, log_config=None,
                timeout_keep_alive=65)


if __name__ == "__main__":
    main()
