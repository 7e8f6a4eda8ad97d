"""Stickers, voice, video and files outside a flow: one polite line, in the citizen's script."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from typing import TYPE_CHECKING, Any

import pytest

from bot import texts
from knowledge.feedback import AskedQuestion
from tests.support.bot_rig import REPLY_TIMEOUT

if TYPE_CHECKING:
    from aiogram import Dispatcher

    from tests.support.bot_rig import BotRig
    from tests.support.fake_bot_api import FakeUser

Send = Callable[["FakeUser"], Awaitable[Any]]

MEDIA: list[tuple[str, Send, str]] = [
    ("sticker", lambda u: u.send_sticker("🌱"), texts.MEDIA_STICKER),
    ("voice", lambda u: u.send_voice(), texts.MEDIA_VOICE),
    ("video", lambda u: u.send_video(), texts.MEDIA_OTHER),
    ("document", lambda u: u.send_document("方案.pdf", b"%PDF-1.4 fake"), texts.MEDIA_OTHER),
    ("location", lambda u: u.send_location(27.72, 109.19), texts.MEDIA_OTHER),
]


@pytest.mark.parametrize(("kind", "send", "expected"), MEDIA, ids=[m[0] for m in MEDIA])
async def test_media_gets_one_polite_line_and_no_question_is_logged(
    bot: Dispatcher, rig: BotRig, user: FakeUser, kind: str, send: Send, expected: str
) -> None:
    await send(user)
    reply = await user.wait_for_message(timeout=REPLY_TIMEOUT)
    assert reply.plain == expected and "\n" not in expected
    await user.send_text("谢谢")  # handled after the media: nothing else came before it
    await user.wait_for_message(timeout=REPLY_TIMEOUT)
    assert [m.plain for m in user.messages()][:1] == [expected] and len(user.messages()) == 2
    assert await rig.rows(AskedQuestion, user_id=user.id) == []


async def test_a_traditional_client_gets_the_line_in_traditional(
    bot: Dispatcher, make_user: Callable[..., FakeUser]
) -> None:
    user = make_user("陳先生", language_code="zh-tw")
    await user.send_sticker()
    reply = await user.wait_for_message(timeout=REPLY_TIMEOUT)
    assert reply.plain == texts.say(texts.MEDIA_STICKER, "hant") != texts.MEDIA_STICKER
