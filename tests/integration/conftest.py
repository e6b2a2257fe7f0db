"""Integration fixtures: the real broker and database once per session, services as processes."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from tests.support.pipeline import SERVICES, Pipeline, drop_session_topics
from tests.support.stack import Stack, session_stack
from triage.platform.db import Database, migrate


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    for item in items:
        if "tests/integration/" in str(item.fspath):
            item.add_marker(pytest.mark.integration)


@pytest.fixture(scope="session")
def stack() -> Iterator[Stack]:
    with session_stack() as running:
        yield running
        drop_session_topics(running.bootstrap_servers)


@pytest.fixture
def pipeline(stack: Stack, tmp_path) -> Iterator[Pipeline]:
    """A private pipeline: its own topic prefix and database, the five services not yet started."""
    database_url = stack.new_database()
    running = Pipeline(stack=stack, log_dir=tmp_path, database_url=database_url)
    running.prepare()
    yield running
    running.stop_all()
    for service in SERVICES:  # shown by pytest only when the test failed
        print(f"----- {service} log (tail) -----\n{running.log(service)[-4000:]}")
    stack.drop_database(database_url)


@pytest.fixture
def database(stack: Stack) -> Iterator[Database]:
    """A fresh, migrated database of its own, connected (the psycopg pool) for statements under test."""
    url = stack.new_database()
    migrate(url)
    db = Database(url).connect()
    yield db
    db.close()
    stack.drop_database(url)
