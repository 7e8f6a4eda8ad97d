"""Questions: any text no other flow took is asked to the knowledge engine and answered, cited,
with 👍/👎, 查看原文 and 相关问题 underneath. Included last in `bot/app.py`: the catch-all."""

from __future__ import annotations

import logging
from typing import TYPE_CHECKING

from aiogram import F, Router
from aiogram.filters.callback_data import CallbackData
from aiogram.types import InlineKeyboardButton, InlineKeyboardMarkup, Message
from aiogram.utils.chat_action import ChatActionSender

from bot import render, texts
from bot.render import Block, html
from bot.routers.feedback import rating_buttons
from bot.routers.source import SourceCb
from knowledge.asking import Asker, Asking
from knowledge.suggestions import suggestion_id

if TYPE_CHECKING:
    from aiogram import Bot
    from aiogram.fsm.context import FSMContext
    from aiogram.types import CallbackQuery
    from sqlalchemy.ext.asyncio import AsyncSession

    from bot.answerer import Answerer
    from citizens import Citizen
    from ground.clock import Clock
    from knowledge.answer import Answer
    from knowledge.scripts import Script
    from knowledge.suggestions import Suggestions

log = logging.getLogger(__name__)

router = Router(name=__name__)
router.message.filter(F.chat.type == "private")

MAX_RELATED = 3


class RelatedCb(CallbackData, prefix="rq"):
    id: int  # Suggestion.id: a crc32, stable across edits of suggestions.yaml


def after_answer(
    question_id: int,
    answer: Answer,
    *,
    answerer: Answerer,
    suggestions: Suggestions,
    script: Script,
) -> InlineKeyboardMarkup | None:
    """👍 👎 查看原文 on one row, then up to three related questions, one per row."""
    if not answer.covered or not answer.sources:
        return None
    row = rating_buttons(question_id)
    number = answerer.section_number(answer.sources[0].section)  # the cited section
    if number is not None:
        row.append(
            InlineKeyboardButton(
                text=texts.say(texts.BUTTON_SOURCE, script), callback_data=SourceCb(s=number).pack()
            )
        )
    rows = [row]
    related = [suggestions.get(suggestion_id(q)) for q in answer.related[:MAX_RELATED]]
    for suggestion in filter(None, related):
        label = texts.convert(suggestion.question, script)
        rows.append(
            [InlineKeyboardButton(text=label, callback_data=RelatedCb(id=suggestion.id).pack())]
        )
    return InlineKeyboardMarkup(inline_keyboard=rows)


async def respond(
    question: str,
    *,
    chat_id: int,
    user_id: int,
    by_button: bool,
    bot: Bot,
    state: FSMContext,
    asking: Asking,
    answerer: Answerer,
    suggestions: Suggestions,
    citizen: Citizen | None,
    session: AsyncSession,
) -> None:
    """Ask (knowledge/asking.py), then send the answer with its buttons in the asker's script."""
    asker = Asker(user_id, citizen, previous=(await state.get_data()).get("previous"))
    async with ChatActionSender.typing(bot=bot, chat_id=chat_id):
        asked = await asking.ask(question, asker=asker, session=session)
    # Committed before talking to Telegram: the lock is not held through the sends (a 429
    # waits up to RetryAfter.max_wait), and a question asked stays logged if delivery fails.
    await session.commit()
    if asked.question_id is None:  # a greeting or a thank-you: no buttons, no follow-up
        for chunk in render.plain(asked.answer.answer):
            await bot.send_message(chat_id, chunk)
        return
    await state.update_data(previous=asked.follow_up)
    lead = []
    if by_button:
        lead.append(Block(texts.say(texts.ASKED, asked.script).format(question=question), "b"))
    if asked.too_long:
        lead.append(Block(texts.say(texts.LONG_QUESTION, asked.script).format(limit=asked.limit)))
    keyboard = after_answer(
        asked.question_id,
        asked.answer,
        answerer=answerer,
        suggestions=suggestions,
        script=asked.script,
    )
    chunks = render.answer(asked.answer, lead=lead)
    for n, chunk in enumerate(chunks, start=1):
        await bot.send_message(chat_id, chunk, reply_markup=keyboard if n == len(chunks) else None)


@router.callback_query(RelatedCb.filter())
async def ask_related(
    query: CallbackQuery,
    callback_data: RelatedCb,
    bot: Bot,
    state: FSMContext,
    answerer: Answerer,
    suggestions: Suggestions,
    citizen: Citizen | None,
    session: AsyncSession,
    clock: Clock,
    asking: Asking | None = None,
) -> None:
    suggestion = suggestions.get(callback_data.id)
    script = texts.script_for(citizen)
    if suggestion is None:
        await query.answer(texts.say(texts.STALE_BUTTON, script), show_alert=True)
        return
    await query.answer()
    await respond(
        texts.convert(suggestion.question, script),  # as the button showed it
        chat_id=query.message.chat.id if query.message else query.from_user.id,
        user_id=query.from_user.id,
        by_button=True,
        bot=bot,
        state=state,
        asking=asking or Asking(answerer, clock),  # the root's, once it hands one in
        answerer=answerer,
        suggestions=suggestions,
        citizen=citizen,
        session=session,
    )


@router.callback_query()
async def refuse_unknown_button(query: CallbackQuery, citizen: Citizen | None) -> None:
    """Forged, mangled or outdated callback data: a polite alert, never a traceback."""
    log.info("unknown callback data from a button press (%s bytes)", len(query.data or ""))
    await query.answer(texts.say(texts.STALE_BUTTON, texts.script_for(citizen)), show_alert=True)


@router.message(F.text.regexp(r"^/[A-Za-z0-9_]+(@\w+)?(\s|$)"))
async def unknown_command(message: Message, citizen: Citizen | None) -> None:
    await message.answer(html(texts.say(texts.UNKNOWN_COMMAND, texts.script_for(citizen))))


@router.message(F.text)
async def ask_question(
    message: Message,
    bot: Bot,
    state: FSMContext,
    answerer: Answerer,
    suggestions: Suggestions,
    citizen: Citizen | None,
    session: AsyncSession,
    clock: Clock,
    asking: Asking | None = None,
) -> None:
    assert message.from_user is not None  # private chats always have a sender
    await respond(
        message.text or "",
        chat_id=message.chat.id,
        user_id=message.from_user.id,
        by_button=False,
        bot=bot,
        state=state,
        asking=asking or Asking(answerer, clock),  # the root's, once it hands one in
        answerer=answerer,
        suggestions=suggestions,
        citizen=citizen,
        session=session,
    )
