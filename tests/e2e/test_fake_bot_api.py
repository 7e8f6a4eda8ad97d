"""The fake Bot API speaks real Bot API: a real aiogram Bot, over HTTP, parses what it answers."""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import AsyncIterator
from typing import Any

import aiohttp
import pytest
from aiogram import Bot, Dispatcher, F
from aiogram.client.session.aiohttp import AiohttpSession
from aiogram.client.telegram import TelegramAPIServer
from aiogram.exceptions import (
    TelegramBadRequest,
    TelegramConflictError,
    TelegramForbiddenError,
    TelegramRetryAfter,
)
from aiogram.methods import SendMessage
from aiogram.types import (
    BotCommand,
    BufferedInputFile,
    CallbackQuery,
    InlineKeyboardButton,
    InlineKeyboardMarkup,
    Message,
    ReplyParameters,
)
from aiogram.webhook.aiohttp_server import SimpleRequestHandler
from aiohttp import web

from tests.support.fake_bot_api import FakeBotAPI

USER_ID = 5_550_001


@pytest.fixture
async def fake() -> AsyncIterator[FakeBotAPI]:
    async with FakeBotAPI() as server:
        yield server


@pytest.fixture
async def bot(fake: FakeBotAPI) -> AsyncIterator[Bot]:
    session = AiohttpSession(api=TelegramAPIServer.from_base(fake.url))
    bot = Bot(fake.token, session=session)
    yield bot
    await bot.session.close()


@contextlib.asynccontextmanager
async def serve(app: web.Application, path: str) -> AsyncIterator[str]:
    """Run a bot-side aiohttp app on a free port; yields the URL of `path`."""
    runner = web.AppRunner(app)
    await runner.setup()
    site = web.TCPSite(runner, "127.0.0.1", 0)
    await site.start()
    port = site._server.sockets[0].getsockname()[1]  # type: ignore[union-attr]
    try:
        yield f"http://127.0.0.1:{port}{path}"
    finally:
        await runner.cleanup()


def keyboard(*pairs: tuple[str, str]) -> InlineKeyboardMarkup:
    buttons = [InlineKeyboardButton(text=text, callback_data=data) for text, data in pairs]
    return InlineKeyboardMarkup(inline_keyboard=[buttons])


async def test_get_me_returns_the_bot_user(bot: Bot, fake: FakeBotAPI) -> None:
    me = await asyncio.wait_for(bot.get_me(), 5)
    assert me.is_bot and me.id == int(fake.token.split(":")[0])
    assert me.username == "greenbot_test_bot"


async def test_html_message_with_inline_keyboard_parses_into_an_aiogram_message(
    bot: Bot, fake: FakeBotAPI
) -> None:
    citizen = fake.user(USER_ID, "小绿")
    sent = await bot.send_message(
        USER_ID,
        "<b>节能</b> &lt;提示&gt; 😀 <i>今天</i>",
        parse_mode="HTML",
        reply_markup=keyboard(("有用", "fb:1"), ("没用", "fb:0")),
    )
    assert isinstance(sent, Message)
    assert sent.text == "节能 <提示> 😀 今天"
    assert [(e.type, e.offset, e.length) for e in sent.entities or []] == [
        ("bold", 0, 2),
        ("italic", 11, 2),  # UTF-16 offsets: the emoji counts twice
    ]
    assert sent.reply_markup is not None and sent.reply_markup.inline_keyboard[0][1].text == "没用"
    assert sent.from_user is not None and sent.from_user.is_bot
    shown = citizen.last_message()
    assert shown is not None and shown.plain == "节能 <提示> 😀 今天"
    assert shown.text == "<b>节能</b> &lt;提示&gt; 😀 <i>今天</i>" and shown.parse_mode == "HTML"
    assert shown.button_texts == ["有用", "没用"]
    assert fake.calls_to("sendMessage")[0].params["chat_id"] == USER_ID


