"""Who is staff in the bot: one identity and one role model with the console.

A Telegram user is staff by either of two ways:
- a console account linked to their Telegram id (`StaffAccounts.link_telegram`): the account's
  role, its audit name (`web:<name>`), and disabling the account (or unlinking it) ends their
  staff rights in the bot at once, as it ends their console sessions;
- the settings' lists (`GREENBOT_STAFF_ADMINS`, `GREENBOT_STAFF_REVIEWERS`), for a deployment
  without accounts yet: audit name `tg:<id>`.
A linked account decides when there is one, even a disabled one: the console's decision is the
later and the more precise one.
"""

from __future__ import annotations

from collections.abc import Collection
from dataclasses import dataclass
from typing import TYPE_CHECKING

from sqlalchemy import select

from staff.models import StaffAccount
from staff.roles import Role

if TYPE_CHECKING:
    from sqlalchemy.ext.asyncio import AsyncSession


@dataclass(frozen=True)
class StaffIdentity:
    """A person acting as staff: for the check (`role`) and the audit trail (`id`, `label`)."""

    id: int  # the console account's id, or the Telegram id of someone known from settings
    role: Role
    label: str  # web:<name> | tg:<telegram id>
    account: str | None = None  # the console account's name, when linked


async def telegram_staff(
    session: AsyncSession,
    telegram_id: int,
    *,
    admins: Collection[int] = (),
    reviewers: Collection[int] = (),
) -> StaffIdentity | None:
    """The staff identity of a Telegram user, or None when they are not staff (any more)."""
    account = (
        await session.scalars(select(StaffAccount).where(StaffAccount.telegram_id == telegram_id))
    ).first()
    if account is not None:
        if not account.active:
            return None
        return StaffIdentity(account.id, account.role_enum, account.label, account.name)
    if telegram_id in admins:
        return StaffIdentity(telegram_id, Role.ADMIN, f"tg:{telegram_id}")
    if telegram_id in reviewers:
        return StaffIdentity(telegram_id, Role.REVIEWER, f"tg:{telegram_id}")
    return None
