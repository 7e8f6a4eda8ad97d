"""Dates staff announce at run time (bot command, CLI), stored so every instance sees them."""

from __future__ import annotations

from datetime import date, datetime
from pathlib import Path

from sqlalchemy import delete, select
from sqlalchemy.ext.asyncio import AsyncSession

from campaigns.calendar import CALENDAR_FILE, Calendar, check_dates
from campaigns.models import AnnouncedOccurrence


class AnnouncedDates:
    def __init__(self, session: AsyncSession) -> None:
        self.session = session

    async def announce(
        self,
        calendar: Calendar,
        *,
        event_id: str,
        start: date,
        end: date | None = None,
        by: int | None,
        now: datetime,
    ) -> AnnouncedOccurrence:
        """Set (or correct) an event's dates for `start.year`; UnknownEvent or InvalidDates."""
        calendar.event(event_id)
        end = end or start
        check_dates(start, end)
        row = await self.session.scalar(
            select(AnnouncedOccurrence).where(
                AnnouncedOccurrence.event_id == event_id, AnnouncedOccurrence.year == start.year
            )
        )
        if row is None:
            row = AnnouncedOccurrence(event_id=event_id, year=start.year, created_at=now)
            self.session.add(row)
        row.start, row.end, row.created_by, row.created_at = start, end, by, now
        await self.session.flush()
        return row

    async def withdraw(self, *, event_id: str, year: int) -> bool:
        result = await self.session.execute(
            delete(AnnouncedOccurrence).where(
                AnnouncedOccurrence.event_id == event_id, AnnouncedOccurrence.year == year
            )
        )
        return bool(result.rowcount)

    async def all(self) -> list[AnnouncedOccurrence]:
        rows = await self.session.scalars(
            select(AnnouncedOccurrence).order_by(AnnouncedOccurrence.start)
        )
        return list(rows)


async def load_calendar(session: AsyncSession, base: Calendar | Path = CALENDAR_FILE) -> Calendar:
    """calendar.yaml (or a calendar already loaded) merged with the dates staff announced."""
    calendar = base if isinstance(base, Calendar) else Calendar.from_yaml(base)
    rows = await AnnouncedDates(session).all()
    return calendar.with_announced((row.event_id, row.start, row.end) for row in rows)
