"""Webhook mode (`greenbot run` with GREENBOT_MODE=webhook): Telegram posts updates to the bot's
aiohttp server; only requests carrying the secret token are processed."""

from __future__ import annotations

import asyncio
import contextlib
import socket
from typing import TYPE_CHECKING

from greenbot.root import serve_bot
from ground.clock import SystemClock
from knowledge.feedback import AskedQuestion
from tests.support.bot_rig import REPLY_TIMEOUT, until

if TYPE_CHECKING:
    from tests.support.bot_rig import BotRig
    from tests.support.fake_bot_api import FakeBotAPI, FakeUser

SECRET = "greenbot-webhook_secret-42"


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


async def test_webhook_rejects_a_wrong_secret_and_answers_with_the_right_one(
    rig: BotRig, fake: FakeBotAPI, user: FakeUser
) -> None:
    port = free_port()
    settings = rig.settings(
        mode="webhook",
        webhook_base_url=f"http://127.0.0.1:{port}/",
        webhook_port=port,
        webhook_secret=SECRET,
    )
    serving = asyncio.create_task(
        serve_bot(settings, engine=rig.engine, sessions=rig.sessions, clock=SystemClock())
    )
    try:
        await until(lambda: fake.webhook_url or serving.done(), what="setWebhook")
        if serving.done():
            serving.result()  # start-up failed: show why
        assert fake.webhook_url == f"http://127.0.0.1:{port}/telegram/webhook"
        assert fake.webhook_secret == SECRET
        assert fake.commands()  # start-up hooks ran in webhook mode too

        question = "垃圾分类怎么做？"
        forged = {
            "update_id": 1,
            "message": fake.methods.new_message(user.chat, user.user, text=question),
        }
        assert await fake.post_update(fake.webhook_url, forged, secret_token="wrong") == 401
        assert await fake.post_update(fake.webhook_url, forged) == 401  # no header at all

        await user.send_text(question)  # posted like Telegram, with the registered secret
        answer = await user.wait_for_message(timeout=REPLY_TIMEOUT)
        assert answer.plain is not None and "《垃圾分类指南》" in answer.plain
        assert fake.webhook_deliveries[-1][1] == 200
        [row] = await rig.rows(AskedQuestion, user_id=user.id, until=len)
        assert row.question == question  # once: the rejected posts were never handled
        assert len(user.messages()) == 1
        assert fake.calls_to("getUpdates") == []
    finally:
        serving.cancel()
        with contextlib.suppress(asyncio.CancelledError):
            await serving
