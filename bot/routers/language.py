"""/lang: a citizen picks 简体 or 繁體 once; the choice then wins over per-message detection."""

from __future__ import annotations

from typing import TYPE_CHECKING, Literal

from aiogram import Router
from aiogram.filters import Command
from aiogram.filters.callback_data import CallbackData
from aiogram.types import InlineKeyboardButton, InlineKeyboardMarkup, Message

from bot import texts
from bot.errors import unless_unchanged
from bot.render import html
from campaigns import Subscriptions

if TYPE_CHECKING:
    from aiogram import Bot
    from aiogram.types import CallbackQuery
    from sqlalchemy.ext.asyncio import AsyncSession

    from citizens import Citizen, Citizens

router = Router(name=__name__)


class LangCb(CallbackData, prefix="lang"):
    script: Literal["hans", "hant"]


def choices() -> InlineKeyboardMarkup:
    """Each choice is written in its own script, so either reader recognises theirs."""
    labels = (("hans", texts.LANG_HANS), ("hant", texts.LANG_HANT))
    row = [
        InlineKeyboardButton(text=label, callback_data=LangCb(script=script).pack())
        for script, label in labels
    ]
    return InlineKeyboardMarkup(inline_keyboard=[row])


@router.message(Command("lang"))
async def choose_language(message: Message, citizen: Citizen | None) -> None:
    prompt = texts.say(texts.LANG_PROMPT, texts.script_for(citizen))
    await message.answer(html(prompt), reply_markup=choices())


@router.callback_query(LangCb.filter())
async def set_language(
    query: CallbackQuery,
    callback_data: LangCb,
    citizens: Citizens,
    session: AsyncSession,
    bot: Bot,
) -> None:
    script = callback_data.script
    await citizens.set_script(query.from_user.id, script, chosen=True)
    await Subscriptions(session).set_script(query.from_user.id, script)  # reminders follow suit
    language = texts.LANG_HANS if script == "hans" else texts.LANG_HANT
    confirmation = html(texts.say(texts.LANG_CHOSEN.format(language=language), script))
    await query.answer()
    if isinstance(query.message, Message):
        with unless_unchanged():  # a double tap: already confirmed
            await query.message.edit_text(confirmation)
    else:  # too old to edit: say it in a new message
        await bot.send_message(query.from_user.id, confirmation)
