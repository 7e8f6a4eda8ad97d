"""aiogram FSM storage in the app database, for a flow that must survive a restart without Redis.

Writes go to the database behind the handler, from a background task per conversation: the
update's own session (bot/middlewares.py UnitOfWork) may hold SQLite's write lock until the
handler returns, so writing from the handler itself would wait on that lock forever. Reads come
from a process-local copy once loaded, so an update costs no query beyond the first. That is
safe for one bot process per database, which `SimpleEventIsolation` (the isolation used with
this storage) assumes anyway; several instances share Redis instead. `close()` waits for every
write, so a clean shutdown loses nothing; a crash can lose the last step, written a few
milliseconds after the reply.
"""

from __future__ import annotations

import asyncio
import copy
import json
import logging
from collections import OrderedDict
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import TYPE_CHECKING, Any

from aiogram.fsm.state import State
from aiogram.fsm.storage.base import BaseStorage, DefaultKeyBuilder, KeyBuilder, StateType
from sqlalchemy import delete
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlalchemy.exc import SQLAlchemyError

from citizens.conversations import ConversationState

if TYPE_CHECKING:
    from aiogram.fsm.storage.base import StorageKey
    from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

log = logging.getLogger(__name__)

CACHE_SIZE = 10_000  # conversations kept in memory; older ones are read again when needed
WRITE_ATTEMPTS = 5


@dataclass(frozen=True)
class _Record:
    state: str | None = None
    data: dict[str, Any] = field(default_factory=dict)

    @property
    def empty(self) -> bool:
        return self.state is None and not self.data


def _state_name(state: StateType) -> str | None:
    return state.state if isinstance(state, State) else state


def _plain(data: Mapping[str, Any]) -> dict[str, Any]:
    """A JSON round trip: what the database gives back, and a TypeError in the handler (not in
    the background writer) for data that cannot be stored."""
    return json.loads(json.dumps(dict(data), ensure_ascii=False))


class DatabaseStorage(BaseStorage):
    def __init__(
        self,
        sessions: async_sessionmaker[AsyncSession],
        *,
        key_builder: KeyBuilder | None = None,
        retry_delay: float = 0.2,
    ) -> None:
        self.sessions = sessions
        self.key_builder = key_builder or DefaultKeyBuilder(with_bot_id=True, with_destiny=True)
        self.retry_delay = retry_delay
        self._cache: OrderedDict[str, _Record] = OrderedDict()
        self._unsaved: dict[str, _Record] = {}  # newer than the database, oldest write first
        self._writers: dict[str, asyncio.Task[None]] = {}

    # --- BaseStorage ----------------------------------------------------------------------

    async def set_state(self, key: StorageKey, state: StateType = None) -> None:
        name = self.key_builder.build(key)
        record = await self._load(name)
        self._put(name, _Record(_state_name(state), record.data))

    async def get_state(self, key: StorageKey) -> str | None:
        return (await self._load(self.key_builder.build(key))).state

    async def set_data(self, key: StorageKey, data: Mapping[str, Any]) -> None:
        name = self.key_builder.build(key)
        record = await self._load(name)
        self._put(name, _Record(record.state, _plain(data)))

    async def get_data(self, key: StorageKey) -> dict[str, Any]:
        return copy.deepcopy((await self._load(self.key_builder.build(key))).data)

    async def close(self) -> None:
        """Wait for the writes in flight, then retry any that failed, once."""
        await self.flush()
        for name in list(self._unsaved):
            try:
                await self._store(name, self._unsaved.pop(name))
            except SQLAlchemyError as error:
                log.error("conversation state not saved at shutdown: %s", type(error).__name__)

    async def flush(self) -> None:
        """Return once every change made so far is in the database (or has failed)."""
        while self._writers:
            await asyncio.gather(*self._writers.values(), return_exceptions=True)

    # --- internals ------------------------------------------------------------------------

    async def _load(self, name: str) -> _Record:
        record = self._cache.get(name)
        if record is not None:
            self._cache.move_to_end(name)
            return record
        async with self.sessions() as session:
            row = await session.get(ConversationState, name)
            record = _Record(row.state, dict(row.data or {})) if row is not None else _Record()
        if name in self._cache:  # a write landed while we read: it is newer
            return self._cache[name]
        self._remember(name, record)
        return record

    def _remember(self, name: str, record: _Record) -> None:
        self._cache[name] = record
        self._cache.move_to_end(name)
        while len(self._cache) > CACHE_SIZE:
            oldest = next(iter(self._cache))
            if oldest in self._unsaved:  # never forget what the database does not have yet
                break
            del self._cache[oldest]

    def _put(self, name: str, record: _Record) -> None:
        self._remember(name, record)
        self._unsaved[name] = record
        writer = self._writers.get(name)
        if writer is None or writer.done():
            self._writers[name] = asyncio.create_task(self._write(name), name=f"fsm:{name}")

    async def _write(self, name: str) -> None:
        """Save the latest record of one conversation, again if it changed meanwhile."""
        try:
            while (record := self._unsaved.get(name)) is not None:
                if not await self._store_with_retries(name, record):
                    return  # stays unsaved: the next change or close() tries again
                if self._unsaved.get(name) is record:
                    del self._unsaved[name]
        finally:
            if self._writers.get(name) is asyncio.current_task():
                del self._writers[name]

    async def _store_with_retries(self, name: str, record: _Record) -> bool:
        for attempt in range(WRITE_ATTEMPTS):
            try:
                await self._store(name, record)
                return True
            except SQLAlchemyError as error:
                log.warning(
                    "saving conversation state failed (%s), attempt %s",
                    type(error).__name__,
                    attempt + 1,
                )
                await asyncio.sleep(self.retry_delay * 2**attempt)
        log.error("conversation state not saved after %s attempts", WRITE_ATTEMPTS)
        return False

    async def _store(self, name: str, record: _Record) -> None:
        async with self.sessions() as session, session.begin():
            if record.empty:  # nothing to remember: keep the table to live conversations
                await session.execute(
                    delete(ConversationState).where(ConversationState.key == name)
                )
                return
            dialect = session.bind.dialect.name if session.bind else "sqlite"
            insert = pg_insert if dialect == "postgresql" else sqlite_insert
            values = {"state": record.state, "data": record.data, "updated_at": datetime.now(UTC)}
            await session.execute(
                insert(ConversationState)
                .values(key=name, **values)
                .on_conflict_do_update(index_elements=[ConversationState.key], set_=values)
            )