@pytest.mark.parametrize(
    ("text", "markup", "description"),
    [
        ("<b>未闭合", None, "can't parse entities: Can't find end tag"),
        ("温度 <25 度", None, "can't parse entities: Unsupported start tag"),
        ("<br>换行", None, 'Unsupported start tag "br" at byte offset 0'),
        ("   ", None, "message text is empty"),
        ("长" * 4097, None, "message is too long"),
        ("按钮", keyboard(("太长", "x" * 65)), "BUTTON_DATA_INVALID"),
    ],
)
async def test_texts_telegram_refuses_raise_bad_request(
    bot: Bot, text: str, markup: InlineKeyboardMarkup | None, description: str
) -> None:
    with pytest.raises(TelegramBadRequest, match=description):
        await bot.send_message(USER_ID, text, parse_mode="HTML", reply_markup=markup)


async def test_editing_keeps_the_transcript_current_and_refuses_no_op_edits(
    bot: Bot, fake: FakeBotAPI
) -> None:
    citizen = fake.user(USER_ID)
    sent = await bot.send_message(USER_ID, "思考中…", reply_markup=keyboard(("取消", "c")))
    edited = await bot.edit_message_text(
        "<b>答案</b>", chat_id=USER_ID, message_id=sent.message_id, parse_mode="HTML"
    )
    assert isinstance(edited, Message) and edited.text == "答案" and edited.edit_date
    shown = citizen.last_message()
    assert shown is not None and shown.plain == "答案" and shown.history == ["思考中…"]
    assert shown.buttons == []  # an edit without reply_markup drops the keyboard
    with pytest.raises(TelegramBadRequest, match="message is not modified"):
        await bot.edit_message_text(
            "<b>答案</b>", chat_id=USER_ID, message_id=sent.message_id, parse_mode="HTML"
        )
    with pytest.raises(TelegramBadRequest, match="message to edit not found"):
        await bot.edit_message_text("x", chat_id=USER_ID, message_id=999)
    assert await bot.delete_message(USER_ID, sent.message_id)
    assert citizen.messages() == []


async def test_too_many_requests_raises_retry_after_with_its_delay(
    bot: Bot, fake: FakeBotAPI
) -> None:
    fake.fail_next("sendMessage", status=429, retry_after=7)
    with pytest.raises(TelegramRetryAfter) as raised:
        await bot.send_message(USER_ID, "你好")
    assert raised.value.retry_after == 7
    assert "Too Many Requests: retry after 7" in raised.value.message
    await bot.send_message(USER_ID, "你好")  # the fault was for one call only
    assert fake.stats.too_many_requests == 1 and fake.stats.sends == 1


async def test_enforced_rate_answers_429_to_a_second_send_in_the_same_second(
    bot: Bot, fake: FakeBotAPI
) -> None:
    fake.enforce_rate(per_chat_per_sec=1)
    await bot.send_message(USER_ID, "一")
    with pytest.raises(TelegramRetryAfter) as raised:
        await bot.send_message(USER_ID, "二")
    assert raised.value.retry_after == 1
    await bot.send_message(USER_ID + 1, "另一个聊天不受影响")


async def test_blocked_user_raises_forbidden(bot: Bot, fake: FakeBotAPI) -> None:
    fake.block(USER_ID)
    with pytest.raises(TelegramForbiddenError, match="bot was blocked by the user"):
        await bot.send_message(USER_ID, "提醒")
    assert fake.stats.errors[403] == 1 and fake.stats.sends == 0


async def test_server_errors_and_wrong_tokens_use_telegrams_envelope(fake: FakeBotAPI) -> None:
    fake.fail_next("getMe", status=500)
    async with aiohttp.ClientSession() as http:
        async with http.post(f"{fake.url}/bot{fake.token}/getMe") as response:
            assert response.status == 500
            assert await response.json() == {
                "ok": False,
                "error_code": 500,
                "description": "Internal Server Error",
            }
        async with http.get(f"{fake.url}/bot1:wrong/getMe") as response:
            assert response.status == 401
            assert (await response.json())["description"] == "Unauthorized"
        async with http.post(f"{fake.url}/bot{fake.token}/sendTeleport") as response:
            assert response.status == 404
            assert await response.json() == {
                "ok": False,
                "error_code": 404,
                "description": "Not Found",
            }
        payload = {"chat_id": USER_ID, "text": "JSON", "reply_markup": {"remove_keyboard": True}}
        async with http.post(f"{fake.url}/bot{fake.token}/sendMessage", json=payload) as response:
            assert (await response.json())["result"]["text"] == "JSON"


