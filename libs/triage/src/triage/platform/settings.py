"""The one typed settings object each process reads; nothing else reads the environment.

Field names are the environment variables (case-insensitive), so the names an
operator sets are the names in this file. ``kafka_config()`` is the single
place that turns them into librdkafka's dotted keys.
"""

from __future__ import annotations

import difflib
import os
import socket
from collections.abc import Mapping
from pathlib import Path
from typing import Annotated, Literal

from pydantic import BeforeValidator, Field, SecretStr, field_validator, model_validator
from pydantic_settings import BaseSettings, NoDecode, SettingsConfigDict

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


class Settings(BaseSettings):
    model_config = SettingsConfigDict(env_file=None, extra="ignore", frozen=True)

    kafka_bootstrap_servers: str = "127.0.0.1:39092"
    kafka_security_protocol: str = "PLAINTEXT"
    kafka_sasl_mechanism: str | None = None
    kafka_sasl_username: str | None = None
    kafka_sasl_password: SecretStr | None = None
    kafka_ssl_ca_location: Path | None = None

    database_url: SecretStr | None = None

    triage_topic_prefix: str = ""
    triage_instance_id: str = Field(default_factory=socket.gethostname)
    triage_metrics_port: int = 0
    triage_metrics_host: str = "127.0.0.1"
    triage_mailbox_file: Path | None = None
    triage_batch_size: int = Field(default=200, ge=1, le=10_000)
    # A batch is what arrived within this long after its first record (up to the batch size):
    # the wait each hop adds at a steady rate (docs/benchmarks.md, "Steady load").
    triage_batch_linger_ms: int = Field(default=50, ge=0, le=10_000)
    triage_producer_linger_ms: int = Field(default=5, ge=0, le=10_000)  # librdkafka's linger.ms
    # fastavro.validation on every record, also instances of the topic's own model (ADR 0024)
    triage_avro_validate_models: bool = False
    # crm-sink, local CRM: a Kafka batch's actions in one PostgreSQL transaction (adapters/local/ledger.py)
    triage_local_crm_batch_transaction: bool = True
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
    triage_log_level: str = "INFO"
    triage_ingest_max_bytes: int = Field(default=25 * 1024 * 1024, ge=1024)
    triage_inbound_webhook_secret: SecretStr | None = None
    # Gmail (docs/gmail.md): mailboxes, credentials, Pub/Sub push authentication.
    triage_gmail_mailboxes: CommaList = ()  # comma-separated: sales@x.io,info@x.io
    triage_gmail_credentials_file: Path | None = None  # service-account key or authorized-user JSON
    triage_gmail_credentials_json: SecretStr | None = None  # the same JSON, from a secret variable
    triage_gmail_api_endpoint: str | None = None  # None: https://gmail.googleapis.com/
    triage_gmail_pubsub_topic: str | None = None  # projects/P/topics/T, for users.watch
    triage_gmail_watch_labels: CommaList = ("INBOX",)
    triage_gmail_resync_query: str = "newer_than:7d"
    triage_gmail_resync_max_messages: int = Field(default=500, ge=1, le=10_000)
    triage_gmail_retry_after_cap_s: float = Field(default=10.0, ge=0.0)
    triage_gmail_timeout_s: float = Field(default=30.0, gt=0)
    triage_pubsub_audience: str | None = None  # the push subscription's OIDC audience
    triage_pubsub_service_account: str | None = None  # the push subscription's service account
    triage_google_certs_url: str = "https://www.googleapis.com/oauth2/v1/certs"
    triage_routing_rules_file: Path | None = None
    triage_queues_file: Path | None = None  # None: triage/config/queues.yaml (owners, tickets, Slack per queue)
    triage_dedupe_window_hours: float = Field(default=7 * 24, gt=0)
    triage_thread_reuse_hours: float = Field(default=24, ge=0)
    triage_thread_reuse_below_confidence: float = Field(default=0.5, ge=0, le=1)
    # Extraction backend and cost control (docs/extraction.md, "Configuration").
    triage_extractor: Literal["local", "openai", "anthropic"] = "local"
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
    triage_llm_large_model_intents: CommaList = ("lead", "support")
    triage_llm_sender_blocklist: CommaList = ()  # comma-separated addresses or domains: never sent to an LLM
    triage_llm_min_words: int = Field(default=6, ge=0)
    triage_llm_short_confidence: float = Field(default=0.4, ge=0, le=1)
    triage_confidence_auto_write: float = Field(default=0.85, ge=0, le=1)
    triage_confidence_suggest: float = Field(default=0.6, ge=0, le=1)
    triage_intent_model: bool = True  # on|off: the intent model gates the local confidence (docs/extraction.md)
    # A model file written by `triage train`; None: the one shipped in the package (docs/extraction.md)
    triage_intent_model_path: Path | None = None
    # CRM (docs/crm.md): which backend crm-sink writes to, and what it may write on its own.
    triage_crm_backend: Literal["local", "hubspot", "salesforce"] = "local"
    triage_crm_auto_write_intents: CommaList = ("lead", "support")  # others wait for POST /admin/crm/create
    triage_crm_timeout_s: float = Field(default=10.0, gt=0)
    triage_crm_retry_after_cap_s: float = Field(default=10.0, ge=0.0)
    triage_admin_token: SecretStr | None = None  # bearer token of the crm admin endpoint
    triage_admin_port: int = 8090
    triage_admin_read_only: bool = False  # blue/green standby: answers, never writes
    # Several admins, each an actor in admin_actions (docs/operations.md, "Admin"): "name:token,..."
    # and/or a mounted file of such lines; TRIAGE_ADMIN_TOKEN alone is the actor "admin".
    triage_admin_tokens: SecretStr | None = None
    triage_admin_tokens_file: Path | None = None
    triage_admin_session_secret: SecretStr | None = None  # signs UI session cookies; None: derived from the tokens
    triage_admin_session_max_age_s: int = Field(default=8 * 3600, ge=60)  # a UI login lasts this long
    triage_admin_cookie_secure: bool = True  # the session cookie only over HTTPS (browsers exempt localhost)
    triage_hubspot_access_token: SecretStr | None = None  # private app token
    triage_hubspot_base_url: str = "https://api.hubapi.com"
    triage_hubspot_requests_per_10s: int = Field(default=100, ge=1)
    triage_hubspot_deal_pipeline: str = "default"
    triage_hubspot_deal_stage: str = "appointmentscheduled"
    # Create the unique property triage_idempotency_key on companies and deals when missing (needs the
    # crm.schemas.{companies,deals}.write scopes); false: only check it exists (docs/crm.md).
    triage_hubspot_create_properties: bool = True
    triage_salesforce_instance_url: str | None = None  # https://yourorg.my.salesforce.com
    triage_salesforce_access_token: SecretStr | None = None  # OAuth access token (connected app)
    triage_salesforce_username: str | None = None
    triage_salesforce_password: SecretStr | None = None
    triage_salesforce_security_token: SecretStr | None = None
    triage_salesforce_domain: str = "login"  # "test" for a sandbox
    triage_salesforce_api_version: str = "59.0"

    # DLQ and backstop (docs/operations.md, "Dead letters"): replay limit, Slack, raw-body TTL.
    triage_dlq_max_replays: int = Field(default=3, ge=1, le=100)  # a letter replayed this often is parked
    triage_slack_webhook_url: SecretStr | None = None  # Slack incoming webhook: DLQ arrivals
    triage_slack_timeout_s: float = Field(default=5.0, gt=0)
    triage_slack_max_attempts: int = Field(default=4, ge=1, le=10)
    triage_slack_retry_after_cap_s: float = Field(default=30.0, ge=0.0)
    # Queue notices (triage/config/queues.yaml slack.channel): a bot token with chat:write, via slack_sdk's WebClient.
    triage_slack_bot_token: SecretStr | None = None
    triage_slack_api_url: str = Field(default="https://slack.com/api/", pattern=r"^https?://")
    # The admin UI's address as people reach it (https://triage-admin.example.com): Slack notices link to it.
    triage_admin_public_url: str | None = Field(default=None, pattern=r"^https?://")
    triage_raw_ttl_days: int = Field(default=30, ge=1)  # emails.raw is nulled after this (triage purge-raw)

    @model_validator(mode="after")
    def _batch_fits_its_transaction(self) -> Settings:
        if self.triage_batch_max_s * 1000 > self.triage_transaction_timeout_ms / 2:
            raise ValueError("TRIAGE_BATCH_MAX_S must be at most half the transaction timeout "
                             f"({self.triage_transaction_timeout_ms / 1000:g} s): a batch closes well before it")
        return self

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

    def kafka_config(self) -> dict[str, str | int | bool]:
        """librdkafka settings common to every client of this process."""
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

    def require_database_url(self) -> str:
        """Fail loudly at start-up: there is no default database password."""
        if self.database_url is None or not self.database_url.get_secret_value():
            raise SystemExit(
                "DATABASE_URL is not set. Run 'make up' and 'set -a; source <(scripts/local-stack.sh env); set +a' "
                "for the local PostgreSQL, or export DATABASE_URL for your own server."
            )
        return self.database_url.get_secret_value()


