"""triage/config/queues.yaml: the shipped file is valid and names routed queues; a bad file names its line."""

from __future__ import annotations

from pathlib import Path

import pytest

from triage.platform.queues_config import QueuesConfigError, load_queues_file, load_queues_text
from triage.platform.routing_config import load_rules_file


def test_the_shipped_file_is_valid_and_every_queue_in_it_is_routed_to() -> None:
    table = load_queues_file()
    routed = {rule.route.queue for rule in load_rules_file()}
    assert table.unknown_to(routed) == []
    assert table.of("support").ticket is not None


@pytest.mark.parametrize(("text", "line", "where"), [
    ("queues:\n  support:\n    owner:\n      hubspot_owner_id: abc\n", 4, "queues.support.owner.hubspot_owner_id"),
    ("queues:\n  support:\n    ticket: {}\n    slak: {channel: C0123ABCD}\n", 4, "queues.support.slak"),
    ("queues:\n  support:\n    slack: {channel: 'not a channel'}\n", 3, "queues.support.slack.channel"),
], ids=["owner", "unknown-key", "channel"])
def test_an_invalid_file_names_its_line_and_field(text: str, line: int, where: str) -> None:
    with pytest.raises(QueuesConfigError) as raised:
        load_queues_text(text, "queues.yaml")
    assert str(raised.value).startswith(f"queues.yaml, line {line}: {where}:"), str(raised.value)


def test_bad_yaml_and_a_missing_file_are_errors(tmp_path: Path) -> None:
    with pytest.raises(QueuesConfigError, match="not valid YAML"):
        load_queues_text("queues: [", "queues.yaml")
    with pytest.raises(QueuesConfigError, match="cannot read"):
        load_queues_file(tmp_path / "nope.yaml")


def test_an_empty_file_leads_to_nothing() -> None:
    assert load_queues_text("", "queues.yaml").queues == {}
