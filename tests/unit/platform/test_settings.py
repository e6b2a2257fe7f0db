"""The settings: environment names, topic prefixing, librdkafka keys, one class per process (ADR 0038)."""

from __future__ import annotations

import re
import uuid
from pathlib import Path

import pytest
from pydantic import ValidationError

from triage.platform.settings import (
    NOT_PROCESS_SETTINGS,
    PROCESSES,
    AdminSettings,
    CliSettings,
    ExtractSettings,
    IngestSettings,
    InvalidSetting,
    RouteSettings,
    UnknownSetting,
    load_settings,
    unknown_variables,
)
from triage.platform.settings.groups import GROUPS, BandSettings
from triage.platform.settings.unknown import setting_names

Settings = CliSettings  # the union of every group: the tests of the groups' own behaviour use it


@pytest.fixture(autouse=True)
def clean_environment(monkeypatch: pytest.MonkeyPatch) -> None:
    """Each test sees only the variables it sets, whatever the shell exported."""
    for name in CliSettings.model_fields:
        monkeypatch.delenv(name.upper(), raising=False)
        monkeypatch.delenv(name, raising=False)


def test_the_environment_variable_names_are_the_documented_ones(monkeypatch) -> None:
    broker = f"broker-{uuid.uuid4().hex[:6]}:9092"
    monkeypatch.setenv("KAFKA_BOOTSTRAP_SERVERS", broker)
    monkeypatch.setenv("DATABASE_URL", "postgresql://u:p@db:5432/triage")
    monkeypatch.setenv("TRIAGE_TOPIC_PREFIX", "staging.")
    monkeypatch.setenv("TRIAGE_BATCH_SIZE", "50")
    settings = load_settings(CliSettings)
    assert settings.kafka_bootstrap_servers == broker
    assert settings.require_database_url() == "postgresql://u:p@db:5432/triage"
    assert settings.triage_topic_prefix == "staging."
    assert settings.triage_batch_size == 50


def test_the_defaults_point_at_the_local_stack() -> None:
    settings = Settings()
    assert settings.kafka_bootstrap_servers == "127.0.0.1:39092"
    assert settings.triage_topic_prefix == ""
    assert settings.database_url is None


def test_the_database_url_is_a_secret_that_does_not_print(monkeypatch) -> None:
    monkeypatch.setenv("DATABASE_URL", "postgresql://u:hunter2@db/triage")
    assert "hunter2" not in repr(Settings())
    assert "hunter2" not in str(Settings().model_dump())


def test_topic_adds_the_prefix(monkeypatch) -> None:
    monkeypatch.setenv("TRIAGE_TOPIC_PREFIX", "it-abc.")
    assert Settings().topic("email.raw") == "it-abc.email.raw"
    assert Settings(triage_topic_prefix="").topic("crm.events") == "crm.events"


@pytest.mark.parametrize("prefix", ["bad prefix", "a/b.", "x:y", "émail.", "p*"])
def test_a_prefix_that_is_not_topic_safe_is_rejected(prefix: str, monkeypatch) -> None:
    with pytest.raises(ValidationError, match="TRIAGE_TOPIC_PREFIX"):
        Settings(triage_topic_prefix=prefix)
    monkeypatch.setenv("TRIAGE_TOPIC_PREFIX", prefix)
    with pytest.raises(InvalidSetting, match="TRIAGE_TOPIC_PREFIX"):
        load_settings(CliSettings)


def test_kafka_config_turns_sasl_settings_into_librdkafka_keys(monkeypatch) -> None:
    monkeypatch.setenv("KAFKA_BOOTSTRAP_SERVERS", "b1:9094,b2:9094")
    monkeypatch.setenv("KAFKA_SECURITY_PROTOCOL", "SASL_SSL")
    monkeypatch.setenv("KAFKA_SASL_MECHANISM", "SCRAM-SHA-512")
    monkeypatch.setenv("KAFKA_SASL_USERNAME", "triage")
    monkeypatch.setenv("KAFKA_SASL_PASSWORD", "s3cret")
    monkeypatch.setenv("KAFKA_SSL_CA_LOCATION", "/etc/kafka/ca.pem")
    assert Settings().kafka_config() == {
        "bootstrap.servers": "b1:9094,b2:9094",
        "security.protocol": "SASL_SSL",
        "sasl.mechanism": "SCRAM-SHA-512",
        "sasl.username": "triage",
        "sasl.password": "s3cret",
        "ssl.ca.location": "/etc/kafka/ca.pem",
    }


