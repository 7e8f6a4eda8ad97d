"""One staff identity: a linked console account decides who someone is in the bot (its role,
its name; disabled means no rights, whatever the settings list), the settings lists serve the
people without an account, and one Telegram id links to one account."""

from __future__ import annotations

from datetime import datetime

import pytest
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from ground.clock import SHANGHAI
from staff import InvalidAccount, Role, StaffAccounts, TelegramInUse
from staff.identity import telegram_staff

NOW = datetime(2026, 12, 6, 10, 0, tzinfo=SHANGHAI)
ZHAO, QIAN = 7001, 7002


async def test_a_linked_account_decides_and_the_settings_serve_the_rest(
    sessions: async_sessionmaker[AsyncSession],
) -> None:
    async with sessions.begin() as session:
        accounts = StaffAccounts(session)
        account = await accounts.add("zhao", role="admin", password="a-long-password", now=NOW)
        generation = account.generation
        await accounts.link_telegram("zhao", ZHAO)
        assert account.generation == generation + 1  # a link change ends console sessions
        linked = await telegram_staff(session, ZHAO, reviewers=[ZHAO])
        assert linked is not None
        assert (linked.id, linked.role, linked.label) == (account.id, Role.ADMIN, "web:zhao")
        listed = await telegram_staff(session, QIAN, reviewers=[QIAN])
        assert listed is not None and (listed.id, listed.label) == (QIAN, f"tg:{QIAN}")
        assert await telegram_staff(session, 7003, admins=[QIAN]) is None

        await accounts.set_active("zhao", False)  # the console's decision wins over the list
        assert await telegram_staff(session, ZHAO, admins=[ZHAO]) is None


async def test_one_telegram_id_links_one_account(
    sessions: async_sessionmaker[AsyncSession],
) -> None:
    async with sessions.begin() as session:
        accounts = StaffAccounts(session)
        for name in ("zhao", "qian"):
            await accounts.add(name, role="reviewer", password="a-long-password", now=NOW)
        await accounts.link_telegram("zhao", ZHAO)
        with pytest.raises(TelegramInUse):
            await accounts.link_telegram("qian", ZHAO)
        with pytest.raises(InvalidAccount):
            await accounts.link_telegram("qian", -5)
        await accounts.link_telegram("zhao", None)
        await accounts.link_telegram("qian", ZHAO)  # free again
        identity = await telegram_staff(session, ZHAO)
        assert identity is not None and identity.account == "qian"
