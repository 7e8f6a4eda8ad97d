"""Staff handling reports in the bot: /queue pages through open reports (oldest first, overdue
flagged); a card's buttons accept, reject, transfer (pick a department), mark in progress,
resolve or mark duplicate (of which ticket), each asking for the note the reporter will read,
with the response templates that fit the report and the move as buttons (`reports.replies`):
pressing one sends its filled text as the note, or staff type their own.

Every handler sits behind `guard(…, Role.REVIEWER)`: a citizen's forged callback is refused and
logged before any of this runs. The status notice goes to the reporter through the outbox, in
the same transaction as the change.
"""

from __future__ import annotations

import logging
from contextlib import suppress
from typing import TYPE_CHECKING, Any

from aiogram import F, Router
from aiogram.exceptions import TelegramBadRequest
from aiogram.filters import Command, CommandObject, StateFilter
from aiogram.filters.callback_data import CallbackData
from aiogram.fsm.state import State, StatesGroup
from aiogram.types import (
    BufferedInputFile,
    ForceReply,
    InlineKeyboardButton,
    InlineKeyboardMarkup,
    Message,
)

from bot import texts
from bot.render import html, shorten
from bot.routers.report.cards import DepartmentCb, QueueCb, StaffCb, staff_buttons, staff_card
from bot.routers.report.context import provide_reports
from bot.staff import Role, guard
from bot.texts import replies as reply_words
from bot.texts import reports as words
from reports import (
    OPEN,
    InvalidTransition,
    ReportNotFound,
    Status,
    allowed_moves,
    category_name,
    normalise_ticket,
    status_name,
)
from reports.deadlines import missed_deadlines
from reports.media import RECORDINGS
from reports.replies import Replies, ReplyNotFound, fill
from reports.service import MAX_NOTE

if TYPE_CHECKING:
    from aiogram.types import CallbackQuery
    from sqlalchemy.ext.asyncio import AsyncSession

    from bot.routers.report.context import Turn
    from bot.staff import StaffMember
    from outbox import Nudge
    from reports import Report

log = logging.getLogger(__name__)
router = provide_reports(guard(Router(name=__name__), Role.REVIEWER))

PAGE_SIZE = 8
PENDING = "staff_action"  # FSM data key: the change waiting for its note
MAX_REPLIES = 8  # templates offered under the question for the note
REPLY_PREVIEW = 120  # characters of each filled template shown in the offer


class ReplyCb(CallbackData, prefix="rt"):
    """A response template chosen as the note of the pending move `to` of `ticket`."""

    ticket: str
    to: str
    id: int


class StaffFlow(StatesGroup):
    original = State()  # the ticket a duplicate points at
    note = State()  # the note the reporter reads


def _typed(message: Message) -> bool:
    return bool(message.text) and not (message.text or "").startswith("/")


# --- the queue ------------------------------------------------------------------------------
async def _queue_page(turn: Turn, page: int) -> tuple[str, InlineKeyboardMarkup | None]:
    result = await turn.reports.queue(statuses=OPEN, page=page, page_size=PAGE_SIZE)
    if not result.total:
        return turn.text(words.STAFF_QUEUE_EMPTY), None
    now = turn.clock.now()
    lines = [
        turn.text(words.STAFF_QUEUE_HEAD, page=result.page, pages=result.pages, total=result.total)
    ]
    for n, report in enumerate(result.items, start=(result.page - 1) * PAGE_SIZE + 1):
        overdue = words.STAFF_QUEUE_OVERDUE if missed_deadlines(report, now) else ""
        lines.append(
            turn.text(
                words.STAFF_QUEUE_ITEM,
                n=n,
                ticket=report.ticket,
                category=category_name(report.category),
                district=report.district,
                status=status_name(report.status),
                overdue=overdue,
            )
        )
    buttons = [
        InlineKeyboardButton(
            text=report.ticket, callback_data=StaffCb(action="view", ticket=report.ticket).pack()
        )
        for report in result.items
    ]
    rows = [buttons[i : i + 2] for i in range(0, len(buttons), 2)]
    paging = []
    if result.page > 1:
        paging.append(_page_button(texts.BUTTON_PREVIOUS, result.page - 1))
    if result.page < result.pages:
        paging.append(_page_button(texts.BUTTON_NEXT, result.page + 1))
    if paging:
        rows.append(paging)
    return "\n".join(lines), InlineKeyboardMarkup(inline_keyboard=rows)


