"""Logging in and out of the staff console."""

from __future__ import annotations

import logging
from typing import Annotated

from fastapi import APIRouter, Form, Request
from starlette.responses import RedirectResponse, Response

from staff import StaffAccounts
from web.auth import flash, log_in, log_out, safe_next
from web.deps import ConsoleDep, SessionDep
from web.templating import page

log = logging.getLogger(__name__)

router = APIRouter()

WRONG = "用户名或密码不正确。"
TOO_MANY = "登录失败次数过多，请 5 分钟后再试。"


@router.get("/login")
async def show_login(request: Request, next: str = "/") -> Response:
    return page(request, "login.html", {"next": safe_next(next), "error": None, "name": ""})


@router.post("/login")
async def submit_login(
    request: Request,
    console: ConsoleDep,
    session: SessionDep,
    name: Annotated[str, Form(max_length=64)],
    password: Annotated[str, Form(max_length=256)],
    next: Annotated[str, Form()] = "/",
) -> Response:
    target = safe_next(next)
    if console.throttle.blocked(name):
        log.warning("login refused: too many failures for one name")
        return _refused(request, name, target, TOO_MANY, 429)
    account = await StaffAccounts(session).authenticate(name, password, now=console.clock.now())
    if account is None:
        console.throttle.failed(name)
        log.info("failed login")
        return _refused(request, name, target, WRONG, 401)
    console.throttle.succeeded(name)
    log_in(request, account)
    log.info("staff account %s logged in", account.id)
    return RedirectResponse(target, status_code=303)


@router.post("/logout")
async def submit_logout(request: Request) -> Response:
    log_out(request)
    flash(request, "您已退出登录。")
    return RedirectResponse("/login", status_code=303)


def _refused(request: Request, name: str, target: str, error: str, status: int) -> Response:
    context = {"next": target, "error": error, "name": name}
    return page(request, "login.html", context, status_code=status)
