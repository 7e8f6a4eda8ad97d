"""Delivery as `greenbot run` wires it (greenbot.delivery.delivering) against the fake Bot API: a
restart or a crash mid-broadcast, Telegram's 429, and two instances sharing one database."""

from __future__ import annotations

import asyncio
import contextlib
import gc
import itertools
from collections import Counter
from datetime import datetime, timedelta
from pathlib import Path
from typing import TYPE_CHECKING, Any

from sqlalchemy import select

from campaigns import Broadcasts, Subscriptions
from greenbot.delivery import delivering
from ground.clock import SHANGHAI, ManualClock, SystemClock
from ground.db import create_engine, session_factory
from ground.settings import Settings
from outbox import OutboxMessage, OutboxStatus
from tests.support.bot_rig import until

if TYPE_CHECKING:
    from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

    from tests.support.fake_bot_api import FakeBotAPI

_chat_ids = itertools.count(8_100_001, 100)


def chats(count: int) -> list[int]:
    first = next(_chat_ids)
    return list(range(first, first + count))


def settings_for(fake: FakeBotAPI, tmp_path: Path, **overrides: Any) -> Settings:
    values: dict[str, Any] = {
        "bot_token": fake.token,
        "telegram_api_url": fake.url,
        "data_dir": tmp_path,
        "scheduler_enabled": False,
    }
    values.update(overrides)
    return Settings(_env_file=None, **values)  # type: ignore[call-arg]


async def subscribe(sessions: async_sessionmaker[AsyncSession], chat_ids: list[int]) -> None:
    async with sessions.begin() as session:
        subscriptions = Subscriptions(session)
        for chat_id in chat_ids:
            now = datetime.now(SHANGHAI)
            await subscriptions.subscribe(user_id=chat_id, chat_id=chat_id, now=now)


async def started_broadcast(
    sessions: async_sessionmaker[AsyncSession], text: str, now: datetime
) -> int:
    """A staff broadcast to every subscriber, its delivery list already written."""
    async with sessions.begin() as session:
        broadcasts = Broadcasts(session)
        broadcast = await broadcasts.create(text=text, created_by=None, now=now)
        await broadcasts.start(broadcast.id, now=now)
        return broadcast.id


async def outbox_rows(sessions: async_sessionmaker[AsyncSession]) -> list[OutboxMessage]:
    async with sessions() as session:
        return list(await session.scalars(select(OutboxMessage).order_by(OutboxMessage.id)))


def received(fake: FakeBotAPI, chat_ids: list[int], text: str) -> Counter[int]:
    """How many times each chat got a message with this text."""
    return Counter(
        {
            chat_id: sum(m.plain == text for m in fake.chat(chat_id).messages())
            for chat_id in chat_ids
        }
    )


def daytime() -> datetime:
    """Real now if it is outside quiet hours, else today's noon (quiet hours would hold sends)."""
    now = datetime.now(SHANGHAI)
    return now if 9 <= now.hour < 21 else now.replace(hour=12)


async def test_a_restart_mid_broadcast_sends_everyone_exactly_once(
    fake: FakeBotAPI, database: async_sessionmaker[AsyncSession], tmp_path: Path
) -> None:
    audience = chats(30)
    await subscribe(database, audience)
    clock = ManualClock(daytime())
    await started_broadcast(database, "重启测试", clock.now())
    settings = settings_for(fake, tmp_path, broadcast_rate=10)

    async with delivering(settings, sessions=database, clock=clock):
        await until(lambda: fake.stats.sends >= 8, what="the first sends")
    before_restart = fake.stats.sends
    assert before_restart < len(audience), "the first instance was stopped mid-broadcast"

    async with delivering(settings, sessions=database, clock=clock):
        await until(lambda: fake.stats.sends >= len(audience), what="the rest")
    counts = received(fake, audience, "重启测试")
    assert set(counts.values()) == {1}, counts
    assert fake.duplicates() == {}
    assert {row.status for row in await outbox_rows(database)} == {OutboxStatus.SENT}


async def test_a_crash_mid_broadcast_never_resends_and_leaves_only_in_flight_rows_uncertain(
    fake: FakeBotAPI, database: async_sessionmaker[AsyncSession], tmp_path: Path
) -> None:
    audience = chats(24)
    await subscribe(database, audience)
    clock = ManualClock(daytime())
    await started_broadcast(database, "崩溃测试", clock.now())
    settings = settings_for(fake, tmp_path, broadcast_rate=10, outbox_claim_timeout_seconds=60)

    fake.latency = 0.3  # requests stay in flight long enough to be cut off
    # The crashed instance has its own connections, as a separate process would: when a process
    # dies the OS closes them and SQLite's locks go with them; cancelling its tasks in this
    # process cannot do that, so its engine is disposed and collected below.
    crashed_engine = create_engine(str(database.kw["bind"].url))
    async with delivering(
        settings, sessions=session_factory(crashed_engine), clock=clock
    ) as crashed:
        await until(lambda: fake.stats.sends >= 5, what="the first sends")
        for task in crashed.tasks:  # a crash: no graceful stop, requests die mid-flight
            task.cancel()
        await asyncio.gather(*crashed.tasks, return_exceptions=True)
    await crashed_engine.dispose()
    del crashed
    gc.collect()
    fake.latency = 0.0
    in_flight = [r.chat_id for r in await outbox_rows(database) if r.status == "sending"]
    assert in_flight, "the crash cut requests off mid-flight"

    clock.advance(minutes=2)  # past the claim timeout: the dead sender's claims are stale
    async with delivering(settings, sessions=database, clock=clock):
        await until(
            lambda: (
                sum(received(fake, audience, "崩溃测试").values()) >= len(audience) - len(in_flight)
            ),
            what="every row that was not in flight",
        )
        rows = await outbox_rows(database)
        while any(row.status in (OutboxStatus.PENDING, OutboxStatus.SENDING) for row in rows):
            await asyncio.sleep(0.05)  # the last requests' results, and the dead one's settled
            rows = await outbox_rows(database)
    counts = received(fake, audience, "崩溃测试")
    assert max(counts.values()) == 1, "nobody got the broadcast twice"
    uncertain = {row.chat_id for row in rows if row.status == OutboxStatus.UNCERTAIN}
    assert uncertain == set(in_flight) and len(uncertain) <= 8  # at most max_in_flight
    for row in rows:
        if row.chat_id not in uncertain:
            assert row.status == OutboxStatus.SENT and counts[row.chat_id] == 1


