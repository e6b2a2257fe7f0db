"""Avro values in the Avro single-object encoding, with fastavro.

Each value is ``C3 01`` + the writer schema's 8-byte CRC-64-AVRO fingerprint
(little-endian) + the Avro body. The fingerprint tells a reader which schema
wrote the record, so a consumer on a newer schema still reads records written
by any committed past version (``triage/schemas/history/``): that is what makes
backward-compatible evolution safe without a schema registry.

Every record is checked against its schema before it is written (ADR 0024): an instance of
the topic's own model was validated by pydantic when it was built, so fastavro's writer is
its check (it refuses a wrong type, a missing field, an unknown enum symbol or union branch:
``SerdeError``); any other value — a foreign model, a model of another topic — is also run
through ``fastavro.validation`` first. ``validate_models=True`` validates every record (the
behaviour before ADR 0024, kept to measure it).
"""

from __future__ import annotations

import io
import json
import time
from dataclasses import dataclass, field
from importlib import resources
from pathlib import Path
from typing import Any

from fastavro import schemaless_reader, schemaless_writer
from fastavro.schema import fingerprint, parse_schema, to_parsing_canonical_form
from fastavro.validation import validate
from pydantic import BaseModel, ValidationError

from triage.platform.metrics import SERDE_CPU
from triage.platform.topics import REGISTRY, TopicSpec

MAGIC = b"\xc3\x01"
HEADER_LEN = len(MAGIC) + 8


class SerdeError(ValueError):
    """A value that cannot be encoded or decoded: permanent, it goes to the DLQ."""


def default_schemas_dir() -> Path:
    """The schemas shipped inside the ``triage`` package (package data, ADR 0031)."""
    return Path(str(resources.files("triage").joinpath("schemas")))


def schema_fingerprint(parsed: dict[str, Any]) -> bytes:
    hex_digest = fingerprint(to_parsing_canonical_form(parsed), "CRC-64-AVRO")
    return int(hex_digest, 16).to_bytes(8, "little")


@dataclass(frozen=True)
class TopicSerde:
    """Encoder/decoder for one topic's values."""

    spec: TopicSpec
    schema: dict[str, Any]
    header: bytes
    writers: dict[bytes, dict[str, Any]]
    validate_models: bool = False
    cpu: dict[str, Any] = field(default_factory=dict, compare=False)

    def __post_init__(self) -> None:
        steps = ("model_dump", "validate", "avro_write", "avro_read", "model_validate")
        self.cpu.update({step: SERDE_CPU.labels(self.spec.name, step) for step in steps})

    def encode(self, value: BaseModel) -> bytes:
        started = time.thread_time()
        record = value.model_dump()
        dumped = time.thread_time()
        self.cpu["model_dump"].inc(dumped - started)
        if self.validate_models or type(value) is not self.spec.model:
            try:
                validate(record, self.schema, raise_errors=True)
            except Exception as exc:  # fastavro raises ValidationError with the failing path
                raise SerdeError(f"{self.spec.name}: record does not match its schema: {exc}") from exc
            finally:
                validated = time.thread_time()
                self.cpu["validate"].inc(validated - dumped)
            dumped = validated
        buffer = io.BytesIO()
        buffer.write(self.header)
        try:
            schemaless_writer(buffer, self.schema, record)
        except (TypeError, ValueError, KeyError, AttributeError) as exc:  # a value the writer cannot encode
            raise SerdeError(f"{self.spec.name}: record does not match its schema: {exc}") from exc
        finally:
            self.cpu["avro_write"].inc(time.thread_time() - dumped)
        return buffer.getvalue()

    def decode_record(self, data: bytes | None) -> dict[str, Any]:
        if not data or len(data) < HEADER_LEN or data[:2] != MAGIC:
            raise SerdeError(f"{self.spec.name}: not an Avro single-object encoded value")
        writer = self.writers.get(data[2:HEADER_LEN])
        if writer is None:
            raise SerdeError(f"{self.spec.name}: unknown writer schema fingerprint {data[2:HEADER_LEN].hex()}")
        started = time.thread_time()
        try:
            return schemaless_reader(io.BytesIO(data[HEADER_LEN:]), writer, self.schema)
        except Exception as exc:
            raise SerdeError(f"{self.spec.name}: corrupt Avro body: {exc}") from exc
        finally:
            self.cpu["avro_read"].inc(time.thread_time() - started)

    def decode(self, data: bytes | None) -> BaseModel:
        record = self.decode_record(data)
        started = time.thread_time()
        try:
            return self.spec.model.model_validate(record)
        except ValidationError as exc:
            raise SerdeError(f"{self.spec.name}: record violates the model: {exc}") from exc
        finally:
            self.cpu["model_validate"].inc(time.thread_time() - started)


def load_schema(path: Path) -> dict[str, Any]:
    return parse_schema(json.loads(path.read_text()), _write_hint=False)


def history_versions(schemas_dir: Path, schema_name: str) -> list[Path]:
    """Past committed versions, oldest first (v1.avsc, v2.avsc, ...)."""
    folder = schemas_dir / "history" / schema_name
    return sorted(folder.glob("v*.avsc"), key=lambda p: int(p.stem[1:])) if folder.is_dir() else []


def topic_serde(spec: TopicSpec, schemas_dir: Path, validate_models: bool = False) -> TopicSerde:
    schema = load_schema(schemas_dir / f"{spec.schema}.avsc")
    header = MAGIC + schema_fingerprint(schema)
    writers = {header[2:]: schema}
    for past in history_versions(schemas_dir, spec.schema):
        parsed = load_schema(past)
        writers.setdefault(schema_fingerprint(parsed), parsed)
    return TopicSerde(spec, schema, header, writers, validate_models)


class Serde:
    """All topics' serdes, keyed by logical topic name."""

    def __init__(self, schemas_dir: Path | None = None, validate_models: bool = False) -> None:
        directory = schemas_dir or default_schemas_dir()
        self._by_topic = {spec.name: topic_serde(spec, directory, validate_models) for spec in REGISTRY}

    def for_topic(self, logical_name: str) -> TopicSerde:
        return self._by_topic[logical_name]

    def encode(self, logical_name: str, value: BaseModel) -> bytes:
        return self._by_topic[logical_name].encode(value)

    def decode(self, logical_name: str, data: bytes | None) -> BaseModel:
        return self._by_topic[logical_name].decode(data)
