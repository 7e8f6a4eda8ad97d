"""One's own account: where one is logged in, signing out everywhere, changing the password
(which ends every other session; this browser gets a new one), and the TOTP second factor:
turning it on (confirmed by a code, recovery codes shown once) and off (password and code)."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Form, Request
from starlette.responses import RedirectResponse, Response

from staff import (
    ConsoleSessions,
    EndReason,
    EventKind,
    LoginThrottle,
    Role,
    SecondFactor,
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
from web.enrolment import enrolment, unstored
from web.errors import BadInput
from web.routes.login import WRONG_CODE, code_key
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
        "totp_on": staff.has_totp,
        "totp_since": staff.totp_enabled_at,
        "recovery_left": await SecondFactor(session).remaining_recovery_codes(staff),
        "totp_required": _required(console, staff),
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


def _required(console: ConsoleDep, staff: StaffDep) -> bool:
    return console.settings.admin_totp_required and staff.role_enum is Role.ADMIN


@router.get("/account/totp")
async def show_enrolment(
    request: Request, session: SessionDep, console: ConsoleDep, staff: StaffDep
) -> Response:
    """The secret to add to an authenticator app (the same one until confirmed)."""
    if staff.has_totp:
        return RedirectResponse("/account", status_code=303)
    secret = await SecondFactor(session).start_enrolment(staff)
    context = enrolment(staff, secret, action="/account/totp")
    required = _required(console, staff)
    return unstored(page(request, "account_totp.html", context | {"required": required}))


@router.post("/account/totp")
async def confirm_enrolment(
    request: Request,
    console: ConsoleDep,
    session: SessionDep,
    staff: StaffDep,
    password: Annotated[str, Form(max_length=256)],
    code: Annotated[str, Form(max_length=64)],
) -> Response:
    """TOTP is on once the password and a code from the new secret are typed (a borrowed
    session alone cannot tie the account to someone else's phone); the recovery codes are
    shown in this response only (the database keeps their hashes)."""
    if staff.has_totp:
        return RedirectResponse("/account", status_code=303)
    auth = console.auth
    address = client_address(request, auth.trusted_proxies)
    # Both claims in their own transactions before this request writes (SQLite: one writer).
    for key in (staff.name, code_key(staff)):
        if wait := await claim_attempt(console, key, address):
            raise BadInput(too_soon(wait))
    now = console.clock.now()
    factor = SecondFactor(session)
    throttle = LoginThrottle(session, auth.throttle, pepper=auth.pepper)
    right_password = await StaffAccounts(session).confirm_password(staff, password)
    codes = await factor.confirm_enrolment(staff, code, now=now) if right_password else None
    if codes is None:
        if right_password:
            await throttle.succeeded(staff.name, address)
        secret = await factor.start_enrolment(staff)
        context = enrolment(staff, secret, action="/account/totp")
        error = WRONG_CODE if right_password else "当前密码不正确。"
        context |= {"required": _required(console, staff), "error": error}
        return unstored(page(request, "account_totp.html", context, status_code=400))
    await throttle.succeeded(staff.name, address)
    await throttle.succeeded(code_key(staff), address)
    await StaffAudit(session).record(
        EventKind.TOTP_ENABLED, at=now, account_id=staff.id, address=address
    )
    return unstored(page(request, "account_totp_codes.html", {"codes": codes, "next": "/account"}))


@router.post("/account/totp/off")
async def turn_off(
    request: Request,
    console: ConsoleDep,
    session: SessionDep,
    staff: StaffDep,
    password: Annotated[str, Form(max_length=256)],
    code: Annotated[str, Form(max_length=64)],
) -> Response:
    """Needs the password and a current code (or a recovery code): a borrowed session alone
    cannot remove the second factor. Throttled like a login."""
    if _required(console, staff):
        return _refuse(request, "本系统要求管理员开启两步验证，不能关闭。")
    auth = console.auth
    address = client_address(request, auth.trusted_proxies)
    throttle = LoginThrottle(session, auth.throttle, pepper=auth.pepper)
    if wait := await claim_attempt(console, staff.name, address):
        return _refuse(request, too_soon(wait))
    if not await StaffAccounts(session).confirm_password(staff, password):
        return _refuse(request, "密码不正确，两步验证没有关闭。")
    # Claimed (in its own transaction) before this request writes anything: SQLite has one
    # writer, and this request's transaction would hold the lock the claim waits for.
    if wait := await claim_attempt(console, code_key(staff), address):
        return _refuse(request, too_soon(wait))
    await throttle.succeeded(staff.name, address)
    now = console.clock.now()
    factor = SecondFactor(session)
    if await factor.verify(staff, code, now=now) is None:
        await StaffAudit(session).record(
            EventKind.CODE_FAILED, at=now, account_id=staff.id, address=address
        )
        return _refuse(request, f"{WRONG_CODE}两步验证没有关闭。")
    await throttle.succeeded(code_key(staff), address)
    await factor.disable(staff)
    await StaffAudit(session).record(
        EventKind.TOTP_DISABLED, at=now, account_id=staff.id, address=address
    )
    flash(request, "两步验证已关闭，登录时只需密码。")
    return RedirectResponse("/account", status_code=303)


def _refuse(request: Request, text: str) -> Response:
    """Back to the account page with the reason (a redirect, so what was recorded commits)."""
    flash(request, text, "error")
    return RedirectResponse("/account", status_code=303)
