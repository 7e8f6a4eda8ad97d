"""The composition root: the one place that turns `Settings` into the long-lived objects and
starts what the `greenbot` command asks for.

Built here, once per process, and nowhere else:

- the answer engine (`build_engine`: settings → `EngineConfig`, the index, the optional LLM
  step) and the bot's `Answerer` around it (a thread, or a worker process that builds its own
  engine with the same `build_engine`);
- the database engine and its sessions (`open_database`: Alembic first);
- the bot's dispatcher (`create_dispatcher`) and `Bot`; the outbox sender and the campaign
  scheduler (greenbot/delivery.py: `delivering`, `build_sender`, `build_scheduler_runner`);
- the web app (`create_web_app`), whose chat sandbox feeds the same dispatcher as the bot.

`greenbot run` is `serve`: the web console under uvicorn, plus the Telegram bot (polling or
webhook, the sender, the scheduler) in the same event loop when a token is set. Without a token
the sandbox has a dispatcher of its own and this process runs the campaign scheduler; outbox rows
for Telegram chats wait for a bot to deliver them.

Only this module imports both surfaces (bot/ and web/); the CLI (greenbot/cli.py) receives what
it needs from `main` (`Wiring`: the engine, the reports' use cases, `run`) instead of importing
it. Surfaces and their heavy libraries are imported inside the functions that need them, so
`greenbot ask` loads neither aiogram nor FastAPI, and the answer worker process (which unpickles
`build_engine`) stays light.
"""

from __future__ import annotations

import asyncio
import contextlib
import functools
import logging
import signal
from collections.abc import AsyncIterator, Callable, Coroutine
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any
from zoneinfo import ZoneInfo

if TYPE_CHECKING:
    from aiogram import Dispatcher
    from aiogram.fsm.storage.base import BaseStorage
    from fastapi import FastAPI
    from sqlalchemy.ext.asyncio import AsyncEngine, AsyncSession, async_sessionmaker

    from campaigns.scheduler import SchedulerRunner
    from ground.clock import Clock
    from ground.settings import Settings
    from knowledge.answer import AnswerEngine
    from knowledge.engine import EngineConfig
    from knowledge.index import Progress
    from reports.service import ReportServices
    from web.server import WebServer

log = logging.getLogger(__name__)

Announce = Callable[[str], None]


def main() -> None:
    """The `greenbot` command (pyproject's entry point, `python -m greenbot`)."""
    from greenbot.cli import app

    app(obj=Wiring())


class Wiring:
    """What the CLI's commands ask the root for (`greenbot.commands.wiring.Wiring`)."""

    def engine(
        self, settings: Settings, *, rebuild: bool = False, progress: Progress | None = None
    ) -> AnswerEngine:
        return build_engine(settings, rebuild=rebuild, progress=progress)

    def report_services(self, settings: Settings) -> ReportServices:
        return report_services(settings, city_clock(settings))

    def run(self, settings: Settings, engine: AnswerEngine, announce: Announce) -> None:
        asyncio.run(serve(settings, engine, announce))


# --- the answer engine ------------------------------------------------------------------------


def engine_config(settings: Settings) -> EngineConfig:
    from knowledge.engine import EngineConfig

    return EngineConfig(
        data_dir=settings.data_dir,
        model=settings.embedding_model,
        threshold=settings.not_covered_below,
        chroma_dir=settings.chroma_dir,
        chroma_server_url=settings.chroma_server_url,
        max_question_chars=settings.max_question_chars,
        database_url=settings.sqlalchemy_url,  # approved curated answers are read from it
        curated_match_above=settings.curated_match_above,
        curated_refresh_seconds=settings.curated_refresh_seconds,
    )


def build_engine(
    settings: Settings, *, rebuild: bool = False, progress: Progress | None = None
) -> AnswerEngine:
    """Load the index (building it when missing or stale) and, if configured, the LLM step."""
    from knowledge.engine import create_engine
    from knowledge.llm import rewriter_from

    return create_engine(
        engine_config(settings),
        rebuild=rebuild,
        progress=progress,
        rewriter=rewriter_from(
            base_url=settings.llm_base_url,
            model=settings.llm_model,
            api_key=settings.llm_api_key.get_secret_value() if settings.llm_api_key else None,
        ),
    )


# --- the database -----------------------------------------------------------------------------


