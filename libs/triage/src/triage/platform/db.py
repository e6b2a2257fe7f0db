"""PostgreSQL access for the stages that need it: migrations (yoyo) and an asyncpg pool."""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable
from pathlib import Path
from typing import TypeVar

import asyncpg
from yoyo import get_backend, read_migrations

from triage.platform.errors import TransientError

T = TypeVar("T")
MIGRATIONS = Path(__file__).with_name("migrations")

#: asyncpg/OS errors that mean "the database is away for now", worth a retry.
TRANSIENT_DB_ERRORS = (
    OSError,
    asyncio.TimeoutError,
    asyncpg.exceptions.ConnectionDoesNotExistError,
    asyncpg.exceptions.InterfaceError,
    asyncpg.exceptions.CannotConnectNowError,
    asyncpg.exceptions.TooManyConnectionsError,
    asyncpg.exceptions.AdminShutdownError,
    asyncpg.exceptions.SerializationError,
    asyncpg.exceptions.DeadlockDetectedError,
)


def migrate(database_url: str) -> list[str]:
    """Apply pending migrations (forward-only; yoyo holds a lock, so concurrent starts are safe)."""
    backend = get_backend(database_url.replace("postgresql://", "postgresql+psycopg://", 1))
    migrations = read_migrations(str(MIGRATIONS))
    with backend.lock():
        pending = backend.to_apply(migrations)
        backend.apply_migrations(pending)
    return [m.id for m in pending]


class Database:
    """A small asyncpg pool driven from synchronous stage code (one private event loop)."""

    def __init__(self, database_url: str, max_size: int = 4) -> None:
        self._url = database_url
        self._max = max_size
        self._loop = asyncio.new_event_loop()
        self._pool: asyncpg.Pool | None = None

    def connect(self) -> Database:
        """Open the pool (composition root, at start-up); asyncpg reconnects it by itself later."""
        if self._pool is None:
            self._pool = self.run(
                asyncpg.create_pool(self._url, min_size=1, max_size=self._max, loop=self._loop)
            )
        return self

    @property
    def pool(self) -> asyncpg.Pool:
        if self._pool is None:
            raise RuntimeError("Database.connect() was not called")
        return self._pool

    def run(self, coroutine: Awaitable[T]) -> T:
        """Run a coroutine; database outages surface as TransientError (retried by the runtime)."""
        try:
            return self._loop.run_until_complete(coroutine)
        except TRANSIENT_DB_ERRORS as exc:
            raise TransientError(f"database unavailable: {type(exc).__name__}: {exc}") from exc

    def close(self) -> None:
        if self._pool is not None:
            self._loop.run_until_complete(self._pool.close())
        self._loop.close()
