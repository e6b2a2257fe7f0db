"""The settings groups: each a small set of variables one concern reads (ADR 0038).

A group's field names are the environment variables (case-insensitive), flat, so a process
composed of groups reads ``settings.kafka_bootstrap_servers`` whatever it is composed of and
an operator's variable names never depend on the process. ``processes.py`` composes them.
"""

from __future__ import annotations

import socket
from collections.abc import Callable
from pathlib import Path
from typing import Annotated, Any, ClassVar, Literal, Self

from pydantic import BeforeValidator, Field, SecretStr, field_validator, model_validator
from pydantic_settings import BaseSettings, NoDecode, SettingsConfigDict

from triage.domain.bands import ConfidenceBands

#: Every producer uses the partitioner of the Java client, so a key lands on
#: the same partition whoever writes it (style.md habit 5).
PARTITIONER = "murmur2_random"


def _comma_separated(value: object) -> object:
    """``"a, b,,c"`` -> ("a", "b", "c"): operators write lists as comma-separated variables."""
    if isinstance(value, str):
        return tuple(part.strip() for part in value.split(",") if part.strip())
    return value


#: A list setting, written comma-separated in the environment and parsed here only.
CommaList = Annotated[tuple[str, ...], NoDecode, BeforeValidator(_comma_separated)]


class Group(BaseSettings):
    """Frozen, read from the environment only; a process ignores the variables of other processes."""

    model_config = SettingsConfigDict(env_file=None, extra="ignore", frozen=True, defer_build=True)

    #: The rules of secrets.py a process runs at start-up (processes.py sets them per process).
    SECRET_RULES: ClassVar[tuple[Callable[[Any], None], ...]] = ()


class KafkaSettings(Group):
    """The cluster, the topic names and the record limits every Kafka client of a process shares."""

    kafka_bootstrap_servers: str = "127.0.0.1:39092"
    kafka_security_protocol: str = "PLAINTEXT"
    kafka_sasl_mechanism: str | None = None
    kafka_sasl_username: str | None = None
    kafka_sasl_password: SecretStr | None = None
    kafka_ssl_ca_location: Path | None = None
    triage_topic_prefix: str = ""
    triage_instance_id: str = Field(default_factory=socket.gethostname)
    triage_producer_linger_ms: int = Field(default=5, ge=0, le=10_000)  # librdkafka's linger.ms
    # the largest email kept whole: the webhook's limit, each topic's max.message.bytes follows it
    triage_ingest_max_bytes: int = Field(default=25 * 1024 * 1024, ge=1024)

    @field_validator("triage_topic_prefix")
    @classmethod
    def _prefix_is_topic_safe(cls, value: str) -> str:
        allowed = set("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789._-")
        if not set(value) <= allowed:
            raise ValueError("TRIAGE_TOPIC_PREFIX may only contain letters, digits, '.', '_' and '-'")
        return value

    def topic(self, logical_name: str) -> str:
        """The physical topic name: the prefix lets several pipelines share one cluster."""
        return f"{self.triage_topic_prefix}{logical_name}"

    def bootstrap_addresses(self) -> tuple[str, ...]:
        """KAFKA_BOOTSTRAP_SERVERS as a list (librdkafka takes the comma-separated string itself)."""
        return tuple(_comma_separated(self.kafka_bootstrap_servers))  # type: ignore[arg-type]

    def kafka_config(self) -> dict[str, str | int | bool]:
        """librdkafka settings common to every client of this process: the one place for its dotted keys."""
        config: dict[str, str | int | bool] = {
            "bootstrap.servers": self.kafka_bootstrap_servers,
            "security.protocol": self.kafka_security_protocol,
        }
        if self.kafka_sasl_mechanism:
            config["sasl.mechanism"] = self.kafka_sasl_mechanism
        if self.kafka_sasl_username:
            config["sasl.username"] = self.kafka_sasl_username
        if self.kafka_sasl_password:
            config["sasl.password"] = self.kafka_sasl_password.get_secret_value()
        if self.kafka_ssl_ca_location:
            config["ssl.ca.location"] = str(self.kafka_ssl_ca_location)
        return config


