"""Session-wide hooks for every test directory."""

from __future__ import annotations

import pytest

from tests.support import chaos_results


def pytest_sessionstart(session: pytest.Session) -> None:
    chaos_results.reset()  # the fault experiments' table shows this run's rows only
