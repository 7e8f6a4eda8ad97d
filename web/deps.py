"""What routes ask for, as `Annotated` dependencies: the request's database session (committed
when the route returns, rolled back if it raises), the domain services on it, the console
session the login cookie names, and the logged-in staff member with the role the route needs.
A route without `StaffDep`/`AdminDep` is public (only the login page and the chat sandbox are).
`check_csrf` guards every console router (`web/app.py`)."""

from __future__ import annotations

import hmac
import logging
from collections.abc import AsyncIterator
from dataclasses import dataclass
from typing import TYPE_CHECKING, Annotated
from zoneinfo import ZoneInfo

from fastapi import Depends, Request
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from ground.clock import Clock, SystemClock
from ground.settings import Settings
from reports import ReportService
from reports.service import ReportServices
from staff import ConsoleSessions, Role, StaffAccount
from web.auth import CSRF_FIELD, CSRF_HEADER, FORM_TYPES, SAFE_METHODS, AuthConfig, Login
from web.auth import expected_csrf as expected_csrf_of
from web.errors import CsrfRejected, Forbidden, LoginRequired

if TYPE_CHECKING:
    from web.sandbox import Sandbox

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class Viewer:
    """Who the page is for (plain values: an error page renders after a rollback expired the
    account's ORM attributes)."""

    id: int
    name: str
    role: str


@dataclass
class Console:
    """Long-lived parts, built once by `create_app` and kept on `app.state.console` (the photo
    store and routing.yaml are the `ReportServices`', `ReportServicesDep`)."""

    settings: Settings
    sessions: async_sessionmaker[AsyncSession]
    clock: Clock
    sandbox: Sandbox | None
    auth: AuthConfig  # sessions, cookies, the login throttle
    bot_running: bool  # a Telegram bot in this process delivers the outbox


def get_console(request: Request) -> Console:
    return request.app.state.console


ConsoleDep = Annotated[Console, Depends(get_console)]


# What the API routers (health, Open311) ask for: they run on an app with or without the
# console (a test mounts them alone), so these read `app.state`, which `create_app` also sets.
def get_settings(request: Request) -> Settings:
    return request.app.state.settings


def get_sessions(request: Request) -> async_sessionmaker[AsyncSession]:
    return request.app.state.sessions


def get_clock(request: Request) -> Clock:
    """A test sets `app.state.clock`; otherwise the wall clock in the city's zone."""
    clock = getattr(request.app.state, "clock", None)
    return clock or SystemClock(ZoneInfo(get_settings(request).timezone))


SettingsDep = Annotated[Settings, Depends(get_settings)]
SessionsDep = Annotated[async_sessionmaker[AsyncSession], Depends(get_sessions)]
ClockDep = Annotated[Clock, Depends(get_clock)]


def get_report_services(request: Request) -> ReportServices:
    """The ReportService factory `create_app` put on `app.state.reports` (the composition
    root's, or one made from the settings when the app runs without a root, as in tests)."""
    return request.app.state.reports


ReportServicesDep = Annotated[ReportServices, Depends(get_report_services)]


async def open_session(console: ConsoleDep) -> AsyncIterator[AsyncSession]:
    """One transaction per request: commit after the route returns, before the response."""
    async with console.sessions() as session, session.begin():
        yield session


SessionDep = Annotated[AsyncSession, Depends(open_session, scope="function")]


async def report_service(services: ReportServicesDep, session: SessionDep) -> ReportService:
    """The same service the bot's staff buttons use: one path for status changes."""
    return services(session)


ReportsDep = Annotated[ReportService, Depends(report_service, scope="function")]


async def current_login(request: Request, console: ConsoleDep, session: SessionDep) -> Login | None:
    """The live console session the login cookie names, if any (kept on `request.state` for
    the templates' CSRF token)."""
    token = request.cookies.get(console.auth.login_cookie)
    found = None
    if token:
        sessions = ConsoleSessions(session, console.auth.lifetimes)
        found = await sessions.find(token, now=console.clock.now())
    login = Login(token, found[1]) if token and found else None
    request.state.login = login
    return login


LoginDep = Annotated[Login | None, Depends(current_login)]


async def check_csrf(request: Request, console: ConsoleDep, login: LoginDep) -> None:
    """Every unsafe request must carry this page's token. A form from a session that has since
    ended goes to the login page rather than to an error."""
    if request.method in SAFE_METHODS:
        return
    expected = expected_csrf_of(request)
    sent = request.headers.get(CSRF_HEADER)
    if sent is None and request.headers.get("content-type", "").startswith(FORM_TYPES):
        sent = (await request.form()).get(CSRF_FIELD)
    if expected and isinstance(sent, str) and hmac.compare_digest(sent, expected):
        return
    if login is None and request.cookies.get(console.auth.login_cookie):
        raise LoginRequired("/")
    log.warning("refused a %s to %s without a valid CSRF token", request.method, request.url.path)
    raise CsrfRejected()


async def current_staff(request: Request, login: LoginDep) -> StaffAccount:
    """The account of this request's live console session; else to the login page."""
    if login is None:
        target = request.url.path + (f"?{request.url.query}" if request.url.query else "")
        raise LoginRequired(target if request.method == "GET" else "/")
    account = login.account
    request.state.staff = Viewer(account.id, account.name, account.role)
    return account


StaffDep = Annotated[StaffAccount, Depends(current_staff, scope="function")]


async def current_admin(staff: StaffDep) -> StaffAccount:
    if not staff.role_enum.allows(Role.ADMIN):
        raise Forbidden()
    return staff


AdminDep = Annotated[StaffAccount, Depends(current_admin, scope="function")]
