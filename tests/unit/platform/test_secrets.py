"""Every secret rule (platform/settings/secrets.py): strength, and which process needs which secret."""

from __future__ import annotations

import os
import secrets
import subprocess
import uuid
from pathlib import Path

import pytest
from pydantic import SecretStr

from triage.platform.settings import (
    PROCESSES,
    AdminSettings,
    AuditSettings,
    CliSettings,
    CrmSinkSettings,
    ExtractSettings,
    GmailFetchSettings,
    IngestSettings,
    MissingSecret,
    RouteSettings,
    load_settings,
)
from triage.platform.settings.secrets import (
    from_env_or_file,
    gmail_credentials,
    require_strong,
    weakness,
)

ROOT = Path(__file__).resolve().parents[3]


@pytest.mark.parametrize(("secret", "why"), [
    ("short", "shorter than 16"), ("aaaaaaaaaaaaaaaa", "one character repeated"),
    ("abababababababab", "too predictable"), ("abcdabcdabcdabcd", "too predictable"),
])
def test_weak_secrets_are_named_weak(secret: str, why: str) -> None:
    assert why in (weakness(secret) or "")


@pytest.mark.parametrize("secret", [secrets.token_hex(32), uuid.uuid4().hex, "alice-token-0123456789",
                                    secrets.token_urlsafe(16)])
def test_generated_secrets_pass(secret: str) -> None:
    assert weakness(secret) is None


def test_the_refusal_names_the_variable_and_not_the_secret() -> None:
    with pytest.raises(SystemExit) as caught:
        require_strong("TRIAGE_INBOUND_WEBHOOK_SECRET", "aaaaaaaaaaaaaaaa")
    assert "TRIAGE_INBOUND_WEBHOOK_SECRET is a weak secret" in str(caught.value)
    assert "aaaaaaaaaaaaaaaa" not in str(caught.value)


def test_the_ingest_service_refuses_a_weak_webhook_secret_at_start() -> None:
    result = subprocess.run([str(ROOT / ".venv/bin/triage-ingest")], capture_output=True, text=True, timeout=60,
                            env={**os.environ, "TRIAGE_INBOUND_WEBHOOK_SECRET": "a" * 32,
                                 "KAFKA_BOOTSTRAP_SERVERS": "127.0.0.1:9"})
    assert result.returncode != 0
    assert "TRIAGE_INBOUND_WEBHOOK_SECRET is a weak secret: one character repeated" in result.stderr
    assert "a" * 32 not in result.stderr


def test_what_the_stack_script_shows_carries_no_password() -> None:
    password = f"pw-{uuid.uuid4().hex}"
    url = f"postgresql://triage:{password}@db.example:5432/triage"
    shown = subprocess.run(["bash", str(ROOT / "scripts/local-stack.sh"), "env-shown"], capture_output=True,
                           text=True, timeout=30, env={**os.environ, "DATABASE_URL": url,
                                                       "KAFKA_BOOTSTRAP_SERVERS": "127.0.0.1:39092"})
    assert shown.returncode == 0
    assert password not in shown.stdout + shown.stderr
    assert "DATABASE_URL=postgresql://triage:***@db.example:5432/triage" in shown.stdout
    assert "cmd_env_lines | redact_passwords" in (ROOT / "scripts/local-stack.sh").read_text()


# ---------------------------------------------------------------- required-when rules (secrets.py)

@pytest.fixture(autouse=True)
def clean_environment(monkeypatch: pytest.MonkeyPatch) -> None:
    for name in CliSettings.model_fields:
        monkeypatch.delenv(name.upper(), raising=False)


STRONG = secrets.token_hex(24)


def refusal(settings_class: type, **values: object) -> str:
    with pytest.raises(MissingSecret) as refused:
        load_settings(settings_class, **values)
    assert refused.value.code != 0
    return str(refused.value)


def test_ingest_needs_a_strong_webhook_secret() -> None:
    assert "TRIAGE_INBOUND_WEBHOOK_SECRET must be set" in refusal(IngestSettings)
    weak = "abababababababab"
    assert "TRIAGE_INBOUND_WEBHOOK_SECRET is a weak secret: too predictable" in refusal(
        IngestSettings, triage_inbound_webhook_secret=weak)
    assert weak not in refusal(IngestSettings, triage_inbound_webhook_secret=weak)
    assert load_settings(IngestSettings, triage_inbound_webhook_secret=STRONG).triage_inbound_webhook_secret


def test_the_start_up_check_reads_the_settings_without_their_secrets() -> None:
    """The image build runs `triage-<service> check` with no secret mounted."""
    assert load_settings(IngestSettings, check_secrets=False).triage_inbound_webhook_secret is None


def test_extract_needs_an_llm_key_only_with_a_provider() -> None:
    assert load_settings(ExtractSettings).triage_extractor == "local"
    for provider in ("openai", "anthropic"):
        assert f"TRIAGE_EXTRACTOR={provider} needs TRIAGE_LLM_API_KEY" in refusal(
            ExtractSettings, triage_extractor=provider)
    assert load_settings(ExtractSettings, triage_extractor="openai", triage_llm_api_key="x").triage_llm_api_key


