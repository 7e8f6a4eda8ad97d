"""Outbox fixtures: a manual wall clock, a fake monotonic time and an in-memory transport."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime

import pytest
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from ground.clock import SHANGHAI, ManualClock
from outbox import Outbox, OutboxMessage, OutboxSender
from tests.unit.outbox.fakes import FakeTime, FakeTransport


@pytest.fixture
def clock() -> ManualClock:
    return ManualClock(datetime(2025, 6, 20, 10, 0, tzinfo=SHANGHAI))


@pytest.fixture
def fake_time(clock: ManualClock) -> FakeTime:
    return FakeTime(clock)


@pytest.fixture
def transport(fake_time: FakeTime) -> FakeTransport:
    return FakeTransport(fake_time)


@pytest.fixture
def make_sender(sessions, transport, clock, fake_time):  # type: ignore[no-untyped-def]
    def make(**options: object) -> OutboxSender:
        return OutboxSender(
            sessions,
            options.pop("transport", transport),
            clock,
            monotonic=fake_time.monotonic,
            sleep=fake_time.sleep,
            **options,  # type: ignore[arg-type]
        )

    return make


async def queue(
    sessions: async_sessionmaker[AsyncSession],
    chats: Iterable[int],
    now: datetime,
    *,
    broadcast_id: int | None = None,
    prefix: str = "m",
) -> None:
    async with sessions.begin() as session:
        outbox = Outbox(session)
        for n, chat_id in enumerate(chats):
            await outbox.add(
                chat_id=chat_id,
                text=f"hello {chat_id}",
                now=now,
                kind="broadcast" if broadcast_id else "report_status",
                dedupe_key=f"{prefix}:{broadcast_id}:{n}:{chat_id}",
                broadcast_id=broadcast_id,
            )


async def rows(sessions: async_sessionmaker[AsyncSession]) -> list[OutboxMessage]:
    from sqlalchemy import select

    async with sessions() as session:
        return list(await session.scalars(select(OutboxMessage).order_by(OutboxMessage.id)))


async def drain_until_idle(sender: OutboxSender) -> int:
    total = 0
    while handled := await sender.drain_once():
        total += handled
    return total
