"""Staff accounts, for admins: add one, change a role, disable or re-enable, link the holder's
Telegram account (their identity in the bot), sign someone out everywhere, and read the audit
trail of logins. A role change or disabling ends that person's
open sessions at once (and bumps the account's generation, as the CLI does)."""

from __future__ import annotations

import logging
from typing import TYPE_CHECKING, Annotated

from fastapi import APIRouter, Form, Request
from starlette.responses import RedirectResponse, Response

from staff import ConsoleSessions, EndReason, EventKind, Role, StaffAccounts, StaffAudit
from web.addresses import client_address
from web.auth import flash
from web.deps import AdminDep, ConsoleDep, SessionDep
from web.errors import BadInput
from web.templating import page

if TYPE_CHECKING:
    from sqlalchemy.ext.asyncio import AsyncSession

    from staff import StaffAccount
    from web.deps import Console

log = logging.getLogger(__name__)

router = APIRouter()

ROLE_NAMES = {Role.REVIEWER.value: "审核员", Role.ADMIN.value: "管理员"}
EVENT_NAMES = {
    EventKind.LOGIN.value: "登录",
    EventKind.LOGIN_FAILED.value: "登录失败",
    EventKind.LOGOUT.value: "退出",
    EventKind.SIGNED_OUT_EVERYWHERE.value: "在所有设备上退出",
    EventKind.PASSWORD_CHANGED.value: "修改密码",
    EventKind.ROLE_CHANGED.value: "更改角色",
    EventKind.DISABLED.value: "停用账号",
    EventKind.ENABLED.value: "启用账号",
    EventKind.ADDED.value: "添加账号",
    EventKind.CODE_FAILED.value: "验证码错误",
    EventKind.TOTP_ENABLED.value: "开启两步验证",
    EventKind.TOTP_DISABLED.value: "关闭两步验证",
    EventKind.TOTP_RESET.value: "重置两步验证",
    EventKind.TELEGRAM_LINKED.value: "关联 Telegram",
}


@router.get("/staff")
async def list_accounts(
    request: Request, console: ConsoleDep, session: SessionDep, admin: AdminDep
) -> Response:
    accounts = await StaffAccounts(session).all()
    now = console.clock.now()
    live = await ConsoleSessions(session, console.auth.lifetimes).live_counts(now=now)
    context = {
        "accounts": accounts,
        "role_names": ROLE_NAMES,
        "live": live,
        "events": await StaffAudit(session).recent(),
        "event_names": EVENT_NAMES,
        "names": {account.id: account.name for account in accounts},
    }
    return page(request, "staff.html", context)


@router.post("/staff")
async def add_account(
    request: Request,
    console: ConsoleDep,
    session: SessionDep,
    admin: AdminDep,
    name: Annotated[str, Form(max_length=64)],
    role: Annotated[str, Form(max_length=16)],
    password: Annotated[str, Form(max_length=256)],
) -> Response:
    account = await StaffAccounts(session).add(
        name, role=role, password=password, now=console.clock.now()
    )
    await _audit(request, console, session, EventKind.ADDED, account, admin, account.role)
    flash(request, f"已添加账号 {account.name}（{ROLE_NAMES[account.role]}）。")
    return RedirectResponse("/staff", status_code=303)


@router.post("/staff/{name}/role")
async def change_role(
    request: Request,
    console: ConsoleDep,
    session: SessionDep,
    admin: AdminDep,
    name: str,
    role: Annotated[str, Form(max_length=16)],
) -> Response:
    accounts = StaffAccounts(session)
    await _keep_an_admin(accounts, name, admin.name, demoting=role != Role.ADMIN.value)
    account = await accounts.set_role(name, role)
    await _end_sessions(console, session, account, EndReason.ACCOUNT)
    await _audit(request, console, session, EventKind.ROLE_CHANGED, account, admin, account.role)
    flash(request, f"{account.name} 现在是{ROLE_NAMES[account.role]}，需重新登录。")
    return RedirectResponse("/staff", status_code=303)


