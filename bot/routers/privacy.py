"""/privacy shows what is kept about a citizen and for how long; /deleteme, after a
confirmation, erases their identity and contact from their reports (the reports stay,
anonymised), their follows, campaign subscriptions, queued messages and conversation state."""

from __future__ import annotations

import logging
from contextlib import suppress
from typing import TYPE_CHECKING, Literal

from aiogram import F, Router
from aiogram.exceptions import TelegramAPIError
from aiogram.filters import Command
from aiogram.filters.callback_data import CallbackData
from aiogram.types import InlineKeyboardButton, InlineKeyboardMarkup

from bot.routers.report.context import provide_reports
from bot.routers.start import menu
from bot.texts import reports as words
from campaigns import Subscriptions
from outbox import Outbox
from reports.alerts import AreaAlerts

if TYPE_CHECKING:
    from aiogram.types import CallbackQuery, Message
    from sqlalchemy.ext.asyncio import AsyncSession

    from bot.routers.report.context import Turn

log = logging.getLogger(__name__)
router = provide_reports(Router(name=__name__))
router.message.filter(F.chat.type == "private")


class PrivacyCb(CallbackData, prefix="pv"):
    action: Literal["erase", "keep"]


@router.message(Command("privacy"))
async def show_privacy(message: Message, turn: Turn) -> None:
    await turn.send(words.PRIVACY_NOTICE, kept=words.kept_for(turn.settings.report_retention_days))


@router.message(Command("deleteme"))
async def ask_to_delete(message: Message, turn: Turn) -> None:
    count = len(await turn.reports.for_reporter(turn.user_id))
    buttons = [
        InlineKeyboardButton(
            text=turn.word(words.BUTTON_DELETE_CONFIRM),
            callback_data=PrivacyCb(action="erase").pack(),
        ),
        InlineKeyboardButton(
            text=turn.word(words.BUTTON_DELETE_KEEP), callback_data=PrivacyCb(action="keep").pack()
        ),
    ]
    markup = InlineKeyboardMarkup(inline_keyboard=[buttons])
    await turn.send(words.DELETE_CONFIRM, count=count, markup=markup)


@router.callback_query(PrivacyCb.filter(F.action == "erase"))
async def delete_me(query: CallbackQuery, turn: Turn, session: AsyncSession) -> None:
    """One transaction: everything goes, or (on an error) nothing does."""
    await query.answer()
    await _close(query)
    erased = await turn.reports.erase_reporter(turn.user_id)
    await Subscriptions(session).erase(turn.user_id)
    await AreaAlerts(session).erase(turn.user_id)
    await Outbox(session).erase_chat(turn.chat_id)
    await turn.state.clear()  # a half-filled report may hold a phone number
    log.info("a citizen erased their personal data (%s reports anonymised)", erased)
    await turn.send(words.DELETED, count=erased, markup=menu(turn.script))


@router.callback_query(PrivacyCb.filter(F.action == "keep"))
async def keep_me(query: CallbackQuery, turn: Turn) -> None:
    await query.answer()
    await _close(query)
    await turn.send(words.DELETE_KEPT)


async def _close(query: CallbackQuery) -> None:
    """The confirmation's buttons go, so it cannot be pressed twice."""
    if query.message is not None:
        with suppress(TelegramAPIError):
            await query.bot.edit_message_reply_markup(  # type: ignore[union-attr]
                chat_id=query.message.chat.id,
                message_id=query.message.message_id,
                reply_markup=None,
            )
