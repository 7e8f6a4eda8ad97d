"""Logging in and out of the staff console (sessions and the throttle: `web/auth.py`).

An account with TOTP logs in in two steps: the right password opens a login challenge
(`staff.LoginChallenges`, its token in the signed browser cookie), not a console session; only
a right code (or a recovery code) at `/login/code` opens the session. With
GREENBOT_ADMIN_TOTP_REQUIRED an admin without TOTP is sent to `/login/enrol` the same way and
gets a session once an authenticator is confirmed. A challenge opens no console page, lasts 5
minutes and ends after 5 wrong codes; codes are throttled per account like passwords.
"""

from __future__ import annotations

import logging
from typing import Annotated
from urllib.parse import quote

from fastapi import APIRouter, Form, Request
from starlette.responses import RedirectResponse, Response

from staff import (
    ConsoleSessions,
    EndReason,
    EventKind,
    LoginChallenge,
    LoginChallenges,
    LoginThrottle,
    Method,
    Purpose,
    Role,
    SecondFactor,
    StaffAccount,
    StaffAccounts,
    StaffAudit,
)
from web.addresses import client_address
from web.auth import (
    Login,
    claim_attempt,
    clear_login_cookie,
    flash,
    fresh_browser_session,
    safe_next,
    set_login_cookie,
    too_soon,
)
from web.deps import Console, ConsoleDep, LoginDep, SessionDep
from web.enrolment import enrolment, unstored
from web.templating import page

log = logging.getLogger(__name__)

router = APIRouter()

WRONG = "用户名或密码不正确。"
WRONG_CODE = "验证码不正确，请输入身份验证器上当前显示的 6 位数字。"
CHALLENGE = "second_step"  # the browser cookie's key for a login challenge's token
EXPIRED = "登录已超时或验证码错误次数过多，请重新输入密码。"


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
    purpose = _second_step(console, account)
    if purpose is not None:
        challenge = await LoginChallenges(session).open(account, purpose, now=now)
        fresh_browser_session(request)
        request.session[CHALLENGE] = challenge
        step = "/login/code" if purpose is Purpose.CODE else "/login/enrol"
        return RedirectResponse(f"{step}?next={quote(target)}", status_code=303)
    return await _logged_in(request, console, session, login, account, target)


def _second_step(console: Console, account: StaffAccount) -> Purpose | None:
    """What the account still owes after its password: a code, enrolling one, or nothing."""
    if account.has_totp:
        return Purpose.CODE
    if console.settings.admin_totp_required and account.role_enum is Role.ADMIN:
        return Purpose.ENROL
    return None


async def _logged_in(
    request: Request,
    console: Console,
    session: SessionDep,
    login: Login | None,
    account: StaffAccount,
    target: str,
    *,
    detail: str | None = None,
    response: Response | None = None,
) -> Response:
    """Open the console session (ending one this browser had) and hand its cookie over."""
    now, auth = console.clock.now(), console.auth
    address = client_address(request, auth.trusted_proxies)
    sessions = ConsoleSessions(session, auth.lifetimes)
    if login is not None:
        await sessions.end(login.token, now=now, reason=EndReason.REPLACED)
    token = await sessions.open(
        account, now=now, address=address, user_agent=request.headers.get("user-agent")
    )
    await StaffAudit(session).record(
        EventKind.LOGIN, at=now, account_id=account.id, address=address, detail=detail
    )
    fresh_browser_session(request)
    response = response or RedirectResponse(target, status_code=303)
    set_login_cookie(response, auth, token)
    return response


async def _challenge(
    request: Request, console: Console, session: SessionDep, purpose: Purpose
) -> tuple[LoginChallenge, StaffAccount] | None:
    found = await LoginChallenges(session).find(
        request.session.get(CHALLENGE), now=console.clock.now()
    )
    if found is None or found[0].purpose != purpose.value:
        return None
    return found


def _start_again(request: Request, target: str) -> Response:
    request.session.pop(CHALLENGE, None)
    flash(request, EXPIRED, "error")
    return RedirectResponse(f"/login?next={quote(target)}", status_code=303)


@router.get("/login/code")
async def show_code(
    request: Request, console: ConsoleDep, session: SessionDep, next: str = "/"
) -> Response:
    target = safe_next(next)
    if await _challenge(request, console, session, Purpose.CODE) is None:
        return _start_again(request, target)
    return page(request, "login_code.html", {"next": target, "error": None})


