"""Quiet hours: nothing goes out between 22:00 and 08:00 Asia/Shanghai."""

from __future__ import annotations

from datetime import UTC, datetime

from campaigns import next_allowed
from ground.clock import SHANGHAI


def at(day: int, hour: int, minute: int = 0) -> datetime:
    return datetime(2025, 6, day, hour, minute, tzinfo=SHANGHAI)


def test_a_send_due_late_in_the_evening_waits_for_eight_the_next_morning() -> None:
    assert next_allowed(at(20, 23, 10)) == at(21, 8)
    assert next_allowed(at(20, 22, 0)) == at(21, 8)


def test_a_send_due_before_dawn_waits_for_eight_that_morning() -> None:
    assert next_allowed(at(21, 3, 30)) == at(21, 8)
    assert next_allowed(at(21, 7, 59)) == at(21, 8)


def test_daytime_sends_are_not_moved() -> None:
    for moment in (at(21, 8), at(21, 12, 30), at(21, 21, 59)):
        assert next_allowed(moment) == moment


def test_quiet_hours_follow_shanghai_time_whatever_zone_the_input_is_in() -> None:
    utc_evening = datetime(2025, 6, 20, 15, 0, tzinfo=UTC)  # 23:00 in Tongren
    assert next_allowed(utc_evening) == at(21, 8)


def test_quiet_hours_are_parameters() -> None:
    assert next_allowed(at(20, 21, 30), start_hour=21, end_hour=7) == at(21, 7)
    assert next_allowed(at(20, 13, 0), start_hour=12, end_hour=14) == at(20, 14)
    assert next_allowed(at(20, 23, 0), start_hour=0, end_hour=0) == at(20, 23)
