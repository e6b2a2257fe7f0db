from __future__ import annotations

import pytest

from triage.domain.rules import DEFAULT_RULES
from triage.platform.routing_config import (
    RulesConfigError,
    default_rules_path,
    load_rules_file,
    load_rules_text,
)


def test_the_shipped_file_is_the_seed_design_default() -> None:
    assert load_rules_file(default_rules_path()) == DEFAULT_RULES


@pytest.mark.parametrize(
    ("text", "line", "words"),
    [
        ("rules:\n  - name: a\n    route: {queue: q, priority: urgent}\n", 3, "priority"),
        ("rules:\n  - name: a\n    route: {queue: q, priority: low}\n"
         "  - name: b\n    when:\n      intent: [lead, prospect]\n    route: {queue: q, priority: low}\n",
         6, "rules.1.when.intent.1"),
        ("rules:\n  - name: a\n    when: {intent: [lead]}\n    route: {queue: q, priority: low}\n", 2,
         "must have no condition"),
        ("rules:\n  - name: a\n    when: {colour: red}\n    route: {queue: q, priority: low}\n", 3, "colour"),
        ("rules:\n  - name: a\n    route: {queue: q, priority: low, sla_minutes: 0}\n", 3, "sla_minutes"),
        ("rules: [\n", 1, "not valid YAML"),
    ],
    ids=["bad-priority", "unknown-intent", "not-total", "unknown-condition", "zero-sla", "bad-yaml"],
)
def test_an_invalid_file_names_the_line(text: str, line: int, words: str) -> None:
    with pytest.raises(RulesConfigError) as raised:
        load_rules_text(text, "routing.yaml")
    message = str(raised.value)
    assert words in message
    if "YAML" not in words:
        assert message.startswith(f"routing.yaml, line {line}:"), message


def test_a_missing_file_is_a_clear_error(tmp_path) -> None:
    with pytest.raises(RulesConfigError, match="cannot read the routing rules"):
        load_rules_file(tmp_path / "nope.yaml")
