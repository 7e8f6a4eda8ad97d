"""/broadcast (admins): compose a message (text, or a photo with a caption) → choose the audience
→ preview it with its size (and, in paid mode, its cost) → optionally a test copy to the admin's
own chat through the real delivery path → send now or at a time (Asia/Shanghai) → or discard it.

The broadcast row is created when the audience is chosen, so the buttons under the preview carry
its id and survive a restart; `campaigns.Broadcasts.start` writes the delivery list that the
sender (greenbot/delivery.py) drains; the admin who sent it follows it (`report_chat`): progress
and the final summary reach them through the outbox.
"""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import TYPE_CHECKING, Literal

from aiogram import F, Router
from aiogram.filters import Command
from aiogram.filters.callback_data import CallbackData
from aiogram.fsm.state import State, StatesGroup
from aiogram.types import InlineKeyboardButton, InlineKeyboardMarkup, Message

from bot.render import html, utf16_len
from bot.staff import Role, guard
from bot.texts import campaigns as t
from campaigns import TOPICS, BroadcastNotFound, Broadcasts, InvalidBroadcastState, next_allowed
from campaigns.texts import paid_cost
from ground.clock import SHANGHAI, local_time

if TYPE_CHECKING:
    from aiogram.fsm.context import FSMContext
    from aiogram.types import CallbackQuery
    from sqlalchemy.ext.asyncio import AsyncSession

    from bot.staff import StaffMember
    from campaigns import Broadcast
    from ground.clock import Clock
    from ground.settings import Settings
    from outbox import Nudge

router = guard(Router(name=__name__), Role.ADMIN)

TEXT_LIMIT = 4096  # Bot API: sendMessage text
CAPTION_LIMIT = 1024  # Bot API: photo caption
TIME_FORMAT = "%Y-%m-%d %H:%M"


def not_a_command(message: Message) -> bool:
    """State handlers leave commands (/broadcasts, /campaign_dates …) to their own handlers."""
    return not (message.text or "").startswith("/")


class BroadcastFlow(StatesGroup):
    content = State()  # the message to send
    audience = State()  # a topic, or everyone
    time = State()  # when to send a scheduled one


class BroadcastCb(CallbackData, prefix="bc"):
    action: Literal["audience", "test", "now", "schedule", "discard"]
    id: int = 0
    topic: str = ""  # a topic, or "all"


def _audience_keyboard(counts: dict[str, int], total: int) -> InlineKeyboardMarkup:
    def button(label: str, topic: str, count: int) -> InlineKeyboardButton:
        text = t.AUDIENCE_BUTTON.format(label=label, count=count)
        return InlineKeyboardButton(
            text=text, callback_data=BroadcastCb(action="audience", topic=topic).pack()
        )

    rows = [[button(t.TOPIC_LABELS[topic], topic, counts[topic])] for topic in TOPICS]
    rows.append([button(t.AUDIENCE_ALL, "all", total)])
    return InlineKeyboardMarkup(inline_keyboard=rows)


def _confirm_keyboard(broadcast_id: int) -> InlineKeyboardMarkup:
    def button(
        text: str, action: Literal["test", "now", "schedule", "discard"]
    ) -> InlineKeyboardButton:
        return InlineKeyboardButton(
            text=text, callback_data=BroadcastCb(action=action, id=broadcast_id).pack()
        )

    return InlineKeyboardMarkup(
        inline_keyboard=[
            [button(t.BUTTON_TEST, "test")],
            [button(t.BUTTON_SEND_NOW, "now"), button(t.BUTTON_SCHEDULE, "schedule")],
            [button(t.BUTTON_DISCARD, "discard")],
        ]
    )


@router.message(Command("broadcast"))
async def start_broadcast(message: Message, state: FSMContext, staff: StaffMember) -> None:
    await state.set_state(BroadcastFlow.content)
    await message.answer(html(t.BROADCAST_PROMPT))


@router.message(BroadcastFlow.content, not_a_command, F.text | F.photo)
async def take_content(
    message: Message, state: FSMContext, session: AsyncSession, staff: StaffMember
) -> None:
    plain = message.text if message.text is not None else message.caption or ""
    limit, kind = (
        (TEXT_LIMIT, t.KIND_TEXT) if message.photo is None else (CAPTION_LIMIT, t.KIND_CAPTION)
    )
    if message.photo is None and not plain.strip():
        await message.answer(html(t.BROADCAST_EMPTY))
        return
    if utf16_len(plain) > limit:
        too_long = t.BROADCAST_TOO_LONG.format(kind=kind, limit=limit, length=utf16_len(plain))
        await message.answer(html(too_long))
        return
    photo = message.photo[-1].file_id if message.photo else None
    # html_text: the staff's own formatting (bold, links) as Telegram HTML, their text escaped.
    await state.set_data({"text": message.html_text if plain else "", "photo": photo})
    await state.set_state(BroadcastFlow.audience)
    broadcasts = Broadcasts(session)
    counts = {topic: await broadcasts.audience_size([topic]) for topic in TOPICS}
    await message.answer(
        html(t.AUDIENCE_PROMPT),
        reply_markup=_audience_keyboard(counts, await broadcasts.audience_size()),
    )


