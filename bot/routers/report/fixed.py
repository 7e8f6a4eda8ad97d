"""Was it fixed? The reporter's answer to a resolution (reports/feedback.py).

The two buttons come with the resolution's notice (and the second question days later). 已解决
is recorded at once. 没解决 asks for a photo or a few words (either, or both; voice notes and
videos too, stored as the report flow stores them),
kept in the FSM data until 提交 reopens the report to staff with them; 取消 leaves it resolved.
A button is only a claim: the domain checks again that the report is the caller's, resolved
and not answered yet.
"""

from __future__ import annotations

import contextlib
import logging
from typing import TYPE_CHECKING

from aiogram import F, Router
from aiogram.exceptions import TelegramBadRequest
from aiogram.filters.callback_data import CallbackData
from aiogram.fsm.state import State, StatesGroup
from aiogram.types import InlineKeyboardButton, InlineKeyboardMarkup

from bot import texts
from bot.routers.report.cards import announce_reopened
from bot.routers.report.collecting import Collected
from bot.routers.report.draft import ReportFlow
from bot.routers.report.intake import EVIDENCE
from bot.routers.report.photos import incoming_evidence, receive
from bot.texts import fixed as words
from reports import InvalidReport, ReportNotFound
from reports.errors import AlreadyAnswered, InvalidTransition, NotYourReport, ReportError
from reports.evidence import MAX_PIECES
from reports.feedback import MAX_NOTE, TOKEN_PREFIX, Feedback, parse_answer_token

if TYPE_CHECKING:
    from aiogram.types import CallbackQuery, Message
    from sqlalchemy.ext.asyncio import AsyncSession

    from bot.routers.report.context import Turn
    from knowledge.scripts import Script

log = logging.getLogger(__name__)
router = Router(name=__name__)
KEY = "not_fixed"  # FSM data: what `Collected` gathers (the ticket, evidence and a note)
MENU = frozenset().union(
    *(
        texts.both_scripts(label)
        for label in (texts.MENU_ASK, texts.MENU_REPORT, texts.MENU_CAMPAIGNS, texts.MENU_HELP)
    )
)
TYPED = F.text & ~F.text.startswith("/") & ~F.text.in_(MENU)  # commands, menu: other routers


class FixedFlow(StatesGroup):
    evidence = State()  # after 没解决: photos and a note, until 提交 or 取消


class EvidenceCb(CallbackData, prefix="fxe"):
    action: str  # submit | cancel


REFUSALS: dict[type[ReportError], str] = {
    NotYourReport: words.NOT_YOURS,
    AlreadyAnswered: words.ANSWERED,
    InvalidTransition: words.NOT_RESOLVED,
    ReportNotFound: words.NOT_FOUND,
}


def _buttons(script: Script) -> InlineKeyboardMarkup:
    row = [
        InlineKeyboardButton(
            text=texts.say(label, script), callback_data=EvidenceCb(action=action).pack()
        )
        for label, action in ((words.BUTTON_SUBMIT, "submit"), (words.BUTTON_CANCEL, "cancel"))
    ]
    return InlineKeyboardMarkup(inline_keyboard=[row])


async def _refuse(turn: Turn, error: ReportError, ticket: str) -> None:
    template = next(
        (text for kind, text in REFUSALS.items() if isinstance(error, kind)), words.NOT_FOUND
    )
    log.info("was-it-fixed answer refused: %s", type(error).__name__)
    await turn.send(template, ticket=ticket)


