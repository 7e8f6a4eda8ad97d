"""bot/notify.py against the fake Bot API over real HTTP: every answer becomes the right outcome,
and bulk sends never retry a 429 themselves (the sender's global pause does)."""

from __future__ import annotations

import socket
from collections.abc import AsyncIterator
from datetime import datetime
from pathlib import Path

import pytest
from aiogram import Bot

from bot.app import create_bot
from bot.notify import BotTransport, create_delivery_bot
from ground.clock import SHANGHAI
from ground.settings import Settings
from outbox import OutboxMessage, Outcome
from tests.support.fake_bot_api import FakeBotAPI

CHAT = 4_200_001
NOW = datetime(2025, 6, 20, 10, 0, tzinfo=SHANGHAI)


def row(text: str = "<b>节能</b>宣传周", **fields: object) -> OutboxMessage:
    values: dict[str, object] = {
        "id": 1,
        "chat_id": CHAT,
        "kind": "broadcast",
        "dedupe_key": "k",
        "text": text,
        "parse_mode": "HTML",
        "photo": None,
        "reply_markup": None,
        "not_before": NOW,
        "created_at": NOW,
    }
    values.update(fields)
    return OutboxMessage(**values)


def settings_for(fake: FakeBotAPI, url: str | None = None) -> Settings:
    return Settings(_env_file=None, bot_token=fake.token, telegram_api_url=url or fake.url)  # type: ignore[call-arg]


@pytest.fixture
async def fake() -> AsyncIterator[FakeBotAPI]:
    async with FakeBotAPI() as server:
        server.user(CHAT)
        yield server


@pytest.fixture
async def bot(fake: FakeBotAPI) -> AsyncIterator[Bot]:
    delivery_bot = create_delivery_bot(settings_for(fake))
    yield delivery_bot
    await delivery_bot.session.close()


async def test_a_text_message_arrives_as_html_and_is_ok(fake, bot) -> None:
    result = await BotTransport(bot).send(row())
    assert result.outcome == Outcome.OK
    [sent] = fake.chat(CHAT).messages()
    assert sent.plain == "节能宣传周"
    assert sent.parse_mode == "HTML"


async def test_a_photo_goes_with_its_caption_and_inline_buttons(fake, bot, tmp_path: Path) -> None:
    picture = tmp_path / "poster.jpg"
    picture.write_bytes(b"\xff\xd8\xff\xe0 poster")
    markup = {"inline_keyboard": [[{"text": "了解更多", "callback_data": "more"}]]}
    result = await BotTransport(bot).send(
        row("<i>低碳日</i>", photo=str(picture), reply_markup=markup)
    )
    assert result.outcome == Outcome.OK
    [sent] = fake.chat(CHAT).messages()
    assert sent.kind == "photo"
    assert sent.plain == "低碳日"
    assert sent.button_texts == ["了解更多"]
    stored = fake.methods.files[sent.raw["photo"][-1]["file_id"]]
    assert stored.data == picture.read_bytes()


async def test_a_known_file_id_is_sent_without_uploading(fake, bot) -> None:
    stored = fake.methods.store_file(b"\xff\xd8 staff photo", "photos", "jpg")
    result = await BotTransport(bot).send(row("海报", photo=stored.file_id))
    assert result.outcome == Outcome.OK
    assert fake.chat(CHAT).messages()[0].kind == "photo"


async def test_429_becomes_a_wait_and_the_delivery_bot_does_not_retry_it(fake, bot) -> None:
    fake.fail_next("sendMessage", 429, retry_after=7)
    result = await BotTransport(bot).send(row())
    assert result.outcome == Outcome.RETRY_AFTER
    assert result.retry_after == 7
    assert len(fake.calls_to("sendMessage")) == 1, "one request: the sender decides when to retry"
    assert fake.chat(CHAT).messages() == []


async def test_the_interactive_bot_would_have_retried_the_same_429(fake) -> None:
    """The contrast that makes the previous test meaningful: create_bot's session retries."""
    interactive = create_bot(settings_for(fake))
    try:
        fake.fail_next("sendMessage", 429, retry_after=1)
        await interactive.send_message(CHAT, "回复")
    finally:
        await interactive.session.close()
    assert len(fake.calls_to("sendMessage")) == 2


async def test_403_means_blocked(fake, bot) -> None:
    fake.block(CHAT)
    result = await BotTransport(bot).send(row())
    assert result.outcome == Outcome.BLOCKED
    assert "blocked" in (result.error or "")


@pytest.mark.parametrize("status", [500, 502])
async def test_5xx_is_a_server_error_to_retry_later(fake, bot, status: int) -> None:
    fake.fail_next("sendMessage", status)
    result = await BotTransport(bot).send(row())
    assert result.outcome == Outcome.SERVER_ERROR


async def test_broken_html_is_a_bad_request_not_worth_retrying(fake, bot) -> None:
    result = await BotTransport(bot).send(row("<b>没有闭合"))
    assert result.outcome == Outcome.BAD_REQUEST
    assert fake.chat(CHAT).messages() == []


async def test_an_unknown_file_id_is_a_bad_request(fake, bot) -> None:
    result = await BotTransport(bot).send(row("海报", photo="no-such-file-id"))
    assert result.outcome == Outcome.BAD_REQUEST


async def test_a_slow_server_times_out_as_a_server_error() -> None:
    async with FakeBotAPI(latency=2.5) as slow:
        slow.user(CHAT)
        bot = create_delivery_bot(settings_for(slow), timeout=1.0)
        try:
            result = await BotTransport(bot, timeout=1.0).send(row())
        finally:
            await bot.session.close()
    assert result.outcome == Outcome.SERVER_ERROR
    assert "timeout" in (result.error or "").lower()


async def test_an_unreachable_server_is_a_server_error(fake) -> None:
    with socket.socket() as sock:  # a port nobody listens on
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    bot = create_delivery_bot(settings_for(fake, f"http://127.0.0.1:{port}"))
    try:
        result = await BotTransport(bot).send(row())
    finally:
        await bot.session.close()
    assert result.outcome == Outcome.SERVER_ERROR