@router.message(BroadcastFlow.content, not_a_command)
async def refuse_content(message: Message, staff: StaffMember) -> None:
    await message.answer(html(t.BROADCAST_TEXT_ONLY))


@router.message(BroadcastFlow.audience, not_a_command)
async def audience_by_button(message: Message, staff: StaffMember) -> None:
    await message.answer(html(t.AUDIENCE_BUTTONS))


@router.callback_query(BroadcastCb.filter(F.action == "audience"))
async def choose_audience(
    query: CallbackQuery,
    callback_data: BroadcastCb,
    state: FSMContext,
    session: AsyncSession,
    settings: Settings,
    clock: Clock,
    staff: StaffMember,
) -> None:
    draft = await state.get_data()
    if await state.get_state() != BroadcastFlow.audience.state or "text" not in draft:
        await query.answer(t.STALE, show_alert=True)
        return
    topics = None if callback_data.topic == "all" else [callback_data.topic]
    if topics is not None and callback_data.topic not in TOPICS:
        await query.answer(t.STALE, show_alert=True)
        return
    broadcasts = Broadcasts(session)
    count = await broadcasts.audience_size(topics)
    if count == 0:
        await query.answer(t.NOBODY_YET, show_alert=True)
        return
    broadcast = await broadcasts.create(
        text=draft["text"],
        photo=draft["photo"],
        topics=topics,
        created_by=staff.user_id,
        report_chat=staff.user_id,  # a private chat's id is its user's id
        now=clock.now(),
    )
    await state.clear()
    await query.answer()
    if isinstance(query.message, Message):
        await query.message.edit_reply_markup(reply_markup=None)
    await _preview(query, broadcast, count, paid=settings.broadcast_paid)


async def _preview(query: CallbackQuery, broadcast: Broadcast, count: int, *, paid: bool) -> None:
    """The message exactly as subscribers get it, then its audience (and cost) and the choices."""
    bot = query.bot
    chat_id = query.message.chat.id if query.message is not None else query.from_user.id
    if bot is None:  # only a query built by hand has no bot
        return
    await bot.send_message(chat_id, html(t.PREVIEW_HEADER))
    if broadcast.photo:
        await bot.send_photo(chat_id, broadcast.photo, caption=broadcast.text or None)
    else:
        await bot.send_message(chat_id, broadcast.text)
    summary = t.PREVIEW_SUMMARY.format(
        id=broadcast.id, audience=t.topic_list(broadcast.topics), count=count
    )
    if paid:
        summary += t.PAID_WARNING.format(stars=paid_cost(count))
    await bot.send_message(chat_id, html(summary), reply_markup=_confirm_keyboard(broadcast.id))


@router.callback_query(BroadcastCb.filter(F.action == "test"))
async def send_test(
    query: CallbackQuery,
    callback_data: BroadcastCb,
    session: AsyncSession,
    clock: Clock,
    staff: StaffMember,
    outbox_nudge: Nudge | None = None,
) -> None:
    """One copy to this admin through the outbox, exactly as subscribers will get it; the
    preview's buttons stay, so they send or discard it afterwards."""
    broadcasts = Broadcasts(session)
    broadcast = await broadcasts.get(callback_data.id)  # BroadcastNotFound: bot/errors.py
    if broadcast.status != "draft":
        await _not_a_draft(query, broadcasts, broadcast.id)
        return
    queued = await broadcasts.send_test(broadcast.id, chat_id=staff.user_id, now=clock.now())
    if queued and outbox_nudge is not None:
        outbox_nudge(session)
    await query.answer(t.TEST_QUEUED if queued else t.TEST_ON_ITS_WAY)


@router.callback_query(BroadcastCb.filter(F.action == "now"))
async def send_now(
    query: CallbackQuery,
    callback_data: BroadcastCb,
    session: AsyncSession,
    settings: Settings,
    clock: Clock,
    staff: StaffMember,
    outbox_nudge: Nudge | None = None,
) -> None:
    broadcasts = Broadcasts(
        session, quiet_start=settings.quiet_start_hour, quiet_end=settings.quiet_end_hour
    )
    now = clock.now()
    try:
        added = await broadcasts.start(callback_data.id, now=now)
        broadcast = await broadcasts.get(callback_data.id)
    except (BroadcastNotFound, InvalidBroadcastState):
        await _not_a_draft(query, broadcasts, callback_data.id)
        return
    if added == 0 and broadcast.recipients > 0:  # pressed twice: it is already sending
        await _not_a_draft(query, broadcasts, callback_data.id)
        return
    if outbox_nudge is not None:
        outbox_nudge(session)
    await query.answer()
    start = next_allowed(
        now, start_hour=settings.quiet_start_hour, end_hour=settings.quiet_end_hour
    )
    note = t.STARTED_QUIET.format(at=local_time(start, digits=True)) if start != now else ""
    text = (
        t.STARTED.format(id=broadcast.id, count=broadcast.recipients, note=note)
        if broadcast.recipients
        else t.NOBODY.format(id=broadcast.id)
    )
    await _close(query, text)


