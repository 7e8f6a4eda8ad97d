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
from ground.clock import SystemClock
from ground.settings import Settings

if TYPE_CHECKING:
    from aiogram import Bot, Dispatcher
    from aiogram.fsm.storage.base import BaseStorage
    from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

    from greenbot.delivery import Delivery
    from ground.clock import Clock
    from knowledge.answer import AnswerEngine
    from tests.support.fake_bot_api import FakeBotAPI

# Generous: two cores are shared with other test runs, and the engine answers one at a time.
REPLY_TIMEOUT = 30.0


async def create_database(url: str) -> async_sessionmaker[AsyncSession]:
    """Every GreenBot table on a fresh database (create_all: no Alembic revision exists yet)."""
    from greenbot.models import import_all_models
    from ground.db import Base, create_engine, session_factory

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
        self.delivery: Delivery | None = None  # the sender and scheduler of `running(deliver=True)`

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
        self,
        storage: BaseStorage | None = None,
        *,
        clock: Clock | None = None,
        deliver: bool = False,
        **overrides: Any,
    ) -> AsyncIterator[Dispatcher]:
        """Polling until the block ends; yields once start-up (setMyCommands) is done.
        `overrides` are Settings fields (throttle_per_minute=3, fsm_storage="redis://…").

        `deliver=True` also runs the outbox sender and the campaign scheduler exactly as
        `greenbot run` does (`greenbot.delivery.delivering`), on this rig's database, as
        `rig.delivery` inside the block; `clock` drives the bot, the sender and the scheduler.
        """
        clock = clock or SystemClock()
        settings = self.settings(**overrides)
        bot = create_bot(settings)
        dispatcher = create_dispatcher(
            settings,
            engine=self.engine,
            sessions=self.sessions,
            clock=clock,
            storage=storage,
        )
        async with contextlib.AsyncExitStack() as stack:
            if deliver:
                from greenbot.delivery import delivering

                self.delivery = await stack.enter_async_context(
                    delivering(settings, sessions=self.sessions, clock=clock, dispatcher=dispatcher)
                )
                stack.callback(setattr, self, "delivery", None)
            yield await stack.enter_async_context(self._polling(bot, dispatcher))

    @contextlib.asynccontextmanager
    async def _polling(self, bot: Bot, dispatcher: Dispatcher) -> AsyncIterator[Dispatcher]:
        polls = self.fake.polls_started
        polling = asyncio.create_task(
            dispatcher.start_polling(
                bot, handle_signals=False, close_bot_session=False, polling_timeout=2
            )
        )
        try:
            # Polling starts after the start-up hooks (setMyCommands).
            await until(
                lambda: self.fake.polls_started > polls or polling.done(),
                what="the bot polling",
            )
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
        holds (the bot commits just after its reply goes out), for at most REPLY_TIMEOUT."""
        loop = asyncio.get_running_loop()
        deadline = loop.time() + REPLY_TIMEOUT
        while True:
            async with self.sessions() as session:
                rows = list((await session.scalars(select(model).filter_by(**where))).all())
            if until is None or until(rows) or loop.time() > deadline:
                return rows
            await asyncio.sleep(0.05)


async def until(
    condition: Callable[[], object], timeout: float = REPLY_TIMEOUT, what: str = "condition"
) -> None:
    """Wait for what the bot does outside a chat transcript (a callback answer, a webhook)."""
    loop = asyncio.get_running_loop()
    deadline = loop.time() + timeout
    while not condition():
        if loop.time() > deadline:
            raise TimeoutError(f"{what}: not met within {timeout} s")
        await asyncio.sleep(0.02)