def test_kafka_config_leaves_unset_options_out_instead_of_sending_none() -> None:
    config = Settings().kafka_config()
    assert config == {"bootstrap.servers": "127.0.0.1:39092", "security.protocol": "PLAINTEXT"}
    assert None not in config.values()


def test_kafka_config_with_only_some_sasl_fields_has_no_none(monkeypatch) -> None:
    monkeypatch.setenv("KAFKA_SASL_MECHANISM", "PLAIN")
    config = Settings().kafka_config()
    assert config["sasl.mechanism"] == "PLAIN"
    assert "sasl.username" not in config and "sasl.password" not in config
    assert all(value is not None for value in config.values())


def test_require_database_url_fails_loudly_when_unset() -> None:
    with pytest.raises(SystemExit) as stopped:
        Settings().require_database_url()
    message = str(stopped.value.code)
    assert "DATABASE_URL is not set" in message
    assert "local-stack.sh env" in message, "the message says how to get one"


def test_require_database_url_treats_an_empty_value_as_unset(monkeypatch) -> None:
    monkeypatch.setenv("DATABASE_URL", "")
    with pytest.raises(SystemExit, match="DATABASE_URL"):
        Settings().require_database_url()


def test_settings_are_frozen() -> None:
    settings = Settings()
    with pytest.raises(ValidationError):
        settings.triage_topic_prefix = "changed."


def test_the_openai_wire_protocol_is_responses_unless_chat_is_chosen(monkeypatch) -> None:
    assert Settings().triage_llm_api == "responses"
    monkeypatch.setenv("TRIAGE_LLM_API", "chat")
    assert load_settings(CliSettings).triage_llm_api == "chat"
    monkeypatch.setenv("TRIAGE_LLM_API", "completions")
    with pytest.raises(InvalidSetting, match="TRIAGE_LLM_API: Input should be 'responses' or 'chat'"):
        load_settings(CliSettings)