@router.callback_query(F.data.startswith(f"{TOKEN_PREFIX}:"))
async def answered(query: CallbackQuery, turn: Turn, raw_state: str | None) -> None:
    """已解决 or 没解决 under a notice."""
    await query.answer()
    parsed = parse_answer_token(query.data or "")
    if parsed is None:
        return  # not one of ours: nothing to do
    ticket, fixed = parsed
    if raw_state is not None and raw_state.startswith(f"{ReportFlow.__name__}:"):
        await turn.send(words.FINISH_REPORT_FIRST)
        return
    feedback = Feedback(turn.reports)
    try:
        if fixed:
            await feedback.fixed(ticket, user_id=turn.user_id)
        else:
            await feedback.pending(ticket, user_id=turn.user_id)
    except ReportError as error:
        await _refuse(turn, error, ticket)
        return
    if query.message is not None:  # the question is answered: its buttons go
        with contextlib.suppress(TelegramBadRequest):
            await query.message.edit_reply_markup(reply_markup=None)
    if fixed:
        await turn.send(words.THANKS_FIXED, ticket=ticket)
        return
    await turn.state.set_state(FixedFlow.evidence)
    await Collected(KEY, ticket=ticket).save(turn.state)
    await turn.send(words.ASK_EVIDENCE, ticket=ticket, markup=_buttons(turn.script))


async def _pending(turn: Turn) -> Collected:
    return await Collected.load(turn.state, KEY)


async def _keep(turn: Turn, pending: Collected) -> None:
    await pending.save(turn.state)
    got_note = texts.say(words.GOT_NOTE, turn.script) if pending.note else ""
    await turn.send(
        words.GOT_EVIDENCE,
        pieces=len(pending.evidence),
        note=got_note,
        markup=_buttons(turn.script),
    )


@router.message(FixedFlow.evidence, EVIDENCE)
async def add_evidence(message: Message, turn: Turn) -> None:
    """A photo, a voice note or a video, stored as the report flow stores them."""
    pending = await _pending(turn)
    incoming = incoming_evidence(message)
    if incoming is None:
        await turn.send(words.NEED_EVIDENCE, markup=_buttons(turn.script))
        return
    if len(pending.evidence) >= MAX_PIECES:
        await turn.send(words.TOO_MANY, max=MAX_PIECES, markup=_buttons(turn.script))
        return
    stored = await receive(turn, incoming, markup=_buttons(turn.script))
    if stored is None:  # the citizen was told why
        return
    pending.add(stored)
    pending.add_note(message.caption or "", max_chars=MAX_NOTE)  # a caption too long is left
    await _keep(turn, pending)


@router.message(FixedFlow.evidence, TYPED)
async def add_note(message: Message, turn: Turn) -> None:
    pending = await _pending(turn)
    if not pending.add_note(message.text or "", max_chars=MAX_NOTE):
        await turn.send(words.NOTE_TOO_LONG, max=MAX_NOTE, markup=_buttons(turn.script))
        return
    await _keep(turn, pending)


@router.message(FixedFlow.evidence, ~F.text)
async def something_else(message: Message, turn: Turn) -> None:
    """A sticker, a voice note, a location: ask for what can reopen the report."""
    await turn.send(words.NEED_EVIDENCE, markup=_buttons(turn.script))


@router.callback_query(FixedFlow.evidence, EvidenceCb.filter())
async def finish(
    query: CallbackQuery, callback_data: EvidenceCb, turn: Turn, session: AsyncSession
) -> None:
    await query.answer()
    pending = await _pending(turn)
    ticket = pending.ticket
    if callback_data.action != "submit":
        await Collected.leave(turn.state, KEY)
        await turn.send(words.CANCELLED, ticket=ticket)
        return
    if not pending.evidence and not pending.note:
        await turn.send(words.NEED_EVIDENCE, markup=_buttons(turn.script))
        return
    try:
        report = await Feedback(turn.reports).not_fixed(
            ticket, user_id=turn.user_id, note=pending.note, evidence=pending.stored()
        )
    except InvalidReport:  # a kept file went missing from the store: ask again
        pending.evidence = []
        await pending.save(turn.state)
        await turn.send(words.PHOTO_PROBLEM, markup=_buttons(turn.script))
        return
    except ReportError as error:
        await Collected.leave(turn.state, KEY)
        await _refuse(turn, error, ticket)
        return
    events = await turn.reports.events(report.ticket)
    chat_id = turn.settings.staff_chat_id
    await announce_reopened(session, chat_id, report, turn.clock.now(), event_id=events[-1].id)
    await Collected.leave(turn.state, KEY)
    await turn.send(words.REOPENED, ticket=report.ticket)