class DatabaseSettings(Group):
    database_url: SecretStr | None = None

    def require_database_url(self) -> str:
        """Fail loudly at start-up: there is no default database password."""
        if self.database_url is None or not self.database_url.get_secret_value():
            raise SystemExit(
                "DATABASE_URL is not set. Run 'make up' and 'set -a; source <(scripts/local-stack.sh env); set +a' "
                "for the local PostgreSQL, or export DATABASE_URL for your own server."
            )
        return self.database_url.get_secret_value()


class ProcessSettings(Group):
    """What every long-running process has: its log level and its /healthz and /metrics address."""

    triage_log_level: str = "INFO"
    triage_metrics_port: int = 0
    triage_metrics_host: str = "127.0.0.1"


class RuntimeSettings(Group):
    """The consume-transform-produce loop: batches, transactions, retries, circuits, liveness."""

    triage_batch_size: int = Field(default=200, ge=1, le=10_000)
    # A batch is what arrived within this long after its first record (up to the batch size):
    # the wait each hop adds at a steady rate (docs/benchmarks.md, "Steady load").
    triage_batch_linger_ms: int = Field(default=50, ge=0, le=10_000)
    # fastavro.validation on every record, also instances of the topic's own model (ADR 0024)
    triage_avro_validate_models: bool = False
    triage_transaction_timeout_ms: int = Field(default=30_000, ge=1_000)
    triage_max_attempts: int = Field(default=4, ge=1, le=10)
    triage_retry_initial_s: float = Field(default=0.2, ge=0.0)
    triage_retry_max_s: float = Field(default=5.0, ge=0.0)
    # ADR 0022: a batch commits what it has done after this long (well inside the transaction
    # timeout); a dependency's circuit backs off from triage_retry_initial_s doubling to this.
    triage_batch_max_s: float = Field(default=10.0, gt=0.0)
    triage_circuit_max_s: float = Field(default=5.0, gt=0.0)
    # /healthz of a stage (docs/operations.md): unhealthy after this many batches rewound in a row
    # (a transient failure that does not pass), or records held this long without a commit.
    triage_health_max_rewinds: int = Field(default=5, ge=1)
    triage_health_max_stall_s: float = Field(default=300.0, gt=0.0)

    @model_validator(mode="after")
    def _batch_fits_its_transaction(self) -> Self:
        if self.triage_batch_max_s * 1000 > self.triage_transaction_timeout_ms / 2:
            raise ValueError("TRIAGE_BATCH_MAX_S must be at most half the transaction timeout "
                             f"({self.triage_transaction_timeout_ms / 1000:g} s): a batch closes well before it")
        return self


class MailboxSettings(Group):
    """Whose mail this is: own and customer domains, and the inboxes /metrics may name."""

    triage_mailbox_file: Path | None = None
    triage_gmail_mailboxes: CommaList = ()  # comma-separated: sales@x.io,info@x.io


class GmailSettings(Group):
    """Gmail (docs/gmail.md): credentials, the watch, the history resync."""

    triage_gmail_credentials_file: Path | None = None  # service-account key or authorized-user JSON
    triage_gmail_credentials_json: SecretStr | None = None  # the same JSON, from a secret variable
    triage_gmail_api_endpoint: str | None = None  # None: https://gmail.googleapis.com/
    triage_gmail_pubsub_topic: str | None = None  # projects/P/topics/T, for users.watch
    triage_gmail_watch_labels: CommaList = ("INBOX",)
    triage_gmail_resync_query: str = "newer_than:7d"
    triage_gmail_resync_max_messages: int = Field(default=500, ge=1, le=10_000)
    triage_gmail_retry_after_cap_s: float = Field(default=10.0, ge=0.0)
    triage_gmail_timeout_s: float = Field(default=30.0, gt=0)


class WebhookSettings(Group):
    """ingest's doors: the signed inbound webhook and Gmail's Pub/Sub push."""

    triage_inbound_webhook_secret: SecretStr | None = None
    triage_pubsub_audience: str | None = None  # the push subscription's OIDC audience
    triage_pubsub_service_account: str | None = None  # the push subscription's service account
    triage_google_certs_url: str = "https://www.googleapis.com/oauth2/v1/certs"


