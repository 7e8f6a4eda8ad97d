"""The scheduler on a SQLite file another writer holds locked (issue 12).

The persistent job store used to write `apscheduler_jobs` synchronously on the event loop with
sqlite3's 5 s timeout: a lock held longer stalled the loop, then failed, and a reminder could
silently never fire. Now jobs live in memory and only the job itself writes, through the async
engine: it waits for the lock off the loop, or fails and is planned again by the next `sync()`.
"""

from __future__ import annotations

import asyncio
import itertools
from collections.abc import AsyncIterator, Awaitable, Callable
from datetime import datetime, time, timedelta
from pathlib import Path

import pytest
from apscheduler.events import EVENT_JOB_ERROR, JobExecutionEvent
from sqlalchemy import event, func, select
from sqlalchemy.ext.asyncio import AsyncEngine

from campaigns import Subscriptions
from campaigns.announced import AnnouncedDates
from campaigns.calendar import Calendar, Event, ReminderOffset
from campaigns.models import Broadcast
from campaigns.scheduler import SchedulerRunner
from greenbot.models import import_all_models
from ground.clock import SHANGHAI, ManualClock
from ground.db import Base, create_engine, session_factory
from outbox import OutboxMessage
from tests.support.sqlite_lock import SQLiteWriteLock, database_file
from tests.unit.campaigns.test_scheduler import eventually, job_ids

LOCK_SECONDS = 7.0  # past sqlite3's default 5 s timeout, within the app's busy timeout (10 s)


@pytest.fixture
def clock() -> ManualClock:
    return ManualClock(datetime.now(SHANGHAI))


async def sqlite_file(path: Path, *, busy_timeout_ms: int | None = None) -> AsyncEngine:
    """The app's engine as `greenbot run` builds it, every table created; optionally with a
    shorter busy timeout, so that a job fails on the lock within a test."""
    import_all_models()
    engine = create_engine(f"sqlite+aiosqlite:///{path}")
    if busy_timeout_ms is not None:

        @event.listens_for(engine.sync_engine, "connect")
        def shorter_busy_timeout(dbapi_connection, _record) -> None:  # type: ignore[no-untyped-def]
            cursor = dbapi_connection.cursor()  # runs after ground.db's own pragmas
            cursor.execute(f"PRAGMA busy_timeout={busy_timeout_ms}")
            cursor.close()

    async with engine.begin() as connection:
        await connection.run_sync(Base.metadata.create_all)
    return engine


@pytest.fixture
async def engines() -> AsyncIterator[list[AsyncEngine]]:
    made: list[AsyncEngine] = []
    yield made
    for engine in made:
        await engine.dispose()


@pytest.fixture
async def make_runner(
    clock: ManualClock, engines: list[AsyncEngine], tmp_path: Path
) -> AsyncIterator[Callable[..., Awaitable[SchedulerRunner]]]:
    """A runner on a new SQLite file whose calendar has one event, its date not announced yet
    (so the first tick plans nothing and the test decides when the reminder becomes due)."""
    made: list[SchedulerRunner] = []

    async def make(*, busy_timeout_ms: int | None = None) -> SchedulerRunner:
        engine = await sqlite_file(tmp_path / "app.db", busy_timeout_ms=busy_timeout_ms)
        engines.append(engine)
        due = clock.now() - timedelta(minutes=30)
        calendar = Calendar([announced_event(time(due.hour, due.minute))])
        runner = SchedulerRunner(
            session_factory(engine), clock=clock, holder="a", calendar=calendar
        )
        made.append(runner)
        return runner

    yield make
    for runner in made:
        await runner.stop()


def announced_event(at: time) -> Event:
    """An event whose date staff announce at run time (like 全国节能宣传周), reminded at `at`."""
    return Event(
        id="saving-week",
        name="节能宣传周",
        theme="节能",
        topics=frozenset({"energy"}),
        tip="关灯",
        ask="家里怎么省电？",
        messages={"day_of": "今天是{name}"},
        reminders=(ReminderOffset("day_of", 0, at),),
    )


