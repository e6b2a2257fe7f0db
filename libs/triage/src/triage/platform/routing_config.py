"""Loads routing rules from YAML; an invalid file is refused with the line that is wrong."""

from __future__ import annotations

from importlib import resources
from pathlib import Path

import yaml
from pydantic import ValidationError

from triage.domain.rules import Rule, RuleSet


class RulesConfigError(ValueError):
    """An invalid rules file; the message names the file and line."""


def default_rules_path() -> Path:
    """The default shipped inside the ``triage`` package (package data, ADR 0031); an operator's
    own file overrides it through its setting."""
    return Path(str(resources.files("triage").joinpath("config", "routing.yaml")))


def load_rules_file(path: Path | None = None) -> tuple[Rule, ...]:
    path = path or default_rules_path()
    try:
        text = path.read_text()
    except OSError as exc:
        raise RulesConfigError(f"{path}: cannot read the routing rules: {exc}") from exc
    return load_rules_text(text, str(path))


def load_rules_text(text: str, source: str = "<rules>") -> tuple[Rule, ...]:
    try:
        root = yaml.compose(text, Loader=yaml.SafeLoader)
        data = yaml.safe_load(text)
    except yaml.YAMLError as exc:
        raise RulesConfigError(f"{source}: not valid YAML: {exc}") from exc
    try:
        return tuple(RuleSet.model_validate(data).rules)
    except ValidationError as exc:
        first = exc.errors()[0]
        line = line_of(root, first["loc"])
        where = ".".join(str(part) for part in first["loc"]) or "(top level)"
        raise RulesConfigError(f"{source}, line {line}: {where}: {first['msg']}") from exc


def line_of(node: yaml.Node | None, loc: tuple) -> int:
    """The 1-based line of the deepest YAML node on a pydantic error's path."""
    line = node.start_mark.line + 1 if node is not None else 1
    for part in loc:
        child = child_node(node, part)
        if child is None:
            break
        node, line = child, child.start_mark.line + 1
    return line


def child_node(node: yaml.Node | None, part: object) -> yaml.Node | None:
    if isinstance(node, yaml.MappingNode):
        return next((value for key, value in node.value if key.value == part), None)
    if isinstance(node, yaml.SequenceNode) and isinstance(part, int) and part < len(node.value):
        return node.value[part]
    return None
