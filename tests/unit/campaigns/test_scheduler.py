"""The scheduler: one leader per database, jobs rebuilt from it, misfires run once, failover.

APScheduler runs on the real clock, so these tests place jobs around the real current time and
poll briefly for their effect; the lease runs on the injected clock, so expiry needs no waiting.
A database another writer holds locked: `test_scheduler_locked_database.py`.
"""

from __future__ import annotations

import asyncio
from collections.abc import Callable
from datetime import datetime, time, timedelta

import pytest
from sqlalchemy import func, select

from campaigns import Broadcasts, BroadcastStatus, Calendar, Subscriptions
from campaigns.calendar import Event, ReminderOffset
from campaigns.models import Broadcast
from campaigns.scheduler import SchedulerRunner, build_scheduler
from ground.clock import SHANGHAI, ManualClock
from outbox import OutboxMessage
from tests.unit.campaigns import probe


@pytest.fixture
def clock() -> ManualClock:
    return ManualClock(datetime.now(SHANGHAI))


@pytest.fixture
async def make_runner(sessions, clock):  # type: ignore[no-untyped-def]
    made: list[SchedulerRunner] = []

    def make(holder: str, calendar: Calendar | None = None, **options: object) -> SchedulerRunner:
        runner = SchedulerRunner(
            sessions,
            clock=clock,
            holder=holder,
            calendar=calendar or Calendar([]),
            **options,  # type: ignore[arg-type]
        )
        made.append(runner)
        return runner

    yield make
    for runner in made:
        await runner.stop()


async def eventually(check: Callable[[], object], timeout: float = 5.0) -> None:
    """Wait for APScheduler's real-time loop to act (polling, never a fixed sleep)."""
    deadline = asyncio.get_running_loop().time() + timeout
    while not await _value(check()):
        assert asyncio.get_running_loop().time() < deadline, "timed out"
        await asyncio.sleep(0.05)


async def _value(result: object) -> object:
    return await result if asyncio.iscoroutine(result) else result


def job_ids(runner: SchedulerRunner) -> list[str]:
    assert runner.scheduler is not None
    return sorted(job.id for job in runner.scheduler.get_jobs())


async def scheduled_broadcast(sessions, clock, at: datetime) -> int:  # type: ignore[no-untyped-def]
    async with sessions.begin() as session:
        subs = Subscriptions(session)
        await subs.subscribe(user_id=1, chat_id=10, now=clock.now())
        await subs.subscribe(user_id=2, chat_id=20, now=clock.now())
        broadcasts = Broadcasts(session)
        broadcast = await broadcasts.create(text="通知", created_by=900, now=clock.now())
        await broadcasts.schedule(broadcast.id, at=at)
        return broadcast.id


async def delivery_rows(sessions) -> int:  # type: ignore[no-untyped-def]
    async with sessions() as session:
        return await session.scalar(select(func.count()).select_from(OutboxMessage)) or 0


def event_on(moment: datetime, event_id: str = "test-day") -> Event:
    """An energy event whose one reminder (`day_of`) is sent at `moment`, to the minute."""
    return Event(
        id=event_id,
        name="测试日",
        theme="测试",
        topics=frozenset({"energy"}),
        tip="关灯",
        ask="家里怎么省电？",
        messages={"day_of": "今天是{name}"},
        reminders=(ReminderOffset("day_of", 0, time(moment.hour, moment.minute)),),
        fixed=(moment.month, moment.day, 1),
    )


async def reminder_keys(sessions) -> list[str]:  # type: ignore[no-untyped-def]
    async with sessions() as session:
        return sorted(key for key in await session.scalars(select(Broadcast.dedupe_key)) if key)


async def test_two_runners_on_one_database_elect_exactly_one_leader(make_runner) -> None:
    first, second = make_runner("a"), make_runner("b")
    assert await first.tick() is True
    assert await second.tick() is False
    assert await first.tick() is True, "the leader renews"
    assert first.is_leader and not second.is_leader
    assert first.scheduler is not None and first.scheduler.running
    assert second.scheduler is None