#: ``TRIAGE_`` variables that are not settings of a process: read by scripts/local-stack.sh and
#: scripts/services.sh, the CLI's model cache, and the test and benchmark harness. Every other
#: ``TRIAGE_`` name must be a field of ``Settings``.
NOT_PROCESS_SETTINGS = frozenset({
    "TRIAGE_LOCAL_DIR", "TRIAGE_KAFKA_PORT", "TRIAGE_KAFKA_CONTROLLER_PORT", "TRIAGE_KAFKA_VERSION",
    "TRIAGE_KAFKA_START_TIMEOUT", "TRIAGE_PG_PORT", "TRIAGE_RESTART_MAX_S", "TRIAGE_INGEST_PORT",
    "TRIAGE_EXTRACT_PORT", "TRIAGE_ROUTE_PORT", "TRIAGE_CRM_SINK_PORT", "TRIAGE_AUDIT_PORT", "TRIAGE_CACHE_DIR",
    "TRIAGE_TEST_STACK", "TRIAGE_CHAOS_EMAILS", "TRIAGE_CHAOS_OUTAGE_S", "TRIAGE_SCREENSHOTS_DIR",
})


def unknown_variables(environ: Mapping[str, str]) -> list[str]:
    """One line per ``TRIAGE_`` variable that no setting reads, with the nearest known name.

    pydantic-settings ignores unknown names (one class serves every process), so without this
    a misspelt ``TRIAGE_CONFIDENCE_AUTOWRITE`` would silently run on the default."""
    known = {name.upper() for name in Settings.model_fields} | NOT_PROCESS_SETTINGS
    found = []
    for name in sorted(environ):
        upper = name.upper()
        if upper.startswith("TRIAGE_") and upper not in known:
            nearest = difflib.get_close_matches(upper, sorted(known), n=1, cutoff=0.6)
            hint = f" (did you mean {nearest[0]}?)" if nearest else ""
            found.append(f"{name} is not a setting{hint}")
    return found


class UnknownSetting(SystemExit):
    """Start-up stops: an operator's variable would have been ignored."""


def load_settings(**overrides: object) -> Settings:
    """Read the environment once, in the composition root; refuse a ``TRIAGE_`` name nothing reads."""
    unknown = unknown_variables(os.environ)
    if unknown:
        raise UnknownSetting("refusing to start: " + "; ".join(unknown)
                             + " — see the configuration table in README.md")
    return Settings(**overrides)  # type: ignore[arg-type]