async def test_long_polling_returns_a_text_sent_while_it_waits(bot: Bot, fake: FakeBotAPI) -> None:
    citizen = fake.user(USER_ID, "小绿")
    poll = asyncio.create_task(bot.get_updates(timeout=5))
    await asyncio.sleep(0.2)
    assert not poll.done()  # waiting for an update, as Telegram's long poll does
    await citizen.send_text("垃圾怎么分类？")
    updates = await asyncio.wait_for(poll, 3)
    assert len(updates) == 1 and updates[0].message is not None
    assert updates[0].message.text == "垃圾怎么分类？"
    assert updates[0].message.from_user is not None
    assert updates[0].message.from_user.language_code == "zh-hans"
    again = await bot.get_updates(offset=updates[0].update_id + 1, timeout=0)
    assert again == []  # confirmed by the offset


async def test_a_users_photo_can_be_fetched_and_downloaded(bot: Bot, fake: FakeBotAPI) -> None:
    citizen = fake.user(USER_ID)
    picture = b"\xff\xd8\xff\xe0fake-jpeg-bytes" * 100
    await citizen.send_photo(picture, caption="路灯白天还亮着")
    [update] = await bot.get_updates(timeout=1)
    assert update.message is not None and update.message.photo
    assert update.message.caption == "路灯白天还亮着"
    file = await bot.get_file(update.message.photo[-1].file_id)
    assert file.file_size == len(picture) and file.file_path
    downloaded = await bot.download(update.message.photo[-1].file_id)
    assert downloaded is not None and downloaded.read() == picture


async def test_a_bot_upload_is_stored_and_can_be_resent_by_file_id(
    bot: Bot, fake: FakeBotAPI
) -> None:
    citizen = fake.user(USER_ID)
    first = await bot.send_document(
        USER_ID,
        BufferedInputFile(b"%PDF-1.4 plan", filename="方案.pdf"),
        caption="<i>附件</i>",
        parse_mode="HTML",
    )
    assert first.document is not None and first.document.file_name == "方案.pdf"
    again = await bot.send_document(USER_ID, first.document.file_id)
    assert again.document is not None and again.document.file_size == len(b"%PDF-1.4 plan")
    photo = await bot.send_photo(USER_ID, BufferedInputFile(b"png", filename="map.png"))
    assert photo.photo is not None and len(photo.photo) == 2
    assert [m.kind for m in citizen.messages()] == ["document", "document", "photo"]
    assert citizen.messages()[0].plain == "附件"


async def test_a_button_press_arrives_as_a_callback_query_and_its_answer_is_kept(
    bot: Bot, fake: FakeBotAPI
) -> None:
    citizen = fake.user(USER_ID)
    await bot.send_message(USER_ID, "这个回答有用吗？", reply_markup=keyboard(("有用", "fb:1")))
    await citizen.press("有用")
    [update] = await bot.get_updates(timeout=1)
    query = update.callback_query
    assert isinstance(query, CallbackQuery) and query.data == "fb:1"
    assert isinstance(query.message, Message) and query.message.text == "这个回答有用吗？"
    assert await bot.answer_callback_query(query.id, text="谢谢")
    assert citizen.callback_answers[0]["text"] == "谢谢"
    with pytest.raises(TelegramBadRequest, match="query ID is invalid"):
        await bot.answer_callback_query(query.id)  # a query is answered once
    with pytest.raises(LookupError, match="没用"):
        await citizen.press("没用")


async def test_a_reply_quotes_the_users_message(bot: Bot, fake: FakeBotAPI) -> None:
    citizen = fake.user(USER_ID)
    update = await citizen.send_text("举报：河边有垃圾")
    asked = update["message"]["message_id"]
    reply = await bot.send_message(
        USER_ID, "已收到", reply_parameters=ReplyParameters(message_id=asked)
    )
    assert reply.reply_to_message is not None and reply.reply_to_message.message_id == asked
    copied = await bot.copy_message(-100_777, USER_ID, asked)
    assert fake.chat(-100_777).messages()[0].message_id == copied.message_id
    with pytest.raises(TelegramBadRequest, match="message to be replied not found"):
        await bot.send_message(USER_ID, "x", reply_parameters=ReplyParameters(message_id=9999))


