"""Commands and menu buttons whose flows later issues build: an honest "即将推出" until then.

This is the one place that says so. When a feature lands, delete its entries here and include
its router before this one in `bot/app.py`.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from aiogram import F, Router
from aiogram.filters import Command, CommandObject

from bot import texts
from bot.render import html

if TYPE_CHECKING:
    from aiogram.types import Message

    from citizens import Citizen

router = Router(name=__name__)

COMMANDS: dict[str, str] = {}  # command → feature name (texts.FEATURE_…)
BUTTONS: dict[str, str] = {
    label: feature
    for button, feature in ()  # (texts.MENU_…, texts.FEATURE_…)
    for label in texts.both_scripts(button)
}


async def _tell(message: Message, feature: str, citizen: Citizen | None) -> None:
    text = texts.say(texts.COMING_SOON.format(feature=feature), texts.script_for(citizen))
    await message.answer(html(text))


async def command_coming_soon(
    message: Message, command: CommandObject, citizen: Citizen | None
) -> None:
    await _tell(message, COMMANDS[command.command.lower()], citizen)


async def button_coming_soon(message: Message, citizen: Citizen | None) -> None:
    await _tell(message, BUTTONS[message.text or ""], citizen)


# Registered only while something is pending: Command() with no command is an error.
if COMMANDS:
    router.message(Command(*COMMANDS))(command_coming_soon)
if BUTTONS:
    router.message(F.text.in_(BUTTONS))(button_coming_soon)