def _page_button(label: str, page: int) -> InlineKeyboardButton:
    return InlineKeyboardButton(text=label, callback_data=QueueCb(page=page).pack())


@router.message(Command("queue"))
async def show_queue(message: Message, command: CommandObject, turn: Turn) -> None:
    page = int(command.args) if (command.args or "").strip().isdigit() else 1
    text, markup = await _queue_page(turn, page)
    await turn.send_html(text, markup=markup)


@router.callback_query(QueueCb.filter())
async def turn_page(query: CallbackQuery, callback_data: QueueCb, turn: Turn) -> None:
    await query.answer()
    text, markup = await _queue_page(turn, max(1, callback_data.page))
    if query.message is None:
        await turn.send_html(text, markup=markup)
        return
    with suppress(TelegramBadRequest):  # "message is not modified": nothing changed meanwhile
        await turn.bot.edit_message_text(
            text, chat_id=turn.chat_id, message_id=query.message.message_id, reply_markup=markup
        )


# --- one report -----------------------------------------------------------------------------
async def _report(turn: Turn, ticket: str) -> Report | None:
    try:
        return await turn.reports.get(ticket)
    except ReportNotFound:
        await turn.send(words.STAFF_NOT_FOUND, ticket=ticket)
        return None


async def _send_card(turn: Turn, report: Report) -> None:
    card = staff_card(
        report, turn.clock.now(), reviewers_see_contact=turn.settings.reviewers_see_contact
    )
    await turn.send_html(card, markup=staff_buttons(report))


@router.callback_query(StaffCb.filter(F.action == "view"))
async def view_report(query: CallbackQuery, callback_data: StaffCb, turn: Turn) -> None:
    await query.answer()
    if (report := await _report(turn, callback_data.ticket)) is not None:
        await _send_card(turn, report)


@router.callback_query(StaffCb.filter(F.action == "photos"))
async def show_photos(query: CallbackQuery, callback_data: StaffCb, turn: Turn) -> None:
    await query.answer()
    report = await _report(turn, callback_data.ticket)
    if report is None:
        return
    if not report.photos:
        await turn.send(words.STAFF_NO_PHOTOS)
        return
    media = turn.reports.media
    for photo in report.photos:
        upload = BufferedInputFile(media.read(photo.name), filename=photo.name)
        if photo.kind in RECORDINGS:  # a voice note or a video: as a file staff can play
            caption = html(f"{report.ticket} {reply_words.EVIDENCE_KINDS[photo.kind]}")
            await turn.bot.send_document(turn.chat_id, upload, caption=caption)
        else:
            await turn.bot.send_photo(turn.chat_id, upload, caption=html(report.ticket))


# --- changing the status: pick, (department | original), note -------------------------------
@router.callback_query(StaffCb.filter(F.action.in_({s.value for s in Status})))
async def start_change(query: CallbackQuery, callback_data: StaffCb, turn: Turn) -> None:
    await query.answer()
    report = await _report(turn, callback_data.ticket)
    target = Status(callback_data.action)
    if report is None or not await _allowed(turn, report, target):
        return
    if target == Status.TRANSFERRED:
        departments = turn.reports.routing.departments
        buttons = [
            [
                InlineKeyboardButton(
                    text=name, callback_data=DepartmentCb(ticket=report.ticket, n=n).pack()
                )
            ]
            for n, name in enumerate(departments)
        ]
        markup = InlineKeyboardMarkup(inline_keyboard=buttons)
        await turn.send(words.STAFF_PICK_DEPARTMENT, ticket=report.ticket, markup=markup)
        return
    if target == Status.DUPLICATE:
        await _pend(turn, StaffFlow.original, ticket=report.ticket, to=target.value)
        await turn.send(words.STAFF_ASK_ORIGINAL, ticket=report.ticket, markup=_reply_here())
        return
    await _ask_note(turn, ticket=report.ticket, to=target.value)


