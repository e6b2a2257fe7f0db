"""One settings class per process, composed from the groups it reads (ADR 0038).

Each process's composition root loads only its class (``load_settings(RouteSettings)``); its
variables keep their flat names (``settings.kafka_bootstrap_servers``). ``SECRET_RULES`` are the
rules of ``secrets.py`` the process runs at start-up.
"""

from __future__ import annotations

from triage.platform.settings import secrets
from triage.platform.settings.groups import (
    GROUPS,
    AdminAccessSettings,
    BandSettings,
    CrmSettings,
    DatabaseSettings,
    DlqSettings,
    ExtractorSettings,
    GmailSettings,
    HubSpotSettings,
    IntentModelSettings,
    KafkaSettings,
    LlmSettings,
    MailboxSettings,
    ProcessSettings,
    QueueFileSettings,
    RoutingSettings,
    RuntimeSettings,
    SalesforceSettings,
    SlackSettings,
    TelemetrySettings,
    ThreadSettings,
    WebhookSettings,
)


class StageSettings(KafkaSettings, ProcessSettings, RuntimeSettings, MailboxSettings, DlqSettings,
                    TelemetrySettings):
    """What the shared runtime (platform/service.py, runtime.py) reads for every stage."""


class IngestSettings(KafkaSettings, ProcessSettings, MailboxSettings, WebhookSettings, TelemetrySettings):
    """triage-ingest: the signed webhook and Gmail's push door."""

    SECRET_RULES = (secrets.inbound_webhook_secret,)


class GmailFetchSettings(StageSettings, GmailSettings):
    """triage-ingest-fetch: gmail.notifications -> email.raw."""

    SECRET_RULES = (secrets.gmail_credentials_present,)


class ExtractSettings(StageSettings, ExtractorSettings, LlmSettings, IntentModelSettings, BandSettings,
                      ThreadSettings):
    """triage-extract: normalisation, the extractor and its LLM backends, the bands."""

    SECRET_RULES = (secrets.llm_api_key,)


class RouteSettings(StageSettings, RoutingSettings, QueueFileSettings, BandSettings, ThreadSettings):
    """triage-route: rules, queues, bands, the dedupe window and a thread's remembered intent."""


class CrmSinkSettings(StageSettings, DatabaseSettings, CrmSettings, HubSpotSettings, SalesforceSettings,
                      QueueFileSettings, SlackSettings):
    """triage-crm-sink: the CRM backend chosen, queue owners and Slack queue notices."""

    SECRET_RULES = (secrets.database_url, secrets.hubspot_access_token, secrets.salesforce_credentials)


class AuditSettings(StageSettings, DatabaseSettings, SlackSettings):
    """triage-audit: the audit rows, and Slack on a dead letter's arrival."""

    SECRET_RULES = (secrets.database_url,)


class AdminSettings(KafkaSettings, ProcessSettings, DatabaseSettings, MailboxSettings, RoutingSettings,
                    QueueFileSettings, BandSettings, IntentModelSettings, CrmSettings, HubSpotSettings,
                    SalesforceSettings, AdminAccessSettings, DlqSettings, TelemetrySettings):
    """triage-admin: the API and web UI; its bearer tokens first (a bad entry is reported before
    a missing database URL), then the database and the CRM backend's secrets."""

    SECRET_RULES = (secrets.admin_tokens, secrets.database_url, secrets.hubspot_access_token,
                    secrets.salesforce_credentials)


class CliSettings(*GROUPS):  # type: ignore[misc]
    """The ``triage`` CLI (and its lag exporter): its commands between them read every group;
    each command checks the secrets it needs when it needs them."""


#: Every process class, for the tests and the docs' configuration table.
PROCESSES = {
    "ingest": IngestSettings, "ingest-fetch": GmailFetchSettings, "extract": ExtractSettings,
    "route": RouteSettings, "crm-sink": CrmSinkSettings, "audit": AuditSettings, "admin": AdminSettings,
    "cli": CliSettings,
}
