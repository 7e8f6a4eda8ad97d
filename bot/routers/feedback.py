"""👍/👎 under an answer, and the optional reason after a 👎: what staff read to fix the gaps."""

from __future__ import annotations

from typing import TYPE_CHECKING

from aiogram import F, Router
from aiogram.dispatcher.event.bases import SkipHandler
from aiogram.filters.callback_data import CallbackData
from aiogram.fsm.state import State, StatesGroup
from aiogram.types import InlineKeyboardButton, InlineKeyboardMarkup, Message

from bot import texts
from bot.errors import unless_unchanged
from bot.render import html, shorten

if TYPE_CHECKING:
    from aiogram import Bot
    from aiogram.fsm.context import FSMContext
    from aiogram.types import CallbackQuery

    from citizens import Citizen
    from ground.clock import Clock
    from knowledge.feedback import QuestionLog
    from knowledge.scripts import Script

router = Router(name=__name__)
router.message.filter(F.chat.type == "private")

QUESTION_MARKS = ("?", "？")


class RateCb(CallbackData, prefix="r"):
    q: int  # asked_questions.id
    up: bool


class SkipReasonCb(CallbackData, prefix="rs"):
    q: int


class FeedbackFlow(StatesGroup):
    reason = State()  # after a 👎: the citizen's next text says what was wrong


def rating_buttons(question_id: int) -> list[InlineKeyboardButton]:
    return [
        InlineKeyboardButton(
            text=texts.BUTTON_UP, callback_data=RateCb(q=question_id, up=True).pack()
        ),
        InlineKeyboardButton(
            text=texts.BUTTON_DOWN, callback_data=RateCb(q=question_id, up=False).pack()
        ),
    ]


def skip_button(question_id: int, script: Script) -> InlineKeyboardMarkup:
    button = InlineKeyboardButton(
        text=texts.say(texts.BUTTON_SKIP, script), callback_data=SkipReasonCb(q=question_id).pack()
    )
    return InlineKeyboardMarkup(inline_keyboard=[[button]])


@router.callback_query(RateCb.filter())
async def rate_answer(
    query: CallbackQuery,
    callback_data: RateCb,
    question_log: QuestionLog,
    citizen: Citizen | None,
    state: FSMContext,
    clock: Clock,
    bot: Bot,
) -> None:
    """Only the asker can rate (the log refuses anyone else); pressing again changes the rating."""
    script = texts.script_for(citizen)
    rated = await question_log.rate(
        question_id=callback_data.q,
        user_id=query.from_user.id,
        helpful=callback_data.up,
        now=clock.now(),
    )
    if rated is None:
        await query.answer(texts.say(texts.NOT_YOUR_ANSWER, script), show_alert=True)
        return
    if callback_data.up:
        await query.answer(texts.say(texts.THANKS_UP, script))
        return
    await query.answer(texts.say(texts.THANKS_DOWN, script))
    asked = await question_log.get(callback_data.q)
    question = shorten(asked.question) if asked else ""
    await state.set_state(FeedbackFlow.reason)
    await state.update_data(reason_for=callback_data.q)
    prompt = html(texts.say(texts.REASON_PROMPT, script)).format(question=html(question))
    chat_id = query.message.chat.id if query.message else query.from_user.id
    await bot.send_message(chat_id, prompt, reply_markup=skip_button(callback_data.q, script))


@router.message(FeedbackFlow.reason, F.text, ~F.text.startswith("/"))
async def save_reason(
    message: Message, state: FSMContext, question_log: QuestionLog, citizen: Citizen | None
) -> None:
    """The next text is the reason, unless it is plainly a new question (it ends with ？): then
    the citizen moved on, and the question router answers it."""
    question_id = (await state.get_data()).get("reason_for")
    if (message.text or "").rstrip().endswith(QUESTION_MARKS):
        await _leave_flow(state)
        raise SkipHandler
    await _leave_flow(state)
    if question_id is not None and message.from_user is not None:
        await question_log.add_reason(
            question_id=int(question_id), user_id=message.from_user.id, reason=message.text or ""
        )
    await message.answer(html(texts.say(texts.REASON_SAVED, texts.script_for(citizen))))


@router.message(FeedbackFlow.reason, ~F.text)
async def ask_for_text(message: Message, citizen: Citizen | None) -> None:
    await message.answer(html(texts.say(texts.REASON_TEXT_ONLY, texts.script_for(citizen))))


@router.callback_query(SkipReasonCb.filter())
async def skip_reason(query: CallbackQuery, state: FSMContext, citizen: Citizen | None) -> None:
    if await state.get_state() == FeedbackFlow.reason.state:
        await _leave_flow(state)
    await query.answer(texts.say(texts.REASON_SKIPPED, texts.script_for(citizen)))
    if isinstance(query.message, Message) and query.message.reply_markup is not None:
        with unless_unchanged():  # a double tap: the button is already gone
            await query.message.edit_reply_markup(reply_markup=None)


async def _leave_flow(state: FSMContext) -> None:
    """Back to asking; the follow-up context (`previous`) stays in the FSM data."""
    await state.set_state(None)
    await state.update_data(reason_for=None)
