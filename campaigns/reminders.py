"""A due calendar reminder becomes a broadcast to the subscribers of the event's topics, once."""

from __future__ import annotations

import logging
from datetime import date, datetime
from typing import Any

from sqlalchemy import select
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlalchemy.ext.asyncio import AsyncSession

from campaigns.broadcasts import Broadcasts
from campaigns.calendar import Calendar, Reminder
from campaigns.models import Broadcast, BroadcastStatus
from campaigns.quiet import QUIET_END_HOUR, QUIET_START_HOUR
from campaigns.texts import reminder_text

log = logging.getLogger(__name__)


def reminder_key(event_id: str, day: date, kind: str) -> str:
    return f"reminder:{event_id}:{day.isoformat()}:{kind}"


async def enqueue_reminder(
    session: AsyncSession,
    calendar: Calendar,
    *,
    event_id: str,
    day: date,
    kind: str,
    now: datetime,
    quiet_start: int = QUIET_START_HOUR,
    quiet_end: int = QUIET_END_HOUR,
) -> int | None:
    """Queue the reminder; its broadcast id (the same one every time), or None when the
    calendar no longer has that date (staff moved it after the job was planned)."""
    reminder = calendar.reminder(event_id, day, kind)
    if reminder is None:
        log.warning("reminder %s:%s:%s is no longer in the calendar", event_id, day, kind)
        return None
    broadcast_id = await _reminder_broadcast(session, reminder, now)
    broadcasts = Broadcasts(session, quiet_start=quiet_start, quiet_end=quiet_end)
    if (await broadcasts.get(broadcast_id)).status != BroadcastStatus.CANCELLED:  # staff said no
        await broadcasts.start(broadcast_id, now=now)
    return broadcast_id


async def existing_reminder_keys(session: AsyncSession, keys: list[str]) -> set[str]:
    """Which of these reminders already have a broadcast (the scheduler skips them)."""
    if not keys:
        return set()
    rows = await session.scalars(select(Broadcast.dedupe_key).where(Broadcast.dedupe_key.in_(keys)))
    return {key for key in rows if key}


async def _reminder_broadcast(session: AsyncSession, reminder: Reminder, now: datetime) -> int:
    """Insert-or-find by dedupe key, so two instances racing on one reminder share a broadcast."""
    key = reminder_key(reminder.event.id, reminder.day, reminder.kind)
    values: dict[str, Any] = {
        "kind": "reminder",
        "text": reminder_text(reminder),
        "photo": None,
        "topics": sorted(reminder.event.topics),
        "status": BroadcastStatus.SCHEDULED,
        "scheduled_at": reminder.send_at,
        "created_by": None,
        "created_at": now,
        "recipients": 0,
        "dedupe_key": key,
    }
    insert = pg_insert if session.bind.dialect.name == "postgresql" else sqlite_insert
    await session.execute(
        insert(Broadcast).values(**values).on_conflict_do_nothing(index_elements=["dedupe_key"])
    )
    found = await session.execute(select(Broadcast.id).where(Broadcast.dedupe_key == key))
    return found.scalar_one()
