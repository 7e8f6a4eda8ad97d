"""`greenbot campaigns list` and `add-dates` on a fresh SQLite database (migrated by the CLI)."""

from __future__ import annotations

import re
from datetime import datetime
from pathlib import Path

import pytest
from typer.testing import CliRunner

from greenbot.cli import app
from ground.clock import SHANGHAI

NEXT_YEAR = datetime.now(SHANGHAI).year + 1


@pytest.fixture
def greenbot(tmp_path: Path, monkeypatch: pytest.MonkeyPatch):  # type: ignore[no-untyped-def]
    monkeypatch.setenv("GREENBOT_DATA_DIR", str(tmp_path))
    monkeypatch.setenv("GREENBOT_DATABASE_URL", f"sqlite+aiosqlite:///{tmp_path / 'cli.db'}")
    runner = CliRunner()

    def invoke(*args: str):  # type: ignore[no-untyped-def]
        return runner.invoke(app, ["campaigns", *args])

    return invoke


def test_list_prints_the_next_reminders_with_their_shanghai_send_times(greenbot) -> None:  # type: ignore[no-untyped-def]
    result = greenbot("list", "--days", "400")
    assert result.exit_code == 0, result.output
    lines = result.stdout.splitlines()
    assert lines[0] == "未来 400 天的活动提醒（北京时间）："
    water = [line for line in lines if "世界水日（3月22日）" in line]
    assert len(water) == 2, "three days before, and the morning of"
    assert re.match(
        r"\d{4}-03-19 09:00  世界水日（3月22日）  提前提醒  节约用水、生态环保", water[0]
    )
    assert re.match(r"\d{4}-03-22 08:30  世界水日（3月22日）  当天提醒", water[1])
    times = [line[:16] for line in lines[1:] if re.match(r"\d{4}-\d\d-\d\d \d\d:\d\d", line)]
    assert times == sorted(times) and len(times) >= 12


def test_add_dates_enters_an_announced_week_that_list_then_shows(greenbot) -> None:  # type: ignore[no-untyped-def]
    added = greenbot("add-dates", "全国节能宣传周", f"{NEXT_YEAR}-06-21", f"{NEXT_YEAR}-06-27")
    assert added.exit_code == 0, added.output
    assert added.stdout.splitlines() == [
        f"已登记 {NEXT_YEAR} 年全国节能宣传周：6月21日至27日",
        f"  提前提醒：{NEXT_YEAR}-06-18 09:00",
        f"  当天提醒：{NEXT_YEAR}-06-21 08:30",
    ]
    day = greenbot("add-dates", "low-carbon-day", f"{NEXT_YEAR}-06-23")
    assert day.exit_code == 0, day.output
    listed = greenbot("list", "--days", "800").stdout
    assert f"{NEXT_YEAR}-06-18 09:00  全国节能宣传周（6月21日至27日）  提前提醒  节能降耗" in listed
    assert f"{NEXT_YEAR}-06-23 08:30  全国低碳日（6月23日）  当天提醒" in listed


def test_add_dates_refuses_an_unknown_event_or_bad_dates(greenbot) -> None:  # type: ignore[no-untyped-def]
    unknown = greenbot("add-dates", "节水周", f"{NEXT_YEAR}-06-21")
    assert unknown.exit_code == 2 and "energy-saving-week" in unknown.output
    backwards = greenbot("add-dates", "全国节能宣传周", f"{NEXT_YEAR}-06-27", f"{NEXT_YEAR}-06-21")
    assert backwards.exit_code == 2 and "before the start" in backwards.output
    garbled = greenbot("add-dates", "全国节能宣传周", "6月21日")
    assert garbled.exit_code == 2 and "YYYY-MM-DD" in garbled.output
    assert "全国节能宣传周（6月" not in greenbot("list", "--days", "800").stdout
