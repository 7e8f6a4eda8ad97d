"""Time in one place (tests drive the calendar instead of sleeping); dates as people write them."""

from __future__ import annotations

import re
from datetime import date, datetime, timedelta
from typing import Protocol
from zoneinfo import ZoneInfo

SHANGHAI = ZoneInfo("Asia/Shanghai")


class Clock(Protocol):
    def now(self) -> datetime: ...


class SystemClock:
    """Wall-clock time, aware, in the city's zone (Asia/Shanghai)."""

    def __init__(self, tz: ZoneInfo = SHANGHAI) -> None:
        self.tz = tz

    def now(self) -> datetime:
        return datetime.now(self.tz)


class ManualClock:
    """A clock a test moves by hand."""

    def __init__(self, start: datetime) -> None:
        if start.tzinfo is None:
            start = start.replace(tzinfo=SHANGHAI)
        self._now = start

    def now(self) -> datetime:
        return self._now

    def advance(self, **delta: float) -> datetime:
        self._now += timedelta(**delta)
        return self._now

    def set(self, moment: datetime) -> None:
        self._now = moment if moment.tzinfo else moment.replace(tzinfo=SHANGHAI)


_DIGITS = str.maketrans("０１２３４５６７８９：－／　", "0123456789:-/ ")
_MOMENT = re.compile(
    r"^\s*(\d{4})\s*[-/.年]\s*(\d{1,2})\s*[-/.月]\s*(\d{1,2})\s*日?"
    r"(?:\s*(?:T|\s)?\s*(\d{1,2})\s*[:点時时]\s*(\d{1,2})?\s*分?)?\s*$"
)


def parse_local(text: str, *, need_time: bool = False) -> datetime | None:
    """A date (and time) as people type it, read as Asia/Shanghai: 2026年6月18日 9:00,
    2026-06-18 09:00, 2026/6/18, full-width digits too; None when it is not one."""
    found = _MOMENT.match(text.translate(_DIGITS))
    if found is None or (need_time and found[4] is None):
        return None
    year, month, day, hour, minute = (int(part) if part else 0 for part in found.groups())
    try:
        return datetime(year, month, day, hour, minute, tzinfo=SHANGHAI)
    except ValueError:
        return None


def chinese_date(moment: datetime | date) -> str:
    """2026年6月18日, the way dates are written whatever the browser's locale."""
    if isinstance(moment, datetime):
        moment = (moment if moment.tzinfo else moment.replace(tzinfo=SHANGHAI)).astimezone(SHANGHAI)
    return f"{moment.year}年{moment.month}月{moment.day}日"


def local_time(moment: datetime | date, *, digits: bool = False) -> str:
    """A moment as the city reads it, in Asia/Shanghai (a naive one, as SQLite hands them back,
    is Shanghai wall time): 2026年6月18日 09:00; with `digits`, 2026-06-18 09:00, the form staff
    type back to the bot. A date is shown without a time. The one formatter of the bot and web."""
    if not isinstance(moment, datetime):
        return moment.isoformat() if digits else chinese_date(moment)
    local = (moment if moment.tzinfo else moment.replace(tzinfo=SHANGHAI)).astimezone(SHANGHAI)
    return f"{local:%Y-%m-%d %H:%M}" if digits else f"{chinese_date(local)} {local:%H:%M}"
