"""Quiet hours: nothing is sent to citizens between 22:00 and 08:00 Asia/Shanghai."""

from __future__ import annotations

from datetime import datetime, time, timedelta
from zoneinfo import ZoneInfo

from ground.clock import SHANGHAI

QUIET_START_HOUR = 22
QUIET_END_HOUR = 8


def is_quiet(
    at: datetime,
    *,
    start_hour: int = QUIET_START_HOUR,
    end_hour: int = QUIET_END_HOUR,
    tz: ZoneInfo = SHANGHAI,
) -> bool:
    hour = at.astimezone(tz).hour
    if start_hour == end_hour:
        return False
    if start_hour > end_hour:  # wraps midnight: 22..24 and 0..8
        return hour >= start_hour or hour < end_hour
    return start_hour <= hour < end_hour


def next_allowed(
    at: datetime,
    *,
    start_hour: int = QUIET_START_HOUR,
    end_hour: int = QUIET_END_HOUR,
    tz: ZoneInfo = SHANGHAI,
) -> datetime:
    """`at` itself, or the end of the quiet period it falls in (a send due at 23:10 → 08:00)."""
    if not is_quiet(at, start_hour=start_hour, end_hour=end_hour, tz=tz):
        return at
    local = at.astimezone(tz)
    day = local.date()
    if local.hour >= end_hour:  # evening part of the quiet period: the morning after
        day += timedelta(days=1)
    return datetime.combine(day, time(end_hour), tzinfo=tz).astimezone(at.tzinfo)
