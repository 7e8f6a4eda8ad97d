"""DatabaseStorage: aiogram FSM state and data in the app database, on SQLite and PostgreSQL."""

from __future__ import annotations

import asyncio

import pytest
from aiogram.fsm.state import State, StatesGroup
from aiogram.fsm.storage.base import StorageKey
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from bot.fsm_storage import DatabaseStorage
from citizens import Citizen, ConversationState
from ground.clock import SystemClock

KEY = StorageKey(bot_id=42, chat_id=1001, user_id=1001)


class Flow(StatesGroup):
    waiting = State()


async def rows(sessions: async_sessionmaker[AsyncSession]) -> list[ConversationState]:
    async with sessions() as session:
        return list((await session.scalars(select(ConversationState))).all())


async def test_state_and_data_outlive_the_storage_that_wrote_them(
    sessions: async_sessionmaker[AsyncSession],
) -> None:
    first = DatabaseStorage(sessions)
    await first.set_state(KEY, Flow.waiting)
    await first.update_data(KEY, {"report": {"description": "扬尘", "photos": [1, 2]}})
    await first.close()

    second = DatabaseStorage(sessions)  # a restarted bot: nothing in memory
    assert await second.get_state(KEY) == Flow.waiting.state
    assert await second.get_data(KEY) == {"report": {"description": "扬尘", "photos": [1, 2]}}
    await second.close()


async def test_each_conversation_has_its_own_row_and_an_ended_one_is_deleted(
    sessions: async_sessionmaker[AsyncSession],
) -> None:
    storage = DatabaseStorage(sessions)
    other = StorageKey(bot_id=42, chat_id=2002, user_id=2002)
    await storage.set_state(KEY, "one")
    await storage.set_state(other, "two")
    await storage.flush()
    assert sorted(row.state for row in await rows(sessions)) == ["one", "two"]

    await storage.set_state(KEY, None)
    await storage.set_data(KEY, {})
    await storage.close()
    assert [row.state for row in await rows(sessions)] == ["two"]
    assert await DatabaseStorage(sessions).get_state(KEY) is None


async def test_returned_data_is_a_copy_the_caller_cannot_change_behind_the_storage(
    sessions: async_sessionmaker[AsyncSession],
) -> None:
    storage = DatabaseStorage(sessions)
    await storage.set_data(KEY, {"photos": [{"name": "a.jpg"}]})
    data = await storage.get_data(KEY)
    data["photos"].append({"name": "b.jpg"})
    assert await storage.get_data(KEY) == {"photos": [{"name": "a.jpg"}]}
    await storage.close()


async def test_data_that_cannot_be_stored_fails_in_the_caller(
    sessions: async_sessionmaker[AsyncSession],
) -> None:
    storage = DatabaseStorage(sessions)
    with pytest.raises(TypeError):
        await storage.set_data(KEY, {"when": object()})
    await storage.close()
    assert await rows(sessions) == []


async def test_a_write_while_the_update_holds_its_transaction_lands_after_the_commit(
    sessions: async_sessionmaker[AsyncSession],
) -> None:
    """The bot's handler changes state while its own session has written (on SQLite: holds
    the write lock) and commits only after the handler returns; that must not deadlock."""
    storage = DatabaseStorage(sessions)
    now = SystemClock().now()
    async with sessions() as session, session.begin():
        session.add(Citizen(user_id=1001, chat_id=1001, first_seen=now, last_seen=now))
        await session.flush()  # the update's write is pending
        await asyncio.wait_for(storage.set_state(KEY, Flow.waiting), 2)  # returns at once
        assert await storage.get_state(KEY) == Flow.waiting.state  # and reads its own write
    await asyncio.wait_for(storage.flush(), 10)
    (row,) = await rows(sessions)
    assert row.state == Flow.waiting.state
    await storage.close()


async def test_the_latest_of_quick_successive_changes_is_what_is_stored(
    sessions: async_sessionmaker[AsyncSession],
) -> None:
    storage = DatabaseStorage(sessions)
    for n in range(20):
        await storage.set_data(KEY, {"step": n})
    await storage.close()
    assert await DatabaseStorage(sessions).get_data(KEY) == {"step": 19}
