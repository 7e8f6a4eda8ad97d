"""/start, /help and the menu: what a citizen sees first, and the command list set at start-up."""

from __future__ import annotations

from typing import TYPE_CHECKING

from bot import texts
from citizens import Citizen
from tests.support.bot_rig import REPLY_TIMEOUT

if TYPE_CHECKING:
    from collections.abc import Callable

    from aiogram import Dispatcher

    from tests.support.bot_rig import BotRig
    from tests.support.fake_bot_api import FakeBotAPI, FakeUser

MENU = {texts.MENU_ASK, texts.MENU_REPORT, texts.MENU_CAMPAIGNS, texts.MENU_HELP}


def menu_labels(user: FakeUser) -> set[str]:
    keyboard = user.reply_keyboard or {}
    return {button["text"] for row in keyboard.get("keyboard", []) for button in row}


async def test_start_greets_in_chinese_shows_the_menu_and_records_the_citizen(
    bot: Dispatcher, rig: BotRig, user: FakeUser
) -> None:
    await user.send_command("/start")
    welcome = await user.wait_for_message(timeout=REPLY_TIMEOUT)
    assert welcome.plain is not None
    assert welcome.plain.startswith("您好，小绿！我是绿色铜仁助手")
    assert "《铜仁市“十四五”节能减排综合工作方案》" in welcome.plain
    assert menu_labels(user) == MENU
    citizens = await rig.rows(Citizen, user_id=user.id, until=len)
    assert len(citizens) == 1 and citizens[0].script == "hans"


async def test_command_list_is_set_in_chinese_at_start_up(
    bot: Dispatcher, fake: FakeBotAPI
) -> None:
    commands = {command["command"]: command["description"] for command in fake.commands()}
    assert {"start", "help", "lang", "report", "subscribe", "cancel"} <= set(commands)
    assert commands["start"] == "开始使用，显示主菜单"
    assert commands["lang"] == "切换简体/繁體"
    assert all(any("\u4e00" <= ch <= "\u9fff" for ch in text) for text in commands.values())


async def test_a_name_with_html_characters_is_greeted_literally(
    bot: Dispatcher, make_user: Callable[..., FakeUser]
) -> None:
    user = make_user("<b>Lin</b> & Co")
    await user.send_command("/start")
    welcome = await user.wait_for_message(timeout=REPLY_TIMEOUT)
    assert welcome.plain is not None and welcome.plain.startswith("您好，<b>Lin</b> & Co！")
    assert not welcome.raw.get("entities")  # nothing the citizen typed became formatting


async def test_help_button_explains_commands_and_the_hotline(
    bot: Dispatcher, user: FakeUser
) -> None:
    await user.send_text(texts.MENU_HELP)
    shown = await user.wait_for_message(timeout=REPLY_TIMEOUT)
    assert shown.plain is not None
    assert "/lang 切换简体/繁體" in shown.plain and "12345" in shown.plain


async def test_ask_button_prompts_for_a_question(bot: Dispatcher, user: FakeUser) -> None:
    await user.send_text(texts.MENU_ASK)
    shown = await user.wait_for_message(timeout=REPLY_TIMEOUT)
    assert shown.plain == texts.ASK_PROMPT


async def test_an_unknown_command_is_explained_not_asked(
    bot: Dispatcher, rig: BotRig, user: FakeUser
) -> None:
    from knowledge.feedback import AskedQuestion

    await user.send_command("/weather")
    shown = await user.wait_for_message(timeout=REPLY_TIMEOUT)
    assert shown.plain == texts.UNKNOWN_COMMAND
    assert await rig.rows(AskedQuestion, user_id=user.id) == []


async def test_a_server_refusing_the_command_list_still_gets_a_working_bot(
    rig: BotRig, fake: FakeBotAPI, user: FakeUser
) -> None:
    fake.fail_next("setMyCommands", status=500, description="Internal Server Error")
    async with rig.running():
        await user.send_command("/start")
        welcome = await user.wait_for_message(timeout=REPLY_TIMEOUT)
    assert welcome.plain is not None and welcome.plain.startswith("您好，小绿！")
