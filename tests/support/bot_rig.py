"""The real bot (create_dispatcher + create_bot, long polling) against the fake Bot API,
in-process: what the e2e tests and `bench/bot_load.py` drive through real HTTP."""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import AsyncIterator, Callable
from pathlib import Path
from typing import TYPE_CHECKING, Any

from sqlalchemy import select

from bot.app import create_bot, create_dispatcher
from greenbot.clock import SystemClock
from greenbot.settings import Settings

if TYPE_CHECKING:
    from aiogram import Dispatcher
    from aiogram.fsm.storage.base import BaseStorage
    from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

    from knowledge.answer import AnswerEngine
    from tests.support.fake_bot_api import FakeBotAPI


async def create_database(url: str) -> async_sessionmaker[AsyncSession]:
    """Every GreenBot table on a fresh database (create_all: no Alembic revision exists yet)."""
    from greenbot.db import Base, create_engine, session_factory
    from greenbot.models import import_all_models

    import_all_models()
    engine = create_engine(url)
    async with engine.begin() as connection:
        await connection.run_sync(Base.metadata.create_all)
    return session_factory(engine)


class BotRig:
    """One fake server, one database, one answer engine; `running()` starts a bot on them."""

    def __init__(
        self,
        fake: FakeBotAPI,
        *,
        engine: AnswerEngine,
        sessions: async_sessionmaker[AsyncSession],
        data_dir: Path,
    ) -> None:
        self.fake = fake
        self.engine = engine
        self.sessions = sessions
        self.data_dir = data_dir

    def settings(self, **overrides: Any) -> Settings:
        values: dict[str, Any] = {
            "bot_token": self.fake.token,
            "telegram_api_url": self.fake.url,
            "data_dir": self.data_dir,
            "fsm_storage": "memory",
        }
        values.update(overrides)
        return Settings(_env_file=None, **values)  # type: ignore[call-arg]

    @contextlib.asynccontextmanager
    async def running(
        self, storage: BaseStorage | None = None, **overrides: Any
    ) -> AsyncIterator[Dispatcher]:
        """Polling until the block ends; yields once start-up (setMyCommands) is done."""
        settings = self.settings(**overrides)
        bot = create_bot(settings)
        dispatcher = create_dispatcher(
            settings,
            engine=self.engine,
            sessions=self.sessions,
            clock=SystemClock(),
            storage=storage,
        )
        polls = len(self.fake.calls_to("getUpdates"))
        polling = asyncio.create_task(
            dispatcher.start_polling(
                bot, handle_signals=False, close_bot_session=False, polling_timeout=2
            )
        )
        try:
            await _until(lambda: len(self.fake.calls_to("getUpdates")) > polls or polling.done())
            if polling.done():
                polling.result()  # start-up failed: raise its error here
            yield dispatcher
        finally:
            if not polling.done():
                await dispatcher.stop_polling()
            await asyncio.wait_for(polling, 15)
            await bot.session.close()

    async def rows(
        self, model: type, *, until: Callable[[list[Any]], Any] | None = None, **where: Any
    ) -> list[Any]:
        """Committed rows of a table, filtered by column equality; with `until`, polled until it
        holds (the bot commits just after its reply goes out), for at most ten seconds."""
        loop = asyncio.get_running_loop()
        deadline = loop.time() + 10.0
        while True:
            async with self.sessions() as session:
                rows = list((await session.scalars(select(model).filter_by(**where))).all())
            if until is None or until(rows) or loop.time() > deadline:
                return rows
            await asyncio.sleep(0.05)


async def _until(condition: Callable[[], bool], timeout: float = 15.0) -> None:
    """Wait for getUpdates: the first one comes after the start-up hooks (setMyCommands)."""
    deadline = asyncio.get_running_loop().time() + timeout
    while not condition():
        if asyncio.get_running_loop().time() > deadline:
            raise TimeoutError("the bot did not start polling")
        await asyncio.sleep(0.01)
