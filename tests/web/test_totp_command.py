"""`greenbot staff totp-reset` lets a locked-out admin back in with the password alone and ends
their sessions; every account change made on the command line is in the audit trail as "cli"."""

from __future__ import annotations

import asyncio
from datetime import timedelta
from pathlib import Path

from sqlalchemy import select

from ground.clock import SystemClock
from ground.db import create_engine, session_factory
from staff import ConsoleSessions, EventKind, SecondFactor, StaffAccounts, StaffEvent, totp
from staff.sessions import Lifetimes
from tests.web.test_staff_command import PASSWORD, run

LIFETIMES = Lifetimes(idle=timedelta(hours=2), absolute=timedelta(hours=12))


def in_database(tmp_path: Path, action):  # type: ignore[no-untyped-def]
    """Run `action(session)` in one committed transaction on the CLI's database file."""

    async def main():  # type: ignore[no-untyped-def]
        database = create_engine(f"sqlite+aiosqlite:///{tmp_path / 'greenbot.db'}")
        try:
            async with session_factory(database).begin() as session:
                return await action(session)
        finally:
            await database.dispose()

    return asyncio.run(main())


def test_totp_reset_turns_it_off_ends_sessions_and_is_audited(tmp_path: Path) -> None:
    assert (
        run(tmp_path, "add", "chen", "--role", "admin", "--password-stdin", stdin=PASSWORD + "\n")[
            0
        ]
        == 0
    )
    now = SystemClock().now()

    async def enrol_and_log_in(session):  # type: ignore[no-untyped-def]
        account = await StaffAccounts(session).by_name("chen")
        factor = SecondFactor(session)
        secret = await factor.start_enrolment(account)
        assert await factor.confirm_enrolment(
            account, totp.code_at(secret, totp.step_at(now)), now=now
        )
        return await ConsoleSessions(session, LIFETIMES).open(account, now=now)

    token = in_database(tmp_path, enrol_and_log_in)
    code, output = run(tmp_path, "totp-reset", "chen")
    assert code == 0, output
    assert "已关闭 chen 的两步验证" in output and "登录均已退出" in output

    async def after(session):  # type: ignore[no-untyped-def]
        account = await StaffAccounts(session).by_name("chen")
        live = await ConsoleSessions(session, LIFETIMES).find(token, now=SystemClock().now())
        events = list(await session.scalars(select(StaffEvent).order_by(StaffEvent.id)))
        return (
            account.has_totp,
            live,
            [(e.kind, e.actor, e.account_id == account.id) for e in events],
        )

    has_totp, live, events = in_database(tmp_path, after)
    assert not has_totp and live is None
    assert (EventKind.TOTP_RESET.value, "cli", True) in events
    code, output = run(tmp_path, "totp-reset", "chen")
    assert code == 0 and "没有开启两步验证" in output
    code, output = run(tmp_path, "totp-reset", "nobody")
    assert code == 1 and "没有名为 nobody 的账号" in output


def test_every_account_change_on_the_command_line_is_audited_as_cli(tmp_path: Path) -> None:
    run(tmp_path, "add", "sun", "--password-stdin", stdin=PASSWORD + "\n")
    run(tmp_path, "passwd", "sun", "--password-stdin", stdin="another-long-password\n")
    run(tmp_path, "role", "sun", "admin")
    run(tmp_path, "disable", "sun")
    run(tmp_path, "enable", "sun")

    async def events(session):  # type: ignore[no-untyped-def]
        rows = await session.scalars(select(StaffEvent).order_by(StaffEvent.id))
        return [(e.kind, e.actor, e.detail) for e in rows]

    recorded = in_database(tmp_path, events)
    assert recorded == [
        (EventKind.ADDED.value, "cli", "reviewer"),
        (EventKind.PASSWORD_CHANGED.value, "cli", None),
        (EventKind.ROLE_CHANGED.value, "cli", "admin"),
        (EventKind.DISABLED.value, "cli", None),
        (EventKind.ENABLED.value, "cli", None),
    ]
    assert not any(PASSWORD in str(row) or "another-long" in str(row) for row in recorded)