class ExtractorSettings(Group):
    """Which extractor runs and which emails it keeps away from an LLM (docs/extraction.md)."""

    triage_extractor: Literal["local", "openai", "anthropic"] = "local"
    triage_llm_large_model_intents: CommaList = ("lead", "support")
    triage_llm_sender_blocklist: CommaList = ()  # comma-separated addresses or domains: never sent to an LLM
    triage_llm_min_words: int = Field(default=6, ge=0)
    triage_llm_short_confidence: float = Field(default=0.4, ge=0, le=1)


class LlmSettings(Group):
    """How to reach a model provider: models, key, protocol, prices, timeouts."""

    triage_llm_small_model: str | None = None  # required for openai|anthropic
    triage_llm_large_model: str | None = None  # None: no escalation, the small model only
    triage_llm_base_url: str | None = None  # OpenAI-compatible servers (vLLM, Ollama), proxies
    triage_llm_api_key: SecretStr | None = None  # required for openai|anthropic
    # openai's wire protocol: Responses, or Chat Completions for self-hosted servers (ADR 0016)
    triage_llm_api: Literal["responses", "chat"] = "responses"
    # Deprecated: the names `triage eval` once read its key from; TRIAGE_LLM_API_KEY wins.
    openai_api_key: SecretStr | None = None
    anthropic_api_key: SecretStr | None = None
    triage_llm_prices: str = ""  # JSON: {"model": {"input": 2.5, "output": 10}}, USD per 1M tokens
    triage_llm_timeout_s: float = Field(default=30.0, gt=0)
    triage_llm_max_retries: int = Field(default=2, ge=0, le=10)


class IntentModelSettings(Group):
    triage_intent_model: bool = True  # on|off: the intent model gates the local confidence (docs/extraction.md)
    # A model file written by `triage train`; None: the one shipped in the package (docs/extraction.md)
    triage_intent_model_path: Path | None = None


class BandSettings(Group):
    """The confidence bands' thresholds, checked here once: every process reads ``confidence_bands()``."""

    triage_confidence_auto_write: float = Field(default=0.85, ge=0, le=1)
    triage_confidence_suggest: float = Field(default=0.6, ge=0, le=1)

    @model_validator(mode="after")
    def _bands_are_ordered(self) -> Self:
        self.confidence_bands()
        return self

    def confidence_bands(self) -> ConfidenceBands:
        try:
            return ConfidenceBands(self.triage_confidence_auto_write, self.triage_confidence_suggest)
        except ValueError as exc:
            raise ValueError(f"TRIAGE_CONFIDENCE_SUGGEST and TRIAGE_CONFIDENCE_AUTO_WRITE: {exc}") from exc


class ThreadSettings(Group):
    """A thread's remembered classification (route) and LLM answer (extract)."""

    triage_thread_reuse_hours: float = Field(default=24, ge=0)
    triage_thread_reuse_below_confidence: float = Field(default=0.5, ge=0, le=1)


class RoutingSettings(Group):
    triage_routing_rules_file: Path | None = None
    triage_dedupe_window_hours: float = Field(default=7 * 24, gt=0)


class QueueFileSettings(Group):
    triage_queues_file: Path | None = None  # None: triage/config/queues.yaml (owners, tickets, Slack per queue)


class CrmSettings(Group):
    """CRM (docs/crm.md): which backend crm-sink writes to, and what it may write on its own."""

    triage_crm_backend: Literal["local", "hubspot", "salesforce"] = "local"
    triage_crm_auto_write_intents: CommaList = ("lead", "support")  # others wait for POST /admin/crm/create
    triage_crm_timeout_s: float = Field(default=10.0, gt=0)
    triage_crm_retry_after_cap_s: float = Field(default=10.0, ge=0.0)
    # local CRM: a Kafka batch's actions in one PostgreSQL transaction (adapters/local/ledger.py)
    triage_local_crm_batch_transaction: bool = True


class HubSpotSettings(Group):
    triage_hubspot_access_token: SecretStr | None = None  # private app token
    triage_hubspot_base_url: str = "https://api.hubapi.com"
    triage_hubspot_requests_per_10s: int = Field(default=100, ge=1)
    triage_hubspot_deal_pipeline: str = "default"
    triage_hubspot_deal_stage: str = "appointmentscheduled"
    # Create the unique property triage_idempotency_key on companies and deals when missing (needs the
    # crm.schemas.{companies,deals}.write scopes); false: only check it exists (docs/crm.md).
    triage_hubspot_create_properties: bool = True