@router.post("/login/code")
async def submit_code(
    request: Request,
    console: ConsoleDep,
    session: SessionDep,
    login: LoginDep,
    code: Annotated[str, Form(max_length=64)],
    next: Annotated[str, Form()] = "/",
) -> Response:
    """The second step: a TOTP code (never one already used) or a recovery code (once)."""
    target = safe_next(next)
    found = await _challenge(request, console, session, Purpose.CODE)
    if found is None:
        return _start_again(request, target)
    challenge, account = found
    refused = await _throttled(request, console, account, "login_code.html", target)
    if refused is not None:
        return refused
    now = console.clock.now()
    factor = SecondFactor(session)
    method = await factor.verify(account, code, now=now)
    if method is None:
        return await _wrong_code(request, console, session, challenge, "login_code.html", target)
    await _code_passed(console, session, challenge, account, request)
    detail, notice = "两步验证：验证码", None
    if method is Method.RECOVERY:
        left = await factor.remaining_recovery_codes(account)
        detail = f"两步验证：恢复码（还剩 {left} 个）"
        notice = (
            f"您用了一个恢复码登录，还剩 {left} 个。"
            "手机找回或换新后，请在“我的账号”里重新设置两步验证。"
        )
    response = await _logged_in(request, console, session, login, account, target, detail=detail)
    if notice:
        flash(request, notice, "error")
    return response


@router.get("/login/enrol")
async def show_enrol(
    request: Request, console: ConsoleDep, session: SessionDep, next: str = "/"
) -> Response:
    """An admin who must have TOTP and has none: enrol before any console page opens."""
    target = safe_next(next)
    found = await _challenge(request, console, session, Purpose.ENROL)
    if found is None:
        return _start_again(request, target)
    secret = await SecondFactor(session).start_enrolment(found[1])
    context = enrolment(found[1], secret, action="/login/enrol", next_path=target)
    return unstored(page(request, "account_totp.html", context | {"required": True}))


@router.post("/login/enrol")
async def submit_enrol(
    request: Request,
    console: ConsoleDep,
    session: SessionDep,
    login: LoginDep,
    code: Annotated[str, Form(max_length=64)],
    next: Annotated[str, Form()] = "/",
) -> Response:
    target = safe_next(next)
    found = await _challenge(request, console, session, Purpose.ENROL)
    if found is None:
        return _start_again(request, target)
    challenge, account = found
    if wait := await claim_attempt(console, code_key(account), address_of(request, console)):
        flash(request, too_soon(wait), "error")  # back to the same page, its secret unchanged
        return RedirectResponse(f"/login/enrol?next={quote(target)}", status_code=303)
    now = console.clock.now()
    codes = await SecondFactor(session).confirm_enrolment(account, code, now=now)
    if codes is None:
        if not await LoginChallenges(session).failed(challenge, now=now):
            return _start_again(request, target)
        secret = account.totp_pending_secret or ""
        context = enrolment(account, secret, action="/login/enrol", next_path=target)
        context |= {"required": True, "error": WRONG_CODE}
        return unstored(page(request, "account_totp.html", context, status_code=400))
    await _code_passed(console, session, challenge, account, request)
    await StaffAudit(session).record(
        EventKind.TOTP_ENABLED,
        at=now,
        account_id=account.id,
        address=client_address(request, console.auth.trusted_proxies),
    )
    shown = unstored(page(request, "account_totp_codes.html", {"codes": codes, "next": target}))
    return await _logged_in(
        request, console, session, login, account, target, detail="两步验证：开启", response=shown
    )


async def _throttled(
    request: Request, console: Console, account: StaffAccount, template: str, target: str
) -> Response | None:
    """A 429 page while this account's codes must wait (counted apart from its passwords, so
    the right password does not reset the count of wrong codes)."""
    address = client_address(request, console.auth.trusted_proxies)
    wait = await claim_attempt(console, code_key(account), address)
    if not wait:
        return None
    log.info("second-step attempt from %s delayed %ss by the throttle", address, wait)
    refused = page(request, template, {"next": target, "error": too_soon(wait)}, status_code=429)
    refused.headers["Retry-After"] = str(wait)
    return refused


def address_of(request: Request, console: Console) -> str | None:
    return client_address(request, console.auth.trusted_proxies)


def code_key(account: StaffAccount) -> str:
    """The throttle's name for an account's second-step codes (`:` never occurs in a name)."""
    return f"totp:{account.name}"


async def _wrong_code(
    request: Request,
    console: Console,
    session: SessionDep,
    challenge: LoginChallenge,
    template: str,
    target: str,
) -> Response:
    now = console.clock.now()
    await StaffAudit(session).record(
        EventKind.CODE_FAILED,
        at=now,
        account_id=challenge.account_id,
        address=client_address(request, console.auth.trusted_proxies),
    )
    if not await LoginChallenges(session).failed(challenge, now=now):
        return _start_again(request, target)
    return page(request, template, {"next": target, "error": WRONG_CODE}, status_code=401)


async def _code_passed(
    console: Console,
    session: SessionDep,
    challenge: LoginChallenge,
    account: StaffAccount,
    request: Request,
) -> None:
    auth = console.auth
    address = client_address(request, auth.trusted_proxies)
    throttle = LoginThrottle(session, auth.throttle, pepper=auth.pepper)
    await throttle.succeeded(code_key(account), address)
    await LoginChallenges(session).end(challenge, now=console.clock.now())
    request.session.pop(CHALLENGE, None)


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
