"""查看原文: the cited section's full text, in phone-sized pages (render.PAGE_CHARS), ◀ ▶."""

from __future__ import annotations

from typing import TYPE_CHECKING

from aiogram import Router
from aiogram.filters.callback_data import CallbackData
from aiogram.types import InlineKeyboardButton, InlineKeyboardMarkup, Message

from bot import render, texts
from bot.errors import unless_unchanged
from knowledge.answer import citation_for

if TYPE_CHECKING:
    from aiogram import Bot
    from aiogram.types import CallbackQuery

    from bot.answerer import Answerer
    from citizens import Citizen
    from knowledge.scripts import Script
    from knowledge.sections import Section

router = Router(name=__name__)


class SourceCb(CallbackData, prefix="src"):
    s: int  # the section's number in Answerer's stable ordering


class PageCb(CallbackData, prefix="pg"):
    s: int
    p: int  # page index, from 0


def pager(number: int, page: int, pages: int) -> InlineKeyboardMarkup | None:
    buttons = []
    if page > 0:
        buttons.append(
            InlineKeyboardButton(
                text=texts.BUTTON_PREVIOUS, callback_data=PageCb(s=number, p=page - 1).pack()
            )
        )
    if page < pages - 1:
        buttons.append(
            InlineKeyboardButton(
                text=texts.BUTTON_NEXT, callback_data=PageCb(s=number, p=page + 1).pack()
            )
        )
    return InlineKeyboardMarkup(inline_keyboard=[buttons]) if buttons else None


def page_of(
    section: Section, number: int, page: int, script: Script
) -> tuple[str, InlineKeyboardMarkup | None] | None:
    """The HTML of one page and its ◀ ▶ keyboard, or None when the page does not exist."""
    pages = render.pages(texts.convert(section.body, script))
    if not 0 <= page < len(pages):
        return None
    text = render.source_page(
        citation=texts.convert(citation_for(section), script),
        page_text=pages[page],
        page=page,
        pages=len(pages),
        script=script,
    )
    return text, pager(number, page, len(pages))


@router.callback_query(SourceCb.filter())
async def show_source(
    query: CallbackQuery,
    callback_data: SourceCb,
    answerer: Answerer,
    citizen: Citizen | None,
    bot: Bot,
) -> None:
    script = texts.script_for(citizen)
    section = answerer.section(callback_data.s)
    shown = page_of(section, callback_data.s, 0, script) if section else None
    if shown is None:
        await query.answer(texts.say(texts.STALE_BUTTON, script), show_alert=True)
        return
    await query.answer()
    chat_id = query.message.chat.id if query.message else query.from_user.id
    await bot.send_message(chat_id, shown[0], reply_markup=shown[1])


@router.callback_query(PageCb.filter())
async def turn_page(
    query: CallbackQuery,
    callback_data: PageCb,
    answerer: Answerer,
    citizen: Citizen | None,
    bot: Bot,
) -> None:
    script = texts.script_for(citizen)
    section = answerer.section(callback_data.s)
    shown = page_of(section, callback_data.s, callback_data.p, script) if section else None
    if shown is None:
        await query.answer(texts.say(texts.STALE_BUTTON, script), show_alert=True)
        return
    await query.answer()
    text, keyboard = shown
    if isinstance(query.message, Message):
        with unless_unchanged():  # a double press: already on that page
            await query.message.edit_text(text, reply_markup=keyboard)
    else:  # too old to edit
        await bot.send_message(query.from_user.id, text, reply_markup=keyboard)
