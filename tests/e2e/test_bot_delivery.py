"""When Telegram or the citizen misbehaves: a 429 or a 500 on the reply, and a flood of messages."""

from __future__ import annotations

import asyncio
import logging
import sqlite3
from datetime import datetime
from pathlib import Path
from typing import TYPE_CHECKING

from bot import texts
from ground.clock import SHANGHAI, ManualClock
from knowledge.feedback import AskedQuestion
from tests.support.bot_rig import REPLY_TIMEOUT, until

if TYPE_CHECKING:
    import pytest
    from aiogram import Dispatcher

    from tests.support.bot_rig import BotRig
    from tests.support.fake_bot_api import FakeBotAPI, FakeUser


def sends_to(fake: FakeBotAPI, user: FakeUser) -> list[int]:
    """HTTP statuses of the bot's sendMessage calls to this chat, in order."""
    return [c.status for c in fake.calls_to("sendMessage") if c.params["chat_id"] == user.id]


async def test_a_429_on_the_reply_is_retried_after_retry_after_and_arrives_once(
    bot: Dispatcher, fake: FakeBotAPI, rig: BotRig, user: FakeUser
) -> None:
    fake.fail_next("sendMessage", 429, retry_after=1, chat_id=user.id)
    await user.send_text("垃圾分类怎么做？")
    answer = await user.wait_for_message(timeout=REPLY_TIMEOUT)
    assert answer.plain is not None and "《垃圾分类指南》" in answer.plain
    await user.send_text("家里空调开多少度最省电？")  # handled after the first one is done
    await user.wait_for_message(timeout=REPLY_TIMEOUT)
    answers = [m for m in user.messages() if m.plain and "垃圾分类指南" in m.plain]
    assert len(answers) == 1
    assert sends_to(fake, user) == [429, 200, 200]
    rows = await rig.rows(AskedQuestion, user_id=user.id, until=lambda r: len(r) == 2)
    assert [r.question for r in rows] == ["垃圾分类怎么做？", "家里空调开多少度最省电？"]


async def test_a_500_on_the_reply_gets_an_apology_and_the_next_question_is_answered(
    bot: Dispatcher,
    fake: FakeBotAPI,
    rig: BotRig,
    user: FakeUser,
    caplog: pytest.LogCaptureFixture,
) -> None:
    fake.fail_next("sendMessage", 500, chat_id=user.id)
    with caplog.at_level(logging.INFO):
        await user.send_text("新建建筑要执行什么节能标准？")
        apology = await user.wait_for_message(timeout=REPLY_TIMEOUT)
    assert apology.plain == texts.ERROR
    assert "新建建筑" not in caplog.text  # the error is logged without what the citizen wrote
    assert "TelegramServerError" in caplog.text
    # The question was asked and answered, only not delivered: it stays in the log for staff.
    [kept] = await rig.rows(AskedQuestion, user_id=user.id)
    assert kept.covered and "GB 55015" in kept.answer
    await user.send_text("新建建筑要执行什么节能标准？")
    answer = await user.wait_for_message(timeout=REPLY_TIMEOUT)
    assert answer.plain is not None and "GB 55015" in answer.plain
    assert sends_to(fake, user) == [500, 200, 200]
    assert len(await rig.rows(AskedQuestion, user_id=user.id, until=lambda r: len(r) == 2)) == 2


async def test_a_flood_gets_one_slow_down_and_the_next_window_is_answered(
    rig: BotRig, user: FakeUser
) -> None:
    clock = ManualClock(datetime(2025, 6, 23, 9, 0, tzinfo=SHANGHAI))
    async with rig.running(clock=clock, throttle_per_minute=3):
        await user.send_command("/start")
        welcome = await user.wait_for_message(timeout=REPLY_TIMEOUT)
        clock.advance(seconds=61)
        for n in range(8):
            await user.send_text(f"你好{'！' * n}")
        # Updates of one citizen are handled in order: once this button press is answered,
        # all eight messages before it have been handled (or dropped).
        await user.forge_callback("sentinel", welcome)
        await until(lambda: user.callback_answers, what="the sentinel press")
        shown = [m.plain for m in user.messages()][1:]
        assert shown.count(texts.SLOW_DOWN) == 1
        greetings = [text for text in shown if text and text.startswith("您好！我是绿色铜仁助手")]
        assert len(greetings) == 3 and len(shown) == 4

        clock.advance(seconds=61)
        await user.send_text("垃圾分类怎么做？")
        answer = await user.wait_for_message(timeout=REPLY_TIMEOUT)
        assert answer.plain is not None and "出处" in answer.plain


async def test_a_question_asked_while_the_database_is_briefly_locked_is_answered_and_logged(
    bot: Dispatcher, rig: BotRig, user: FakeUser, tmp_path: Path
) -> None:
    """Another writer (a CLI export, the console) holds SQLite's write lock for a moment: the
    bot waits on the busy timeout instead of failing, and nothing is lost."""
    holder = sqlite3.connect(tmp_path / "bot.db", isolation_level=None)
    try:
        holder.execute("BEGIN IMMEDIATE")  # the write lock, until ROLLBACK
        await user.send_text("垃圾分类怎么做？")
        await asyncio.sleep(1.5)  # the bot is now waiting for the lock, not failing
        assert [m.plain for m in user.messages()] == [], "nothing, not an error, while locked"
        holder.execute("ROLLBACK")
        answer = await user.wait_for_message(timeout=REPLY_TIMEOUT)
    finally:
        holder.close()
    assert answer.plain is not None and "《垃圾分类指南》" in answer.plain
    [asked] = await rig.rows(AskedQuestion, user_id=user.id, until=len)
    assert asked.question == "垃圾分类怎么做？"
