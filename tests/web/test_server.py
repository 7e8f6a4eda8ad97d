"""`greenbot run`'s process (greenbot/root.py, `serve`) over real HTTP: without a token the
console and the sandbox serve alone (with the campaign scheduler); with one, the Telegram bot
(against the fake Bot API) runs beside them, the sandbox feeds the bot's own dispatcher, and a
status change made in the console reaches the reporter's Telegram chat through the bot's outbox
sender."""

from __future__ import annotations

import asyncio
import contextlib
import socket
from collections.abc import AsyncIterator, Callable
from contextlib import asynccontextmanager
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import select

from campaigns.models import SchedulerLease
from ground.clock import SystemClock
from ground.db import create_engine, session_factory
from ground.settings import Settings
from outbox import Outbox, OutboxMessage, OutboxStatus
from reports import MediaStore, ReportService
from staff import StaffAccounts
from tests.support.fake_bot_api import FakeBotAPI
from tests.web.conftest import NOW, PASSWORD, Browser, web_settings

pytestmark = pytest.mark.slow  # the answer engine


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


async def add_admin(settings: Settings) -> None:
    """The database as `greenbot run` prepares it, with one console account."""
    from greenbot.migrate import prepare_database

    database = create_engine(settings.sqlalchemy_url)
    try:
        await prepare_database(database)
        async with session_factory(database).begin() as session:
            await StaffAccounts(session).add("admin1", role="admin", password=PASSWORD, now=NOW)
    finally:
        await database.dispose()


@asynccontextmanager
async def greenbot(settings: Settings, engine: Any) -> AsyncIterator[str]:
    """`greenbot run`'s coroutine (greenbot.root.serve) in this loop, until the block ends (then
    cancelled)."""
    from greenbot.root import serve

    announced: list[str] = []
    task = asyncio.create_task(serve(settings, engine, announced.append))
    async with asyncio.timeout(60):
        while not announced:
            if task.done():
                task.result()  # start-up failed: show why
            await asyncio.sleep(0.05)
    try:
        yield f"http://{settings.web_host}:{settings.web_port}"
    finally:
        task.cancel()
        with pytest.raises(asyncio.CancelledError):
            await task


async def wait_for(check: Callable[[], Any], timeout: float = 20.0) -> Any:
    async with asyncio.timeout(timeout):
        while not (found := await check()):
            await asyncio.sleep(0.1)
    return found


def port_is_closed(port: int) -> bool:
    with socket.socket() as sock:
        return sock.connect_ex(("127.0.0.1", port)) != 0


async def test_without_a_token_the_console_and_the_sandbox_serve_alone(
    tmp_path: Path, knowledge_engine: Any
) -> None:
    settings = web_settings(tmp_path, web_port=free_port(), scheduler_enabled=True)
    await add_admin(settings)
    async with greenbot(settings, knowledge_engine) as base:
        visitor = Browser(base_url=base)
        await visitor.get("/chat")
        reply = await visitor.post("/chat/send", {"text": "/start"})
        assert reply.status_code == 303  # without the page's script: back to the chat
        assert "我是绿色铜仁助手" in (await visitor.get("/chat")).text
        admin = Browser(base_url=base)
        assert (await admin.log_in("admin1")).status_code == 303
        assert (await admin.get("/campaigns")).status_code == 200

        database = create_engine(settings.sqlalchemy_url)

        async def leased() -> bool:
            async with session_factory(database)() as session:
                return await session.get(SchedulerLease, "scheduler") is not None

        assert await wait_for(leased)  # the scheduler runs here when no bot does
        await database.dispose()
        await visitor.close()
        await admin.close()
    assert port_is_closed(settings.web_port)


async def test_with_a_token_the_bot_and_the_console_share_one_process(
    tmp_path: Path, knowledge_engine: Any
) -> None:
    async with FakeBotAPI() as fake:
        settings = web_settings(
            tmp_path,
            web_port=free_port(),
            bot_token=fake.token,
            telegram_api_url=fake.url,
        )
        await add_admin(settings)
        async with greenbot(settings, knowledge_engine) as base:
            citizen = fake.user(7100001, "小绿")
            await citizen.send_command("/start")
            welcome = await citizen.wait_for_message()
            assert "我是绿色铜仁助手" in (welcome.plain or "")

            visitor = Browser(base_url=base)
            await visitor.get("/chat")
            await visitor.post("/chat/send", {"text": "/start"})
            assert "我是绿色铜仁助手" in (await visitor.get("/chat")).text  # the bot's dispatcher

            database = create_engine(settings.sqlalchemy_url)
            sessions = session_factory(database)
            media = MediaStore(settings.media_dir, max_bytes=settings.max_photo_bytes)
            async with sessions.begin() as session:
                reports = ReportService(session, Outbox(session), SystemClock(), media)
                report = await reports.submit(
                    user_id=citizen.id,
                    chat_id=citizen.id,
                    category="noise",
                    description="夜里施工噪声很大",
                    district="碧江区",
                    address="锦江大道",
                )
            admin = Browser(base_url=base)
            await admin.log_in("admin1")
            changed = await admin.post(
                f"/reports/{report.ticket}/status", {"to": "accepted", "note": "已转告城管"}
            )
            assert changed.status_code == 303
            assert "举报人会收到通知" in (await admin.get(changed.headers["location"])).text
            notice = await citizen.wait_for_message(
                lambda message: report.ticket in (message.plain or ""), timeout=20
            )
            assert "已转告城管" in (notice.plain or "")

            async def delivered() -> bool:
                async with sessions() as session:
                    row = (await session.scalars(select(OutboxMessage))).one()
                    return row.status == OutboxStatus.SENT

            assert await wait_for(delivered)
            await database.dispose()
            await visitor.close()
            await admin.close()
        assert port_is_closed(settings.web_port)


async def test_with_a_token_the_bot_serves_even_when_the_console_port_is_taken(
    tmp_path: Path, knowledge_engine: Any
) -> None:
    from greenbot.root import serve

    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        async with FakeBotAPI() as fake:
            settings = web_settings(
                tmp_path,
                web_port=taken.getsockname()[1],
                bot_token=fake.token,
                telegram_api_url=fake.url,
            )
            await add_admin(settings)
            process = asyncio.create_task(serve(settings, knowledge_engine, None))
            try:
                citizen = fake.user(7100002, "小蓝")
                await citizen.send_command("/start")
                welcome = await citizen.wait_for_message(timeout=60)
                assert "我是绿色铜仁助手" in (welcome.plain or "")
                assert not process.done()
            finally:
                process.cancel()
                with contextlib.suppress(asyncio.CancelledError):
                    await process
