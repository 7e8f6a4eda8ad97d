"""`greenbot staff …`: web console accounts (argon2id password hashes in the app database).
Every change is written to the staff audit trail (`staff_events`) with actor "cli", as the
console writes its own."""

from __future__ import annotations

import asyncio
import sys
from collections.abc import Awaitable, Callable
from enum import StrEnum
from typing import TYPE_CHECKING, Annotated, TypeVar

import typer

if TYPE_CHECKING:
    from ground.settings import Settings
    from staff import EventKind, StaffAccount, StaffAccounts

app = typer.Typer(
    help="Web console accounts: add, list, change password or role, disable, reset TOTP.",
    no_args_is_help=True,
)

T = TypeVar("T")


class RoleChoice(StrEnum):
    reviewer = "reviewer"
    admin = "admin"


PasswordStdin = Annotated[
    bool, typer.Option("--password-stdin", help="Read the password from the first line of stdin.")
]


def _password(from_stdin: bool) -> str:
    """The rule first, then the password, checked before it is asked a second time."""
    if from_stdin:
        return sys.stdin.readline().rstrip("\r\n")
    from staff.passwords import MIN_PASSWORD

    typer.echo(f"密码至少 {MIN_PASSWORD} 个字符，输入时不会显示。")
    while True:
        password = typer.prompt("密码", hide_input=True)
        if len(password) < MIN_PASSWORD:
            short = f"太短了：只有 {len(password)} 个字符，至少要 {MIN_PASSWORD} 个。"
            typer.echo(f"{short}请重新输入。")
            continue
        if typer.prompt("再输入一次", hide_input=True) == password:
            return password
        typer.echo("两次输入的密码不一样，请重新输入。")


def _with_accounts(settings: Settings, action: Callable[[StaffAccounts], Awaitable[T]]) -> T:
    """Run `action` in one committed transaction on the configured database."""

    async def main() -> T:
        from greenbot.migrate import prepare_database
        from ground.db import create_engine, session_factory
        from staff import StaffAccounts

        settings.data_dir.mkdir(parents=True, exist_ok=True)
        database = create_engine(settings.sqlalchemy_url)
        try:
            await prepare_database(database)
            async with session_factory(database).begin() as session:
                return await action(StaffAccounts(session))
        finally:
            await database.dispose()

    from staff import StaffError

    try:
        return asyncio.run(main())
    except StaffError as error:
        typer.echo(f"error: {_explain(error)}", err=True)
        raise typer.Exit(1) from None


async def _audit(
    accounts: StaffAccounts, kind: EventKind, account: StaffAccount, detail: str | None = None
) -> StaffAccount:
    """Record a change made here in the audit trail, in the change's own transaction."""
    from ground.clock import SystemClock
    from staff import StaffAudit

    await StaffAudit(accounts.session).record(
        kind, at=SystemClock().now(), account_id=account.id, actor="cli", detail=detail
    )
    return account


def _explain(error: Exception) -> str:
    from staff import AccountNotFound, DuplicateAccount, InvalidAccount, WeakPassword
    from staff.passwords import MIN_PASSWORD

    if isinstance(error, WeakPassword):
        return f"the password must be at least {MIN_PASSWORD} characters"
    if isinstance(error, DuplicateAccount):
        return f"an account named {error} exists already"
    if isinstance(error, AccountNotFound):
        return f"no account named {error}（没有名为 {error} 的账号）"
    if isinstance(error, InvalidAccount):
        return "names are 2-64 letters, digits, '.', '-' or '_'"
    return str(error)


@app.command()
def add(
    ctx: typer.Context,
    name: Annotated[str, typer.Argument(help="Login name.")],
    role: Annotated[
        RoleChoice, typer.Option("--role", help="reviewer or admin.")
    ] = RoleChoice.reviewer,
    password_stdin: PasswordStdin = False,
) -> None:
    """Add an account (asks for the password twice, or reads it from stdin)."""
    from ground.clock import SystemClock
    from staff import EventKind

    password = _password(password_stdin)
    now = SystemClock().now()

    async def change(accounts: StaffAccounts) -> StaffAccount:
        account = await accounts.add(name, role=role.value, password=password, now=now)
        return await _audit(accounts, EventKind.ADDED, account, account.role)

    account = _with_accounts(ctx.obj, change)
    typer.echo(f"added {account.name} ({account.role})")