@dataclass
class Database:
    engine: AsyncEngine
    sessions: async_sessionmaker[AsyncSession]


@contextlib.asynccontextmanager
async def open_database(settings: Settings) -> AsyncIterator[Database]:
    """The app database at the current schema, disposed of when the block ends."""
    from greenbot.migrate import prepare_database
    from ground.db import create_engine, session_factory

    settings.data_dir.mkdir(parents=True, exist_ok=True)
    database = create_engine(settings.sqlalchemy_url)
    try:
        await prepare_database(database)
        yield Database(database, session_factory(database))
    finally:
        await database.dispose()


# --- the use cases ----------------------------------------------------------------------------


def city_clock(settings: Settings) -> Clock:
    """The wall clock in the city's zone (GREENBOT_TIMEZONE)."""
    from ground.clock import SystemClock

    return SystemClock(ZoneInfo(settings.timezone))


def report_services(settings: Settings, clock: Clock) -> ReportServices:
    """The one ReportService factory (photo store, routing.yaml read once, the daily limit) the
    bot and the console share."""
    from reports import MediaStore, load_routing
    from reports.service import Limits, ReportServices

    return ReportServices(
        clock=clock,
        media=MediaStore(settings.media_dir, max_bytes=settings.max_photo_bytes),
        routing=load_routing(),
        limits=Limits(reports_per_day=settings.reports_per_day),
    )


# --- the bot --------------------------------------------------------------------------------


def create_dispatcher(
    settings: Settings,
    *,
    engine: AnswerEngine,
    sessions: async_sessionmaker[AsyncSession],
    clock: Clock,
    storage: BaseStorage | None = None,
    reports: ReportServices | None = None,
) -> Dispatcher:
    """The bot's dispatcher with its answering worker (a thread, or with GREENBOT_ANSWER_WORKER=
    process a process that builds its own engine from these settings) and the use cases its
    handlers take from workflow data: `asking` and `report_services`."""
    from bot.answerer import Answerer
    from bot.app import create_dispatcher as dispatcher_for
    from knowledge.asking import Asking

    worker = functools.partial(build_engine, settings)
    answerer = Answerer(engine, worker=worker if settings.answer_worker == "process" else None)
    dispatcher = dispatcher_for(
        settings, answerer=answerer, sessions=sessions, clock=clock, storage=storage
    )
    dispatcher["asking"] = Asking(answerer, clock)
    dispatcher["report_services"] = reports or report_services(settings, clock)
    return dispatcher


def scheduler_runner(
    settings: Settings, *, sessions: async_sessionmaker[AsyncSession], clock: Clock
) -> SchedulerRunner:
    """The campaign scheduler of a process without a bot (no sender to nudge)."""
    from greenbot.delivery import build_scheduler_runner

    return build_scheduler_runner(settings, sessions=sessions, clock=clock)


async def serve_bot(
    settings: Settings,
    *,
    engine: AnswerEngine,
    sessions: async_sessionmaker[AsyncSession],
    clock: Clock,
    dispatcher: Dispatcher | None = None,
) -> None:
    """Serve updates (polling or webhook) with the outbox sender and the scheduler beside them,
    until cancelled (or SIGINT in polling mode), then stop delivery cleanly."""
    from bot.app import create_bot
    from bot.runtime import serve_updates
    from greenbot.delivery import delivering

    bot = create_bot(settings)
    if dispatcher is None:
        dispatcher = create_dispatcher(settings, engine=engine, sessions=sessions, clock=clock)
    await dispatcher["answerer"].until_warm()  # before the first update is taken
    try:
        async with delivering(settings, sessions=sessions, clock=clock, dispatcher=dispatcher):
            await serve_updates(settings, dispatcher, bot)
    finally:
        await bot.session.close()


# --- the web app ------------------------------------------------------------------------------


def create_web_app(
    settings: Settings,
    *,
    sessions: async_sessionmaker[AsyncSession],
    clock: Clock | None = None,
    engine: AnswerEngine | None = None,
    dispatcher: Dispatcher | None = None,
    bot_running: bool = False,
    reports: ReportServices | None = None,
) -> FastAPI:
    """The console on `sessions`. Its chat sandbox feeds `dispatcher` (the running bot's), or,
    given only `engine`, a dispatcher of its own built here and closed with the app."""
    from ground.clock import SystemClock
    from web.app import create_app

    clock = clock or SystemClock()
    reports = reports or report_services(settings, clock)
    owns = False
    if dispatcher is None and engine is not None and settings.web_sandbox:
        dispatcher = create_dispatcher(
            settings, engine=engine, sessions=sessions, clock=clock, reports=reports
        )
        owns = True
    return create_app(
        settings,
        sessions=sessions,
        clock=clock,
        engine=engine,
        dispatcher=dispatcher,
        owns_dispatcher=owns,
        bot_running=bot_running,
        sandbox_commands=_bot_commands(),
        report_services=reports,
    )