async def reminder_due(runner: SchedulerRunner, clock: ManualClock) -> str:
    """A subscriber, and the event announced for the day its reminder was due 30 min ago
    (well within the 6 h grace); the reminder's dedupe key."""
    day = (clock.now() - timedelta(minutes=30)).date()
    async with runner.sessions.begin() as session:
        await Subscriptions(session).subscribe(
            user_id=1, chat_id=10, now=clock.now(), topics=["energy"]
        )
        await AnnouncedDates(session).announce(
            runner.calendar, event_id="saving-week", start=day, by=None, now=clock.now()
        )
    return f"reminder:saving-week:{day.isoformat()}:day_of"


async def queued(runner: SchedulerRunner) -> tuple[list[str], int]:
    """The reminder broadcasts' keys and the delivery rows written for them."""
    async with runner.sessions() as session:
        keys = sorted(k for k in await session.scalars(select(Broadcast.dedupe_key)) if k)
        rows = await session.scalar(select(func.count()).select_from(OutboxMessage)) or 0
    return keys, rows


async def count_ticks(lock: SQLiteWriteLock, ticks: list[float]) -> None:
    """A coroutine that wants the loop every 0.1 s; the loop times it got while locked."""
    loop = asyncio.get_running_loop()
    while not lock.released.is_set():
        await asyncio.sleep(0.1)
        if lock.held:
            ticks.append(loop.time())


async def queued_once(runner: SchedulerRunner, key: str) -> bool:
    keys, rows = await queued(runner)
    return keys == [key] and rows >= 1


def job_errors(runner: SchedulerRunner) -> list[JobExecutionEvent]:
    errors: list[JobExecutionEvent] = []
    assert runner.scheduler is not None
    runner.scheduler.add_listener(errors.append, EVENT_JOB_ERROR)
    return errors


async def test_a_reminder_due_while_another_writer_holds_the_database_for_7_s_is_queued_once(
    make_runner, clock
) -> None:
    runner = await make_runner()
    assert await runner.tick() is True
    assert job_ids(runner) == [], "no date announced yet"
    key = await reminder_due(runner, clock)
    errors = job_errors(runner)
    ticks: list[float] = []

    async with SQLiteWriteLock(database_file(runner.sessions), hold=LOCK_SECONDS) as lock:
        ticker = asyncio.create_task(count_ticks(lock, ticks))
        await runner.sync()  # reads go on in WAL mode; the due job starts and waits to write
        renewal = asyncio.create_task(runner.tick())  # and so does the lease renewal
        await lock.wait_released()
    await ticker

    assert lock.broadcasts_at_release == 0, "nothing was queued while the lock was held"
    assert await renewal is True, "the leader kept its lease through the lock"
    await eventually(lambda: queued_once(runner, key), timeout=30)
    assert errors == [], "the job waited for the lock (busy timeout 10 s) instead of failing"
    gaps = [later - earlier for earlier, later in itertools.pairwise(ticks)]
    assert len(ticks) >= 20 and max(gaps) < 2.5, (
        f"the event loop kept running while the database was locked: {len(ticks)} ticks"
    )

    await runner.tick()
    await asyncio.sleep(0.2)
    await runner.tick()
    assert await queued(runner) == ([key], 1)
    assert job_ids(runner) == []


async def test_a_reminder_whose_run_failed_on_the_lock_is_planned_again_and_queued_once(
    make_runner, clock
) -> None:
    runner = await make_runner(busy_timeout_ms=200)
    assert await runner.tick() is True
    key = await reminder_due(runner, clock)
    errors = job_errors(runner)

    async with SQLiteWriteLock(database_file(runner.sessions)) as lock:
        await runner.sync()
        await eventually(lambda: errors, timeout=30)
        assert "database is locked" in str(errors[0].exception)
        assert job_ids(runner) == [], "APScheduler dropped the date job after its one run"
    assert lock.broadcasts_at_release == 0

    await runner.tick()  # no broadcast for the reminder yet, still within the grace: planned again
    await eventually(lambda: queued_once(runner, key), timeout=30)
    await runner.tick()
    await asyncio.sleep(0.2)
    await runner.tick()
    assert await queued(runner) == ([key], 1)
    assert job_ids(runner) == []
    assert len(errors) == 1
