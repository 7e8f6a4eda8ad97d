"""The sandbox is a transport of its own: what the outbox owes a visitor is shown in their chat
by the sandbox (never sent to Telegram), what it owes a Telegram user goes to Telegram (never to
the sandbox), and a notice shows in the script the visitor reads when it is shown."""

from __future__ import annotations

from collections.abc import AsyncIterator
from pathlib import Path

import pytest
from aiogram import Dispatcher
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from citizens import Citizens
from greenbot.delivery import delivering
from ground.clock import ManualClock
from outbox import Outbox, OutboxMessage, OutboxStatus
from reports import NOTICE_KIND, StatusNotice
from tests.support.bot_rig import until
from tests.support.fake_bot_api import FakeBotAPI
from tests.web.conftest import web_settings
from web.sandbox import Limits, Sandbox, Visitor, new_visitor_id

TELEGRAM_USER = 4_200_009


@pytest.fixture
async def fake() -> AsyncIterator[FakeBotAPI]:
    async with FakeBotAPI() as server:
        server.user(TELEGRAM_USER)
        yield server


@pytest.fixture
async def sandbox(
    tmp_path: Path, web_sessions: async_sessionmaker[AsyncSession], web_clock: ManualClock
) -> AsyncIterator[Sandbox]:
    settings = web_settings(tmp_path)
    limits = Limits.from_settings(settings, web_sessions, web_clock)
    box = Sandbox(
        Dispatcher(), sessions=web_sessions, clock=web_clock, owns_dispatcher=False, limits=limits
    )
    yield box
    await box.close()


async def statuses(sessions: async_sessionmaker[AsyncSession]) -> dict[int, str]:
    async with sessions() as session:
        return {row.chat_id: row.status for row in await session.scalars(select(OutboxMessage))}


async def test_a_visitors_message_is_shown_by_the_sandbox_and_never_reaches_telegram(
    tmp_path: Path,
    web_sessions: async_sessionmaker[AsyncSession],
    web_clock: ManualClock,
    fake: FakeBotAPI,
    sandbox: Sandbox,
) -> None:
    visitor = Visitor(new_visitor_id(), source="test")
    async with web_sessions.begin() as session:  # the visitor's first: a sender would take it
        outbox = Outbox(session)
        for n, chat_id in enumerate((visitor.id, TELEGRAM_USER)):
            await outbox.add(
                chat_id=chat_id,
                text="节能周 <b>开始</b> 啦",
                kind="broadcast",
                dedupe_key=f"b:{n}",
                now=web_clock.now(),
            )
    settings = web_settings(tmp_path, bot_token=fake.token, telegram_api_url=fake.url)
    async with delivering(settings, sessions=web_sessions, clock=web_clock) as delivery:
        delivery.nudge()
        await until(lambda: fake.calls_to("sendMessage"), what="the Telegram user's message")
        await delivery.sender.drain_once()  # one more pass: the visitor's row is never taken
    assert await statuses(web_sessions) == {
        visitor.id: OutboxStatus.PENDING,
        TELEGRAM_USER: OutboxStatus.SENT,
    }

    assert await sandbox.deliver_outbox(visitor) == 1
    chat = await sandbox.view(visitor)
    assert "节能周 <b>开始</b> 啦" in str(chat.entries[-1].html)
    assert (await statuses(web_sessions))[visitor.id] == OutboxStatus.SENT
    assert await sandbox.deliver_outbox(visitor) == 0  # shown once
    assert {call.params.get("chat_id") for call in fake.calls if call.params} <= {TELEGRAM_USER}
    assert len(fake.calls_to("sendMessage")) == 1


async def test_the_sandbox_never_shows_a_telegram_users_message(
    web_sessions: async_sessionmaker[AsyncSession], web_clock: ManualClock, sandbox: Sandbox
) -> None:
    async with web_sessions.begin() as session:
        await Outbox(session).add(
            chat_id=TELEGRAM_USER,
            text="给 Telegram",
            kind="broadcast",
            dedupe_key="t",
            now=web_clock.now(),
        )
    pretender = Visitor(TELEGRAM_USER, source="test")  # not a visitor's id
    assert await sandbox.outbox.due(TELEGRAM_USER) == []
    assert await sandbox.deliver_outbox(pretender) == 0
    assert await statuses(web_sessions) == {TELEGRAM_USER: OutboxStatus.PENDING}


async def test_a_notice_queued_in_simplified_shows_in_traditional_after_the_switch(
    web_sessions: async_sessionmaker[AsyncSession], web_clock: ManualClock, sandbox: Sandbox
) -> None:
    visitor = Visitor(new_visitor_id(), source="test")
    notice = StatusNotice(ticket="TR-2026-0007", status="accepted", note="已派人 <现场> & 回复")
    async with web_sessions.begin() as session:
        citizens = Citizens(session)
        await citizens.seen(user_id=visitor.id, chat_id=visitor.id, now=web_clock.now())
        await Outbox(session).add(
            chat_id=visitor.id,
            text="",
            payload=notice.payload(),
            kind=NOTICE_KIND,
            dedupe_key="n",
            now=web_clock.now(),
        )
        await citizens.set_script(visitor.id, "hant", chosen=True)  # /lang, before it is shown

    assert await sandbox.deliver_outbox(visitor) == 1
    shown = str((await sandbox.view(visitor)).entries[-1].html)
    assert "您的舉報 <b>TR-2026-0007</b> 有新進展" in shown
    assert "狀態：已受理" in shown and "状态" not in shown
    assert "已派人 &lt;現場&gt; &amp; 回覆" in shown  # staff's text escaped


async def test_a_resolution_shown_in_the_sandbox_asks_was_it_fixed_with_two_buttons(
    web_sessions: async_sessionmaker[AsyncSession], web_clock: ManualClock, sandbox: Sandbox
) -> None:
    visitor = Visitor(new_visitor_id(), source="test")
    notice = StatusNotice(ticket="TR-2026-0008", status="resolved", note="已清理")
    async with web_sessions.begin() as session:
        await Citizens(session).seen(user_id=visitor.id, chat_id=visitor.id, now=web_clock.now())
        await Outbox(session).add(
            chat_id=visitor.id,
            text="",
            payload=notice.payload(),
            kind=NOTICE_KIND,
            dedupe_key="r",
            now=web_clock.now(),
        )

    assert await sandbox.deliver_outbox(visitor) == 1
    entry = (await sandbox.view(visitor)).entries[-1]
    assert "问题解决了吗" in str(entry.html)
    (row,) = entry.buttons
    assert [button.text for button in row] == ["✅ 已解决", "❌ 没解决"]
    assert [b.callback_data for b in row] == ["fixed:TR-2026-0008:y", "fixed:TR-2026-0008:n"]