class SalesforceSettings(Group):
    triage_salesforce_instance_url: str | None = None  # https://yourorg.my.salesforce.com
    triage_salesforce_access_token: SecretStr | None = None  # OAuth access token (connected app)
    triage_salesforce_username: str | None = None
    triage_salesforce_password: SecretStr | None = None
    triage_salesforce_security_token: SecretStr | None = None
    triage_salesforce_domain: str = "login"  # "test" for a sandbox
    triage_salesforce_api_version: str = "59.0"


class AdminAccessSettings(Group):
    """Who may use the admin (docs/operations.md, "Admin"), and where it listens."""

    triage_admin_token: SecretStr | None = None  # bearer token of the actor "admin"
    # Several admins, each an actor in admin_actions: "name:token,..." and/or a mounted file of such lines.
    triage_admin_tokens: SecretStr | None = None
    triage_admin_tokens_file: Path | None = None
    triage_admin_session_secret: SecretStr | None = None  # signs UI session cookies; None: derived from the tokens
    triage_admin_session_max_age_s: int = Field(default=8 * 3600, ge=60)  # a UI login lasts this long
    triage_admin_cookie_secure: bool = True  # the session cookie only over HTTPS (browsers exempt localhost)
    triage_admin_port: int = 8090
    triage_admin_read_only: bool = False  # blue/green standby: answers, never writes


class DlqSettings(Group):
    """Dead letters and the backstop (docs/operations.md, "Dead letters"): replay limit, raw-body TTL."""

    triage_dlq_max_replays: int = Field(default=3, ge=1, le=100)  # a letter replayed this often is parked
    triage_raw_ttl_days: int = Field(default=30, ge=1)  # emails.raw is nulled after this (triage purge-raw)


class SlackSettings(Group):
    """DLQ arrivals (incoming webhook) and queue notices (bot token, queues.yaml slack.channel)."""

    triage_slack_webhook_url: SecretStr | None = None
    triage_slack_timeout_s: float = Field(default=5.0, gt=0)
    triage_slack_max_attempts: int = Field(default=4, ge=1, le=10)
    triage_slack_retry_after_cap_s: float = Field(default=30.0, ge=0.0)
    triage_slack_bot_token: SecretStr | None = None  # chat:write, via slack_sdk's WebClient
    triage_slack_api_url: str = Field(default="https://slack.com/api/", pattern=r"^https?://")
    # The admin UI's address as people reach it (https://triage-admin.example.com): Slack notices link to it.
    triage_admin_public_url: str | None = Field(default=None, pattern=r"^https?://")


class TelemetrySettings(Group):
    """OpenTelemetry's and Sentry's own standard variables (platform/telemetry.py), read with the rest.

    Not ``TRIAGE_`` names: the SDKs read the rest of theirs (headers, ``OTEL_BSP_*``) themselves.
    """

    otel_sdk_disabled: bool = False
    otel_traces_exporter: str | None = None
    otel_exporter_otlp_endpoint: str | None = None
    otel_exporter_otlp_traces_endpoint: str | None = None
    sentry_dsn: SecretStr | None = None
    sentry_environment: str | None = None
    sentry_release: str | None = None

    def traces_exporter(self) -> str | None:
        """"otlp", "console" or None (tracing off)."""
        chosen = (self.otel_traces_exporter or "").strip().lower()
        if self.otel_sdk_disabled or chosen == "none":
            return None
        if chosen in ("otlp", "console"):
            return chosen
        endpoint = self.otel_exporter_otlp_endpoint or self.otel_exporter_otlp_traces_endpoint
        return "otlp" if endpoint else None


#: Every group, for the unknown-variable check and the CLI's union of them all.
GROUPS: tuple[type[Group], ...] = (
    KafkaSettings, DatabaseSettings, ProcessSettings, RuntimeSettings, MailboxSettings, GmailSettings,
    WebhookSettings, ExtractorSettings, LlmSettings, IntentModelSettings, BandSettings, ThreadSettings,
    RoutingSettings, QueueFileSettings, CrmSettings, HubSpotSettings, SalesforceSettings, AdminAccessSettings,
    DlqSettings, SlackSettings, TelemetrySettings,
)
