"""Staff accounts, for admins: add one, change a role, disable or re-enable. Every change bumps
the account's generation, which ends that person's open sessions."""

from __future__ import annotations

import logging
from typing import Annotated

from fastapi import APIRouter, Form, Request
from starlette.responses import RedirectResponse, Response

from staff import Role, StaffAccounts
from web.auth import flash
from web.deps import AdminDep, ConsoleDep, SessionDep
from web.errors import BadInput
from web.templating import page

log = logging.getLogger(__name__)

router = APIRouter()

ROLE_NAMES = {Role.REVIEWER.value: "审核员", Role.ADMIN.value: "管理员"}


@router.get("/staff")
async def list_accounts(request: Request, session: SessionDep, admin: AdminDep) -> Response:
    accounts = await StaffAccounts(session).all()
    return page(request, "staff.html", {"accounts": accounts, "role_names": ROLE_NAMES})


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
    log.info("staff account %s added account %s (%s)", admin.id, account.id, account.role)
    flash(request, f"已添加账号 {account.name}（{ROLE_NAMES[account.role]}）。")
    return RedirectResponse("/staff", status_code=303)


@router.post("/staff/{name}/role")
async def change_role(
    request: Request,
    session: SessionDep,
    admin: AdminDep,
    name: str,
    role: Annotated[str, Form(max_length=16)],
) -> Response:
    accounts = StaffAccounts(session)
    await _keep_an_admin(accounts, name, admin.name, demoting=role != Role.ADMIN.value)
    account = await accounts.set_role(name, role)
    log.info("staff account %s set the role of account %s", admin.id, account.id)
    flash(request, f"{account.name} 现在是{ROLE_NAMES[account.role]}。")
    return RedirectResponse("/staff", status_code=303)


@router.post("/staff/{name}/active")
async def change_active(
    request: Request,
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
    log.info("staff account %s set account %s active=%s", admin.id, account.id, enable)
    flash(request, f"账号 {account.name} 已{'启用' if enable else '停用'}。")
    return RedirectResponse("/staff", status_code=303)


async def _keep_an_admin(accounts: StaffAccounts, name: str, me: str, *, demoting: bool) -> None:
    """Nobody locks themselves out, and the console always keeps one active admin."""
    if not demoting:
        return
    if name == me:
        raise BadInput("不能停用自己的账号或取消自己的管理员权限。")
    target = await accounts.by_name(name)
    if target.role == Role.ADMIN.value and target.active and await accounts.count_admins() <= 1:
        raise BadInput("至少要保留一个启用的管理员账号。")
