"""/subscribe, /unsubscribe and the 活动提醒 button: a citizen picks which campaign reminders
they get (topic toggles), or stops them all; quiet hours are explained where they choose."""

from __future__ import annotations

from typing import TYPE_CHECKING, Literal

from aiogram import F, Router
from aiogram.filters import Command
from aiogram.filters.callback_data import CallbackData
from aiogram.types import InlineKeyboardButton, InlineKeyboardMarkup, Message

from bot import texts
from bot.errors import unless_unchanged
from bot.render import html
from bot.texts import campaigns as t
from campaigns import TOPICS, Subscriptions

if TYPE_CHECKING:
    from aiogram.types import CallbackQuery
    from sqlalchemy.ext.asyncio import AsyncSession

    from citizens import Citizen
    from ground.clock import Clock
    from ground.settings import Settings
    from knowledge.scripts import Script

router = Router(name=__name__)


class SubscribeCb(CallbackData, prefix="sub"):
    action: Literal["toggle", "all", "stop", "confirm_stop", "keep", "done"]
    topic: str = ""


def _button(label: str, script: Script, **data: str) -> InlineKeyboardButton:
    return InlineKeyboardButton(
        text=texts.say(label, script), callback_data=SubscribeCb(**data).pack()
    )


def toggles(chosen: frozenset[str], script: Script) -> InlineKeyboardMarkup:
    """One switch per topic (✅ when on), then 全部订阅 / 全部取消 and 完成."""
    switches = [
        _button(
            (t.BUTTON_ON if topic in chosen else t.BUTTON_OFF).format(label=t.TOPIC_LABELS[topic]),
            script,
            action="toggle",
            topic=topic,
        )
        for topic in TOPICS
    ]
    rows = [switches[i : i + 2] for i in range(0, len(switches), 2)]
    rows.append(
        [
            _button(t.BUTTON_ALL, script, action="all"),
            _button(t.BUTTON_STOP, script, action="stop"),
        ]
    )
    rows.append([_button(t.BUTTON_DONE, script, action="done")])
    return InlineKeyboardMarkup(inline_keyboard=rows)


def _summary(chosen: frozenset[str]) -> str:
    return t.SUBSCRIBED_TO.format(topics=t.topic_list(chosen)) if chosen else t.SUBSCRIBED_NONE


def _panel(chosen: frozenset[str], settings: Settings, script: Script) -> str:
    quiet = t.QUIET_HOURS.format(start=settings.quiet_start_hour, end=settings.quiet_end_hour)
    return html(texts.say(f"{t.SUBSCRIBE_INTRO}\n\n{_summary(chosen)}\n\n{quiet}", script))


async def _chosen(subscriptions: Subscriptions, user_id: int) -> frozenset[str]:
    subscription = await subscriptions.get(user_id)
    return subscription.topics if subscription is not None else frozenset()


@router.message(Command("subscribe"))
@router.message(F.text.in_(texts.both_scripts(texts.MENU_CAMPAIGNS)))
async def show_subscriptions(
    message: Message, session: AsyncSession, citizen: Citizen | None, settings: Settings
) -> None:
    script = texts.script_for(citizen)
    subscriptions = Subscriptions(session)
    if message.from_user is None:
        return
    await subscriptions.set_script(message.from_user.id, script)
    chosen = await _chosen(subscriptions, message.from_user.id)
    await message.answer(_panel(chosen, settings, script), reply_markup=toggles(chosen, script))


@router.message(Command("unsubscribe"))
async def ask_to_unsubscribe(
    message: Message, session: AsyncSession, citizen: Citizen | None
) -> None:
    script = texts.script_for(citizen)
    user_id = message.from_user.id if message.from_user else 0
    if not await _chosen(Subscriptions(session), user_id):
        await message.answer(html(texts.say(t.NOT_SUBSCRIBED, script)))
        return
    await message.answer(
        html(texts.say(t.UNSUBSCRIBE_CONFIRM, script)), reply_markup=_confirm(script)
    )


def _confirm(script: Script) -> InlineKeyboardMarkup:
    return InlineKeyboardMarkup(
        inline_keyboard=[
            [
                _button(t.BUTTON_CONFIRM_STOP, script, action="confirm_stop"),
                _button(t.BUTTON_KEEP, script, action="keep"),
            ]
        ]
    )


@router.callback_query(SubscribeCb.filter())
async def change_subscription(
    query: CallbackQuery,
    callback_data: SubscribeCb,
    session: AsyncSession,
    citizen: Citizen | None,
    settings: Settings,
    clock: Clock,
) -> None:
    """Each press edits the panel first and answers the press after, so the citizen (and a
    test) sees the new state by the time the button stops spinning."""
    script = texts.script_for(citizen)
    message = query.message if isinstance(query.message, Message) else None
    action, topic = callback_data.action, callback_data.topic
    if message is None or (action == "toggle" and topic not in TOPICS):  # too old, or forged
        await query.answer(texts.say(texts.STALE_BUTTON, script), show_alert=True)
        return
    subscriptions = Subscriptions(session)
    user_id, chat_id, now = query.from_user.id, message.chat.id, clock.now()
    notice = None
    if action == "toggle":
        on = await subscriptions.toggle(
            user_id=user_id, chat_id=chat_id, topic=topic, now=now, script=script
        )
        notice = (t.TOGGLED_ON if on else t.TOGGLED_OFF).format(label=t.TOPIC_LABELS[topic])
    elif action == "all":
        await subscriptions.subscribe(user_id=user_id, chat_id=chat_id, now=now, script=script)
        notice = t.ALL_ON
    elif action == "confirm_stop":
        await subscriptions.unsubscribe_all(user_id, now=now)
    chosen = await _chosen(subscriptions, user_id)
    if action in ("toggle", "all"):
        await _edit(message, _panel(chosen, settings, script), toggles(chosen, script))
    elif action == "stop":
        await _edit(message, html(texts.say(t.UNSUBSCRIBE_CONFIRM, script)), _confirm(script))
    else:
        final = {"confirm_stop": t.UNSUBSCRIBED, "keep": t.KEPT}.get(action)
        final = final or t.SAVED.format(summary=_summary(chosen))  # done
        await _edit(message, html(texts.say(final, script)))
    await query.answer(texts.say(notice, script) if notice else None)


async def _edit(message: Message, text: str, markup: InlineKeyboardMarkup | None = None) -> None:
    """Edit in place; pressing 全部订阅 twice changes nothing, and Telegram says so with a 400."""
    with unless_unchanged():
        await message.edit_text(text, reply_markup=markup)