def _bot_commands() -> list[tuple[str, str]]:
    """The "/" menu the bot registers with setMyCommands, for the sandbox to show."""
    from bot.routers.start import bot_commands

    return [(command.command, command.description) for command in bot_commands()]


# --- `greenbot run` ---------------------------------------------------------------------------


async def serve(settings: Settings, engine: AnswerEngine, announce: Announce | None) -> None:
    """Serve until SIGINT or SIGTERM (or cancelled)."""
    clock = city_clock(settings)
    reports = report_services(settings, clock)
    async with open_database(settings) as database:
        if settings.bot_token is None:
            app = create_web_app(
                settings, sessions=database.sessions, clock=clock, engine=engine, reports=reports
            )
            await _serve_web_alone(settings, app, database.sessions, clock, announce)
        else:
            dispatcher = create_dispatcher(
                settings, engine=engine, sessions=database.sessions, clock=clock, reports=reports
            )
            app = create_web_app(
                settings,
                sessions=database.sessions,
                clock=clock,
                engine=engine,
                dispatcher=dispatcher,
                bot_running=True,
                reports=reports,
            )
            bot = serve_bot(
                settings,
                engine=engine,
                sessions=database.sessions,
                clock=clock,
                dispatcher=dispatcher,
            )
            await _serve_with_bot(settings, app, bot, announce)


async def _serve_web_alone(
    settings: Settings,
    app: FastAPI,
    sessions: async_sessionmaker[AsyncSession],
    clock: Clock,
    announce: Announce | None,
) -> None:
    from web.server import web_server

    server = web_server(settings, app, announce)
    _on_signals(server.stop)
    stop_event = asyncio.Event()
    tasks = [asyncio.create_task(server.serve(), name="web")]
    if settings.scheduler_enabled:
        runner = scheduler_runner(settings, sessions=sessions, clock=clock)
        tasks.append(asyncio.create_task(runner.run(stop_event), name="scheduler"))
    try:
        await asyncio.wait(tasks[:1])  # unlike awaiting it, a cancel here leaves it running…
    finally:  # … so that it stops gracefully here
        server.stop()
        stop_event.set()  # the scheduler hands its lease over
        await asyncio.gather(*tasks, return_exceptions=True)


async def _serve_with_bot(
    settings: Settings,
    app: FastAPI,
    serving: Coroutine[Any, Any, None],
    announce: Announce | None,
) -> None:
    """Until either side stops (polling stops on SIGINT/SIGTERM), then stop the other."""
    from web.server import web_server

    server = web_server(settings, app, announce)
    bot = asyncio.create_task(serving, name="bot")
    web = asyncio.create_task(_console_beside_the_bot(server), name="web")

    def stop() -> None:
        server.stop()
        bot.cancel()

    _on_signals(stop)  # polling replaces these with its own; when it stops, so does the web
    try:
        await asyncio.wait({bot})  # the bot decides; the console stops with it
    finally:
        stop()
        await asyncio.gather(bot, web, return_exceptions=True)
    error = None if bot.cancelled() else bot.exception()
    if error is not None:
        raise error


async def _console_beside_the_bot(server: WebServer) -> None:
    """With a token the bot is what citizens need: a console that cannot start (its port is
    taken) is logged, and the bot serves on. uvicorn exits the process when it cannot bind."""
    try:
        await server.serve()
    except (SystemExit, OSError):
        config = server.config
        log.error(
            "the web console could not start on %s:%s (port in use? GREENBOT_WEB_PORT); "
            "the Telegram bot keeps running",
            config.host,
            config.port,
        )


def _on_signals(stop: Callable[[], None]) -> None:
    loop = asyncio.get_running_loop()
    for sig in (signal.SIGINT, signal.SIGTERM):
        with contextlib.suppress(NotImplementedError, RuntimeError):
            loop.add_signal_handler(sig, stop)