@router.post("/staff/{name}/active")
async def change_active(
    request: Request,
    console: ConsoleDep,
    session: SessionDep,
    admin: AdminDep,
    name: str,
    active: Annotated[str, Form(pattern="^(0|1)$")],
) -> Response:
    accounts = StaffAccounts(session)
    enable = active == "1"
    if not enable:
        await _keep_an_admin(accounts, name, admin.name, demoting=True)
    account = await accounts.set_active(name, enable)
    if not enable:
        await _end_sessions(console, session, account, EndReason.ACCOUNT)
    kind = EventKind.ENABLED if enable else EventKind.DISABLED
    await _audit(request, console, session, kind, account, admin)
    flash(request, f"账号 {account.name} 已{'启用' if enable else '停用'}。")
    return RedirectResponse("/staff", status_code=303)


@router.post("/staff/{name}/telegram")
async def link_telegram(
    request: Request,
    console: ConsoleDep,
    session: SessionDep,
    admin: AdminDep,
    name: str,
    telegram_id: Annotated[str, Form(pattern=r"^\s*\d{0,15}\s*$")] = "",
) -> Response:
    """Link the account to its holder's Telegram id (empty: unlink). In the bot they then act
    with this account's role and name, and only while it is enabled (staff/identity.py)."""
    cleaned = telegram_id.strip()
    account = await StaffAccounts(session).link_telegram(name, int(cleaned) if cleaned else None)
    await _end_sessions(console, session, account, EndReason.ACCOUNT)
    detail = str(account.telegram_id) if account.telegram_id else "none"
    await _audit(request, console, session, EventKind.TELEGRAM_LINKED, account, admin, detail)
    if account.telegram_id:
        flash(request, f"{account.name} 已关联 Telegram {account.telegram_id}，需重新登录。")
    else:
        flash(request, f"{account.name} 已取消关联 Telegram，需重新登录。")
    return RedirectResponse("/staff", status_code=303)


@router.post("/staff/{name}/sessions/end")
async def sign_out_everywhere(
    request: Request, console: ConsoleDep, session: SessionDep, admin: AdminDep, name: str
) -> Response:
    """An admin ends every session of an account (their own: `/account`)."""
    account = await StaffAccounts(session).by_name(name)
    ended = await _end_sessions(console, session, account, EndReason.EVERYWHERE)
    await _audit(
        request,
        console,
        session,
        EventKind.SIGNED_OUT_EVERYWHERE,
        account,
        admin,
        f"{ended} sessions",
    )
    flash(request, f"{account.name} 已在所有设备上退出登录（{ended} 处）。")
    return RedirectResponse("/staff", status_code=303)


async def _end_sessions(
    console: Console, session: AsyncSession, account: StaffAccount, reason: EndReason
) -> int:
    sessions = ConsoleSessions(session, console.auth.lifetimes)
    return await sessions.end_all(account.id, now=console.clock.now(), reason=reason)


async def _audit(
    request: Request,
    console: Console,
    session: AsyncSession,
    kind: EventKind,
    account: StaffAccount,
    admin: StaffAccount,
    detail: str | None = None,
) -> None:
    await StaffAudit(session).record(
        kind,
        at=console.clock.now(),
        account_id=account.id,
        actor_id=admin.id,
        address=client_address(request, console.auth.trusted_proxies),
        detail=detail,
    )


async def _keep_an_admin(accounts: StaffAccounts, name: str, me: str, *, demoting: bool) -> None:
    """Nobody locks themselves out, and the console always keeps one active admin."""
    if not demoting:
        return
    if name == me:
        raise BadInput("不能停用自己的账号或取消自己的管理员权限。")
    target = await accounts.by_name(name)
    if target.role == Role.ADMIN.value and target.active and await accounts.count_admins() <= 1:
        raise BadInput("至少要保留一个启用的管理员账号。")
