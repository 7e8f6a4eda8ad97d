"""Calendar reminders and blocked citizens, end to end: the real bot with the sender and the
scheduler wired as `greenbot run` wires them, a ManualClock for the date, the fake Bot API."""

from __future__ import annotations

from datetime import datetime
from typing import TYPE_CHECKING

from sqlalchemy import select

from campaigns import Broadcasts, Subscription
from citizens import Citizen
from ground.clock import SHANGHAI, ManualClock
from outbox import OutboxMessage, OutboxStatus
from tests.support.bot_rig import REPLY_TIMEOUT, until
from tests.support.sqlite_lock import SQLiteWriteLock, database_file

if TYPE_CHECKING:
    from collections.abc import Callable

    from tests.support.bot_rig import BotRig
    from tests.support.fake_bot_api import FakeBotAPI, FakeUser

# A year ahead of the real one: APScheduler runs on real time, so planned jobs stay in the future
# until a test moves one to "now" (never sleeping until June).
YEAR = datetime.now(SHANGHAI).year + 1


async def subscribe(rig: BotRig, user: FakeUser, *buttons: str) -> None:
    """Through the bot: /subscribe, then press each topic (or 全部订阅), until it is stored."""
    await user.send_command("/subscribe")
    panel = await user.wait_for_message(lambda m: bool(m.buttons), timeout=REPLY_TIMEOUT)
    for button in buttons:
        answers = len(user.callback_answers)
        await user.press(button, panel)
        await until(lambda n=answers: len(user.callback_answers) > n, what=f"pressing {button}")
    await rig.rows(Subscription, user_id=user.id, until=lambda rows: rows and rows[0].active)


async def outbox(rig: BotRig, *, until_: Callable[[list[OutboxMessage]], bool] | None = None):  # type: ignore[no-untyped-def]
    return await rig.rows(OutboxMessage, until=until_)


async def started_broadcast(rig: BotRig, text: str, now: datetime) -> int:
    async with rig.sessions.begin() as session:
        broadcasts = Broadcasts(session)
        broadcast = await broadcasts.create(text=text, created_by=None, now=now)
        await broadcasts.start(broadcast.id, now=now)
        return broadcast.id


async def test_a_reminder_fires_at_its_time_for_the_subscribers_of_its_topics(
    rig: BotRig, make_user
) -> None:  # type: ignore[no-untyped-def]
    clock = ManualClock(datetime(YEAR, 6, 2, 8, 0, tzinfo=SHANGHAI))
    async with rig.running(clock=clock, deliver=True):
        assert rig.delivery is not None and rig.delivery.scheduler is not None
        sorter, swimmer = make_user("垃圾分类迷"), make_user("节水达人")
        await subscribe(rig, sorter, "⬜ 垃圾分类")
        await subscribe(rig, swimmer, "⬜ 节约用水")

        runner = rig.delivery.scheduler
        assert await runner.tick() is True
        assert runner.scheduler is not None
        job = runner.scheduler.get_job(f"reminder:environment-day:{YEAR}-06-05:before")
        assert job is not None, "六五环境日's reminder is planned three days ahead"
        assert job.next_run_time == datetime(YEAR, 6, 2, 9, 0, tzinfo=SHANGHAI)
        assert await outbox(rig) == [], "nothing is queued before its time"

        clock.set(datetime(YEAR, 6, 2, 9, 0, tzinfo=SHANGHAI))
        job.modify(next_run_time=datetime.now(SHANGHAI))  # APScheduler runs it now, for real
        reminder = await sorter.wait_for_message(
            lambda m: "六五环境日" in (m.plain or ""), timeout=REPLY_TIMEOUT
        )
        assert reminder.plain is not None
        assert "6月5日是六五环境日" in reminder.plain
        assert "小贴士" in reminder.plain and "/subscribe" in reminder.plain
        assert reminder.parse_mode == "HTML" and reminder.text is not None
        assert reminder.text.startswith("<b>六五环境日</b>")

        rows = await outbox(rig, until_=lambda rows: rows and rows[0].status == "sent")
        assert [row.chat_id for row in rows] == [sorter.id], "water is not 六五环境日's topic"
        assert runner.scheduler.get_job(job.id) is None, "a date job runs once"
        await runner.tick()
        assert runner.scheduler.get_job(job.id) is None, "and is not planned again"


