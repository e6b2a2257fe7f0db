"""Entrypoint of the ingest service."""

import uvicorn
from triage.platform.admin import apply_topics
from triage.platform.logs import configure_logging
from triage.platform.publisher import RawPublisher
from triage.platform.settings import load_settings

from triage_ingest.app import create_app


def main() -> None:
    settings = load_settings()
    configure_logging("ingest", settings.triage_log_level)
    secret = settings.triage_inbound_webhook_secret
    if secret is None or len(secret.get_secret_value()) < 16:
        raise SystemExit("TRIAGE_INBOUND_WEBHOOK_SECRET must be set (at least 16 characters)")
    apply_topics(settings)
    app = create_app(settings, RawPublisher(settings), secret.get_secret_value().encode())
    uvicorn.run(app, host=settings.triage_metrics_host, port=settings.triage_metrics_port or 8081,
                log_config=None, timeout_keep_alive=65)


if __name__ == "__main__":
    main()
