"""Add to my report: the reporter adds photos, voice notes, videos or a note to an open report
(issue 17), from the 补充材料 button /myreports puts under each open one.

The button's ticket is only a claim: the report must be the caller's own and open, checked on
the press and again when the addition is written (reports/evidence.py). Until 完成 the pieces
wait in the FSM data (JSON: the stored files' fields and the note), so a restart loses nothing;
完成 writes one "addition" audit row with them, and the staff chat hears of it through the
outbox, without the reporter's identity.
"""

from __future__ import annotations

import contextlib
import logging
from typing import TYPE_CHECKING

from aiogram import F, Router
from aiogram.exceptions import TelegramAPIError
from aiogram.filters import StateFilter
from aiogram.fsm.state import State, StatesGroup

from bot.render import html, shorten
from bot.routers.report import keyboards
from bot.routers.report.collecting import Collected
from bot.routers.report.draft import ReportFlow
from bot.routers.report.intake import EVIDENCE, NOT_FOR_OTHERS, TYPED
from bot.routers.report.keyboards import AddCb
from bot.routers.report.photos import incoming_evidence, receive
from bot.routers.start import menu
from bot.texts import reports as words
from outbox import Outbox
from reports import InvalidReport, ReportNotFound
from reports.evidence import (
    MAX_NOTE,
    MAX_PIECES,
    ReportClosed,
    TooMuchEvidence,
    add_to_report,
    evidence_counts,
    open_report_of,
)
from reports.media import MAX_RECORDINGS, PHOTO, RECORDINGS, VIDEO, VOICE

if TYPE_CHECKING:
    from aiogram.types import CallbackQuery, Message
    from sqlalchemy.ext.asyncio import AsyncSession

    from bot.routers.report.context import Turn
    from outbox import Nudge
    from reports import Report

log = logging.getLogger(__name__)
router = Router(name=__name__)

KEY = "addition"  # FSM data: {"ticket", "note", "evidence": [StoredPhoto fields]}
STAFF_ADDITION_KIND = "staff_report_addition"
STAFF_NOTE_CHARS = 300


class AdditionFlow(StatesGroup):
    evidence = State()  # pieces and a note, until 完成 or 取消


async def _pending(turn: Turn) -> Collected:
    return await Collected.load(turn.state, KEY)


async def _leave(turn: Turn) -> None:
    await Collected.leave(turn.state, KEY)


async def _acknowledge(turn: Turn, pending: Collected) -> None:
    await pending.save(turn.state)
    counts = evidence_counts(pending.kinds)
    await turn.send(
        words.ADD_GOT,
        note=turn.word(words.ADD_NOTE_YES if pending.note else words.ADD_NOTE_NO),
        photos=counts[PHOTO],
        voice=counts[VOICE],
        video=counts[VIDEO],
        markup=keyboards.addition(turn.script, pending.ticket),
    )


# --- starting: 补充材料 under /myreports ------------------------------------------------------
@router.callback_query(AddCb.filter(F.action == "start"))
async def start_addition(
    query: CallbackQuery, callback_data: AddCb, turn: Turn, raw_state: str | None
) -> None:
    await query.answer()
    if query.message is None or query.message.chat.type != "private":
        await turn.send(words.ADD_NOT_YOURS)
        return
    if raw_state is not None and raw_state.startswith(f"{ReportFlow.__name__}:"):
        await turn.send(words.ADD_FINISH_REPORT_FIRST)  # the half-filled report stays
        return
    pending = await _pending(turn)
    if raw_state == AdditionFlow.evidence.state and (pending.note or pending.evidence):
        markup = keyboards.addition(turn.script, pending.ticket)
        await turn.send(words.ADD_PENDING, ticket=pending.ticket, markup=markup)
        return
    try:
        report = await open_report_of(turn.reports, callback_data.ticket, turn.user_id)
    except ReportNotFound:  # someone else's too (NotTheReporter): nothing to tell about it
        log.info("addition refused: %s is not the caller's report", callback_data.ticket)
        await turn.send(words.ADD_NOT_YOURS)
        return
    except ReportClosed:
        await turn.send(words.ADD_CLOSED, ticket=callback_data.ticket)
        return
    await turn.state.set_state(AdditionFlow.evidence)
    await Collected(KEY, ticket=report.ticket).save(turn.state)
    await turn.send(
        words.ADD_ASK,
        ticket=report.ticket,
        max=MAX_PIECES,
        markup=keyboards.addition(turn.script, report.ticket),
    )


# --- what the citizen sends ------------------------------------------------------------------
@router.message(AdditionFlow.evidence, EVIDENCE)
async def add_piece(message: Message, turn: Turn) -> None:
    pending = await _pending(turn)
    markup = keyboards.addition(turn.script, pending.ticket)
    incoming = incoming_evidence(message)
    if incoming is None:
        await turn.send(words.ADD_HINT, markup=markup)
        return
    if len(pending.evidence) >= MAX_PIECES:
        await turn.send(words.ADD_TOO_MANY, max=MAX_PIECES, markup=markup)
        return
    recordings = sum(kind in RECORDINGS for kind in pending.kinds)
    if incoming.kind in RECORDINGS and recordings >= MAX_RECORDINGS:
        await turn.send(words.TOO_MANY_RECORDINGS, max=MAX_RECORDINGS, markup=markup)
        return
    stored = await receive(turn, incoming, markup=markup)
    if stored is None:
        return
    pending.add(stored)
    pending.add_note(message.caption or "", max_chars=MAX_NOTE)  # a caption too long is left
    await _acknowledge(turn, pending)


