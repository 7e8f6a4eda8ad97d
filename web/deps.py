"""What routes ask for, as `Annotated` dependencies: the request's database session (committed
when the route returns, rolled back if it raises), the domain services on it, and the logged-in
staff member with the role the route needs. A route without `StaffDep`/`AdminDep` is public
(only the login page and the chat sandbox are)."""

from __future__ import annotations

from collections.abc import AsyncIterator
from dataclasses import dataclass
from typing import TYPE_CHECKING, Annotated

from fastapi import Depends, Request
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from outbox import Outbox
from reports import MediaStore, ReportService, Routing
from staff import Role, StaffAccount
from web.auth import LoginThrottle
from web.errors import Forbidden, LoginRequired

if TYPE_CHECKING:
    from greenbot.clock import Clock
    from greenbot.settings import Settings
    from web.sandbox import Sandbox


@dataclass(frozen=True)
class Viewer:
    """Who the page is for (plain values: an error page renders after a rollback expired the
    account's ORM attributes)."""

    id: int
    name: str
    role: str


@dataclass
class Console:
    """Long-lived parts, built once by `create_app` and kept on `app.state.console`."""

    settings: Settings
    sessions: async_sessionmaker[AsyncSession]
    clock: Clock
    media: MediaStore
    routing: Routing  # routing.yaml, read once
    sandbox: Sandbox | None
    throttle: LoginThrottle
    bot_running: bool  # a Telegram bot in this process delivers the outbox


def get_console(request: Request) -> Console:
    return request.app.state.console


ConsoleDep = Annotated[Console, Depends(get_console)]


async def open_session(console: ConsoleDep) -> AsyncIterator[AsyncSession]:
    """One transaction per request: commit after the route returns, before the response."""
    async with console.sessions() as session, session.begin():
        yield session


SessionDep = Annotated[AsyncSession, Depends(open_session, scope="function")]


async def report_service(console: ConsoleDep, session: SessionDep) -> ReportService:
    """The same service the bot's staff buttons use: one path for status changes."""
    return ReportService(
        session, Outbox(session), console.clock, console.media, routing=console.routing
    )


ReportsDep = Annotated[ReportService, Depends(report_service, scope="function")]


async def current_staff(request: Request, session: SessionDep) -> StaffAccount:
    """The logged-in, active account whose session is still current; else to the login page."""
    remembered = request.session.get("staff")
    account = None
    if isinstance(remembered, dict) and isinstance(remembered.get("id"), int):
        account = await session.get(StaffAccount, remembered["id"])
        if account is not None and account.generation != remembered.get("gen"):
            account = None  # the password, role or status changed since this login
    if account is None or not account.active:
        request.session.pop("staff", None)
        target = request.url.path + (f"?{request.url.query}" if request.url.query else "")
        raise LoginRequired(target if request.method == "GET" else "/")
    request.state.staff = Viewer(account.id, account.name, account.role)
    return account


StaffDep = Annotated[StaffAccount, Depends(current_staff, scope="function")]


async def current_admin(staff: StaffDep) -> StaffAccount:
    if not staff.role_enum.allows(Role.ADMIN):
        raise Forbidden()
    return staff


AdminDep = Annotated[StaffAccount, Depends(current_admin, scope="function")]