async def test_when_the_leader_stops_the_standby_takes_over_at_once(make_runner) -> None:
    first, second = make_runner("a"), make_runner("b")
    await first.tick()
    await first.stop()
    assert await second.tick() is True
    assert not first.is_leader


async def test_a_standby_takes_over_after_the_lease_expires_and_the_old_leader_steps_down(
    make_runner, clock
) -> None:
    first, second = make_runner("a"), make_runner("b")
    await first.tick()
    clock.advance(seconds=60)
    assert await second.tick() is False, "the lease has not expired yet"
    clock.advance(seconds=31)  # the leader missed its renewals: 91 s since the last one
    assert await second.tick() is True
    assert await first.tick() is False
    assert not first.is_leader and second.is_leader


async def test_only_the_leader_runs_a_due_job(make_runner, sessions, clock) -> None:
    first, second = make_runner("a"), make_runner("b")
    await first.tick()
    await second.tick()
    broadcast_id = await scheduled_broadcast(sessions, clock, clock.now() - timedelta(minutes=1))
    await first.tick()
    await second.tick()
    await eventually(lambda: delivery_rows(sessions))
    async with sessions() as session:
        assert (await Broadcasts(session).get(broadcast_id)).status == BroadcastStatus.SENDING
    assert await delivery_rows(sessions) == 2
    assert second.scheduler is None


async def test_restarting_never_duplicates_jobs(make_runner, sessions, clock) -> None:
    at = clock.now() + timedelta(days=1)
    broadcast_id = await scheduled_broadcast(sessions, clock, at)
    first = make_runner("a")
    await first.tick()
    await first.tick()
    before = job_ids(first)
    assert before == [f"broadcast:{broadcast_id}"]
    await first.stop()

    restarted = make_runner("a-restarted")
    await restarted.tick()
    assert job_ids(restarted) == before
    assert restarted.scheduler is not None
    restarted.scheduler.add_job(
        probe.record,
        "date",
        run_date=at,
        id=f"broadcast:{broadcast_id}",
        args=["x"],
        replace_existing=True,
    )
    await restarted.tick()
    assert job_ids(restarted) == before


async def test_a_cancelled_broadcast_loses_its_job(make_runner, sessions, clock) -> None:
    broadcast_id = await scheduled_broadcast(sessions, clock, clock.now() + timedelta(hours=2))
    runner = make_runner("a")
    await runner.tick()
    assert job_ids(runner) == [f"broadcast:{broadcast_id}"]
    async with sessions.begin() as session:
        await Broadcasts(session).cancel(broadcast_id, now=clock.now())
    await runner.tick()
    assert job_ids(runner) == []


async def test_a_broadcast_due_during_a_short_outage_is_sent_once_when_the_leader_is_back(
    make_runner, sessions, clock
) -> None:
    broadcast_id = await scheduled_broadcast(sessions, clock, clock.now() - timedelta(hours=1))
    runner = make_runner("a")
    await runner.tick()
    await eventually(lambda: delivery_rows(sessions))
    await runner.tick()
    await runner.stop()
    again = make_runner("b")
    await again.tick()
    await asyncio.sleep(0.2)
    assert job_ids(again) == []
    assert await delivery_rows(sessions) == 2
    async with sessions() as session:
        assert (await Broadcasts(session).get(broadcast_id)).status == BroadcastStatus.SENDING


async def test_a_broadcast_missed_by_more_than_the_grace_time_is_left_for_staff(
    make_runner, sessions, clock
) -> None:
    broadcast_id = await scheduled_broadcast(sessions, clock, clock.now() - timedelta(hours=7))
    runner = make_runner("a")
    await runner.tick()
    assert job_ids(runner) == []
    async with sessions() as session:
        assert (await Broadcasts(session).get(broadcast_id)).status == BroadcastStatus.SCHEDULED


