"""The campaign calendar: fixed and announced dates, reminder times, staff-added years."""

from __future__ import annotations

from datetime import date, datetime

import pytest

from campaigns import AnnouncedDates, Calendar, InvalidDates, UnknownEvent, load_calendar
from campaigns.texts import chinese_dates, reminder_text
from ground.clock import SHANGHAI


def starts(calendar: Calendar, year: int) -> dict[str, tuple[date, date]]:
    return {o.event.name: (o.start, o.end) for o in calendar.occurrences(year)}


def test_2024_has_every_fixed_day_and_the_announced_energy_week(calendar: Calendar) -> None:
    found = starts(calendar, 2024)
    assert found["世界水日"] == (date(2024, 3, 22), date(2024, 3, 22))
    assert found["世界地球日"][0] == date(2024, 4, 22)
    assert found["六五环境日"][0] == date(2024, 6, 5)
    assert found["贵州生态日"][0] == date(2024, 6, 18)
    assert found["全国生态日"][0] == date(2024, 8, 15)
    assert found["全国科普月"] == (date(2024, 9, 1), date(2024, 9, 30))
    assert found["全国节能宣传周"] == (date(2024, 5, 13), date(2024, 5, 19))
    assert found["全国低碳日"] == (date(2024, 5, 15), date(2024, 5, 15))


def test_2025_uses_that_years_announced_dates(calendar: Calendar) -> None:
    found = starts(calendar, 2025)
    assert found["全国节能宣传周"] == (date(2025, 6, 23), date(2025, 6, 29))
    assert found["全国低碳日"][0] == date(2025, 6, 25)
    assert date(2025, 6, 25).weekday() == 2, "the low-carbon day is the week's Wednesday"


def test_an_announced_event_has_no_date_in_a_year_nobody_announced(calendar: Calendar) -> None:
    assert "全国节能宣传周" not in starts(calendar, 2026)
    assert "全国生态日" not in starts(calendar, 2022), "established in 2023"
    assert "全国科普月" not in starts(calendar, 2023), "a month since 2024"


def test_reminders_come_three_days_before_at_nine_and_on_the_morning_at_half_past_eight(
    calendar: Calendar,
) -> None:
    june = calendar.reminders_between(
        datetime(2025, 6, 1, tzinfo=SHANGHAI), datetime(2025, 7, 1, tzinfo=SHANGHAI)
    )
    week = [(r.kind, r.send_at) for r in june if r.event.id == "energy-saving-week"]
    assert week == [
        ("before", datetime(2025, 6, 20, 9, 0, tzinfo=SHANGHAI)),
        ("day_of", datetime(2025, 6, 23, 8, 30, tzinfo=SHANGHAI)),
    ]
    science = calendar.reminders_between(
        datetime(2024, 8, 1, tzinfo=SHANGHAI), datetime(2024, 10, 1, tzinfo=SHANGHAI)
    )
    assert [(r.event.name, r.send_at) for r in science if r.event.id == "science-month"] == [
        ("全国科普月", datetime(2024, 8, 29, 9, 0, tzinfo=SHANGHAI)),
        ("全国科普月", datetime(2024, 9, 1, 8, 30, tzinfo=SHANGHAI)),
    ]


def test_upcoming_reminders_are_sorted_and_stop_at_the_horizon(calendar: Calendar) -> None:
    now = datetime(2024, 5, 10, 12, 0, tzinfo=SHANGHAI)
    upcoming = calendar.upcoming_reminders(now, horizon_days=10)
    assert [(r.event.name, r.day, r.send_at) for r in upcoming] == [
        ("全国低碳日", date(2024, 5, 15), datetime(2024, 5, 12, 9, 0, tzinfo=SHANGHAI)),
        ("全国节能宣传周", date(2024, 5, 13), datetime(2024, 5, 13, 8, 30, tzinfo=SHANGHAI)),
        ("全国低碳日", date(2024, 5, 15), datetime(2024, 5, 15, 8, 30, tzinfo=SHANGHAI)),
    ]
    assert upcoming == sorted(upcoming, key=lambda r: r.send_at)


