"""One's own account: where one is logged in, signing out everywhere, changing the password
(which ends every other session; this browser gets a new one)."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Form, Request
from starlette.responses import RedirectResponse, Response

from staff import (
    ConsoleSessions,
    EndReason,
    EventKind,
    LoginThrottle,
    StaffAccounts,
    StaffAudit,
)
from staff.passwords import MAX_PASSWORD, MIN_PASSWORD
from web.addresses import client_address
from web.auth import (
    claim_attempt,
    clear_login_cookie,
    flash,
    fresh_browser_session,
    set_login_cookie,
    too_soon,
)
from web.deps import ConsoleDep, LoginDep, SessionDep, StaffDep
from web.errors import BadInput
from web.templating import page

router = APIRouter()


@router.get("/account")
async def show_account(
    request: Request, console: ConsoleDep, session: SessionDep, staff: StaffDep, login: LoginDep
) -> Response:
    sessions = ConsoleSessions(session, console.auth.lifetimes)
    live = await sessions.live(staff.id, now=console.clock.now())
    assert login is not None
    context = {
        "sessions": live,
        "current": login.digest,
        "min_password": MIN_PASSWORD,
        "max_password": MAX_PASSWORD,
    }
    return page(request, "account.html", context)


@router.post("/account/password")
async def change_password(
    request: Request,
    console: ConsoleDep,
    session: SessionDep,
    staff: StaffDep,
    current: Annotated[str, Form(max_length=256)],
    password: Annotated[str, Form(max_length=256)],
    again: Annotated[str, Form(max_length=256)],
) -> Response:
    """Asks for the current password (throttled like a login: a borrowed session must not be
    able to guess it), then ends every session of the account and opens one for this browser."""
    if password != again:
        raise BadInput("两次输入的新密码不一致。")
    auth = console.auth
    address = client_address(request, auth.trusted_proxies)
    wait = await claim_attempt(console, staff.name, address)
    if wait:
        raise BadInput(too_soon(wait))
    accounts = StaffAccounts(session)
    if not await accounts.confirm_password(staff, current):
        raise BadInput("当前密码不正确。")
    await LoginThrottle(session, auth.throttle, pepper=auth.pepper).succeeded(staff.name, address)
    now = console.clock.now()
    account = await accounts.set_password(staff.name, password)  # WeakPassword: a 400 page
    sessions = ConsoleSessions(session, console.auth.lifetimes)
    await sessions.end_all(account.id, now=now, reason=EndReason.PASSWORD)
    token = await sessions.open(
        account, now=now, address=address, user_agent=request.headers.get("user-agent")
    )
    await StaffAudit(session).record(
        EventKind.PASSWORD_CHANGED, at=now, account_id=account.id, address=address
    )
    fresh_browser_session(request)
    flash(request, "密码已修改，其他设备上的登录已全部退出。")
    response = RedirectResponse("/account", status_code=303)
    set_login_cookie(response, auth, token)
    return response


@router.post("/account/sessions/end")
async def sign_out_everywhere(
    request: Request, console: ConsoleDep, session: SessionDep, staff: StaffDep
) -> Response:
    """Every session of this account ends, this one included."""
    now = console.clock.now()
    ended = await ConsoleSessions(session, console.auth.lifetimes).end_all(
        staff.id, now=now, reason=EndReason.EVERYWHERE
    )
    await StaffAudit(session).record(
        EventKind.SIGNED_OUT_EVERYWHERE,
        at=now,
        account_id=staff.id,
        address=client_address(request, console.auth.trusted_proxies),
        detail=f"{ended} sessions",
    )
    fresh_browser_session(request)
    flash(request, f"已在所有设备上退出登录（{ended} 处）。")
    response = RedirectResponse("/login", status_code=303)
    clear_login_cookie(response, console.auth)
    return response
