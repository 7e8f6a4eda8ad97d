"""Create, find, change and check staff accounts; the caller's session owns the transaction."""

from __future__ import annotations

import asyncio
import re
from datetime import datetime
from typing import TYPE_CHECKING

from sqlalchemy import func, select

from staff.errors import AccountNotFound, DuplicateAccount, InvalidAccount, TelegramInUse
from staff.models import Role, StaffAccount
from staff.passwords import burn_time, hash_password, needs_rehash, verify_password
from staff.second_factor import SecondFactor

if TYPE_CHECKING:
    from sqlalchemy.ext.asyncio import AsyncSession

# Letters (any script, so 张三 works), digits, dot, dash, underscore; no spaces or markup.
NAME = re.compile(r"^[\w.\-]{2,64}$")


def check_name(name: str) -> str:
    cleaned = name.strip()
    if not NAME.fullmatch(cleaned):
        raise InvalidAccount(f"bad account name {name!r}")
    return cleaned


def check_role(role: Role | str) -> Role:
    try:
        return Role(role)
    except ValueError:
        raise InvalidAccount(f"unknown role {role!r}") from None


class StaffAccounts:
    def __init__(self, session: AsyncSession) -> None:
        self.session = session

    async def add(
        self, name: str, *, role: Role | str, password: str, now: datetime
    ) -> StaffAccount:
        """A new active account; DuplicateAccount, InvalidAccount or WeakPassword."""
        cleaned, checked = check_name(name), check_role(role)
        if await self.find(cleaned) is not None:
            raise DuplicateAccount(cleaned)
        account = StaffAccount(
            name=cleaned,
            role=checked.value,
            password_hash=await asyncio.to_thread(hash_password, password),
            active=True,
            created_at=now,
            generation=1,
        )
        self.session.add(account)
        await self.session.flush()
        return account

    async def find(self, name: str) -> StaffAccount | None:
        return await self.session.scalar(
            select(StaffAccount).where(StaffAccount.name == name.strip())
        )

    async def get(self, account_id: int) -> StaffAccount:
        account = await self.session.get(StaffAccount, account_id)
        if account is None:
            raise AccountNotFound(str(account_id))
        return account

    async def by_name(self, name: str) -> StaffAccount:
        account = await self.find(name)
        if account is None:
            raise AccountNotFound(name)
        return account

    async def all(self) -> list[StaffAccount]:
        return list(await self.session.scalars(select(StaffAccount).order_by(StaffAccount.name)))

    async def count_admins(self) -> int:
        stmt = select(func.count(StaffAccount.id)).where(
            StaffAccount.role == Role.ADMIN.value, StaffAccount.active.is_(True)
        )
        return int(await self.session.scalar(stmt) or 0)

    async def authenticate(self, name: str, password: str, *, now: datetime) -> StaffAccount | None:
        """The active account with that name and password, else None (same cost either way)."""
        account = await self.find(name) if NAME.fullmatch(name.strip()) else None
        if account is None or not account.active:
            await asyncio.to_thread(burn_time, password)
            return None
        if not await asyncio.to_thread(verify_password, account.password_hash, password):
            return None
        if needs_rehash(account.password_hash):
            account.password_hash = await asyncio.to_thread(hash_password, password)
        account.last_login_at = now
        await self.session.flush()
        return account

    async def confirm_password(self, account: StaffAccount, password: str) -> bool:
        """Whether `password` is this account's (changing the password asks for the old one)."""
        return await asyncio.to_thread(verify_password, account.password_hash, password)

    async def set_password(self, name: str, password: str) -> StaffAccount:
        account = await self.by_name(name)
        account.password_hash = await asyncio.to_thread(hash_password, password)
        account.generation += 1
        await self.session.flush()
        return account

    async def set_role(self, name: str, role: Role | str) -> StaffAccount:
        account = await self.by_name(name)
        account.role = check_role(role).value
        account.generation += 1
        await self.session.flush()
        return account

    async def set_active(self, name: str, active: bool) -> StaffAccount:
        """Disable (or re-enable) an account; disabling also ends its sessions."""
        account = await self.by_name(name)
        if account.active and not active:
            account.generation += 1
        account.active = active
        await self.session.flush()
        return account

    async def reset_totp(self, name: str) -> tuple[StaffAccount, bool]:
        """Turn someone's TOTP off (a lost phone) and end their sessions; whether it was on
        (when it was not, nothing changes)."""
        account = await self.by_name(name)
        if not await SecondFactor(self.session).disable(account):
            return account, False
        account.generation += 1
        await self.session.flush()
        return account, True

    async def link_telegram(self, name: str, telegram_id: int | None) -> StaffAccount:
        """Name (or with None, forget) the account holder's Telegram account; one account per
        Telegram id (TelegramInUse). A change of link ends the account's sessions, like a
        role change: what the person may do has changed."""
        account = await self.by_name(name)
        if telegram_id is not None:
            if telegram_id <= 0:
                raise InvalidAccount(f"not a Telegram user id: {telegram_id}")
            holder = await self.by_telegram(telegram_id, active_only=False)
            if holder is not None and holder.id != account.id:
                raise TelegramInUse(f"Telegram {telegram_id} is linked to {holder.name}")
        if account.telegram_id != telegram_id:
            account.telegram_id = telegram_id
            account.generation += 1
            await self.session.flush()
        return account

    async def by_telegram(
        self, telegram_id: int, *, active_only: bool = True
    ) -> StaffAccount | None:
        stmt = select(StaffAccount).where(StaffAccount.telegram_id == telegram_id)
        if active_only:
            stmt = stmt.where(StaffAccount.active.is_(True))
        return (await self.session.scalars(stmt)).first()