async def test_dates_staff_announce_merge_with_the_yaml(sessions, calendar: Calendar) -> None:
    now = datetime(2026, 4, 20, 10, tzinfo=SHANGHAI)
    async with sessions.begin() as session:
        announced = AnnouncedDates(session)
        await announced.announce(
            calendar,
            event_id="energy-saving-week",
            start=date(2026, 6, 15),
            end=date(2026, 6, 21),
            by=1001,
            now=now,
        )
        await announced.announce(
            calendar, event_id="low-carbon-day", start=date(2026, 6, 17), by=1001, now=now
        )
    async with sessions() as session:
        merged = await load_calendar(session, calendar)
    found = starts(merged, 2026)
    assert found["全国节能宣传周"] == (date(2026, 6, 15), date(2026, 6, 21))
    assert found["全国低碳日"] == (date(2026, 6, 17), date(2026, 6, 17))
    assert found["世界水日"][0] == date(2026, 3, 22), "fixed days are still there"
    assert starts(merged, 2025)["全国节能宣传周"][0] == date(2025, 6, 23), "YAML years kept"
    upcoming = merged.upcoming_reminders(datetime(2026, 6, 10, tzinfo=SHANGHAI), 10)
    assert ("全国节能宣传周", datetime(2026, 6, 12, 9, 0, tzinfo=SHANGHAI)) in [
        (r.event.name, r.send_at) for r in upcoming
    ]


async def test_a_staff_correction_replaces_that_years_date(sessions, calendar: Calendar) -> None:
    now = datetime(2025, 6, 1, tzinfo=SHANGHAI)
    async with sessions.begin() as session:
        announced = AnnouncedDates(session)
        await announced.announce(
            calendar, event_id="low-carbon-day", start=date(2025, 6, 26), by=1, now=now
        )
        await announced.announce(
            calendar, event_id="low-carbon-day", start=date(2025, 6, 24), by=1, now=now
        )
        merged = await load_calendar(session, calendar)
        assert len(await announced.all()) == 1
    assert starts(merged, 2025)["全国低碳日"][0] == date(2025, 6, 24)


async def test_announcing_an_unknown_event_or_backwards_dates_is_refused(
    sessions, calendar: Calendar
) -> None:
    now = datetime(2025, 6, 1, tzinfo=SHANGHAI)
    async with sessions() as session:
        announced = AnnouncedDates(session)
        with pytest.raises(UnknownEvent):
            await announced.announce(
                calendar, event_id="nope", start=date(2025, 1, 1), by=1, now=now
            )
        with pytest.raises(InvalidDates):
            await announced.announce(
                calendar,
                event_id="energy-saving-week",
                start=date(2025, 7, 2),
                end=date(2025, 7, 1),
                by=1,
                now=now,
            )


def test_a_reminder_names_the_day_gives_a_tip_and_a_question_for_the_bot(
    calendar: Calendar,
) -> None:
    (reminder,) = [
        r
        for r in calendar.upcoming_reminders(datetime(2025, 6, 19, tzinfo=SHANGHAI), 2)
        if r.event.id == "energy-saving-week"
    ]
    text = reminder_text(reminder)
    assert text.startswith("<b>全国节能宣传周</b>")
    assert "6月23日至29日是全国节能宣传周" in text
    assert "小贴士" in text
    assert "发送「家里空调开多少度最省电？」问问绿色铜仁助手" in text


def test_date_ranges_read_naturally_in_chinese() -> None:
    assert chinese_dates(date(2025, 6, 23), date(2025, 6, 29)) == "6月23日至29日"
    assert chinese_dates(date(2025, 5, 30), date(2025, 6, 5)) == "5月30日至6月5日"
    assert chinese_dates(date(2025, 6, 5), date(2025, 6, 5)) == "6月5日"


def test_every_event_has_a_message_for_every_reminder_kind(calendar: Calendar) -> None:
    for event in calendar.events.values():
        assert {offset.kind for offset in event.reminders} <= set(event.messages), event.id
        assert event.topics and event.tip and event.ask.endswith("？")
