"""The web surface: `create_app(settings, sessions=…)` builds the staff console and the chat
sandbox on the database the caller prepared (the composition root, greenbot/root.py, hands it the
bot's dispatcher). `web/server.py` runs it under uvicorn."""

from __future__ import annotations

import contextlib
from collections.abc import AsyncIterator, Callable, Sequence
from pathlib import Path
from typing import TYPE_CHECKING

from fastapi import Depends, FastAPI, Request
from fastapi.staticfiles import StaticFiles
from starlette.middleware.sessions import SessionMiddleware
from starlette.responses import Response

from ground.clock import SystemClock
from reports import Limits, MediaStore
from reports.service import ReportServices
from web import handlers
from web.auth import BROWSER_MAX_AGE, AuthConfig, session_secret
from web.deps import Console, check_csrf
from web.routes import (
    account,
    answers,
    campaigns,
    chat,
    dashboard,
    gaps,
    health,
    knowledge_api,
    login,
    open311,
    replies,
    reports,
    staff,
    transparency,
)

if TYPE_CHECKING:
    from collections.abc import Awaitable

    from aiogram import Dispatcher
    from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

    from ground.clock import Clock
    from ground.settings import Settings
    from knowledge.answer import AnswerEngine
    from web.sandbox import Sandbox

STATIC = Path(__file__).with_name("static")
# Everything the pages use is served from here: no CDN, no inline script, no framing.
SECURITY_HEADERS = {
    "Content-Security-Policy": (
        "default-src 'self'; img-src 'self' data:; style-src 'self'; script-src 'self'; "
        "object-src 'none'; base-uri 'none'; frame-ancestors 'none'; form-action 'self'"
    ),
    "X-Content-Type-Options": "nosniff",
    "X-Frame-Options": "DENY",
    "Referrer-Policy": "same-origin",
}


def create_app(
    settings: Settings,
    *,
    sessions: async_sessionmaker[AsyncSession],
    clock: Clock | None = None,
    engine: AnswerEngine | None = None,
    dispatcher: Dispatcher | Callable[[], Dispatcher | None] | None = None,
    owns_dispatcher: bool = False,
    bot_running: bool = False,
    sandbox_commands: Sequence[tuple[str, str]] = (),
    report_services: ReportServices | None = None,
) -> FastAPI:
    """The console on `sessions`. The sandbox feeds `dispatcher` (or a function finding it),
    and shuts it down with the app when it `owns_dispatcher`; without one, or with
    `settings.web_sandbox` off, /chat says it is off. `sandbox_commands` is the bot's "/" menu
    (command, description). `engine` tells /readyz the index. `report_services` are the use
    cases the root built for the bot too (the photo store, routing.yaml read once): made here
    only for an app without a root (a test)."""
    clock = clock or SystemClock()
    report_services = report_services or ReportServices(
        clock=clock,
        media=MediaStore(settings.media_dir, max_bytes=settings.max_photo_bytes),
        limits=Limits(reports_per_day=settings.reports_per_day),
    )
    console = Console(
        settings=settings,
        sessions=sessions,
        clock=clock,
        sandbox=_sandbox(
            settings, sessions, clock, dispatcher, owns=owns_dispatcher, commands=sandbox_commands
        ),
        auth=AuthConfig.from_settings(settings),
        bot_running=bot_running,
    )

    @contextlib.asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        yield
        if console.sandbox is not None:
            await console.sandbox.close()

    app = FastAPI(
        title="绿色铜仁助手 · 工作台",
        docs_url=None,
        redoc_url=None,
        openapi_url=None,
        lifespan=lifespan,
    )
    app.state.console = console
    # What the API routers (health, Open311) read; they authenticate by key, not by cookie.
    app.state.settings, app.state.sessions, app.state.clock = settings, sessions, clock
    app.state.engine = engine
    app.state.reports = report_services  # web/deps.py's ReportServicesDep
    # The signed browser cookie: flashes, the sandbox visitor, a logged-out CSRF token (logins
    # are server-side sessions, web/auth.py).
    app.add_middleware(
        SessionMiddleware,
        secret_key=session_secret(settings),
        session_cookie=console.auth.browser_cookie,
        max_age=BROWSER_MAX_AGE,
        same_site="lax",
        https_only=console.auth.secure,  # off for `make run` on http://127.0.0.1
    )
    app.middleware("http")(_security_headers)
    handlers.install(app)
    for module in (
        login,
        account,
        dashboard,
        reports,
        replies,
        campaigns,
        gaps,
        answers,
        staff,
        chat,
    ):
        app.include_router(module.router, dependencies=[Depends(check_csrf)])
    for module in (health, open311, knowledge_api, transparency):
        app.include_router(module.router)
    app.mount("/static", StaticFiles(directory=STATIC), name="static")
    return app


def _sandbox(
    settings: Settings,
    sessions: async_sessionmaker[AsyncSession],
    clock: Clock,
    dispatcher: Dispatcher | Callable[[], Dispatcher | None] | None,
    *,
    owns: bool,
    commands: Sequence[tuple[str, str]],
) -> Sandbox | None:
    if not settings.web_sandbox or dispatcher is None:
        return None
    from web.sandbox import Limits, Sandbox

    return Sandbox(
        dispatcher,
        sessions=sessions,
        clock=clock,
        owns_dispatcher=owns,
        limits=Limits.from_settings(settings, sessions, clock),
        keep_days=settings.sandbox_chat_days,
        max_photo_bytes=settings.max_photo_bytes,
        commands=commands,
    )


async def _security_headers(
    request: Request, call_next: Callable[[Request], Awaitable[Response]]
) -> Response:
    try:
        response = await call_next(request)
    except Exception as error:  # caught here, before the server logs its message
        response = handlers.server_error(request, error)
    for name, value in SECURITY_HEADERS.items():
        response.headers.setdefault(name, value)
    if not request.url.path.startswith("/static/"):
        response.headers.setdefault("Cache-Control", "no-store")
    return response