@router.callback_query(DepartmentCb.filter())
async def pick_department(query: CallbackQuery, callback_data: DepartmentCb, turn: Turn) -> None:
    await query.answer()
    departments = turn.reports.routing.departments
    if not 0 <= callback_data.n < len(departments):
        await turn.send(words.STAFF_STALE)
        return
    department = departments[callback_data.n]
    await _ask_note(
        turn, ticket=callback_data.ticket, to=Status.TRANSFERRED.value, department=department
    )


@router.message(StaffFlow.original, _typed)
async def name_original(message: Message, turn: Turn) -> None:
    pending = await _pending(turn)
    original = normalise_ticket(message.text or "")
    try:
        found = await turn.reports.get(original)
    except ReportNotFound:
        found = None
    if pending is None or found is None or found.ticket == pending["ticket"]:
        await turn.send(words.STAFF_BAD_ORIGINAL, original=original, markup=_reply_here())
        return
    await _ask_note(
        turn, ticket=pending["ticket"], to=Status.DUPLICATE.value, duplicate_of=found.ticket
    )


@router.message(StaffFlow.note, _typed)
async def write_note(
    message: Message,
    turn: Turn,
    staff: StaffMember,
    session: AsyncSession,
    outbox_nudge: Nudge | None = None,
) -> None:
    pending = await _pending(turn)
    note = (message.text or "").strip()
    if pending is not None and len(note) > MAX_NOTE:
        await turn.send(words.STAFF_NOTE_TOO_LONG, max=MAX_NOTE, markup=_reply_here())
        return
    if await _change(turn, staff, pending, note) and outbox_nudge is not None:
        outbox_nudge(session)  # the notice is sent once this update commits


@router.callback_query(ReplyCb.filter())
async def use_reply(
    query: CallbackQuery,
    callback_data: ReplyCb,
    turn: Turn,
    staff: StaffMember,
    session: AsyncSession,
    outbox_nudge: Nudge | None = None,
) -> None:
    """A template button under the question for the note: its filled text is the note. Refused
    when the move it was offered for is no longer the one waiting (another card since, or a
    forged button), or the template was deleted or changed to fit another move."""
    await query.answer()
    pending = await _pending(turn)
    offered_for = (callback_data.ticket, callback_data.to)
    waiting = await turn.state.get_state() == StaffFlow.note.state
    if not waiting or pending is None or (pending["ticket"], pending["to"]) != offered_for:
        await turn.send(words.STAFF_STALE)
        return
    report = await _report(turn, callback_data.ticket)
    if report is None:
        return
    replies = Replies(turn.reports.session, turn.clock)
    try:
        template = await replies.fitting(callback_data.id, callback_data.to, report.category)
    except ReplyNotFound:
        log.info("response template %s refused for %s", callback_data.id, report.ticket)
        await turn.send(reply_words.REPLY_GONE, markup=_reply_here())
        return
    note = _filled(template.body, report, pending, turn)
    if len(note) > MAX_NOTE:  # `check` keeps a saved template within the limit
        await turn.send(words.STAFF_NOTE_TOO_LONG, max=MAX_NOTE, markup=_reply_here())
        return
    await turn.send(reply_words.REPLY_USED, title=template.title, note=note)
    if await _change(turn, staff, pending, note) and outbox_nudge is not None:
        outbox_nudge(session)