@router.message(AdditionFlow.evidence, TYPED)
async def add_note(message: Message, turn: Turn) -> None:
    pending = await _pending(turn)
    if not pending.add_note(message.text or "", max_chars=MAX_NOTE):
        markup = keyboards.addition(turn.script, pending.ticket)
        await turn.send(words.ADD_NOTE_TOO_LONG, max=MAX_NOTE, markup=markup)
        return
    await _acknowledge(turn, pending)


# --- 完成 and 取消 -------------------------------------------------------------------------------
@router.callback_query(AdditionFlow.evidence, AddCb.filter(F.action == "done"))
async def finish(
    query: CallbackQuery,
    callback_data: AddCb,
    turn: Turn,
    session: AsyncSession,
    outbox_nudge: Nudge | None = None,
) -> None:
    pending = await _pending(turn)
    if callback_data.ticket != pending.ticket:  # an older addition's button
        await query.answer(turn.word(words.ADD_STALE), show_alert=True)
        return
    await query.answer()
    if not pending.note and not pending.evidence:
        markup = keyboards.addition(turn.script, pending.ticket)
        await turn.send(words.ADD_NOTHING_YET, markup=markup)
        return
    await _remove_buttons(turn, query)
    ticket = pending.ticket
    try:
        event = await add_to_report(
            turn.reports,
            ticket,
            user_id=turn.user_id,
            note=pending.note,
            evidence=pending.stored(),
        )
    except ReportNotFound:
        await _end(turn, words.ADD_NOT_YOURS)
        return
    except ReportClosed:
        await _end(turn, words.ADD_CLOSED, ticket=ticket)
        return
    except TooMuchEvidence:
        await _end(turn, words.ADD_LIMIT, ticket=ticket)
        return
    except InvalidReport as error:
        log.warning("addition to %s not written: %s", ticket, error)
        await _end(turn, words.ADD_FAILED)
        return
    log.info("addition %s to report %s (%s pieces)", event.id, ticket, len(pending.evidence))
    await _end(turn, words.ADD_DONE, ticket=ticket)
    report = await turn.reports.get(ticket)
    if await _tell_staff(session, turn, report, pending, event.id) and outbox_nudge is not None:
        outbox_nudge(session)  # the staff chat hears of it once this update commits


@router.callback_query(AdditionFlow.evidence, AddCb.filter(F.action == "cancel"))
async def cancel_addition(query: CallbackQuery, turn: Turn) -> None:
    await query.answer()
    await _remove_buttons(turn, query)
    await _end(turn, words.ADD_CANCELLED)


async def _end(turn: Turn, template: str, **values: object) -> None:
    await _leave(turn)
    await turn.send(template, markup=menu(turn.script), **values)


async def _remove_buttons(turn: Turn, query: CallbackQuery) -> None:
    """No second 完成 on the same message."""
    if query.message is not None:
        with contextlib.suppress(TelegramAPIError):
            await turn.bot.edit_message_reply_markup(
                chat_id=turn.chat_id, message_id=query.message.message_id, reply_markup=None
            )


async def _tell_staff(
    session: AsyncSession, turn: Turn, report: Report, pending: Collected, event_id: int
) -> bool:
    """Queue a line for the staff chat: the ticket, what was added, the note shortened; never
    who added it (the reporter may be anonymous). Demo reports stay out of the staff chat."""
    chat_id = turn.settings.staff_chat_id
    if chat_id is None or report.demo:
        return False
    counts = evidence_counts(pending.kinds)
    lines = [
        html(
            words.STAFF_ADDITION.format(
                ticket=report.ticket, photos=counts[PHOTO], voice=counts[VOICE], video=counts[VIDEO]
            )
        )
    ]
    if pending.note:
        note = shorten(pending.note, STAFF_NOTE_CHARS)
        lines.append(html(words.STAFF_ADDITION_NOTE.format(note=note)))
    return await Outbox(session).add(
        chat_id=chat_id,
        text="\n".join(lines),
        kind=STAFF_ADDITION_KIND,
        dedupe_key=f"{STAFF_ADDITION_KIND}:{event_id}:{chat_id}",
        now=turn.clock.now(),
    )


# --- anything else while adding, and old buttons ---------------------------------------------
@router.message(AdditionFlow.evidence, *NOT_FOR_OTHERS)
async def addition_hint(message: Message, turn: Turn) -> None:
    """A sticker, a location, a contact: what can be added, and nothing lost."""
    pending = await _pending(turn)
    await turn.send(words.ADD_HINT, markup=keyboards.addition(turn.script, pending.ticket))


@router.callback_query(AddCb.filter(), ~StateFilter(AdditionFlow.evidence))
async def stale_addition_button(query: CallbackQuery, turn: Turn) -> None:
    """完成 or 取消 after the addition ended (a double tap, an old message): nothing changes."""
    await query.answer(turn.word(words.ADD_STALE), show_alert=True)
