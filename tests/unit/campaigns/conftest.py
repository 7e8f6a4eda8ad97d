"""Campaign fixtures: a clock in Asia/Shanghai and the calendar."""

from __future__ import annotations

from datetime import datetime

import pytest

from campaigns.calendar import Calendar
from ground.clock import SHANGHAI, ManualClock


@pytest.fixture
def clock() -> ManualClock:
    return ManualClock(datetime(2025, 6, 20, 10, 0, tzinfo=SHANGHAI))


@pytest.fixture(scope="session")
def calendar() -> Calendar:
    return Calendar.from_yaml()
