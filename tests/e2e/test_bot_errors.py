"""Known errors at the edge (bot/errors.py) through the real bot: each gets its own polite reply
in the reader's script, where an unknown one gets the general apology."""

from __future__ import annotations

import logging
from typing import TYPE_CHECKING

import pytest

from bot import texts
from bot.routers.broadcast.compose import BroadcastCb
from bot.texts import campaigns as campaign_words
from bot.texts import errors as words
from ground import db
from knowledge.feedback import AskedQuestion
from tests.support.bot_rig import REPLY_TIMEOUT, until
from tests.support.sqlite_lock import SQLiteWriteLock, database_file

if TYPE_CHECKING:
    from tests.support.bot_rig import BotRig
    from tests.support.fake_bot_api import FakeUser

BUSY_TIMEOUT_MS = 500  # how long the bot's writes wait for the lock before failing


@pytest.fixture(autouse=True)
def short_busy_timeout(monkeypatch: pytest.MonkeyPatch) -> None:
    """A locked file fails a write after half a second, not after the real ten."""
    monkeypatch.setattr(db, "SQLITE_BUSY_TIMEOUT_MS", BUSY_TIMEOUT_MS)


async def test_a_locked_database_gets_the_busy_reply_in_the_chosen_script(
    rig: BotRig, user: FakeUser, caplog: pytest.LogCaptureFixture
) -> None:
    async with rig.running():
        await user.send_command("/lang")
        prompt = await user.wait_for_message(timeout=REPLY_TIMEOUT)
        await user.press("繁體中文")
        await until(lambda: prompt.history, what="the /lang prompt edited")
        with caplog.at_level(logging.WARNING, logger="bot.errors"):
            async with SQLiteWriteLock(database_file(rig.sessions)):
                await user.send_text("垃圾分类怎么做？")  # typed in Simplified: /lang still wins
                reply = await user.wait_for_message(timeout=REPLY_TIMEOUT)
        assert reply.plain == texts.say(words.BUSY, "hant") != words.BUSY
        assert reply.plain != texts.say(texts.ERROR, "hant")
        assert await rig.rows(AskedQuestion, user_id=user.id) == [], "nothing half-written"
        assert "database unavailable (OperationalError)" in caplog.text
        assert "垃圾分类" not in caplog.text  # logged without what the citizen wrote

        await user.send_text("垃圾分类怎么做？")  # the lock is gone: answered as usual
        answer = await user.wait_for_message(timeout=REPLY_TIMEOUT)
        assert answer.plain is not None and "出處" in answer.plain


async def test_a_preview_button_of_a_broadcast_that_is_gone_gets_the_stale_alert(
    rig: BotRig, make_user
) -> None:  # type: ignore[no-untyped-def]
    admin = make_user("管理员")
    async with rig.running(staff_admins=[admin.id]):
        await admin.send_command("/broadcasts")
        listing = await admin.wait_for_message(timeout=REPLY_TIMEOUT)
        await admin.forge_callback(BroadcastCb(action="test", id=999).pack(), listing)
        await until(lambda: admin.callback_answers, what="the button answered")
    [answer] = admin.callback_answers
    assert answer["text"] == campaign_words.STALE and answer["show_alert"]
    assert admin.new_messages() == [], "no apology besides the alert"
