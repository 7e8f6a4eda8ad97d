"""The campaign calendar: events from calendar.yaml plus dates staff announce at run time.

Pure: `Calendar` holds no session; `campaigns.announced.load_calendar` merges the database rows.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field, replace
from datetime import date, datetime, time, timedelta
from pathlib import Path
from typing import Any

import yaml

from campaigns.errors import InvalidDates, UnknownEvent
from campaigns.topics import checked_topics
from ground.clock import SHANGHAI

CALENDAR_FILE = Path(__file__).with_name("calendar.yaml")


@dataclass(frozen=True)
class ReminderOffset:
    kind: str  # before | day_of: part of job ids and dedupe keys, so never rename one in use
    days_before: int
    at: time  # Asia/Shanghai wall time


@dataclass(frozen=True)
class Event:
    id: str
    name: str
    theme: str
    topics: frozenset[str]
    tip: str
    ask: str  # a question the Q&A answers: the reminder invites the citizen to send it
    messages: Mapping[str, str]
    reminders: tuple[ReminderOffset, ...]
    fixed: tuple[int, int, int] | None = None  # month, day, length in days
    since: int | None = None
    announced: Mapping[int, tuple[date, date]] = field(default_factory=dict)

    def occurrence_in(self, year: int) -> Occurrence | None:
        if year in self.announced:
            start, end = self.announced[year]
            return Occurrence(self, start, end)
        if self.fixed is None or (self.since is not None and year < self.since):
            return None
        month, day, days = self.fixed
        start = date(year, month, day)
        return Occurrence(self, start, start + timedelta(days=days - 1))


@dataclass(frozen=True)
class Occurrence:
    event: Event
    start: date  # reminders count back from here
    end: date


@dataclass(frozen=True)
class Reminder:
    send_at: datetime
    event: Event
    day: date  # the occurrence's start
    kind: str
    end: date

    @property
    def key(self) -> str:
        """`event:date:kind`: names the reminder's job, broadcast and outbox rows."""
        return f"{self.event.id}:{self.day.isoformat()}:{self.kind}"


class Calendar:
    def __init__(self, events: Iterable[Event]) -> None:
        self.events: dict[str, Event] = {event.id: event for event in events}

    @classmethod
    def from_yaml(cls, path: Path = CALENDAR_FILE) -> Calendar:
        data = yaml.safe_load(path.read_text(encoding="utf-8"))
        defaults = [_offset(item) for item in data["defaults"]["reminders"]]
        return cls(_event(item, defaults) for item in data["events"])

    def event(self, event_id: str) -> Event:
        try:
            return self.events[event_id]
        except KeyError:
            raise UnknownEvent(event_id) from None

    def with_announced(self, dates: Iterable[tuple[str, date, date]]) -> Calendar:
        """A calendar where (event id, start, end) rows replace that event's date for that year."""
        events = dict(self.events)
        for event_id, start, end in dates:
            event = events.get(event_id)
            if event is None:
                raise UnknownEvent(event_id)
            check_dates(start, end)
            announced = {**event.announced, start.year: (start, end)}
            events[event_id] = replace(event, announced=announced)
        return Calendar(events.values())

    def occurrences(self, year: int) -> list[Occurrence]:
        found = (event.occurrence_in(year) for event in self.events.values())
        return sorted((o for o in found if o is not None), key=lambda o: (o.start, o.event.id))

    def reminders_between(self, start: datetime, end: datetime) -> list[Reminder]:
        """Reminders with start <= send_at < end, in send order."""
        found: list[Reminder] = []
        for year in range(start.astimezone(SHANGHAI).year, end.astimezone(SHANGHAI).year + 2):
            for occurrence in self.occurrences(year):
                for offset in occurrence.event.reminders:
                    reminder = _reminder(occurrence, offset)
                    if start <= reminder.send_at < end:
                        found.append(reminder)
        return sorted(found, key=lambda r: (r.send_at, r.event.id, r.kind))

    def upcoming_reminders(self, now: datetime, horizon_days: int = 30) -> list[Reminder]:
        """What `greenbot campaigns list` prints: reminders due from now for `horizon_days`."""
        return self.reminders_between(now, now + timedelta(days=horizon_days))

    def reminder(self, event_id: str, day: date, kind: str) -> Reminder | None:
        """That reminder if the calendar still has it (staff may have moved the date since)."""
        occurrence = self.event(event_id).occurrence_in(day.year)
        if occurrence is None or occurrence.start != day:
            return None
        for offset in occurrence.event.reminders:
            if offset.kind == kind:
                return _reminder(occurrence, offset)
        return None


def check_dates(start: date, end: date) -> None:
    if end < start or (end - start).days > 366:
        raise InvalidDates(f"{start}..{end}")


def _reminder(occurrence: Occurrence, offset: ReminderOffset) -> Reminder:
    day = occurrence.start - timedelta(days=offset.days_before)
    send_at = datetime.combine(day, offset.at, tzinfo=SHANGHAI)
    return Reminder(send_at, occurrence.event, occurrence.start, offset.kind, occurrence.end)


def _offset(item: Mapping[str, Any]) -> ReminderOffset:
    return ReminderOffset(item["kind"], int(item["days_before"]), time.fromisoformat(item["at"]))


def _date(value: object) -> date:
    return value if isinstance(value, date) else date.fromisoformat(str(value))


def _event(item: Mapping[str, Any], defaults: list[ReminderOffset]) -> Event:
    fixed = item.get("fixed")
    announced: dict[int, tuple[date, date]] = {}
    for year, days in (item.get("announced") or {}).items():
        start, end = _date(days[0]), _date(days[-1])
        check_dates(start, end)
        announced[int(year)] = (start, end)
    offsets = [_offset(o) for o in item["reminders"]] if "reminders" in item else defaults
    return Event(
        id=item["id"],
        name=item["name"],
        theme=item["theme"],
        topics=checked_topics(item["topics"]),
        tip=item["tip"],
        ask=item["ask"],
        messages=dict(item["messages"]),
        reminders=tuple(offsets),
        fixed=(fixed["month"], fixed["day"], fixed.get("days", 1)) if fixed else None,
        since=item.get("since"),
        announced=announced,
    )