async def test_a_due_reminder_is_queued_once_for_its_topic_subscribers(
    make_runner, sessions, clock
) -> None:
    due = clock.now() - timedelta(minutes=30)
    event = event_on(due)
    async with sessions.begin() as session:
        subs = Subscriptions(session)
        await subs.subscribe(user_id=1, chat_id=10, now=clock.now(), topics=["energy"])
        await subs.subscribe(user_id=2, chat_id=20, now=clock.now(), topics=["water"])
    runner = make_runner("a", Calendar([event]))
    await runner.tick()
    await eventually(lambda: delivery_rows(sessions))
    await runner.tick()
    await asyncio.sleep(0.2)
    await runner.tick()
    assert await reminder_keys(sessions) == [f"reminder:test-day:{due.date().isoformat()}:day_of"]
    assert await delivery_rows(sessions) == 1
    assert job_ids(runner) == []


async def test_a_new_holder_after_a_restart_plans_pending_reminders_and_never_requeues_a_sent_one(
    make_runner, sessions, clock
) -> None:
    """Jobs live in memory: the new holder rebuilds them from the calendar and the broadcasts."""
    due, tomorrow = clock.now() - timedelta(minutes=30), clock.now() + timedelta(days=1)
    calendar = Calendar([event_on(due), event_on(tomorrow, "test-day-2")])
    async with sessions.begin() as session:
        await Subscriptions(session).subscribe(
            user_id=1, chat_id=10, now=clock.now(), topics=["energy"]
        )
    first = make_runner("a", calendar)
    assert await first.tick() is True
    await eventually(lambda: delivery_rows(sessions))
    pending = f"reminder:test-day-2:{tomorrow.date().isoformat()}:day_of"
    assert job_ids(first) == [pending]
    await first.stop()

    restarted = make_runner("a-restarted", calendar)
    assert await restarted.tick() is True
    assert job_ids(restarted) == [pending], "tomorrow's planned again; today's has its broadcast"
    await asyncio.sleep(0.2)
    await restarted.tick()
    assert await reminder_keys(sessions) == [f"reminder:test-day:{due.date().isoformat()}:day_of"]
    assert await delivery_rows(sessions) == 1


async def test_missed_runs_within_the_grace_time_are_coalesced_into_one() -> None:
    """What `sync()` plans after an outage: past run times within the grace run once, now."""
    probe.calls.clear()
    now = datetime.now(SHANGHAI)
    scheduler = build_scheduler()
    scheduler.start()
    try:
        scheduler.add_job(
            probe.record,
            "interval",
            minutes=10,
            next_run_time=now - timedelta(hours=1),
            id="probe:every-10-min",
            args=["coalesced"],
        )
        scheduler.add_job(
            probe.record,
            "date",
            run_date=now - timedelta(hours=7),
            id="probe:too-late",
            args=["too-late"],
        )
        scheduler.add_job(
            probe.record, "date", run_date=now - timedelta(hours=2), id="probe:late", args=["late"]
        )
        await eventually(lambda: len(probe.calls) >= 2)
        await asyncio.sleep(0.2)
        assert sorted(probe.calls) == ["coalesced", "late"], (
            "six missed runs ran once; 7 h is too late"
        )
        assert [job.id for job in scheduler.get_jobs()] == ["probe:every-10-min"]
    finally:
        scheduler.shutdown(wait=False)
        await asyncio.sleep(0)


async def test_housekeeping_runs_on_the_leader_only_and_a_failing_duty_keeps_the_lease(
    make_runner,
) -> None:
    ran: list[str] = []

    def duty(name: str, *, fail: bool = False):  # type: ignore[no-untyped-def]
        async def run(session, clock) -> None:  # type: ignore[no-untyped-def]
            ran.append(name)
            if fail:
                raise RuntimeError("the duty broke")

        return run

    queued: list[bool] = []
    first = make_runner("a", housekeeping=duty("a", fail=True))
    second = make_runner("b", housekeeping=duty("b"), on_queued=lambda: queued.append(True))
    assert await first.tick() is True
    assert await second.tick() is False
    assert await first.tick() is True, "a failing duty is logged; the leader keeps leading"
    assert ran == ["a", "a"]
    await first.stop()
    assert await second.tick() is True
    assert ran == ["a", "a", "b"] and queued == [True], "the new leader runs its duty, then nudges"
