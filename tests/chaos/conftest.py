"""The fault suite's private stack and its summary (docs/reliability.md).

One private broker and one private PostgreSQL server for the whole suite (the experiments
kill and restart them, so never the shared ones); each experiment gets its own topic prefix
and database on them. Each experiment (and the HubSpot outages of test_crm_outage.py) appends one
result line to ``.local/chaos/results.jsonl`` (tests/support/chaos_results.py) and the terminal
summary prints the table: lost / duplicated / dead-lettered per experiment.
"""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from tests.support import chaos_results
from tests.support.private_kafka import PrivateKafka, private_kafka
from tests.support.private_postgres import PrivatePostgres, private_postgres


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    for item in items:
        if "tests/chaos/" in str(item.fspath):
            item.add_marker(pytest.mark.integration)


@pytest.fixture(scope="session")
def chaos_broker(tmp_path_factory: pytest.TempPathFactory) -> Iterator[PrivateKafka]:
    running = private_kafka(tmp_path_factory.mktemp("chaos-kafka"))
    yield running
    running.purge()


@pytest.fixture(scope="session")
def chaos_postgres(tmp_path_factory: pytest.TempPathFactory) -> Iterator[PrivatePostgres]:
    running = private_postgres(tmp_path_factory.mktemp("chaos-pg"))
    yield running
    running.purge()


def pytest_terminal_summary(terminalreporter: pytest.TerminalReporter) -> None:
    rows = chaos_results.rows()
    if not rows:
        return
    terminalreporter.section("fault suite: lost / duplicated / dead-lettered per experiment")
    terminalreporter.write_line(f"{'experiment':<22} {'emails':>6} {'lost':>5} {'dup':>4} {'dlq':>4} "
                                f"{'poison→dlq':>10} {'resumed s':>9} {'all in s':>8} {'stages exited':>13}")
    for row in rows:
        terminalreporter.write_line(
            f"{row['experiment']:<22} {row['emails']:>6} {row['lost']:>5} {row['duplicated']:>4} "
            f"{row['dead_lettered']:>4} {row.get('poison_dead_lettered', '-'):>10} "
            f"{_seconds(row.get('resumed_s')):>9} {_seconds(row['recovered_s']):>8} {row['exited']:>13}")


def _seconds(value: float | None) -> str:
    return "never" if value is None else f"{value:.1f}"