async def test_a_429_pauses_every_send_then_everyone_gets_the_message_once(
    fake: FakeBotAPI, database: async_sessionmaker[AsyncSession], tmp_path: Path
) -> None:
    audience = chats(4)
    await subscribe(database, audience)
    clock = ManualClock(daytime())
    await started_broadcast(database, "限流测试", clock.now())
    fake.fail_next("sendMessage", 429, retry_after=2, chat_id=audience[0])

    async with delivering(
        settings_for(fake, tmp_path, broadcast_rate=2), sessions=database, clock=clock
    ):
        await until(lambda: fake.stats.sends >= len(audience), what="every send")
    calls = fake.calls_to("sendMessage")
    [refused] = [call for call in calls if call.status == 429]
    assert refused.params["chat_id"] == audience[0]
    later = [call for call in calls if call.at > refused.at]
    assert later and all(call.at >= refused.at + 1.9 for call in later), (
        "no chat was sent anything during Telegram's retry_after"
    )
    assert set(received(fake, audience, "限流测试").values()) == {1}
    [first] = [row for row in await outbox_rows(database) if row.chat_id == audience[0]]
    assert first.status == OutboxStatus.SENT and first.attempts == 1  # a 429 is not a failure


async def test_two_instances_run_exactly_one_scheduler_and_deliver_once(
    fake: FakeBotAPI, sessions: async_sessionmaker[AsyncSession], tmp_path: Path
) -> None:
    """On SQLite and PostgreSQL: two processes' worth of delivery on one database."""
    audience = chats(6)
    await subscribe(sessions, audience)
    settings = settings_for(
        fake,
        tmp_path,
        scheduler_enabled=True,
        scheduler_renew_seconds=0.2,
        # The scheduler runs on the wall clock: no quiet hours, or at night the broadcast would
        # rightly wait for 08:00 (quiet hours have tests of their own).
        quiet_start_hour=0,
        quiet_end_hour=0,
    )
    clock = SystemClock()
    instances = [contextlib.AsyncExitStack(), contextlib.AsyncExitStack()]
    async with instances[0], instances[1]:
        runners = []
        for n, instance in enumerate(instances):
            delivery = await instance.enter_async_context(
                delivering(settings, sessions=sessions, clock=clock, holder=f"instance-{n}")
            )
            assert delivery.scheduler is not None
            runners.append(delivery.scheduler)
        await until(lambda: any(r.is_leader for r in runners), what="a leader")
        for _ in range(3):
            await asyncio.gather(*(runner.tick() for runner in runners))
            assert [r.is_leader for r in runners].count(True) == 1

        at = datetime.now(SHANGHAI) + timedelta(seconds=1)
        async with sessions.begin() as session:
            broadcasts = Broadcasts(session)
            broadcast = await broadcasts.create(text="定时群发", created_by=None, now=at)
            await broadcasts.schedule(broadcast.id, at=at)
        await asyncio.gather(*(runner.tick() for runner in runners))
        leading = next(n for n, r in enumerate(runners) if r.is_leader)
        leader, standby = runners[leading], runners[1 - leading]
        assert leader.scheduler is not None and standby.scheduler is None
        assert leader.scheduler.get_job(f"broadcast:{broadcast.id}") is not None

        await until(
            lambda: sum(received(fake, audience, "定时群发").values()) >= len(audience),
            what="the scheduled broadcast",
        )
        assert set(received(fake, audience, "定时群发").values()) == {1}
        assert len(await outbox_rows(sessions)) == len(audience)

        await instances[leading].aclose()  # the leader's process stops: the other takes over
        assert not leader.is_leader
        assert await standby.tick() is True


async def test_paid_mode_marks_broadcast_deliveries_and_nothing_else(
    fake: FakeBotAPI, database: async_sessionmaker[AsyncSession], tmp_path: Path
) -> None:
    audience = chats(3)
    await subscribe(database, audience)
    clock = ManualClock(daytime())
    broadcast_id = await started_broadcast(database, "付费群发", clock.now())
    staff_chat = -1_009_000
    settings = settings_for(fake, tmp_path, broadcast_paid=True, staff_chat_id=staff_chat)
    async with delivering(settings, sessions=database, clock=clock):
        await until(
            lambda: any((m.plain or "").startswith("✅") for m in fake.chat(staff_chat).messages()),
            what="the summary",
        )
    sends = fake.calls_to("sendMessage")
    paid = {c.params["chat_id"] for c in sends if c.params.get("allow_paid_broadcast")}
    assert paid == set(audience), "each subscriber's copy is a paid broadcast"
    summary = [c for c in sends if c.params["chat_id"] == staff_chat]
    assert summary and not summary[0].params.get("allow_paid_broadcast"), "staff's is not"
    assert f"群发 #{broadcast_id} 已结束：送达 3/3" in summary[0].params["text"]
