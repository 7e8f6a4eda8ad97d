"""Campaign fixtures: a clock in Asia/Shanghai and the scheduler's synchronous job-store URL."""

from __future__ import annotations

from datetime import datetime

import pytest
from sqlalchemy import text
from sqlalchemy.ext.asyncio import AsyncEngine

from campaigns.calendar import Calendar
from greenbot.clock import SHANGHAI, ManualClock
from greenbot.db import sync_url


@pytest.fixture
def clock() -> ManualClock:
    return ManualClock(datetime(2025, 6, 20, 10, 0, tzinfo=SHANGHAI))


@pytest.fixture(scope="session")
def calendar() -> Calendar:
    return Calendar.from_yaml()


@pytest.fixture
async def jobstore(engine: AsyncEngine) -> dict[str, object]:
    """Keyword arguments for SchedulerRunner: the same database, through a sync driver."""
    url = engine.url.render_as_string(hide_password=False)
    if engine.dialect.name == "sqlite":
        return {"jobstore_url": sync_url(url)}
    async with engine.connect() as conn:
        schema = await conn.scalar(text("SELECT current_schema()"))
    return {"jobstore_url": sync_url(url), "jobstore_schema": schema}
