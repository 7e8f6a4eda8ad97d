"""Shared e2e fixtures: the fake Bot API, a fresh database and the real bot polling it.

Generic on purpose (any feature's e2e tests use them): `fake` is the server, `rig` a BotRig
over a new SQLite file, `bot` a running bot, `user` one simulated citizen per test.
"""

from __future__ import annotations

import itertools
from collections.abc import AsyncIterator, Callable
from pathlib import Path
from typing import TYPE_CHECKING

import pytest

from tests.support.bot_rig import BotRig, create_database
from tests.support.fake_bot_api import FakeBotAPI, FakeUser

if TYPE_CHECKING:
    from aiogram import Dispatcher
    from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

_user_ids = itertools.count(6_100_001)


@pytest.fixture
async def fake() -> AsyncIterator[FakeBotAPI]:
    async with FakeBotAPI() as server:
        yield server


@pytest.fixture
async def database(tmp_path: Path) -> AsyncIterator[async_sessionmaker[AsyncSession]]:
    """Every GreenBot table on a new SQLite file in the test's tmp_path."""
    sessions = await create_database(f"sqlite+aiosqlite:///{tmp_path / 'bot.db'}")
    yield sessions
    await sessions.kw["bind"].dispose()


@pytest.fixture
def rig(
    fake: FakeBotAPI,
    knowledge_engine,  # type: ignore[no-untyped-def]
    database: async_sessionmaker[AsyncSession],
    tmp_path: Path,
) -> BotRig:
    return BotRig(fake, engine=knowledge_engine, sessions=database, data_dir=tmp_path)


@pytest.fixture
async def bot(rig: BotRig) -> AsyncIterator[Dispatcher]:
    """The real bot, polling the fake, for the whole test."""
    async with rig.running() as dispatcher:
        yield dispatcher


@pytest.fixture
def user(fake: FakeBotAPI) -> FakeUser:
    """A new citizen (own private chat) for each test."""
    return fake.user(next(_user_ids), "小绿")


@pytest.fixture
def make_user(fake: FakeBotAPI) -> Callable[..., FakeUser]:
    """More citizens in one test (a second asker, a Traditional-language client)."""

    def make(first_name: str = "市民", **kwargs: str) -> FakeUser:
        return fake.user(next(_user_ids), first_name, **kwargs)

    return make