async def _change(
    turn: Turn, staff: StaffMember, pending: dict[str, Any] | None, note: str
) -> bool:
    """Make the pending move with `note`; tell staff how it went. True when it was made."""
    await turn.state.set_state(None)
    await turn.state.update_data({PENDING: None})
    if pending is None:
        await turn.send(words.STAFF_STALE)
        return False
    ticket = pending["ticket"]
    try:
        report = await turn.reports.change_status(
            ticket,
            pending["to"],
            by=staff.audit,
            note=note,
            department=pending.get("department"),
            duplicate_of=pending.get("duplicate_of"),
        )
    except ReportNotFound:
        await turn.send(words.STAFF_NOT_FOUND, ticket=ticket)
        return False
    except InvalidTransition as error:  # changed by someone else meanwhile, or a bad original
        log.info("status change of %s refused: %s", ticket, error)
        current = await turn.reports.get(ticket)
        target = status_name(pending["to"])
        await turn.send(
            words.STAFF_INVALID, ticket=ticket, status=status_name(current.status), target=target
        )
        return False
    log.info("report %s moved to %s by staff %s", ticket, report.status, staff.user_id)
    await turn.send(words.STAFF_DONE, ticket=ticket, status=status_name(report.status))
    await _send_card(turn, report)
    return True


@router.message(StateFilter(StaffFlow))
async def note_hint(message: Message, turn: Turn) -> None:
    if (message.text or "").startswith("/"):
        return  # another staff command; /cancel is answered by start.py before this router
    await turn.send(words.STAFF_NOTE_TEXT_ONLY)


# --- helpers --------------------------------------------------------------------------------
async def _allowed(turn: Turn, report: Report, target: Status) -> bool:
    if target in allowed_moves(report.status):
        return True
    await turn.send(
        words.STAFF_INVALID,
        ticket=report.ticket,
        status=status_name(report.status),
        target=status_name(target),
    )
    return False


async def _pend(turn: Turn, state: State, **pending: Any) -> None:
    await turn.state.update_data({PENDING: pending})
    await turn.state.set_state(state)


async def _pending(turn: Turn) -> dict[str, Any] | None:
    return (await turn.state.get_data()).get(PENDING)


async def _ask_note(turn: Turn, **pending: Any) -> None:
    await _pend(turn, StaffFlow.note, **pending)
    action = words.STAFF_ACTIONS[pending["to"]]
    await turn.send(
        words.STAFF_ASK_NOTE, action=action, ticket=pending["ticket"], markup=_reply_here()
    )
    await _offer_replies(turn, pending)


async def _offer_replies(turn: Turn, pending: dict[str, Any]) -> None:
    """The templates for this report and move, filled, as buttons (a second message: the
    question above carries the ForceReply a staff group needs)."""
    try:
        report = await turn.reports.get(pending["ticket"])
    except ReportNotFound:
        return
    replies = Replies(turn.reports.session, turn.clock)
    fitting = (await replies.for_move(pending["to"], report.category))[:MAX_REPLIES]
    if not fitting:
        return
    lines = [turn.text(reply_words.REPLY_OFFER)]
    buttons = []
    for n, template in enumerate(fitting, start=1):
        note = _filled(template.body, report, pending, turn)
        lines.append(
            turn.text(
                reply_words.REPLY_ITEM, n=n, title=template.title, note=shorten(note, REPLY_PREVIEW)
            )
        )
        data = ReplyCb(ticket=report.ticket, to=pending["to"], id=template.id).pack()
        label = turn.word(reply_words.REPLY_BUTTON).format(n=n, title=shorten(template.title, 40))
        buttons.append([InlineKeyboardButton(text=label, callback_data=data)])
    markup = InlineKeyboardMarkup(inline_keyboard=buttons)
    await turn.send_html("\n".join(lines), markup=markup)


def _filled(body: str, report: Report, pending: dict[str, Any], turn: Turn) -> str:
    return fill(
        body,
        report,
        status=pending["to"],
        on=turn.clock.now(),
        department=pending.get("department"),
    )


def _reply_here() -> ForceReply:
    """In a staff group the bot sees replies to itself only (privacy mode): ask for one."""
    return ForceReply(selective=True)
