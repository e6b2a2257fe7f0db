"""Loads triage/config/queues.yaml (what each queue leads to); an invalid file is refused with the line that is wrong."""

from __future__ import annotations

from importlib import resources
from pathlib import Path

import yaml
from pydantic import ValidationError

from triage.domain.queues import QueueTable
from triage.platform.routing_config import line_of


class QueuesConfigError(ValueError):
    """An invalid queues file; the message names the file and line."""


def default_queues_path() -> Path:
    """The default shipped inside the ``triage`` package (package data, ADR 0031); an operator's
    own file overrides it through its setting."""
    return Path(str(resources.files("triage").joinpath("config", "queues.yaml")))


def load_queues_file(path: Path | None = None) -> QueueTable:
    path = path or default_queues_path()
    try:
        text = path.read_text()
    except OSError as exc:
        raise QueuesConfigError(f"{path}: cannot read the queue settings: {exc}") from exc
    return load_queues_text(text, str(path))


def load_queues_text(text: str, source: str = "<queues>") -> QueueTable:
    try:
        root = yaml.compose(text, Loader=yaml.SafeLoader)
        data = yaml.safe_load(text)
    except yaml.YAMLError as exc:
        raise QueuesConfigError(f"{source}: not valid YAML: {exc}") from exc
    try:
        return QueueTable.model_validate(data if data is not None else {})
    except ValidationError as exc:
        first = exc.errors()[0]
        line = line_of(root, first["loc"])
        where = ".".join(str(part) for part in first["loc"]) or "(top level)"
        raise QueuesConfigError(f"{source}, line {line}: {where}: {first['msg']}") from exc
