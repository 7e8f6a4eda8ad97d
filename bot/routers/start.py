"""/start, /help, /cancel and the menu: how a citizen finds out what GreenBot does."""

from __future__ import annotations

import logging
from typing import TYPE_CHECKING

from aiogram import F, Router
from aiogram.exceptions import TelegramAPIError
from aiogram.filters import Command, CommandStart
from aiogram.types import BotCommand, KeyboardButton, ReplyKeyboardMarkup

from bot import texts
from bot.render import html

if TYPE_CHECKING:
    from aiogram import Bot
    from aiogram.fsm.context import FSMContext
    from aiogram.types import Message

    from citizens import Citizen
    from knowledge.scripts import Script

router = Router(name=__name__)
log = logging.getLogger(__name__)


def menu(script: Script) -> ReplyKeyboardMarkup:
    """The four things GreenBot does, under the input field."""
    rows = [[texts.MENU_ASK, texts.MENU_REPORT], [texts.MENU_CAMPAIGNS, texts.MENU_HELP]]
    return ReplyKeyboardMarkup(
        keyboard=[[KeyboardButton(text=texts.say(label, script)) for label in row] for row in rows],
        resize_keyboard=True,
        is_persistent=True,
        input_field_placeholder=texts.say(texts.MENU_PLACEHOLDER, script),
    )


def bot_commands() -> list[BotCommand]:
    return [BotCommand(command=name, description=text) for name, text in texts.COMMANDS.items()]


async def set_commands(bot: Bot) -> None:
    """Start-up hook: the command list Telegram shows behind the "/" button, in Chinese.

    Cosmetic: a Bot API server that refuses it (an error, or a self-hosted server without the
    method) is logged, and the bot serves citizens anyway."""
    try:
        await bot.set_my_commands(bot_commands())
    except TelegramAPIError as error:
        log.warning("could not set the command list (%s): serving without it", type(error).__name__)


@router.message(CommandStart())
async def welcome(message: Message, state: FSMContext, citizen: Citizen | None) -> None:
    await state.set_state(None)  # leave any half-finished flow; keep the follow-up context
    script = texts.script_for(citizen)
    name = message.from_user.first_name if message.from_user else ""
    text = html(texts.say(texts.WELCOME, script)).format(name=html(name))
    await message.answer(text, reply_markup=menu(script))


@router.message(Command("help"))
@router.message(F.text.in_(texts.both_scripts(texts.MENU_HELP)))
async def show_help(message: Message, state: FSMContext, citizen: Citizen | None) -> None:
    await state.set_state(None)
    script = texts.script_for(citizen)
    commands = "\n".join(f"/{name} {text}" for name, text in texts.COMMANDS.items())
    help_text = texts.say(texts.HELP.format(commands=commands), script)
    await message.answer(html(help_text), reply_markup=menu(script))


@router.message(F.text.in_(texts.both_scripts(texts.MENU_ASK)))
async def prompt_question(message: Message, state: FSMContext, citizen: Citizen | None) -> None:
    await state.set_state(None)
    await message.answer(html(texts.say(texts.ASK_PROMPT, texts.script_for(citizen))))


@router.message(Command("cancel"))
async def cancel(message: Message, state: FSMContext, citizen: Citizen | None) -> None:
    # Imported here: the report flows import this module's `menu`, so a top-level import made
    # `import bot.routers.start` fail on its own (the root does it first without a sandbox).
    from bot.routers.report.draft import discard as discard_report

    await discard_report(state)  # leaves any flow, and forgets a report draft (its phone too)
    script = texts.script_for(citizen)
    await message.answer(html(texts.say(texts.CANCELLED, script)), reply_markup=menu(script))
