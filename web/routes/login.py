"""Logging in and out of the staff console (sessions and the throttle: `web/auth.py`)."""

from __future__ import annotations

import logging
from typing import Annotated

from fastapi import APIRouter, Form, Request
from starlette.responses import RedirectResponse, Response

from staff import (
    ConsoleSessions,
    EndReason,
    EventKind,
    LoginThrottle,
    StaffAccount,
    StaffAccounts,
    StaffAudit,
)
from web.addresses import client_address
from web.auth import (
    claim_attempt,
    clear_login_cookie,
    flash,
    fresh_browser_session,
    safe_next,
    set_login_cookie,
    too_soon,
)
from web.deps import ConsoleDep, LoginDep, SessionDep
from web.templating import page

log = logging.getLogger(__name__)

router = APIRouter()

WRONG = "用户名或密码不正确。"


@router.get("/login")
async def show_login(request: Request, next: str = "/") -> Response:
    return page(request, "login.html", {"next": safe_next(next), "error": None, "name": ""})


@router.post("/login")
async def submit_login(
    request: Request,
    console: ConsoleDep,
    session: SessionDep,
    login: LoginDep,
    name: Annotated[str, Form(max_length=64)],
    password: Annotated[str, Form(max_length=256)],
    next: Annotated[str, Form()] = "/",
) -> Response:
    target = safe_next(next)
    now = console.clock.now()
    address = client_address(request, console.auth.trusted_proxies)
    wait = await claim_attempt(console, name, address)
    if wait:
        log.info("login attempt from %s delayed %ss by the throttle", address, wait)
        refused = _refused(request, name, target, too_soon(wait), 429)
        refused.headers["Retry-After"] = str(wait)
        return refused
    accounts, audit = StaffAccounts(session), StaffAudit(session)
    account = await accounts.authenticate(name, password, now=now)
    if account is None:
        known = await _known(accounts, name)
        await audit.record(
            EventKind.LOGIN_FAILED,
            at=now,
            account_id=known.id if known else None,
            address=address,
            detail=None if known else "unknown name",
        )
        return _refused(request, name, target, WRONG, 401)
    auth = console.auth
    await LoginThrottle(session, auth.throttle, pepper=auth.pepper).succeeded(name, address)
    sessions = ConsoleSessions(session, auth.lifetimes)
    if login is not None:
        await sessions.end(login.token, now=now, reason=EndReason.REPLACED)
    token = await sessions.open(
        account, now=now, address=address, user_agent=request.headers.get("user-agent")
    )
    await audit.record(EventKind.LOGIN, at=now, account_id=account.id, address=address)
    fresh_browser_session(request)
    response = RedirectResponse(target, status_code=303)
    set_login_cookie(response, auth, token)
    return response


@router.post("/logout")
async def submit_logout(
    request: Request, console: ConsoleDep, session: SessionDep, login: LoginDep
) -> Response:
    if login is not None:
        now = console.clock.now()
        sessions = ConsoleSessions(session, console.auth.lifetimes)
        await sessions.end(login.token, now=now, reason=EndReason.LOGOUT)
        await StaffAudit(session).record(
            EventKind.LOGOUT,
            at=now,
            account_id=login.account.id,
            address=client_address(request, console.auth.trusted_proxies),
        )
    fresh_browser_session(request)
    flash(request, "您已退出登录。")
    response = RedirectResponse("/login", status_code=303)
    clear_login_cookie(response, console.auth)
    return response


async def _known(accounts: StaffAccounts, name: str) -> StaffAccount | None:
    """The account a failed attempt aimed at, for the audit trail (a name matching none is
    never stored: it may be a password typed in the wrong field)."""
    return await accounts.find(name)


def _refused(request: Request, name: str, target: str, error: str, status: int) -> Response:
    context = {"next": target, "error": error, "name": name}
    return page(request, "login.html", context, status_code=status)
