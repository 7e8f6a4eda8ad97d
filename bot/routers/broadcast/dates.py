"""/campaign_dates (admins): enter a year's announced dates (全国节能宣传周 is published by the
NDRC 2–4 weeks ahead, 全国低碳日 is its Wednesday), then see when the reminders will go out.

The scheduler plans the new reminders at its next tick (`GREENBOT_SCHEDULER_RENEW_SECONDS`).
"""

from __future__ import annotations

from datetime import date
from typing import TYPE_CHECKING

from aiogram import Router
from aiogram.filters import Command, CommandObject

from bot import texts
from bot.render import html
from bot.staff import Role, guard
from bot.texts import campaigns as t
from campaigns import AnnouncedDates, Calendar, Event, InvalidDates, load_calendar
from campaigns.texts import chinese_date, chinese_dates

if TYPE_CHECKING:
    from aiogram.types import Message
    from sqlalchemy.ext.asyncio import AsyncSession

    from bot.staff import StaffMember
    from ground.clock import Clock

router = guard(Router(name=__name__), Role.ADMIN)


def find_event(calendar: Calendar, name: str) -> Event | None:
    """By id (`energy-saving-week`) or Chinese name, Simplified or Traditional."""
    wanted = texts.simplified(name.strip())
    for event in calendar.events.values():
        if wanted in (event.id, event.name):
            return event
    return None


@router.message(Command("campaign_dates"))
async def announce_dates(
    message: Message,
    command: CommandObject,
    session: AsyncSession,
    clock: Clock,
    staff: StaffMember,
) -> None:
    calendar = await load_calendar(session)
    year = clock.now().year
    parts = (command.args or "").split()
    if not parts:
        await message.answer(html(_overview(calendar, year)))
        return
    event = find_event(calendar, parts[0])
    if event is None:
        names = "、".join(e.name for e in calendar.events.values())
        await message.answer(html(t.DATES_UNKNOWN_EVENT.format(event=parts[0], names=names)))
        return
    try:
        start = date.fromisoformat(parts[1])
        end = date.fromisoformat(parts[2]) if len(parts) > 2 else start
        await AnnouncedDates(session).announce(
            calendar, event_id=event.id, start=start, end=end, by=staff.user_id, now=clock.now()
        )
    except (IndexError, ValueError, InvalidDates):
        await message.answer(html(t.DATES_BAD.format(example=f"{year}-06-22")))
        return
    updated = await load_calendar(session)
    reminders = [updated.reminder(event.id, start, o.kind) for o in event.reminders]
    times = [r.send_at for r in reminders if r is not None]
    listed = "、".join(f"{chinese_date(at.date())} {at:%H:%M}" for at in times)
    if all(at <= clock.now() for at in times):
        listed += t.DATES_PAST
    saved = t.DATES_SAVED.format(
        year=start.year, name=event.name, dates=chinese_dates(start, end), reminders=listed
    )
    await message.answer(html(saved))


def _overview(calendar: Calendar, year: int) -> str:
    """This year's dates of the events announced yearly, and how to enter them."""
    rows = []
    for event in calendar.events.values():
        if event.fixed is not None:
            continue
        occurrence = event.occurrence_in(year)
        dates = (
            chinese_dates(occurrence.start, occurrence.end) if occurrence else t.DATES_UNKNOWN_YET
        )
        rows.append(t.DATES_ROW.format(name=event.name, id=event.id, dates=dates))
    return t.DATES_USAGE.format(year=year, events="\n".join(rows))
