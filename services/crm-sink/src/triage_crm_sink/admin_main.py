"""Entrypoint of the crm admin process: ``POST /admin/crm/create`` (docs/crm.md, ADR 0009)."""

import uvicorn

from triage.platform.admin import apply_topics
from triage.platform.db import Database, migrate
from triage.platform.logs import configure_logging
from triage.platform.settings import load_settings
from triage_crm_sink.admin import EventPublisher, RouteStore, create_admin_app
from triage_crm_sink.backends import build_backend


def main() -> None:
    settings = load_settings()
    configure_logging("crm-admin", settings.triage_log_level)
    token = settings.triage_admin_token
    if token is None or len(token.get_secret_value()) < 16:
        raise SystemExit("TRIAGE_ADMIN_TOKEN must be set (at least 16 characters)")
    url = settings.require_database_url()
    migrate(url)
    apply_topics(settings)
    database = Database(url).connect()
    app = create_admin_app(token.get_secret_value(), RouteStore(database), build_backend(settings, database),
                           EventPublisher(settings), read_only=settings.triage_admin_read_only)
    # Keep-alive above the load balancers' idle timeouts (60 s), as the ingest door does.
    uvicorn.run(app, host=settings.triage_metrics_host, port=settings.triage_admin_port, log_config=None,
                timeout_keep_alive=65)


if __name__ == "__main__":
    main()