async def test_a_webhook_post_carries_the_secret_header(fake: FakeBotAPI) -> None:
    received: list[tuple[str | None, dict[str, Any]]] = []

    async def webhook(request: web.Request) -> web.Response:
        secret = request.headers.get("X-Telegram-Bot-Api-Secret-Token")
        received.append((secret, await request.json()))
        return web.json_response({})

    app = web.Application()
    app.router.add_post("/hook", webhook)
    update = {
        "update_id": 1,
        "message": {"message_id": 1, "date": 0, "chat": {"id": 1, "type": "private"}},
    }
    async with serve(app, "/hook") as url:
        status = await fake.post_update(url, update, secret_token="s3cret")
    assert status == 200
    assert received == [("s3cret", update)]


async def test_webhook_mode_delivers_user_actions_and_runs_a_method_in_the_reply(
    bot: Bot, fake: FakeBotAPI
) -> None:
    dp = Dispatcher()

    @dp.message(F.text)
    async def echo(message: Message) -> SendMessage:
        return message.answer(f"回声：{message.text}")  # answered in the webhook response

    app = web.Application()
    SimpleRequestHandler(dp, bot, secret_token="s3cret", handle_in_background=False).register(
        app, path="/hook"
    )
    async with serve(app, "/hook") as url:
        await bot.set_webhook(url, secret_token="s3cret")
        with pytest.raises(TelegramConflictError, match="webhook is active"):
            await bot.get_updates()
        citizen = fake.user(USER_ID)
        await citizen.send_text("你好")
        reply = await citizen.wait_for_message(timeout=5)
    assert reply.plain == "回声：你好"
    assert fake.webhook_deliveries[-1][1] == 200
    info = await bot.get_webhook_info()
    assert info.url.endswith("/hook") and info.pending_update_count == 0


async def test_a_dispatcher_polling_the_fake_echoes_a_users_text(
    bot: Bot, fake: FakeBotAPI
) -> None:
    dp = Dispatcher()

    @dp.message(F.text)
    async def echo(message: Message) -> None:
        await message.answer(f"回声：<b>{message.text}</b>", parse_mode="HTML")

    polling = asyncio.create_task(
        dp.start_polling(bot, handle_signals=False, close_bot_session=False, polling_timeout=5)
    )
    try:
        citizen = fake.user(USER_ID, "小绿")
        await citizen.send_text("节能灯")
        reply = await citizen.wait_for_message(timeout=10)
        await citizen.send_command("/start")
        [second] = await citizen.wait_for_messages(1, timeout=10)
    finally:
        await dp.stop_polling()
        await asyncio.wait_for(polling, 10)
    assert reply.plain == "回声：节能灯" and reply.text == "回声：<b>节能灯</b>"
    assert second.plain == "回声：/start"
    assert [m.plain for m in citizen.messages()] == ["回声：节能灯", "回声：/start"]


async def test_a_staff_member_presses_a_button_in_the_staff_group(
    bot: Bot, fake: FakeBotAPI
) -> None:
    staff_chat = fake.chat(-100_123, title="环保局值班")
    staff = fake.user(7_001, "值班员")
    await bot.send_message(-100_123, "新举报 #12", reply_markup=keyboard(("受理", "st:12:ok")))
    notice = staff_chat.last_message()
    assert notice is not None
    await staff.press("受理", message=notice)
    [update] = await bot.get_updates(timeout=1)
    assert update.callback_query is not None and update.callback_query.data == "st:12:ok"
    message = update.callback_query.message
    assert isinstance(message, Message) and message.chat.type == "supergroup"
    chat = await bot.get_chat(-100_123)
    assert chat.title == "环保局值班"


async def test_commands_are_kept_per_scope_and_language(bot: Bot, fake: FakeBotAPI) -> None:
    await bot.set_my_commands(
        [
            BotCommand(command="start", description="开始"),
            BotCommand(command="report", description="举报"),
        ],
        language_code="zh",
    )
    assert [c.command for c in await bot.get_my_commands(language_code="zh")] == ["start", "report"]
    assert await bot.get_my_commands() == []
    assert fake.commands(language_code="zh")[1]["description"] == "举报"
    with pytest.raises(TelegramBadRequest, match="BOT_COMMAND_INVALID"):
        await bot.set_my_commands([BotCommand(command="Bad Command", description="x")])
