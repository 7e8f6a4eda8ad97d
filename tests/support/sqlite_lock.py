"""Another writer on a SQLite file: a plain sqlite3 connection in a thread holding the write lock,
as a second process or a long transaction of the app would."""

from __future__ import annotations

import asyncio
import sqlite3
import threading
from pathlib import Path
from types import TracebackType
from typing import Self

from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker


def database_file(sessions: async_sessionmaker[AsyncSession]) -> Path:
    database = sessions.kw["bind"].url.database
    assert database, "not a SQLite file database"
    return Path(database)


class SQLiteWriteLock:
    """`BEGIN IMMEDIATE` (in WAL mode the same as EXCLUSIVE: readers go on, writers wait) from
    entering the block until `hold` seconds have passed or the block ends, whichever is first."""

    def __init__(self, path: Path, *, hold: float = 60.0) -> None:
        self.path = path
        self.hold = hold
        self.taken = threading.Event()
        self.released = threading.Event()
        self.broadcasts_at_release: int | None = None  # what the app managed to queue meanwhile
        self.error: Exception | None = None
        self._tried = threading.Event()
        self._release = threading.Event()
        self._thread = threading.Thread(target=self._hold, name="sqlite-writer", daemon=True)

    @property
    def held(self) -> bool:
        return self.taken.is_set() and not self.released.is_set()

    async def __aenter__(self) -> Self:
        self._thread.start()
        await asyncio.to_thread(self._tried.wait, 30)
        assert self.taken.is_set(), f"the other writer got no lock: {self.error!r}"
        return self

    async def __aexit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        traceback: TracebackType | None,
    ) -> None:
        self._release.set()
        await asyncio.to_thread(self._thread.join, 30)

    async def wait_released(self, timeout: float = 60.0) -> None:
        released = await asyncio.to_thread(self.released.wait, timeout)
        assert released, "the other writer never let go"

    def _hold(self) -> None:
        connection = sqlite3.connect(self.path, isolation_level=None, timeout=30)
        try:
            try:
                connection.execute("BEGIN IMMEDIATE")
                self.taken.set()
            except sqlite3.Error as error:
                self.error = error
                return
            finally:
                self._tried.set()
            self._release.wait(self.hold)
            count = connection.execute("SELECT count(*) FROM broadcasts").fetchone()
            self.broadcasts_at_release = count[0]
            connection.execute("ROLLBACK")
        finally:
            connection.close()
            self.released.set()
