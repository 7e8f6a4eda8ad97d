"""The end of the flow: following a similar report instead of filing, the summary's 提交 / 修改,
the ticket number, and the staff chat's copy. Ends with the catch-all for stale flow buttons.

A double tap on 提交 files once: one citizen's updates run one at a time (aiogram's event
isolation, `_isolation` in bot/app.py, held around the update's whole unit of work), and the
second press finds the summary filed and gets its ticket back."""

from __future__ import annotations

import contextlib
import logging
from typing import TYPE_CHECKING

from aiogram import F, Router
from aiogram.exceptions import TelegramAPIError

from bot.routers.report import keyboards, steps
from bot.routers.report.cards import announce
from bot.routers.report.draft import Draft, ReportFlow, discard, file_away, ticket_filed_from
from bot.routers.report.intake import NOT_FOR_OTHERS
from bot.routers.report.keyboards import EditCb, FollowCb, StepCb
from bot.routers.start import menu
from bot.texts import reports as words
from reports import InvalidReport, ReportNotFound, TooManyReports

if TYPE_CHECKING:
    from aiogram.fsm.context import FSMContext
    from aiogram.types import CallbackQuery, Message
    from sqlalchemy.ext.asyncio import AsyncSession

    from bot.routers.report.context import Turn
    from outbox import Nudge

log = logging.getLogger(__name__)
router = Router(name=__name__)

EDIT_STEPS = {
    "category": ReportFlow.category,
    "description": ReportFlow.description,
    "location": ReportFlow.consent,  # asked again: the consent is for this place
    "district": ReportFlow.district,
    "photos": ReportFlow.photos,
    "contact": ReportFlow.contact,
}


# --- similar reports ------------------------------------------------------------------------
@router.callback_query(ReportFlow.similar, FollowCb.filter())
async def follow_instead(query: CallbackQuery, callback_data: FollowCb, turn: Turn) -> None:
    await query.answer()
    try:
        added = await turn.reports.follow(
            callback_data.ticket, user_id=turn.user_id, chat_id=turn.chat_id, script=turn.script
        )
    except ReportNotFound:
        await turn.send(words.STALE)
        return
    await discard(turn.state)
    template = words.FOLLOWED if added else words.ALREADY_FOLLOWING
    await turn.send(template, ticket=callback_data.ticket, markup=menu(turn.script))
    log.info("similar report %s followed instead of filing", callback_data.ticket)


@router.callback_query(ReportFlow.similar, StepCb.filter(F.action == "keep"))
async def keep_filing(query: CallbackQuery, turn: Turn) -> None:
    await query.answer()
    draft = await Draft.load(turn.state)
    target = ReportFlow.summary if draft.editing else ReportFlow.photos
    await steps.ask(turn, target, draft)


# --- the summary ----------------------------------------------------------------------------
@router.callback_query(ReportFlow.summary, StepCb.filter(F.action == "edit"))
async def choose_edit(query: CallbackQuery, turn: Turn) -> None:
    await query.answer()
    await turn.send(words.EDIT_WHAT, markup=keyboards.edit_fields(turn.script))


@router.callback_query(ReportFlow.summary, StepCb.filter(F.action == "review"))
async def review(query: CallbackQuery, turn: Turn) -> None:
    await query.answer()
    await steps.ask(turn, ReportFlow.summary, await Draft.load(turn.state))


@router.callback_query(ReportFlow.summary, EditCb.filter(F.field.in_(EDIT_STEPS)))
async def edit(query: CallbackQuery, callback_data: EditCb, turn: Turn) -> None:
    await query.answer()
    draft = await Draft.load(turn.state)
    draft.editing = True
    if callback_data.field == "photos":
        draft.photos = []  # sent again from scratch; the prompt says how many are allowed
    await steps.ask(turn, EDIT_STEPS[callback_data.field], draft)


async def filed_already(query: CallbackQuery, state: FSMContext) -> dict[str, str] | bool:
    """Filter: the pressed summary was filed already; hands the handler its `ticket`."""
    if query.message is None:
        return False
    ticket = await ticket_filed_from(state, query.message.message_id)
    return {"ticket": ticket} if ticket is not None else False


@router.callback_query(StepCb.filter(F.action == "submit"), filed_already)
async def submitted_already(query: CallbackQuery, ticket: str, turn: Turn) -> None:
    """提交 again on a filed summary, in or out of a new flow: its ticket, nothing filed. Not
    "expired", which reads as a failure and has citizens file the same report twice."""
    await query.answer(turn.word(words.SUBMITTED_ALREADY).format(ticket=ticket), show_alert=True)
    log.info("submit pressed again on the summary of report %s", ticket)


@router.callback_query(ReportFlow.summary, StepCb.filter(F.action == "submit"))
async def submit(
    query: CallbackQuery,
    turn: Turn,
    session: AsyncSession,
    outbox_nudge: Nudge | None = None,
) -> None:
    await query.answer()
    if query.message is not None:  # no second press on the same summary
        with contextlib.suppress(TelegramAPIError):
            await turn.bot.edit_message_reply_markup(
                chat_id=turn.chat_id, message_id=query.message.message_id, reply_markup=None
            )
    draft = await Draft.load(turn.state)
    try:
        report = await turn.reports.submit(
            user_id=turn.user_id, chat_id=turn.chat_id, script=turn.script, **draft.submission()
        )
    except TooManyReports:
        await discard(turn.state)
        await turn.send(
            words.LIMIT_REACHED, limit=turn.reports.limits.reports_per_day, markup=menu(turn.script)
        )
        return
    except InvalidReport as error:
        log.info("report not submitted: %s", type(error).__name__)
        await turn.send(words.SUBMIT_FAILED, reason=turn.word(words.INVALID_REASON))
        await steps.ask(turn, ReportFlow.summary, draft)
        return
    # The coordinates were kept only with the citizen's consent (intake.consent_to_location);
    # the report records when it was given, in this update's transaction.
    report.location_consent_at = draft.consented_at() if report.lat is not None else None
    summary_id = query.message.message_id if query.message is not None else None
    await file_away(turn.state, ticket=report.ticket, summary_id=summary_id)
    log.info("report %s filed (%s photos)", report.ticket, len(report.photos))
    await turn.send(
        words.SUBMITTED,
        ticket=report.ticket,
        department=turn.word(report.department),
        markup=menu(turn.script),
    )
    queued = await announce(session, turn.settings.staff_chat_id, report, turn.clock.now())
    if queued and outbox_nudge is not None:
        outbox_nudge(session)  # the staff chat hears of it once this update commits


@router.message(ReportFlow.summary, *NOT_FOR_OTHERS)
async def summary_hint(message: Message, turn: Turn) -> None:
    await turn.send(words.HINT_SUMMARY)


@router.message(ReportFlow.similar, *NOT_FOR_OTHERS)
async def similar_hint(message: Message, turn: Turn) -> None:
    await turn.send(words.HINT_SIMILAR)


# --- last: this flow's buttons pressed out of turn ------------------------------------------
@router.callback_query(F.data.startswith(("rp:", "rpc:", "rpd:", "rpe:", "rpf:")))
async def stale_button(query: CallbackQuery, turn: Turn) -> None:
    """An old message's button, or one pressed after submitting: an alert, nothing changes."""
    await query.answer(turn.word(words.STALE), show_alert=True)
