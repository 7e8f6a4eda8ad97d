"""One Role for the console and the bot: admins may do what reviewers may, not the reverse."""

from __future__ import annotations

from bot.staff import Role as BotRole
from staff import Role, StaffAccount


def test_an_admin_is_allowed_what_a_reviewer_is_and_not_the_reverse() -> None:
    assert Role.ADMIN.allows(Role.REVIEWER) and Role.ADMIN.allows(Role.ADMIN)
    assert Role.REVIEWER.allows(Role.REVIEWER) and not Role.REVIEWER.allows(Role.ADMIN)
    assert max(Role, key=lambda role: role.rank) is Role.ADMIN


def test_the_bot_and_the_console_share_the_role_model() -> None:
    assert BotRole is Role
    assert StaffAccount(role="admin").role_enum is Role.ADMIN
