"""`greenbot run`: the web console and chat sandbox under uvicorn, with the Telegram bot
(`bot.runtime.serve`: polling or webhook, the outbox sender, the scheduler) in the same process
and event loop when a token is set. One database engine and one answer engine serve both.

Without a token the sandbox has its own dispatcher and this process runs the campaign scheduler
(so scheduled broadcasts start); outbox rows for Telegram chats wait for a bot to deliver them.
With a token the sandbox feeds the bot's own dispatcher: one set of handlers, one answering
thread.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import signal
from collections.abc import Callable, Iterator
from typing import TYPE_CHECKING
from zoneinfo import ZoneInfo

import uvicorn

from web.app import create_app

if TYPE_CHECKING:
    import socket

    from aiogram import Dispatcher
    from fastapi import FastAPI

    from ground.settings import Settings
    from knowledge.answer import AnswerEngine

log = logging.getLogger(__name__)

Announce = Callable[[str], None]


class WebServer(uvicorn.Server):
    """uvicorn, minus its own signal handling (the process decides when to stop: `stop()`),
    saying where it listens once it does."""

    def __init__(self, config: uvicorn.Config, announce: Announce | None = None) -> None:
        super().__init__(config)
        self.announce = announce

    @contextlib.contextmanager
    def capture_signals(self) -> Iterator[None]:
        yield

    async def startup(self, sockets: list[socket.socket] | None = None) -> None:
        await super().startup(sockets)
        if self.started and self.announce is not None:
            base = f"http://{self.config.host}:{self.config.port}"
            self.announce(f"GreenBot web console: {base}/   chat sandbox: {base}/chat")

    def stop(self) -> None:
        self.should_exit = True


def web_server(settings: Settings, app: FastAPI, announce: Announce | None = None) -> WebServer:
    config = uvicorn.Config(
        app,
        host=settings.web_host,
        port=settings.web_port,
        log_level="warning",
        log_config=None,  # uvicorn's records go through our handler: JSON when asked, redacted
        access_log=False,  # URLs carry ticket numbers and searches: keep them out of the logs
        proxy_headers=False,
        lifespan="on",
    )
    return WebServer(config, announce)


def live_dispatcher() -> Dispatcher | None:
    """The bot's running dispatcher: the one that holds the routers (`bot/app.py` attaches each
    router to exactly one dispatcher)."""
    from aiogram import Dispatcher

    from bot.app import ROUTERS

    parent = ROUTERS[0].parent_router
    return parent if isinstance(parent, Dispatcher) else None


def run(settings: Settings, engine: AnswerEngine, announce: Announce | None = None) -> None:
    """Serve until SIGINT or SIGTERM."""
    asyncio.run(_run(settings, engine, announce))


async def _run(settings: Settings, engine: AnswerEngine, announce: Announce | None) -> None:
    from bot.runtime import prepare_database
    from ground.clock import SystemClock
    from ground.db import create_engine, session_factory

    settings.data_dir.mkdir(parents=True, exist_ok=True)
    database = create_engine(settings.sqlalchemy_url)
    try:
        await prepare_database(database)
        sessions = session_factory(database)
        clock = SystemClock(ZoneInfo(settings.timezone))
        if settings.bot_token is None:
            app = create_app(settings, sessions=sessions, clock=clock, engine=engine)
            await _serve_web_alone(settings, app, announce)
        else:
            app = create_app(
                settings,
                sessions=sessions,
                clock=clock,
                engine=engine,
                dispatcher=live_dispatcher,
                bot_running=True,
            )
            await _serve_with_bot(settings, app, engine, announce)
    finally:
        await database.dispose()


async def _serve_web_alone(settings: Settings, app: FastAPI, announce: Announce | None) -> None:
    from bot.runtime import build_scheduler_runner

    console = app.state.console
    server = web_server(settings, app, announce)
    _on_signals(server.stop)
    stop_event = asyncio.Event()
    tasks = [asyncio.create_task(server.serve(), name="web")]
    if settings.scheduler_enabled:
        runner = build_scheduler_runner(settings, sessions=console.sessions, clock=console.clock)
        tasks.append(asyncio.create_task(runner.run(stop_event), name="scheduler"))
    try:
        await asyncio.wait(tasks[:1])  # unlike awaiting it, a cancel here leaves it running…
    finally:  # … so that it stops gracefully here
        server.stop()
        stop_event.set()  # the scheduler hands its lease over
        await asyncio.gather(*tasks, return_exceptions=True)


async def _serve_with_bot(
    settings: Settings, app: FastAPI, engine: AnswerEngine, announce: Announce | None
) -> None:
    """Until either side stops (polling stops on SIGINT/SIGTERM), then stop the other."""
    from bot.runtime import serve

    console = app.state.console
    server = web_server(settings, app, announce)
    bot = asyncio.create_task(
        serve(settings, engine=engine, sessions=console.sessions, clock=console.clock),
        name="bot",
    )
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
