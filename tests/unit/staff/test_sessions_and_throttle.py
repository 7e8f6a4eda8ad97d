"""Console sessions and the login throttle on a real database (SQLite, and PostgreSQL when up),
with a hand-moved clock."""

from __future__ import annotations

import asyncio
from datetime import datetime, timedelta

import pytest
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from ground.clock import SHANGHAI
from staff import (
    ConsoleSession,
    ConsoleSessions,
    EndReason,
    Lifetimes,
    LoginCounter,
    LoginThrottle,
    StaffAccount,
    StaffAccounts,
    ThrottlePolicy,
)
from staff.sessions import token_digest
from staff.throttle import address_prefix

NOW = datetime(2026, 11, 3, 10, 0, tzinfo=SHANGHAI)
LIFETIMES = Lifetimes(idle=timedelta(hours=2), absolute=timedelta(hours=12))
POLICY = ThrottlePolicy(free_per_name=3, free_per_address=5, max_delay=60.0)
PEPPER = b"test-pepper"


async def an_account(sessions: async_sessionmaker[AsyncSession]) -> StaffAccount:
    async with sessions.begin() as session:
        return await StaffAccounts(session).add(
            "wang", role="reviewer", password="a-long-password", now=NOW
        )


async def open_session(sessions: async_sessionmaker[AsyncSession], account: StaffAccount) -> str:
    async with sessions.begin() as session:
        return await ConsoleSessions(session, LIFETIMES).open(account, now=NOW, address="10.0.0.1")


async def find(sessions: async_sessionmaker[AsyncSession], token: str, at: datetime) -> bool:
    async with sessions.begin() as session:
        return await ConsoleSessions(session, LIFETIMES).find(token, now=at) is not None


async def claim(
    sessions: async_sessionmaker[AsyncSession], name: str, address: str | None, at: datetime
) -> int:
    async with sessions.begin() as session:
        return await LoginThrottle(session, POLICY, pepper=PEPPER).claim(name, address, now=at)


async def test_the_table_keeps_only_the_tokens_hash(
    sessions: async_sessionmaker[AsyncSession],
) -> None:
    token = await open_session(sessions, await an_account(sessions))
    async with sessions() as session:
        row = (await session.scalars(select(ConsoleSession))).one()
    assert row.id == token_digest(token) and token not in row.id
    assert row.created_at == NOW  # read back aware, the same instant, on either database


async def test_a_session_lives_while_used_and_ends_idle_or_at_its_absolute_end(
    sessions: async_sessionmaker[AsyncSession],
) -> None:
    account = await an_account(sessions)
    token = await open_session(sessions, account)
    moment = NOW
    for _ in range(11):  # used every hour: never idle
        moment += timedelta(hours=1)
        assert await find(sessions, token, moment)
    assert await find(sessions, token, NOW + timedelta(hours=11, minutes=59))
    assert not await find(sessions, token, NOW + timedelta(hours=12))
    async with sessions() as session:
        row = (await session.scalars(select(ConsoleSession))).one()
    assert row.ended_by == EndReason.EXPIRED

    idle = await open_session(sessions, account)
    assert await find(sessions, idle, NOW + timedelta(hours=1, minutes=59))
    assert not await find(sessions, idle, NOW + timedelta(hours=3, minutes=59))


async def test_ending_all_sessions_and_a_generation_bump_end_them_at_once(
    sessions: async_sessionmaker[AsyncSession],
) -> None:
    account = await an_account(sessions)
    first, second = await open_session(sessions, account), await open_session(sessions, account)
    async with sessions.begin() as session:
        ended = await ConsoleSessions(session, LIFETIMES).end_all(
            account.id, now=NOW, reason=EndReason.EVERYWHERE
        )
    assert ended == 2
    assert not await find(sessions, first, NOW) and not await find(sessions, second, NOW)

    third = await open_session(sessions, account)
    async with sessions.begin() as session:
        await StaffAccounts(session).set_role("wang", "admin")  # as `greenbot staff role` does
    assert not await find(sessions, third, NOW)


async def test_growing_delays_then_the_right_attempt_passes(
    sessions: async_sessionmaker[AsyncSession],
) -> None:
    moment = NOW
    for _ in range(3):  # free failures
        assert await claim(sessions, "wang", "10.0.0.1", moment) == 0
    waits = []
    for _ in range(6):
        wait = await claim(sessions, "wang", "10.0.0.1", moment)
        assert wait > 0
        waits.append(wait)
        moment += timedelta(seconds=wait)
        assert await claim(sessions, "wang", "10.0.0.1", moment) == 0  # checked (and wrong)
    assert waits == [1, 2, 4, 8, 16, 32]
    wait = await claim(sessions, "wang", "10.0.0.1", moment)
    moment += timedelta(seconds=wait)
    assert await claim(sessions, "wang", "10.0.0.1", moment) == 0
    assert await claim(sessions, "wang", "10.0.0.1", moment) == 60  # the cap
    async with sessions.begin() as session:  # the right password, once the wait had passed
        await LoginThrottle(session, POLICY, pepper=PEPPER).succeeded("wang", "10.0.0.1")
    assert await claim(sessions, "wang", "10.0.0.2", moment) == 0  # the name starts again


async def test_names_and_addresses_are_counted_apart_and_stored_only_as_hmacs(
    sessions: async_sessionmaker[AsyncSession],
) -> None:
    for number in range(5):  # five different names that do not exist, one address
        assert await claim(sessions, f"nobody{number}", "10.0.0.9", NOW) == 0
    assert await claim(sessions, "fresh-name", "10.0.0.9", NOW) == 1  # the address waits
    assert await claim(sessions, "fresh-name", "10.0.0.8", NOW) == 0  # not the name
    async with sessions() as session:
        keys = [row.key for row in await session.scalars(select(LoginCounter))]
    assert not any("nobody" in key or "10.0.0" in key for key in keys)


async def test_a_quiet_hour_forgets_the_failures(
    sessions: async_sessionmaker[AsyncSession],
) -> None:
    for _ in range(3):
        await claim(sessions, "wang", None, NOW)
    assert await claim(sessions, "wang", None, NOW) > 0
    assert await claim(sessions, "wang", None, NOW + timedelta(hours=1)) == 0
    assert await claim(sessions, "wang", None, NOW + timedelta(hours=1)) == 0


async def test_parallel_guesses_are_counted_before_any_is_checked(
    sessions: async_sessionmaker[AsyncSession],
) -> None:
    waits = await asyncio.gather(*(claim(sessions, "wang", None, NOW) for _ in range(8)))
    assert sorted(waits).count(0) == 3  # the free ones; every other waits


@pytest.mark.parametrize(
    ("address", "source"),
    [
        ("203.0.113.7", "203.0.113.7"),
        ("2001:db8:1:2:3:4:5:6", "2001:db8:1:2::/64"),
        ("2001:db8:1:2:ffff::1", "2001:db8:1:2::/64"),
        ("::ffff:203.0.113.7", "203.0.113.7"),
    ],
)
def test_one_source_is_an_address_or_an_ipv6_slash_64(address: str, source: str) -> None:
    assert address_prefix(address) == source