#: What a process needs besides the secret under test: the admin starts only with a token.
ADMIN_TOKENS = {"triage_admin_tokens": "alice:" + "9f3c1a7e5b2d8046" * 2}


def own(process: type) -> dict[str, str]:
    return ADMIN_TOKENS if process is AdminSettings else {}


@pytest.mark.parametrize("process", [CrmSinkSettings, AdminSettings])
def test_a_hubspot_backend_needs_its_token(process: type) -> None:
    url = {"database_url": "postgresql://u:p@db/triage", **own(process)}
    assert "TRIAGE_CRM_BACKEND=hubspot needs TRIAGE_HUBSPOT_ACCESS_TOKEN" in refusal(
        process, triage_crm_backend="hubspot", **url)
    load_settings(process, triage_crm_backend="hubspot", triage_hubspot_access_token="pat-1", **url)
    load_settings(process, **url)  # the local CRM needs none


@pytest.mark.parametrize("process", [CrmSinkSettings, AdminSettings])
def test_a_salesforce_backend_needs_a_token_with_its_instance_or_a_login(process: type) -> None:
    url = {"database_url": "postgresql://u:p@db/triage", "triage_crm_backend": "salesforce", **own(process)}
    for partial in ({}, {"triage_salesforce_access_token": "t"}, {"triage_salesforce_username": "u"}):
        assert "TRIAGE_SALESFORCE_INSTANCE_URL" in refusal(process, **url, **partial)
    load_settings(process, **url, triage_salesforce_instance_url="https://x.my.salesforce.com",
                  triage_salesforce_access_token="t")
    load_settings(process, **url, triage_salesforce_username="u", triage_salesforce_password="p")


@pytest.mark.parametrize("process", [CrmSinkSettings, AuditSettings, AdminSettings])
def test_the_processes_that_write_postgresql_need_its_url(process: type) -> None:
    assert "DATABASE_URL is not set" in refusal(process, **own(process))


def test_the_fetch_worker_needs_gmail_credentials_from_the_variable_or_the_mounted_file(tmp_path: Path) -> None:
    assert "TRIAGE_GMAIL_CREDENTIALS_FILE or TRIAGE_GMAIL_CREDENTIALS_JSON" in refusal(GmailFetchSettings)
    mounted = tmp_path / "credentials.json"
    mounted.write_text('{"type": "service_account", "from": "file"}')
    from_file = load_settings(GmailFetchSettings, triage_gmail_credentials_file=mounted)
    assert gmail_credentials(from_file) == mounted.read_text()
    both = load_settings(GmailFetchSettings, triage_gmail_credentials_file=mounted,
                         triage_gmail_credentials_json='{"from": "variable"}')
    assert gmail_credentials(both) == '{"from": "variable"}', "the variable wins over the file"


def test_from_env_or_file_treats_an_empty_variable_as_unset(tmp_path: Path) -> None:
    (tmp_path / "secret").write_text("mounted")
    assert from_env_or_file(SecretStr(""), tmp_path / "secret") == "mounted"
    assert from_env_or_file(None, None) == ""


def test_each_process_runs_the_rules_of_what_it_does() -> None:
    rules = {name: {rule.__name__ for rule in cls.SECRET_RULES} for name, cls in PROCESSES.items()}
    assert rules == {
        "ingest": {"inbound_webhook_secret"},
        "ingest-fetch": {"gmail_credentials_present"},
        "extract": {"llm_api_key"},
        "route": set(),
        "crm-sink": {"database_url", "hubspot_access_token", "salesforce_credentials"},
        "audit": {"database_url"},
        "admin": {"admin_tokens", "database_url", "hubspot_access_token", "salesforce_credentials"},
        "cli": set(),  # each command asks for what it needs (require_database, triage eval's key)
    }


def test_a_variable_another_process_needs_is_not_required_here() -> None:
    """Route runs beside crm-sink's TRIAGE_CRM_BACKEND=hubspot without its token."""
    assert load_settings(RouteSettings, check_secrets=True)
    assert not hasattr(load_settings(RouteSettings), "triage_hubspot_access_token")


def test_the_admin_refuses_weak_or_missing_tokens_at_start_up_before_other_secrets(
        monkeypatch: pytest.MonkeyPatch) -> None:
    """The admin's tokens are a secret rule like the others: named by variable and entry, never quoted."""
    monkeypatch.delenv("DATABASE_URL", raising=False)
    monkeypatch.setenv("TRIAGE_ADMIN_TOKENS", "alice:abababababababab")
    with pytest.raises(MissingSecret) as weak:
        load_settings(AdminSettings)
    assert "entry 1 of TRIAGE_ADMIN_TOKENS" in str(weak.value) and "weak" in str(weak.value)
    assert "abababab" not in str(weak.value), "the secret is never quoted"
    monkeypatch.delenv("TRIAGE_ADMIN_TOKENS")
    with pytest.raises(MissingSecret, match="no admin token"):
        load_settings(AdminSettings)
    monkeypatch.setenv("TRIAGE_ADMIN_TOKENS", "alice:" + "9f3c1a7e5b2d8046" * 2)
    with pytest.raises(MissingSecret, match="DATABASE_URL"):  # the tokens pass: the next rule speaks
        load_settings(AdminSettings)
