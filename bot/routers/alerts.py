"""/alerts (片区提醒): a citizen picks the districts whose daily digest of new and resolved
reports they get (issue 17), or stops them all. The digest itself is queued by the scheduler's
housekeeping (`reports/alerts.py`) and rendered by `bot/notices.py` at send time."""

from __future__ import annotations

from typing import TYPE_CHECKING, Literal

from aiogram import F, Router
from aiogram.exceptions import TelegramBadRequest
from aiogram.filters import Command
from aiogram.filters.callback_data import CallbackData
from aiogram.types import InlineKeyboardButton, InlineKeyboardMarkup, Message

from bot import texts
from bot.render import html
from bot.texts import alerts as t
from reports import DISTRICTS
from reports.alerts import ALERT_HOUR, AreaAlerts

if TYPE_CHECKING:
    from aiogram.types import CallbackQuery
    from sqlalchemy.ext.asyncio import AsyncSession

    from citizens import Citizen
    from ground.clock import Clock
    from ground.settings import Settings
    from knowledge.scripts import Script

router = Router(name=__name__)
router.message.filter(F.chat.type == "private")  # a digest goes to one citizen, not a group


class AlertCb(CallbackData, prefix="al"):
    action: Literal["toggle", "stop", "done"]
    district: int = -1  # an index into DISTRICTS: a name would not fit Telegram's 64 bytes


def _button(label: str, script: Script, **data: object) -> InlineKeyboardButton:
    return InlineKeyboardButton(
        text=texts.say(label, script),
        callback_data=AlertCb(**data).pack(),  # type: ignore[arg-type]
    )


def toggles(chosen: list[str], script: Script) -> InlineKeyboardMarkup:
    """One switch per district (✅ when subscribed), then 全部取消 and 完成."""
    switches = [
        _button(
            (t.BUTTON_ON if district in chosen else t.BUTTON_OFF).format(district=district),
            script,
            action="toggle",
            district=index,
        )
        for index, district in enumerate(DISTRICTS)
    ]
    rows = [switches[i : i + 2] for i in range(0, len(switches), 2)]
    rows.append(
        [
            _button(t.BUTTON_STOP, script, action="stop"),
            _button(t.BUTTON_DONE, script, action="done"),
        ]
    )
    return InlineKeyboardMarkup(inline_keyboard=rows)


def _summary(chosen: list[str]) -> str:
    return (
        t.SUBSCRIBED_TO.format(districts=t.district_list(chosen)) if chosen else t.SUBSCRIBED_NONE
    )


def _panel(chosen: list[str], settings: Settings, script: Script) -> str:
    intro = t.ALERTS_INTRO.format(hour=ALERT_HOUR)
    quiet = t.QUIET_HOURS.format(start=settings.quiet_start_hour, end=settings.quiet_end_hour)
    return html(texts.say(f"{intro}\n\n{_summary(chosen)}\n\n{quiet}", script))


@router.message(Command("alerts"))
async def show_alerts(
    message: Message, session: AsyncSession, citizen: Citizen | None, settings: Settings
) -> None:
    if message.from_user is None:
        return
    script = texts.script_for(citizen)
    alerts = AreaAlerts(session)
    await alerts.set_script(message.from_user.id, script)
    chosen = await alerts.districts(message.from_user.id)
    await message.answer(_panel(chosen, settings, script), reply_markup=toggles(chosen, script))


@router.callback_query(AlertCb.filter())
async def change_alerts(
    query: CallbackQuery,
    callback_data: AlertCb,
    session: AsyncSession,
    citizen: Citizen | None,
    settings: Settings,
    clock: Clock,
) -> None:
    """Each press edits the panel first and answers the press after, so the citizen (and a
    test) sees the new state by the time the button stops spinning."""
    script = texts.script_for(citizen)
    message = query.message if isinstance(query.message, Message) else None
    action, index = callback_data.action, callback_data.district
    forged = action == "toggle" and not 0 <= index < len(DISTRICTS)
    if message is None or message.chat.type != "private" or forged:  # too old, or forged
        await query.answer(texts.say(texts.STALE_BUTTON, script), show_alert=True)
        return
    alerts, user_id = AreaAlerts(session), query.from_user.id
    notice = None
    if action == "toggle":
        district = DISTRICTS[index]
        on = await alerts.toggle(
            user_id=user_id, chat_id=message.chat.id, district=district, script=script,
            now=clock.now(),
        )  # fmt: skip
        notice = (t.TOGGLED_ON if on else t.TOGGLED_OFF).format(district=district)
    elif action == "stop":
        await alerts.erase(user_id)
        notice = t.ALL_OFF
    chosen = await alerts.districts(user_id)
    if action == "done":
        await _edit(message, html(texts.say(t.SAVED.format(summary=_summary(chosen)), script)))
    else:
        await _edit(message, _panel(chosen, settings, script), toggles(chosen, script))
    await query.answer(texts.say(notice, script) if notice else None)


async def _edit(message: Message, text: str, markup: InlineKeyboardMarkup | None = None) -> None:
    """Edit in place; 全部取消 twice changes nothing, and Telegram says so with a 400."""
    try:
        await message.edit_text(text, reply_markup=markup)
    except TelegramBadRequest as error:
        if "message is not modified" not in error.message:
            raise
