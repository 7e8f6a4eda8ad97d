"""Running the bot: prepare the database, then serve updates (polling or webhook) until stopped.

`greenbot run` calls `run_bot`; tests and benchmarks call `serve` or the parts in `bot/app.py`.
"""

from __future__ import annotations

import asyncio
import logging
from typing import TYPE_CHECKING
from zoneinfo import ZoneInfo

from bot.app import create_bot, create_dispatcher

if TYPE_CHECKING:
    from sqlalchemy.ext.asyncio import AsyncEngine, AsyncSession, async_sessionmaker

    from greenbot.clock import Clock
    from greenbot.settings import Settings
    from knowledge.answer import AnswerEngine

log = logging.getLogger(__name__)


async def serve(
    settings: Settings,
    *,
    engine: AnswerEngine,
    sessions: async_sessionmaker[AsyncSession],
    clock: Clock,
) -> None:
    """Run until cancelled (or SIGINT in polling mode)."""
    bot = create_bot(settings)
    dispatcher = create_dispatcher(settings, engine=engine, sessions=sessions, clock=clock)
    try:
        if settings.mode == "webhook":
            from bot.webhook import serve_webhook

            await serve_webhook(dispatcher, bot, settings)
        else:
            await bot.delete_webhook()  # getUpdates is refused while a webhook is set
            await dispatcher.start_polling(
                bot,
                allowed_updates=dispatcher.resolve_used_update_types(),
                close_bot_session=False,
            )
    finally:
        await bot.session.close()


def run_bot(settings: Settings, engine: AnswerEngine) -> None:
    """`greenbot run`: prepare the database, then serve until interrupted."""
    asyncio.run(_run(settings, engine))


async def _run(settings: Settings, engine: AnswerEngine) -> None:
    from greenbot.clock import SystemClock
    from greenbot.db import create_engine, session_factory

    settings.data_dir.mkdir(parents=True, exist_ok=True)
    database = create_engine(settings.sqlalchemy_url)
    try:
        await prepare_database(database)
        clock = SystemClock(ZoneInfo(settings.timezone))
        await serve(settings, engine=engine, sessions=session_factory(database), clock=clock)
    finally:
        await database.dispose()


async def prepare_database(database: AsyncEngine) -> None:
    """Alembic when the project has a revision; until then create the tables from the models."""
    from greenbot.migrate import MIGRATIONS, upgrade

    if any((MIGRATIONS / "versions").glob("[!_]*.py")):
        await upgrade(database)
        return
    from greenbot.db import Base
    from greenbot.models import import_all_models

    log.warning("no Alembic revision yet: creating missing tables with create_all")
    import_all_models()
    async with database.begin() as connection:
        await connection.run_sync(Base.metadata.create_all)