@router.callback_query(BroadcastCb.filter(F.action == "schedule"))
async def ask_time(
    query: CallbackQuery,
    callback_data: BroadcastCb,
    state: FSMContext,
    session: AsyncSession,
    clock: Clock,
    staff: StaffMember,
) -> None:
    broadcasts = Broadcasts(session)
    broadcast = await broadcasts.get(callback_data.id)  # BroadcastNotFound: bot/errors.py
    if broadcast.status != "draft":
        await _not_a_draft(query, broadcasts, broadcast.id)
        return
    await state.set_state(BroadcastFlow.time)
    await state.set_data({"broadcast_id": broadcast.id})
    await query.answer()
    await _close(query, t.ASK_TIME.format(example=_example(clock)))


@router.message(BroadcastFlow.time, not_a_command, F.text)
async def schedule_at(
    message: Message,
    state: FSMContext,
    session: AsyncSession,
    settings: Settings,
    clock: Clock,
    staff: StaffMember,
) -> None:
    at = parse_time(message.text or "")
    if at is None:
        await message.answer(html(t.BAD_TIME.format(example=_example(clock))))
        return
    if at <= clock.now():
        await message.answer(html(t.PAST_TIME))
        return
    broadcast_id = int((await state.get_data())["broadcast_id"])
    broadcasts = Broadcasts(session)
    await state.clear()
    try:
        broadcast = await broadcasts.schedule(broadcast_id, at=at)
    except (BroadcastNotFound, InvalidBroadcastState):
        await message.answer(html(await _status_note(broadcasts, broadcast_id)))
        return
    start = next_allowed(at, start_hour=settings.quiet_start_hour, end_hour=settings.quiet_end_hour)
    note = t.QUIET_NOTE.format(at=local_time(start, digits=True)) if start != at else ""
    text = t.SCHEDULED.format(
        id=broadcast.id,
        at=local_time(at, digits=True),
        audience=t.topic_list(broadcast.topics),
        note=note,
    )
    await message.answer(html(text))


@router.message(BroadcastFlow.time, not_a_command)
async def time_as_text(message: Message, clock: Clock, staff: StaffMember) -> None:
    await message.answer(html(t.BAD_TIME.format(example=_example(clock))))


@router.callback_query(BroadcastCb.filter(F.action == "discard"))
async def discard(
    query: CallbackQuery,
    callback_data: BroadcastCb,
    session: AsyncSession,
    clock: Clock,
    staff: StaffMember,
) -> None:
    broadcasts = Broadcasts(session)
    try:
        broadcast = await broadcasts.get(callback_data.id)
        if broadcast.status != "draft":
            raise InvalidBroadcastState(broadcast.status)
        await broadcasts.cancel(broadcast.id, now=clock.now())
    except (BroadcastNotFound, InvalidBroadcastState):
        await _not_a_draft(query, broadcasts, callback_data.id)
        return
    await query.answer()
    await _close(query, t.DISCARDED.format(id=broadcast.id))


def parse_time(text: str) -> datetime | None:
    """`2026-12-01 09:00` (also with ／, ：, full-width digits) as Asia/Shanghai time."""
    cleaned = text.strip().translate(_FULL_WIDTH).replace("/", "-").replace("T", " ")
    try:
        return datetime.strptime(" ".join(cleaned.split()), TIME_FORMAT).replace(tzinfo=SHANGHAI)
    except ValueError:
        return None


_FULL_WIDTH = str.maketrans("０１２３４５６７８９：－／　", "0123456789:-/ ")


def _example(clock: Clock) -> str:
    tomorrow = (clock.now().astimezone(SHANGHAI) + timedelta(days=1)).date()
    return f"{tomorrow.isoformat()} 09:00"


async def _status_note(broadcasts: Broadcasts, broadcast_id: int) -> str:
    """Why a broadcast cannot be sent, scheduled or discarded any more."""
    try:
        status = (await broadcasts.get(broadcast_id)).status
    except BroadcastNotFound:
        return t.NOT_FOUND.format(id=broadcast_id)
    return t.NOT_A_DRAFT.format(id=broadcast_id, status=t.STATUS_NAMES.get(status, status))


async def _not_a_draft(query: CallbackQuery, broadcasts: Broadcasts, broadcast_id: int) -> None:
    await query.answer(await _status_note(broadcasts, broadcast_id), show_alert=True)


async def _close(query: CallbackQuery, text: str) -> None:
    """Answer under the summary and take its buttons away, so nothing is pressed twice."""
    if isinstance(query.message, Message):
        await query.message.edit_reply_markup(reply_markup=None)
        await query.message.answer(html(text))
    elif query.bot is not None:
        await query.bot.send_message(query.from_user.id, html(text))
