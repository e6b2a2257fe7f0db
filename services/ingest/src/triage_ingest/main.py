"""Entrypoint of the ingest service."""

import logging

import uvicorn
from fastapi import APIRouter

from triage.platform.admin import apply_topics
from triage.platform.check import check_requested, run_check
from triage.platform.gmail import configured_mailboxes
from triage.platform.logs import configure_logging
from triage.platform.mailbox_file import configured_inboxes
from triage.platform.metrics import configure_inboxes
from triage.platform.publisher import RawPublisher
from triage.platform.settings import IngestSettings, load_settings
from triage.platform.settings.secrets import secret_value
from triage.platform.telemetry import setup_telemetry
from triage_ingest.app import create_app
from triage_ingest.oidc import GoogleCerts, PushVerifier
from triage_ingest.push import NotificationPublisher, push_router

log = logging.getLogger(__name__)


def main() -> None:
    if check_requested():  # the start-up check: settings and shipped data, no Kafka (ADR 0031)
        raise SystemExit(run_check("ingest", IngestSettings))
    settings = load_settings(IngestSettings)  # TRIAGE_INBOUND_WEBHOOK_SECRET set and strong (secrets.py)
    configure_logging("ingest", settings.triage_log_level)
    setup_telemetry("ingest", settings)
    apply_topics(settings)
    configure_inboxes(configured_inboxes(settings))  # the only inbox labels /metrics may carry
    app = create_app(settings, RawPublisher(settings), secret_value(settings.triage_inbound_webhook_secret).encode(),
                     gmail_push=gmail_push(settings))
    uvicorn.run(app, host=settings.triage_metrics_host, port=settings.triage_metrics_port or 8081,
                log_config=None, timeout_keep_alive=65)


def gmail_push(settings: IngestSettings) -> APIRouter | None:
    """``POST /webhook/email`` exists when the push subscription's audience is configured."""
    if not settings.triage_pubsub_audience:
        log.warning("TRIAGE_PUBSUB_AUDIENCE not set: POST /webhook/email (Gmail push) is off")
        return None
    if not settings.triage_pubsub_service_account:
        raise SystemExit("TRIAGE_PUBSUB_SERVICE_ACCOUNT must be set with TRIAGE_PUBSUB_AUDIENCE")
    verifier = PushVerifier(GoogleCerts(settings.triage_google_certs_url), settings.triage_pubsub_audience,
                            settings.triage_pubsub_service_account)
    return push_router(verifier, NotificationPublisher(settings), configured_mailboxes(settings))


if __name__ == "__main__":
    main()
