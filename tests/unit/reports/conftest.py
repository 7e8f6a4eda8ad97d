"""Fixtures for the reports domain: a service on a real database, a hand-moved clock."""

from __future__ import annotations

from collections import deque
from collections.abc import AsyncIterator
from datetime import datetime
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from ground.clock import SHANGHAI, ManualClock
from outbox import Outbox
from reports import Limits, MediaStore, ReportService, Staff, Status
from reports.statuses import TRANSITIONS

START = datetime(2026, 11, 3, 10, 0, tzinfo=SHANGHAI)
STAFF = Staff(id=900, name="王科员")
MAX_PHOTO_BYTES = 1024


def report_input(**overrides: Any) -> dict[str, Any]:
    """A valid submission near 铜仁 city centre; override what a test is about."""
    values: dict[str, Any] = {
        "user_id": 1001,
        "chat_id": 2001,
        "category": "air",
        "description": "锦江路工地扬尘严重，运输车辆带泥上路",
        "district": "碧江区",
        "lat": 27.7183,
        "lon": 109.1894,
    }
    values.update(overrides)
    return values


def path_to(target: Status) -> list[Status]:
    """The shortest chain of allowed moves from `submitted` to `target`."""
    queue: deque[list[Status]] = deque([[Status.SUBMITTED]])
    while queue:
        chain = queue.popleft()
        if chain[-1] == target:
            return chain[1:]
        queue.extend([*chain, nxt] for nxt in sorted(TRANSITIONS[chain[-1]]) if nxt not in chain)
    raise AssertionError(f"{target} unreachable")


async def move(service: ReportService, ticket: str, target: Status, **extra: Any) -> None:
    """Drive a report to `target` through allowed moves, supplying what each move needs."""
    for status in path_to(target):
        kwargs: dict[str, Any] = {}
        if status == Status.TRANSFERRED:
            kwargs["department"] = "市水务局"
        if status == Status.DUPLICATE:
            kwargs["duplicate_of"] = extra["duplicate_of"]
        await service.change_status(ticket, status, by=STAFF, note=f"to {status}", **kwargs)


@pytest.fixture
def clock() -> ManualClock:
    return ManualClock(START)


@pytest.fixture
def media_dir(tmp_path: Path) -> Path:
    return tmp_path / "media"


@pytest.fixture
def media(media_dir: Path) -> MediaStore:
    return MediaStore(media_dir, max_bytes=MAX_PHOTO_BYTES)


@pytest.fixture
async def session(sessions: async_sessionmaker[AsyncSession]) -> AsyncIterator[AsyncSession]:
    async with sessions() as session:
        yield session


@pytest.fixture
def service(session: AsyncSession, clock: ManualClock, media: MediaStore) -> ReportService:
    return ReportService(session, Outbox(session), clock, media, limits=Limits())
