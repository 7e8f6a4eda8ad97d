"""`greenbot staff …`: accounts made on the command line can log in to the console."""

from __future__ import annotations

import asyncio
from pathlib import Path

from typer.testing import CliRunner

from greenbot.cli import app
from ground.clock import SystemClock
from ground.db import create_engine, session_factory
from staff import StaffAccounts

PASSWORD = "a-long-enough-password"


def run(tmp_path: Path, *args: str, stdin: str = "") -> tuple[int, str]:
    env = {"GREENBOT_DATA_DIR": str(tmp_path), "GREENBOT_DATABASE_URL": ""}
    result = CliRunner().invoke(app, ["staff", *args], input=stdin, env=env)
    return result.exit_code, result.output


def can_log_in(tmp_path: Path, name: str, password: str) -> bool:
    async def check() -> bool:
        database = create_engine(f"sqlite+aiosqlite:///{tmp_path / 'greenbot.db'}")
        try:
            async with session_factory(database).begin() as session:
                accounts = StaffAccounts(session)
                found = await accounts.authenticate(name, password, now=SystemClock().now())
                return found is not None
        finally:
            await database.dispose()

    return asyncio.run(check())


def test_add_states_the_rule_first_and_asks_again_for_a_short_or_mistyped_password(
    tmp_path: Path,
) -> None:
    typed = f"short\n{PASSWORD}\nsomething-else-entirely\n{PASSWORD}\n{PASSWORD}\n"
    code, output = run(tmp_path, "add", "chen", stdin=typed)
    assert code == 0, output
    assert output.index("密码至少 10 个字符") < output.index("密码:")
    assert "太短了：只有 5 个字符，至少要 10 个" in output
    assert "两次输入的密码不一样" in output
    assert can_log_in(tmp_path, "chen", PASSWORD)


def test_add_asks_twice_and_the_account_can_log_in(tmp_path: Path) -> None:
    code, output = run(tmp_path, "add", "wang.li", "--role", "admin", stdin=f"{PASSWORD}\n" * 2)
    assert code == 0, output
    assert "added wang.li (admin)" in output
    assert PASSWORD not in output  # the prompt hides what is typed
    assert can_log_in(tmp_path, "wang.li", PASSWORD)
    assert not can_log_in(tmp_path, "wang.li", PASSWORD + "x")
    code, listed = run(tmp_path, "list")
    assert code == 0 and "wang.li\tadmin\tactive" in listed


def test_password_from_stdin_and_the_default_role(tmp_path: Path) -> None:
    code, output = run(tmp_path, "add", "zhao", "--password-stdin", stdin=PASSWORD + "\n")
    assert code == 0, output
    assert "added zhao (reviewer)" in output
    assert can_log_in(tmp_path, "zhao", PASSWORD)


def test_weak_passwords_duplicates_and_bad_roles_are_refused(tmp_path: Path) -> None:
    code, output = run(tmp_path, "add", "li", "--password-stdin", stdin="short\n")
    assert code == 1 and "at least 10 characters" in output
    assert run(tmp_path, "add", "li", "--password-stdin", stdin=PASSWORD + "\n")[0] == 0
    code, output = run(tmp_path, "add", "li", "--password-stdin", stdin=PASSWORD + "\n")
    assert code == 1 and "exists already" in output
    code, _ = run(tmp_path, "add", "chen", "--role", "owner", "--password-stdin", stdin="x\n")
    assert code != 0


def test_passwd_role_and_disable(tmp_path: Path) -> None:
    run(tmp_path, "add", "sun", "--password-stdin", stdin=PASSWORD + "\n")
    new = "another-long-password"
    assert run(tmp_path, "passwd", "sun", "--password-stdin", stdin=new + "\n")[0] == 0
    assert can_log_in(tmp_path, "sun", new) and not can_log_in(tmp_path, "sun", PASSWORD)
    code, output = run(tmp_path, "role", "sun", "admin")
    assert code == 0 and "sun is now admin" in output
    assert run(tmp_path, "disable", "sun")[0] == 0
    assert not can_log_in(tmp_path, "sun", new)
    assert run(tmp_path, "enable", "sun")[0] == 0
    assert can_log_in(tmp_path, "sun", new)
    code, output = run(tmp_path, "disable", "nobody")
    assert code == 1 and "no account named nobody" in output


def test_link_an_account_to_a_telegram_id_and_unlink_it(tmp_path: Path) -> None:
    run(tmp_path, "add", "zhou", "--password-stdin", stdin=PASSWORD + "\n")
    run(tmp_path, "add", "wu", "--password-stdin", stdin=PASSWORD + "\n")
    code, output = run(tmp_path, "telegram", "zhou", "5100999")
    assert code == 0 and "zhou linked to Telegram 5100999" in output
    code, output = run(tmp_path, "telegram", "wu", "5100999")
    assert code == 1 and "linked to zhou" in output  # one Telegram account, one staff account
    code, output = run(tmp_path, "telegram", "zhou")
    assert code == 0 and "zhou unlinked" in output
    assert run(tmp_path, "telegram", "wu", "5100999")[0] == 0
