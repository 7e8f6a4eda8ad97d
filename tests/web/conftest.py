"""The console over HTTP: `create_app` on a fresh SQLite file, driven by httpx in-process.

Fixtures are named `web_*` so they never shadow the root conftest's parametrized `sessions`
(the Open311 and health tests in this folder use that one). Only identity is arranged here
(accounts made through the staff domain); every request goes through the real app.
"""

from __future__ import annotations

import re
from collections.abc import AsyncIterator, Callable
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import Any

import httpx
import pytest
from fastapi import FastAPI
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from ground.clock import SHANGHAI, ManualClock
from ground.settings import Settings
from outbox import Outbox
from reports import MediaStore, Report, ReportService
from staff import StaffAccounts

NOW = datetime(2026, 11, 3, 10, 0, tzinfo=SHANGHAI)
PASSWORD = "correct-horse-battery"
CSRF = re.compile(r'name="csrf_token" value="([^"]+)"')


@dataclass(frozen=True)
class Web:
    """What a test needs: the app, its database and clock, and a way to open browsers on it."""

    app: FastAPI
    settings: Settings
    sessions: async_sessionmaker[AsyncSession]
    clock: ManualClock

    def reports(self, session: AsyncSession) -> ReportService:
        media = MediaStore(self.settings.media_dir, max_bytes=self.settings.max_photo_bytes)
        return ReportService(session, Outbox(session), self.clock, media)

    async def file_report(self, **fields: Any) -> Report:
        """A report filed the way the bot files one (the reporter is a citizen)."""
        values: dict[str, Any] = {
            "user_id": 5550001,
            "chat_id": 5550001,
            "category": "air",
            "description": "工地扬尘很大，没有覆盖防尘网",
            "district": "碧江区",
            "address": "锦江大道 88 号",
        }
        values.update(fields)
        async with self.sessions.begin() as session:
            return await self.reports(session).submit(**values)


def web_settings(tmp_path: Path, **overrides: Any) -> Settings:
    values: dict[str, Any] = {
        "data_dir": tmp_path,
        "session_secret": "test-session-secret-0123456789",
        "fsm_storage": "memory",
        "scheduler_enabled": False,
    }
    values.update(overrides)
    return Settings(_env_file=None, **values)  # type: ignore[call-arg]


async def make_database(path: Path) -> async_sessionmaker[AsyncSession]:
    from greenbot.models import import_all_models
    from ground.db import Base, create_engine, session_factory

    import_all_models()
    engine = create_engine(f"sqlite+aiosqlite:///{path}")
    async with engine.begin() as connection:
        await connection.run_sync(Base.metadata.create_all)
    return session_factory(engine)


@pytest.fixture
async def web_sessions(tmp_path: Path) -> AsyncIterator[async_sessionmaker[AsyncSession]]:
    sessions = await make_database(tmp_path / "web.db")
    async with sessions.begin() as session:
        accounts = StaffAccounts(session)
        await accounts.add("reviewer1", role="reviewer", password=PASSWORD, now=NOW)
        await accounts.add("admin1", role="admin", password=PASSWORD, now=NOW)
    yield sessions
    await sessions.kw["bind"].dispose()


@pytest.fixture
def web_clock() -> ManualClock:
    return ManualClock(NOW)


@pytest.fixture
async def web(
    tmp_path: Path, web_sessions: async_sessionmaker[AsyncSession], web_clock: ManualClock
) -> AsyncIterator[Web]:
    """The console without the chat sandbox (no answer engine loaded)."""
    from web.app import create_app

    settings = web_settings(tmp_path)
    app = create_app(settings, sessions=web_sessions, clock=web_clock)
    yield Web(app, settings, web_sessions, web_clock)


def csrf_of(html: str) -> str:
    found = CSRF.search(html)
    assert found, "the page has no CSRF field"
    return found.group(1)


class Browser:
    """One person's cookie jar on the app, with the page's CSRF token kept up to date."""

    def __init__(self, app: FastAPI | None = None, base_url: str = "http://console.test") -> None:
        """In-process on `app`, or over real HTTP to `base_url` when no app is given."""
        transport = httpx.ASGITransport(app=app) if app is not None else None
        self.http = httpx.AsyncClient(transport=transport, base_url=base_url, timeout=60)
        self.csrf = ""

    async def get(self, path: str, **kwargs: Any) -> httpx.Response:
        response = await self.http.get(path, **kwargs)
        found = (
            CSRF.search(response.text)
            if "text/html" in response.headers.get("content-type", "")
            else None
        )
        if found:
            self.csrf = found.group(1)
        return response

    async def post(
        self, path: str, data: dict[str, Any] | None = None, *, csrf: bool = True, **kwargs: Any
    ) -> httpx.Response:
        if not self.csrf:
            await self.get("/login")
        form = dict(data or {})
        if csrf:
            form.setdefault("csrf_token", self.csrf)
        response = await self.http.post(path, data=form, **kwargs)
        found = CSRF.search(response.text)
        if found:
            self.csrf = found.group(1)
        return response

    async def log_in(self, name: str, password: str = PASSWORD) -> httpx.Response:
        await self.get("/login")
        response = await self.post("/login", {"name": name, "password": password})
        if response.status_code == 303:
            await self.get("/")  # a new session: pick up its CSRF token
        return response

    async def close(self) -> None:
        await self.http.aclose()


@pytest.fixture
async def browser(web: Web) -> AsyncIterator[Callable[[], Browser]]:
    opened: list[Browser] = []

    def open_browser() -> Browser:
        opened.append(Browser(web.app))
        return opened[-1]

    yield open_browser
    for each in opened:
        await each.close()
