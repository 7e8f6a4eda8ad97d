"""The one formatter of Shanghai time, for people (web) and for staff typing it back (bot)."""

from __future__ import annotations

from datetime import UTC, date, datetime

from ground.clock import local_time


def test_a_moment_is_shown_in_shanghai_in_chinese_or_in_digits() -> None:
    moment = datetime(2026, 6, 18, 1, 0, tzinfo=UTC)
    assert local_time(moment) == "2026年6月18日 09:00"
    assert local_time(moment, digits=True) == "2026-06-18 09:00"


def test_a_naive_moment_is_shanghai_wall_time_and_a_date_has_no_time() -> None:
    assert local_time(datetime(2026, 12, 1, 9, 0), digits=True) == "2026-12-01 09:00"  # noqa: DTZ001 naive on purpose
    assert local_time(date(2026, 12, 1)) == "2026年12月1日"
    assert local_time(date(2026, 12, 1), digits=True) == "2026-12-01"
