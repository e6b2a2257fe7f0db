"""Every topic's schema parses, matches its model, and reads what its past versions wrote."""

from __future__ import annotations

import io
import json
from pathlib import Path

import pytest
from fastavro import schemaless_reader, schemaless_writer
from fastavro.read import SchemaResolutionError
from fastavro.schema import parse_schema

from triage.platform.serde import default_schemas_dir, history_versions, load_schema
from triage.platform.topics import REGISTRY

SCHEMAS = default_schemas_dir()


def example(schema: dict) -> object:
    """A value that exercises every field of a schema (non-null branch of unions)."""
    if isinstance(schema, list):
        return example(next(s for s in schema if s != "null"))
    kind = schema if isinstance(schema, str) else schema.get("type")
    if isinstance(kind, dict | list):
        return example(kind)
    if isinstance(schema, dict) and schema.get("logicalType") == "timestamp-millis":
        return 1_700_000_000_000
    return {
        "record": lambda: {f["name"]: example(f["type"]) for f in schema["fields"]},
        "array": lambda: [example(schema["items"])],
        "map": lambda: {"k": example(schema["values"])},
        "string": lambda: "x", "bytes": lambda: b"x", "long": lambda: 7, "int": lambda: 7,
        "double": lambda: 0.5, "boolean": lambda: True,
    }[kind]()


@pytest.mark.parametrize("spec", REGISTRY, ids=lambda s: s.name)
def test_every_topic_has_a_schema_that_parses(spec) -> None:
    schema = load_schema(SCHEMAS / f"{spec.schema}.avsc")
    assert schema["type"] == "record"


@pytest.mark.parametrize("spec", REGISTRY, ids=lambda s: s.name)
def test_schema_fields_are_the_model_fields(spec) -> None:
    raw = json.loads((SCHEMAS / f"{spec.schema}.avsc").read_text())
    assert [f["name"] for f in raw["fields"]] == list(spec.model.model_fields)


@pytest.mark.parametrize("spec", REGISTRY, ids=lambda s: s.name)
def test_current_schema_reads_every_committed_past_version(spec) -> None:
    current = load_schema(SCHEMAS / f"{spec.schema}.avsc")
    versions = history_versions(SCHEMAS, spec.schema)
    assert versions, f"schemas/history/{spec.schema}/ must hold the committed versions"
    for past_path in versions:
        past = load_schema(past_path)
        buffer = io.BytesIO()
        schemaless_writer(buffer, past, example(json.loads(past_path.read_text())))
        buffer.seek(0)
        assert isinstance(schemaless_reader(buffer, past, current), dict)


@pytest.mark.parametrize("spec", REGISTRY, ids=lambda s: s.name)
def test_latest_history_version_is_the_current_schema(spec) -> None:
    """A schema change must be frozen as a new history version in the same commit."""
    latest = history_versions(SCHEMAS, spec.schema)[-1]
    assert json.loads(latest.read_text()) == json.loads((SCHEMAS / f"{spec.schema}.avsc").read_text())


def test_the_compatibility_check_catches_a_breaking_change() -> None:
    """Guard for the guard: a new required field without a default cannot read old data."""
    old = {"type": "record", "name": "R", "fields": [{"name": "a", "type": "string"}]}
    new = {"type": "record", "name": "R", "fields": [{"name": "a", "type": "string"},
                                                     {"name": "b", "type": "string"}]}
    buffer = io.BytesIO()
    schemaless_writer(buffer, parse_schema(old), {"a": "x"})
    buffer.seek(0)
    with pytest.raises(SchemaResolutionError, match="No default value for field b"):
        schemaless_reader(buffer, parse_schema(old), parse_schema(new))


def test_schemas_folder_has_one_file_per_topic_and_nothing_else() -> None:
    files = {p.stem for p in Path(SCHEMAS).glob("*.avsc")}
    assert files == {spec.schema for spec in REGISTRY}