@app.command("list")
def list_accounts(ctx: typer.Context) -> None:
    """List accounts with their role and whether they are active."""

    async def fetch(accounts: StaffAccounts) -> list[tuple[str, str, bool]]:
        return [(a.name, a.role, a.active) for a in await accounts.all()]

    for name, role, active in _with_accounts(ctx.obj, fetch):
        typer.echo(f"{name}\t{role}\t{'active' if active else 'disabled'}")


@app.command()
def passwd(
    ctx: typer.Context,
    name: Annotated[str, typer.Argument(help="Login name.")],
    password_stdin: PasswordStdin = False,
) -> None:
    """Set a new password (ends the account's open sessions)."""
    from staff import EventKind

    password = _password(password_stdin)

    async def change(accounts: StaffAccounts) -> StaffAccount:
        account = await accounts.set_password(name, password)
        return await _audit(accounts, EventKind.PASSWORD_CHANGED, account)

    _with_accounts(ctx.obj, change)
    typer.echo(f"password changed for {name}")


@app.command("role")
def set_role(
    ctx: typer.Context,
    name: Annotated[str, typer.Argument(help="Login name.")],
    role: Annotated[RoleChoice, typer.Argument(help="reviewer or admin.")],
) -> None:
    """Change an account's role (ends its open sessions)."""
    from staff import EventKind

    async def change(accounts: StaffAccounts) -> StaffAccount:
        account = await accounts.set_role(name, role.value)
        return await _audit(accounts, EventKind.ROLE_CHANGED, account, account.role)

    _with_accounts(ctx.obj, change)
    typer.echo(f"{name} is now {role.value}")


@app.command()
def disable(ctx: typer.Context, name: Annotated[str, typer.Argument(help="Login name.")]) -> None:
    """Disable an account (ends its open sessions; the audit trail keeps its name)."""
    _set_active(ctx.obj, name, active=False)
    typer.echo(f"{name} disabled")


@app.command()
def enable(ctx: typer.Context, name: Annotated[str, typer.Argument(help="Login name.")]) -> None:
    """Enable a disabled account again."""
    _set_active(ctx.obj, name, active=True)
    typer.echo(f"{name} enabled")


def _set_active(settings: Settings, name: str, *, active: bool) -> None:
    from staff import EventKind

    async def change(accounts: StaffAccounts) -> StaffAccount:
        account = await accounts.set_active(name, active)
        return await _audit(accounts, EventKind.ENABLED if active else EventKind.DISABLED, account)

    _with_accounts(settings, change)


@app.command("telegram")
def link_telegram(
    ctx: typer.Context,
    name: Annotated[str, typer.Argument(help="Login name.")],
    telegram_id: Annotated[
        int | None, typer.Argument(help="The holder's Telegram user id; leave out to unlink.")
    ] = None,
) -> None:
    """Link an account to its holder's Telegram id: in the bot they then act with this account's
    role and name, and only while it is enabled (ends its open sessions)."""
    from staff import EventKind

    async def change(accounts: StaffAccounts) -> StaffAccount:
        account = await accounts.link_telegram(name, telegram_id)
        detail = str(account.telegram_id) if account.telegram_id else "none"
        return await _audit(accounts, EventKind.TELEGRAM_LINKED, account, detail)

    _with_accounts(ctx.obj, change)
    typer.echo(f"{name} linked to Telegram {telegram_id}" if telegram_id else f"{name} unlinked")


@app.command("totp-reset")
def totp_reset(
    ctx: typer.Context, name: Annotated[str, typer.Argument(help="Login name.")]
) -> None:
    """Turn off someone's TOTP second factor (a lost phone) and end their sessions."""
    from staff import EventKind

    async def change(accounts: StaffAccounts) -> bool:
        account, was_on = await accounts.reset_totp(name)
        if was_on:
            await _audit(accounts, EventKind.TOTP_RESET, account)
        return was_on

    if not _with_accounts(ctx.obj, change):
        typer.echo(f"{name} 没有开启两步验证，无需重置。")
        return
    typer.echo(
        f"已关闭 {name} 的两步验证，其所有设备上的登录均已退出，恢复码作废。"
        "对方下次登录时只需密码，请提醒其登录后在“我的账号”页重新开启"
        "（系统要求管理员开启时，登录后会直接进入设置页）。"
    )
