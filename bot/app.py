"""The Telegram bot's parts: the dispatcher (routers in order, middlewares, error handlers,
workflow data), the Bot on its API server, FSM storage from settings. The composition root
(greenbot/root.py) builds them once; `bot/runtime.py` serves updates, and greenbot/delivery.py
delivers the outbox."""

from __future__ import annotations

import logging
from typing import TYPE_CHECKING

from aiogram import Bot, Dispatcher
from aiogram.client.default import DefaultBotProperties
from aiogram.client.session.aiohttp import AiohttpSession
from aiogram.client.telegram import TelegramAPIServer
from aiogram.enums import ParseMode
from aiogram.fsm.storage.base import BaseEventIsolation, BaseStorage
from aiogram.fsm.storage.memory import MemoryStorage, SimpleEventIsolation

from bot.answerer import Answerer
from bot.errors import ReaderScript, handle_errors
from bot.middlewares import RetryAfter, Throttle, UnitOfWork
from bot.routers import (
    alerts,
    ask,
    broadcast,
    campaigns,
    feedback,
    language,
    media,
    privacy,
    report,
    source,
    staff_reports,
    start,
)

if TYPE_CHECKING:
    from aiogram import Router
    from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

    from ground.clock import Clock
    from ground.settings import Settings
    from knowledge.answer import AnswerEngine

log = logging.getLogger(__name__)

# First match wins: commands and menu buttons, then flows waiting for input, then media, and
# the catch-all question router (any text, any unknown button) last.
ROUTERS: tuple[Router, ...] = (
    start.router,
    language.router,
    staff_reports.router,
    broadcast.router,
    privacy.router,
    report.router,
    alerts.router,
    campaigns.router,
    feedback.router,
    source.router,
    media.router,
    ask.router,
)


class StorageNotAvailable(RuntimeError):
    """An FSM storage setting this version cannot serve yet."""


def create_storage(
    url: str, sessions: async_sessionmaker[AsyncSession] | None = None
) -> BaseStorage:
    """`memory`, `database` (the app database: state survives restarts) or
    `redis://host:6379/0` (state survives restarts and is shared by instances)."""
    if url == "memory":
        return MemoryStorage()
    if url.startswith(("redis://", "rediss://", "unix://")):
        from aiogram.fsm.storage.redis import RedisStorage
        from redis.asyncio.retry import Retry
        from redis.backoff import ExponentialBackoff
        from redis.exceptions import ConnectionError, TimeoutError

        # A pooled connection the server has closed (a restart, an idle timeout, a failover)
        # is retried on a fresh one instead of failing the citizen's update.
        return RedisStorage.from_url(
            url,
            connection_kwargs={
                "retry": Retry(ExponentialBackoff(cap=1.0, base=0.05), retries=3),
                "retry_on_error": [ConnectionError, TimeoutError],
                "health_check_interval": 30,
            },
        )
    if url == "database":
        if sessions is None:
            raise StorageNotAvailable("GREENBOT_FSM_STORAGE=database needs the app's sessions")
        from bot.fsm_storage import DatabaseStorage

        return DatabaseStorage(sessions)
    raise StorageNotAvailable(f"unknown GREENBOT_FSM_STORAGE {url!r}: memory or redis://…")


def _isolation(storage: BaseStorage) -> BaseEventIsolation:
    """One update at a time per user, so a 👎 and the reason typed right after stay in order."""
    from aiogram.fsm.storage.redis import RedisStorage

    if isinstance(storage, RedisStorage):
        return storage.create_isolation()  # several webhook instances share one Redis
    return SimpleEventIsolation()


def create_dispatcher(
    settings: Settings,
    *,
    sessions: async_sessionmaker[AsyncSession],
    clock: Clock,
    engine: AnswerEngine | None = None,
    answerer: Answerer | None = None,
    storage: BaseStorage | None = None,
) -> Dispatcher:
    """Answers come from `answerer` (the root passes one, with a worker process when settings
    ask for it), or from `engine` in a thread. A storage passed in stays the caller's to close;
    one made from settings closes with the dispatcher, as does the answering worker."""
    from knowledge.suggestions import Suggestions

    if answerer is None:
        if engine is None:
            raise TypeError("create_dispatcher needs an engine or an answerer")
        answerer = Answerer(engine)
    owned = storage is None
    storage = storage or create_storage(settings.fsm_storage, sessions)
    dispatcher = Dispatcher(
        storage=storage,
        events_isolation=_isolation(storage),
        settings=settings,
        answerer=answerer,
        suggestions=Suggestions.load(),
        clock=clock,
    )
    dispatcher.update.outer_middleware(Throttle(settings.throttle_per_minute, clock))
    dispatcher.update.outer_middleware(UnitOfWork(sessions, clock))
    dispatcher.update.outer_middleware(ReaderScript())  # inside the unit of work: the citizen
    handle_errors(dispatcher.errors)  # domain errors → their replies, then the one apology
    dispatcher.startup.register(start.set_commands)

    async def close() -> None:
        answering.close()
        if owned:
            await storage.close()
        await dispatcher.fsm.events_isolation.close()

    answering = answerer
    dispatcher.shutdown.register(close)
    for router in ROUTERS:
        _detach(router)
        dispatcher.include_router(router)
    return dispatcher


def _detach(router: Router) -> None:
    """Routers are module-level and aiogram attaches each to one parent: a second dispatcher in
    one process (a restart, the e2e tests) takes them over from the first, which is stopped."""
    parent = router.parent_router
    if parent is not None:
        parent.sub_routers.remove(router)
        router._parent_router = None


def create_bot(settings: Settings) -> Bot:
    if settings.bot_token is None:
        raise ValueError("the bot needs GREENBOT_BOT_TOKEN")
    session = AiohttpSession(api=TelegramAPIServer.from_base(settings.telegram_api_url))
    session.middleware(RetryAfter())
    return Bot(
        settings.bot_token.get_secret_value(),
        session=session,
        default=DefaultBotProperties(parse_mode=ParseMode.HTML),
    )