async def test_a_reminder_due_while_another_writer_locks_the_database_reaches_its_subscriber_once(
    rig: BotRig, user: FakeUser
) -> None:
    """Issue 12: the reminder's job waits for a 7 s write lock (past sqlite3's default 5 s) off
    the event loop, then the citizen gets the reminder exactly once."""
    clock = ManualClock(datetime(YEAR, 6, 2, 8, 0, tzinfo=SHANGHAI))
    async with rig.running(clock=clock, deliver=True):
        assert rig.delivery is not None and rig.delivery.scheduler is not None
        await subscribe(rig, user, "⬜ 垃圾分类")
        runner = rig.delivery.scheduler
        assert await runner.tick() is True
        assert runner.scheduler is not None
        job = runner.scheduler.get_job(f"reminder:environment-day:{YEAR}-06-05:before")
        assert job is not None

        clock.set(datetime(YEAR, 6, 2, 9, 0, tzinfo=SHANGHAI))
        async with SQLiteWriteLock(database_file(rig.sessions), hold=7.0) as lock:
            job.modify(next_run_time=datetime.now(SHANGHAI))  # due now, into the lock
            await lock.wait_released()
        assert lock.broadcasts_at_release == 0, "nothing was queued while the lock was held"

        await user.wait_for_message(
            lambda m: "6月5日是六五环境日" in (m.plain or ""), timeout=REPLY_TIMEOUT
        )
        await outbox(rig, until_=lambda rows: rows and rows[0].status == "sent")
        await runner.tick()
        await rig.delivery.sender.drain_once()
        reminders = [m for m in user.messages() if "6月5日是六五环境日" in (m.plain or "")]
        assert len(reminders) == 1
        assert len(await outbox(rig)) == 1
        assert runner.scheduler.get_job(job.id) is None, "not planned again once queued"


async def test_quiet_hours_hold_a_late_broadcast_until_eight_in_the_morning(
    rig: BotRig, user: FakeUser
) -> None:
    clock = ManualClock(datetime(YEAR, 3, 1, 21, 50, tzinfo=SHANGHAI))
    async with rig.running(clock=clock, deliver=True):
        assert rig.delivery is not None
        await subscribe(rig, user, "全部订阅")
        clock.set(datetime(YEAR, 3, 1, 23, 10, tzinfo=SHANGHAI))
        await started_broadcast(rig, "夜间测试", clock.now())
        [row] = await outbox(rig)
        held = row.not_before if row.not_before.tzinfo else row.not_before.replace(tzinfo=SHANGHAI)
        assert held == datetime(YEAR, 3, 2, 8, 0, tzinfo=SHANGHAI)
        assert await rig.delivery.sender.drain_once() == 0, "nothing goes out at 23:10"
        clock.set(datetime(YEAR, 3, 2, 7, 59, tzinfo=SHANGHAI))
        assert await rig.delivery.sender.drain_once() == 0, "nor at 07:59"

        clock.set(datetime(YEAR, 3, 2, 8, 0, tzinfo=SHANGHAI))
        rig.delivery.nudge()
        sent = await user.wait_for_message(lambda m: m.plain == "夜间测试", timeout=REPLY_TIMEOUT)
        assert sent.chat_id == user.id


async def test_a_citizen_who_blocked_the_bot_is_skipped_until_they_write_again(
    rig: BotRig, fake: FakeBotAPI, make_user
) -> None:  # type: ignore[no-untyped-def]
    clock = ManualClock(datetime(YEAR, 3, 1, 10, 0, tzinfo=SHANGHAI))
    async with rig.running(clock=clock, deliver=True):
        assert rig.delivery is not None
        stays, leaves = make_user("留下的"), make_user("屏蔽的")
        await subscribe(rig, stays, "全部订阅")
        await subscribe(rig, leaves, "全部订阅")

        fake.block(leaves.id)
        first = await started_broadcast(rig, "第一条", clock.now())
        await stays.wait_for_message(lambda m: m.plain == "第一条", timeout=REPLY_TIMEOUT)
        rows = await rig.rows(
            OutboxMessage,
            broadcast_id=first,
            until=lambda rows: all(r.status != "pending" and r.status != "sending" for r in rows),
        )
        assert {row.chat_id: row.status for row in rows} == {
            stays.id: OutboxStatus.SENT,
            leaves.id: OutboxStatus.BLOCKED,
        }
        [citizen] = await rig.rows(Citizen, user_id=leaves.id, until=lambda c: not c[0].reachable)
        assert not citizen.reachable
        [paused] = await rig.rows(Subscription, user_id=leaves.id)
        assert not paused.active and paused.topics, "topics are kept for when they return"

        second = await started_broadcast(rig, "第二条", clock.now())
        await stays.wait_for_message(lambda m: m.plain == "第二条", timeout=REPLY_TIMEOUT)
        rows = await rig.rows(OutboxMessage, broadcast_id=second)
        assert [row.chat_id for row in rows] == [stays.id], "the blocked citizen is skipped"

        fake.unblock(leaves.id)
        await leaves.send_command("/start")
        await leaves.wait_for_message(timeout=REPLY_TIMEOUT)
        [back] = await rig.rows(Subscription, user_id=leaves.id, until=lambda s: s[0].active)
        assert back.active
        [citizen] = await rig.rows(Citizen, user_id=leaves.id)
        assert citizen.reachable

        await started_broadcast(rig, "第三条", clock.now())
        await leaves.wait_for_message(lambda m: m.plain == "第三条", timeout=REPLY_TIMEOUT)
        async with rig.sessions() as session:
            texts = await session.scalars(
                select(OutboxMessage.text).where(OutboxMessage.chat_id == leaves.id)
            )
            assert sorted(texts) == ["第一条", "第三条"]