def test_a_misspelt_triage_variable_stops_start_up_naming_it_and_the_nearest_name(
        monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("TRIAGE_CONFIDENCE_AUTOWRITE", "0.99")
    with pytest.raises(UnknownSetting) as refused:
        load_settings(CliSettings)
    assert "TRIAGE_CONFIDENCE_AUTOWRITE is not a setting (did you mean TRIAGE_CONFIDENCE_AUTO_WRITE?)" in str(
        refused.value)
    assert refused.value.code != 0


def test_the_scripts_own_variables_and_other_prefixes_are_not_refused(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("TRIAGE_KAFKA_PORT", "49092")  # scripts/local-stack.sh's, not a process setting
    monkeypatch.setenv("triage_batch_size", "7")  # names are case-insensitive, as pydantic-settings reads them
    monkeypatch.setenv("OTHER_TRIAGE_THING", "x")
    assert load_settings(CliSettings).triage_batch_size == 7
    assert unknown_variables({"TRIAGE_ZZZZ_QQQQ": "1"}) == ["TRIAGE_ZZZZ_QQQQ is not a setting"]


def test_every_triage_variable_the_repository_names_is_a_setting_or_a_known_script_variable() -> None:
    """A new script variable must be listed, or every process would refuse to start beside it."""
    root = Path(__file__).resolve().parents[3]
    named: set[str] = set()
    for folder in ("scripts", "deploy", "Makefile", "docker-compose.yml"):
        for path in ([root / folder] if (root / folder).is_file() else (root / folder).rglob("*")):
            if path.is_file():
                named |= set(re.findall(r"\bTRIAGE_[A-Z0-9_]*[A-Z0-9]\b", path.read_text(errors="replace")))
    unknown = named - setting_names() - NOT_PROCESS_SETTINGS
    assert named and unknown == set()


def test_list_settings_are_parsed_once_from_comma_separated_variables(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("TRIAGE_GMAIL_MAILBOXES", " sales@x.io,, info@x.io ")
    monkeypatch.setenv("TRIAGE_CRM_AUTO_WRITE_INTENTS", "lead")
    settings = load_settings(CliSettings)
    assert settings.triage_gmail_mailboxes == ("sales@x.io", "info@x.io")
    assert settings.triage_crm_auto_write_intents == ("lead",)
    assert Settings().triage_llm_large_model_intents == ("lead", "support") and Settings().triage_llm_sender_blocklist == ()
    assert Settings(triage_gmail_watch_labels=["INBOX", "Leads"]).triage_gmail_watch_labels == ("INBOX", "Leads")


@pytest.mark.parametrize("process", sorted(PROCESSES))
def test_every_process_refuses_a_name_no_process_reads_naming_the_nearest(
        process: str, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("TRIAGE_HUBSPOT_ACESS_TOKEN", "x")
    with pytest.raises(UnknownSetting, match=r"TRIAGE_HUBSPOT_ACESS_TOKEN is not a setting "
                                             r"\(did you mean TRIAGE_HUBSPOT_ACCESS_TOKEN\?\)"):
        load_settings(PROCESSES[process], check_secrets=False)


def test_a_variable_another_process_reads_is_accepted_and_not_read(monkeypatch: pytest.MonkeyPatch) -> None:
    """One ConfigMap serves every deployment: ingest starts beside crm-sink's and extract's variables."""
    monkeypatch.setenv("TRIAGE_CRM_BACKEND", "salesforce")
    monkeypatch.setenv("TRIAGE_LLM_SMALL_MODEL", "gpt-small")
    monkeypatch.setenv("TRIAGE_BATCH_SIZE", "7")
    settings = load_settings(IngestSettings, check_secrets=False)
    assert not hasattr(settings, "triage_crm_backend") and not hasattr(settings, "triage_batch_size")
    assert load_settings(ExtractSettings).triage_llm_small_model == "gpt-small"


def test_each_process_reads_only_its_groups() -> None:
    assert "triage_inbound_webhook_secret" in IngestSettings.model_fields
    assert "triage_inbound_webhook_secret" not in RouteSettings.model_fields
    assert "triage_admin_token" in AdminSettings.model_fields
    assert not {"triage_admin_token", "database_url"} & set(ExtractSettings.model_fields)
    assert "kafka_bootstrap_servers" in IngestSettings.model_fields  # flat names, whatever the process


def test_each_variable_belongs_to_one_group_and_the_cli_reads_them_all() -> None:
    owners: dict[str, list[str]] = {}
    for group in GROUPS:
        for name in group.model_fields:
            owners.setdefault(name, []).append(group.__name__)
    assert {name: groups for name, groups in owners.items() if len(groups) > 1} == {}
    assert set(CliSettings.model_fields) == set(owners)


@pytest.mark.parametrize("process", [RouteSettings, ExtractSettings, AdminSettings])
def test_the_band_thresholds_are_checked_once_when_read_by_each_process_that_reads_them(
        process: type[BandSettings], monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("TRIAGE_CONFIDENCE_SUGGEST", "0.9")
    with pytest.raises(InvalidSetting, match="TRIAGE_CONFIDENCE_SUGGEST and TRIAGE_CONFIDENCE_AUTO_WRITE"):
        load_settings(process, check_secrets=False)
    monkeypatch.setenv("TRIAGE_CONFIDENCE_SUGGEST", "0.7")
    bands = load_settings(process, check_secrets=False).confidence_bands()
    assert (bands.auto_write, bands.suggest) == (0.85, 0.7)


def test_an_invalid_value_is_named_without_quoting_it(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("TRIAGE_ADMIN_SESSION_MAX_AGE_S", "not-a-number-4f2a")
    monkeypatch.setenv("TRIAGE_BATCH_SIZE", "0")
    with pytest.raises(InvalidSetting) as refused:
        load_settings(CliSettings)
    message = str(refused.value)
    assert "TRIAGE_ADMIN_SESSION_MAX_AGE_S: Input should be a valid integer" in message
    assert "TRIAGE_BATCH_SIZE: Input should be greater than or equal to 1" in message
    assert "4f2a" not in message and refused.value.code != 0


def test_the_readme_names_the_groups_each_process_reads() -> None:
    readme = (Path(__file__).resolve().parents[3] / "README.md").read_text()
    rows = dict(re.findall(r"^\| `triage-([a-z-]+)` \| ([A-Za-z, ]+) \|", readme, re.MULTILINE))
    documented = {process: rows[process].split(", ") for process in rows}
    actual = {process: [group.__name__.removesuffix("Settings") for group in GROUPS if issubclass(cls, group)]
              for process, cls in PROCESSES.items() if process != "cli"}
    assert documented == actual
    assert re.search(r"^\| `triage` \(CLI, lag exporter\) \| every group \|", readme, re.MULTILINE)


def test_the_bootstrap_servers_are_a_list_parsed_in_one_place(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("KAFKA_BOOTSTRAP_SERVERS", " b1:9094,, SSL://b2:9094 ")
    settings = load_settings(IngestSettings, check_secrets=False)
    assert settings.bootstrap_addresses() == ("b1:9094", "SSL://b2:9094")
    assert settings.kafka_config()["bootstrap.servers"] == " b1:9094,, SSL://b2:9094 "
