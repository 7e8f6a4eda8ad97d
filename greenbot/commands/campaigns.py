"""`greenbot campaigns …`: what the scheduler will send and when, and this year's announced dates.

    greenbot campaigns list [--days 30]
    greenbot campaigns add-dates 全国节能宣传周 2026-06-22 2026-06-28
    greenbot campaigns add-dates low-carbon-day 2026-06-24

Times are Asia/Shanghai. The running bot's scheduler plans new dates at its next tick.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Awaitable, Callable
from datetime import date, datetime, timedelta
from typing import TYPE_CHECKING, Annotated, TypeVar

import typer

from ground.clock import SHANGHAI

if TYPE_CHECKING:
    from sqlalchemy.ext.asyncio import AsyncSession

    from campaigns import Calendar, Event
    from ground.settings import Settings

app = typer.Typer(help="Campaign reminders: list what is planned, enter announced dates.")

T = TypeVar("T")
KIND_NAMES = {"before": "提前提醒", "day_of": "当天提醒"}


@app.command("list")
def list_reminders(
    ctx: typer.Context,
    days: Annotated[int, typer.Option("--days", help="How far ahead to look.", min=1)] = 30,
) -> None:
    """Print the next reminders (and scheduled broadcasts) with their send times."""
    for line in _with_session(ctx.obj, lambda session: _planned(session, ctx.obj, days)):
        typer.echo(line)


@app.command("add-dates")
def add_dates(
    ctx: typer.Context,
    event: Annotated[str, typer.Argument(help="Event id or name, e.g. 全国节能宣传周.")],
    start: Annotated[str, typer.Argument(help="First day, YYYY-MM-DD.")],
    end: Annotated[str | None, typer.Argument(help="Last day (default: the first).")] = None,
) -> None:
    """Enter (or correct) an event's dates for START's year, as announced."""
    try:
        first = date.fromisoformat(start)
        last = date.fromisoformat(end) if end else first
    except ValueError:
        raise typer.BadParameter("dates are YYYY-MM-DD, e.g. 2026-06-22") from None
    for line in _with_session(ctx.obj, lambda session: _announce(session, event, first, last)):
        typer.echo(line)


def find_event(calendar: Calendar, name: str) -> Event | None:
    """By id (`energy-saving-week`) or Chinese name."""
    return next((e for e in calendar.events.values() if name.strip() in (e.id, e.name)), None)


async def _planned(session: AsyncSession, settings: Settings, days: int) -> list[str]:
    from campaigns import Broadcasts, BroadcastStatus, Subscriptions, load_calendar, next_allowed
    from campaigns.reminders import existing_reminder_keys, reminder_key
    from campaigns.texts import chinese_dates
    from campaigns.topics import TOPIC_NAMES

    now = datetime.now(SHANGHAI)
    calendar = await load_calendar(session)
    reminders = calendar.reminders_between(now, now + timedelta(days=days))
    keys = [reminder_key(r.event.id, r.day, r.kind) for r in reminders]
    queued = await existing_reminder_keys(session, keys)
    subscriptions = Subscriptions(session)
    quiet = {"start_hour": settings.quiet_start_hour, "end_hour": settings.quiet_end_hour}
    lines = [f"未来 {days} 天的活动提醒（北京时间）："]
    for reminder, key in zip(reminders, keys, strict=True):
        at = next_allowed(reminder.send_at, **quiet)
        topics = "、".join(TOPIC_NAMES[t] for t in TOPIC_NAMES if t in reminder.event.topics)
        audience = await subscriptions.count(reminder.event.topics)
        dates = chinese_dates(reminder.day, reminder.end)
        kind = KIND_NAMES.get(reminder.kind, reminder.kind)
        lines.append(
            f"{at:%Y-%m-%d %H:%M}  {reminder.event.name}（{dates}）  {kind}  {topics}"
            f"  订阅者 {audience} 人" + ("  已排队" if key in queued else "")
        )
    if not reminders:
        lines.append("（没有）")
    scheduled = [
        b
        for b in await Broadcasts(session).in_status(BroadcastStatus.SCHEDULED)
        if b.scheduled_at is not None and _aware(b.scheduled_at) < now + timedelta(days=days)
    ]
    if scheduled:
        lines.append("定时群发：")
        for broadcast in scheduled:
            at = next_allowed(_aware(broadcast.scheduled_at), **quiet)  # type: ignore[arg-type]
            lines.append(f"{at:%Y-%m-%d %H:%M}  群发 #{broadcast.id}")
    return lines


async def _announce(session: AsyncSession, name: str, start: date, end: date) -> list[str]:
    from campaigns import AnnouncedDates, InvalidDates, load_calendar
    from campaigns.texts import chinese_dates

    calendar = await load_calendar(session)
    event = find_event(calendar, name)
    if event is None:
        known = ", ".join(f"{e.id} ({e.name})" for e in calendar.events.values())
        raise typer.BadParameter(f"unknown event {name!r}; known: {known}")
    try:
        await AnnouncedDates(session).announce(
            calendar, event_id=event.id, start=start, end=end, by=None, now=datetime.now(SHANGHAI)
        )
    except InvalidDates:
        raise typer.BadParameter("the end is before the start, or over a year after it") from None
    updated = await load_calendar(session)
    lines = [f"已登记 {start.year} 年{event.name}：{chinese_dates(start, end)}"]
    for offset in event.reminders:
        reminder = updated.reminder(event.id, start, offset.kind)
        if reminder is not None:
            kind = KIND_NAMES.get(reminder.kind, reminder.kind)
            lines.append(f"  {kind}：{reminder.send_at:%Y-%m-%d %H:%M}")
    return lines


def _with_session(settings: Settings, work: Callable[[AsyncSession], Awaitable[T]]) -> T:
    """Run `work` in one committed transaction on the app database (migrated first)."""

    async def run() -> T:
        from greenbot.migrate import upgrade
        from ground.db import create_engine, session_factory

        logging.getLogger("alembic").setLevel(logging.WARNING)  # "already at head" is noise here

        settings.data_dir.mkdir(parents=True, exist_ok=True)
        engine = create_engine(settings.sqlalchemy_url)
        try:
            await upgrade(engine)
            async with session_factory(engine).begin() as session:
                return await work(session)
        finally:
            await engine.dispose()

    return asyncio.run(run())


def _aware(moment: datetime) -> datetime:
    """SQLite hands back naive Asia/Shanghai wall time; PostgreSQL an aware datetime."""
    return moment.replace(tzinfo=SHANGHAI) if moment.tzinfo is None else moment
