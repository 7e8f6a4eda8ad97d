"""Notices are data in the outbox, rendered for Telegram when they are sent: in the script the
citizen reads then, staff's text escaped; a notice queued before notices were data still goes
out as it was queued. Delivered through the real sender and transport, to the fake Bot API."""

from __future__ import annotations

from collections.abc import AsyncIterator
from pathlib import Path

import pytest
from aiogram import Bot
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from bot.notices import citizen_scripts, message_text
from bot.notify import TELEGRAM_CHATS, BotTransport, create_delivery_bot
from citizens import Citizens
from ground.clock import ManualClock
from ground.settings import Settings
from outbox import Outbox, OutboxSender, Routes
from reports import NOTICE_KIND, MediaStore, ReportService, Status, StatusNotice
from tests.support.fake_bot_api import FakeBotAPI
from tests.unit.reports.conftest import STAFF, START, report_input

CHAT = 4_200_007
NOTE = "<b>现场</b> 已处理 & 回复"


@pytest.fixture
async def fake() -> AsyncIterator[FakeBotAPI]:
    async with FakeBotAPI() as server:
        server.user(CHAT)
        yield server


@pytest.fixture
async def bot(fake: FakeBotAPI) -> AsyncIterator[Bot]:
    settings = Settings(_env_file=None, bot_token=fake.token, telegram_api_url=fake.url)  # type: ignore[call-arg]
    delivery_bot = create_delivery_bot(settings)
    yield delivery_bot
    await delivery_bot.session.close()


def telegram_sender(sessions: async_sessionmaker[AsyncSession], bot: Bot) -> OutboxSender:
    """As `greenbot.delivery.build_sender` wires it."""
    transport = BotTransport(bot, script_of=citizen_scripts(sessions))
    return OutboxSender(sessions, Routes([(TELEGRAM_CHATS, transport)]), ManualClock(START))


def sent_to(fake: FakeBotAPI, chat_id: int) -> list[str]:
    return [
        c.params["text"] for c in fake.calls_to("sendMessage") if c.params["chat_id"] == chat_id
    ]


async def accept_report_of(
    sessions: async_sessionmaker[AsyncSession], tmp_path: Path, *, script: str
) -> str:
    """A citizen who reads `script` files a report; staff accept it (the notice is queued)."""
    async with sessions.begin() as session:
        await Citizens(session).seen(user_id=CHAT, chat_id=CHAT, now=START)
        await Citizens(session).set_script(CHAT, script, chosen=True)
        media = MediaStore(tmp_path / "media", max_bytes=1024)
        service = ReportService(session, Outbox(session), ManualClock(START), media)
        report = await service.submit(**report_input(user_id=CHAT, chat_id=CHAT, script=script))
        await service.change_status(report.ticket, Status.ACCEPTED, by=STAFF, note=NOTE)
        return report.ticket


async def test_a_notice_queued_in_simplified_arrives_in_traditional_after_the_switch(
    sessions: async_sessionmaker[AsyncSession], bot: Bot, fake: FakeBotAPI, tmp_path: Path
) -> None:
    ticket = await accept_report_of(sessions, tmp_path, script="hans")
    async with sessions() as session:
        [queued] = await Outbox(session).for_chat(CHAT)
    assert queued.kind == NOTICE_KIND and queued.payload is not None  # data, not HTML
    assert "状态：已受理" in message_text(queued)  # as it would have gone out when queued

    async with sessions.begin() as session:  # /lang: the citizen now reads Traditional
        await Citizens(session).set_script(CHAT, "hant", chosen=True)
    assert await telegram_sender(sessions, bot).drain_once() == 1

    [text] = sent_to(fake, CHAT)
    assert f"您的舉報 <b>{ticket}</b> 有新進展。" in text
    assert "狀態：已受理" in text and "状态" not in text
    assert "&lt;b&gt;現場&lt;/b&gt; 已處理 &amp; 回覆" in text  # staff's text escaped
    shown = fake.user(CHAT).messages()[-1].plain or ""
    assert "說明：<b>現場</b> 已處理 & 回覆" in shown  # shown as staff typed it


async def test_a_notice_for_a_chat_no_citizen_has_keeps_the_script_it_was_queued_in(
    sessions: async_sessionmaker[AsyncSession], bot: Bot, fake: FakeBotAPI
) -> None:
    notice = StatusNotice(ticket="TR-2026-0042", status="resolved", note="已办结", script="hant")
    async with sessions.begin() as session:
        await Outbox(session).add(
            chat_id=CHAT,
            text="",
            payload=notice.payload(),
            kind=NOTICE_KIND,
            dedupe_key="n",
            now=START,
        )
    assert await telegram_sender(sessions, bot).drain_once() == 1
    [text] = sent_to(fake, CHAT)
    assert "您的舉報 <b>TR-2026-0042</b> 有新進展。" in text and "已辦結" in text


async def test_a_notice_queued_as_html_before_notices_were_data_is_delivered_as_it_is(
    sessions: async_sessionmaker[AsyncSession], bot: Bot, fake: FakeBotAPI
) -> None:
    old = "您的举报 <b>TR-2025-0001</b> 有新进展。\n状态：已受理\n说明：已派人核查 &lt;现场&gt;"
    async with sessions.begin() as session:
        await Citizens(session).seen(user_id=CHAT, chat_id=CHAT, now=START)
        await Citizens(session).set_script(CHAT, "hant", chosen=True)
        await Outbox(session).add(
            chat_id=CHAT, text=old, kind=NOTICE_KIND, dedupe_key="old", now=START
        )
    assert await telegram_sender(sessions, bot).drain_once() == 1
    assert sent_to(fake, CHAT) == [old]
