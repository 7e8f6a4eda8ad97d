"""A due calendar reminder becomes one broadcast to the event's topic subscribers, once."""

from __future__ import annotations

from datetime import date

from sqlalchemy import func, select

from campaigns import AnnouncedDates, Calendar, Subscriptions, enqueue_reminder
from campaigns.models import Broadcast
from outbox import Outbox


async def test_enqueueing_a_reminder_twice_sends_it_once_to_the_events_subscribers(
    sessions, clock, calendar: Calendar
) -> None:
    async with sessions.begin() as session:
        subs = Subscriptions(session)
        await subs.subscribe(user_id=1, chat_id=10, now=clock.now(), topics=["energy"])
        await subs.subscribe(user_id=2, chat_id=20, now=clock.now(), topics=["garbage"])
        await subs.subscribe(
            user_id=3, chat_id=30, now=clock.now(), topics=["energy"], script="hant"
        )
    ids = []
    for _ in range(2):
        async with sessions.begin() as session:
            ids.append(
                await enqueue_reminder(
                    session,
                    calendar,
                    event_id="energy-saving-week",
                    day=date(2025, 6, 23),
                    kind="before",
                    now=clock.now(),
                )
            )
    assert ids[0] == ids[1] is not None
    async with sessions() as session:
        rows = await Outbox(session).for_broadcast(ids[0])
        broadcast = await session.get(Broadcast, ids[0])
        assert await session.scalar(select(func.count()).select_from(Broadcast)) == 1
    assert broadcast.dedupe_key == "reminder:energy-saving-week:2025-06-23:before"
    assert broadcast.kind == "reminder" and broadcast.created_by is None
    assert sorted(r.chat_id for r in rows) == [10, 30]
    assert {r.kind for r in rows} == {"reminder"}
    texts = {r.chat_id: r.text for r in rows}
    assert "家里空调开多少度最省电" in texts[10]
    assert "家裏空調開多少度最省電" in texts[30], "Traditional for hant subscribers"


async def test_a_reminder_for_a_date_staff_moved_is_skipped(sessions, clock, calendar) -> None:
    async with sessions.begin() as session:
        await AnnouncedDates(session).announce(
            calendar, event_id="low-carbon-day", start=date(2025, 6, 26), by=1, now=clock.now()
        )
    async with sessions.begin() as session:
        from campaigns import load_calendar

        merged = await load_calendar(session, calendar)
        assert (
            await enqueue_reminder(
                session,
                merged,
                event_id="low-carbon-day",
                day=date(2025, 6, 25),
                kind="day_of",
                now=clock.now(),
            )
            is None
        )
