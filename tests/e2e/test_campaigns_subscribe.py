"""/subscribe, /unsubscribe and the 活动提醒 button through the fake Bot API and the real bot."""

from __future__ import annotations

from typing import TYPE_CHECKING

from bot import texts
from bot.texts import campaigns as t
from campaigns import Subscription
from tests.support.bot_rig import REPLY_TIMEOUT, until

if TYPE_CHECKING:
    from aiogram import Dispatcher

    from tests.support.bot_rig import BotRig
    from tests.support.fake_bot_api import BotMessage, FakeUser


async def open_panel(user: FakeUser, how: str = "/subscribe") -> BotMessage:
    if how.startswith("/"):
        await user.send_command(how)
    else:
        await user.send_text(how)
    return await user.wait_for_message(lambda m: bool(m.buttons), timeout=REPLY_TIMEOUT)


async def press_and_wait(user: FakeUser, button: str, panel: BotMessage) -> str:
    """Press an inline button of `panel`; the callback answer's text once the bot sent it."""
    answers = len(user.callback_answers)
    await user.press(button, panel)
    await until(lambda: len(user.callback_answers) > answers, what="the callback answer")
    return str(user.callback_answers[-1].get("text") or "")


async def test_subscribe_shows_topic_toggles_and_explains_quiet_hours(
    bot: Dispatcher, user: FakeUser
) -> None:
    panel = await open_panel(user)
    assert panel.button_texts[:5] == [f"⬜ {label}" for label in t.TOPIC_LABELS.values()]
    assert {"全部订阅", "全部取消", "完成"} <= set(panel.button_texts)
    assert panel.plain is not None
    assert t.SUBSCRIBED_NONE in panel.plain
    assert "22:00" in panel.plain and "8:00" in panel.plain and "北京时间" in panel.plain


async def test_toggling_topics_subscribes_to_exactly_those_and_shows_them_checked(
    bot: Dispatcher, rig: BotRig, user: FakeUser
) -> None:
    panel = await open_panel(user)
    assert await press_and_wait(user, "⬜ 节能降耗", panel) == "已订阅「节能降耗」"
    assert await press_and_wait(user, "⬜ 节约用水", panel) == "已订阅「节约用水」"
    assert "✅ 节能降耗" in panel.button_texts and "✅ 节约用水" in panel.button_texts
    assert "⬜ 垃圾分类" in panel.button_texts
    assert panel.plain is not None and "已订阅：节能降耗、节约用水" in panel.plain

    both = {"energy", "water"}
    [subscription] = await rig.rows(
        Subscription, user_id=user.id, until=lambda rows: rows and rows[0].topics == both
    )
    assert subscription.active and subscription.topics == both
    assert subscription.chat_id == user.id

    assert await press_and_wait(user, "✅ 节能降耗", panel) == "已取消「节能降耗」"
    await rig.rows(Subscription, user_id=user.id, until=lambda rows: rows[0].topics == {"water"})
    assert "⬜ 节能降耗" in panel.button_texts

    await press_and_wait(user, "完成", panel)
    assert panel.plain is not None and panel.plain.startswith("好的，设置已保存。已订阅：节约用水")
    assert panel.buttons == []


async def test_the_menu_button_opens_the_same_panel_with_the_current_choice(
    bot: Dispatcher, user: FakeUser
) -> None:
    panel = await open_panel(user)
    await press_and_wait(user, "全部订阅", panel)
    assert all(text.startswith("✅") for text in panel.button_texts[:5])
    again = await open_panel(user, texts.MENU_CAMPAIGNS)
    assert all(text.startswith("✅") for text in again.button_texts[:5])
    everything = "已订阅：节能降耗、垃圾分类、绿色出行、节约用水、生态环保"
    assert again.plain is not None and everything in again.plain


async def test_unsubscribe_asks_first_then_stops_everything(
    bot: Dispatcher, rig: BotRig, user: FakeUser
) -> None:
    panel = await open_panel(user)
    await press_and_wait(user, "⬜ 绿色出行", panel)

    await user.send_command("/unsubscribe")
    confirm = await user.wait_for_message(timeout=REPLY_TIMEOUT)
    assert confirm.plain == t.UNSUBSCRIBE_CONFIRM
    await press_and_wait(user, t.BUTTON_KEEP, confirm)
    assert confirm.plain == t.KEPT
    [kept] = await rig.rows(Subscription, user_id=user.id)
    assert kept.active and kept.topics == {"travel"}

    await user.send_command("/unsubscribe")
    confirm = await user.wait_for_message(timeout=REPLY_TIMEOUT)
    await press_and_wait(user, t.BUTTON_CONFIRM_STOP, confirm)
    assert confirm.plain == t.UNSUBSCRIBED
    await rig.rows(Subscription, user_id=user.id, until=lambda rows: not rows[0].active)
    [stopped] = await rig.rows(Subscription, user_id=user.id)
    assert not stopped.active and stopped.topics == frozenset()

    await user.send_command("/unsubscribe")
    reply = await user.wait_for_message(timeout=REPLY_TIMEOUT)
    assert reply.plain == t.NOT_SUBSCRIBED


async def test_the_panel_speaks_traditional_to_a_traditional_reader(
    bot: Dispatcher, rig: BotRig, make_user
) -> None:  # type: ignore[no-untyped-def]
    reader = make_user("阿明", language_code="zh-hant")
    panel = await open_panel(reader)
    assert "⬜ 節能降耗" in panel.button_texts
    assert panel.plain is not None and "夜間免打擾" in panel.plain
    await press_and_wait(reader, "⬜ 垃圾分類", panel)
    [subscription] = await rig.rows(Subscription, user_id=reader.id, until=bool)
    assert subscription.topics == {"garbage"} and subscription.script == "hant"


async def test_a_forged_topic_is_refused_politely_and_changes_nothing(
    bot: Dispatcher, rig: BotRig, user: FakeUser
) -> None:
    panel = await open_panel(user)
    answers = len(user.callback_answers)
    await user.forge_callback("sub:toggle:<script>", panel)
    await until(lambda: len(user.callback_answers) > answers, what="the callback answer")
    assert user.callback_answers[-1]["text"] == texts.STALE_BUTTON
    assert await rig.rows(Subscription, user_id=user.id) == []


async def test_choosing_traditional_with_lang_switches_the_reminders_too(
    bot: Dispatcher, rig: BotRig, user: FakeUser
) -> None:
    panel = await open_panel(user)
    await press_and_wait(user, "⬜ 节能降耗", panel)
    await rig.rows(Subscription, user_id=user.id, until=lambda rows: bool(rows))
    await user.send_command("/lang")
    prompt = await user.wait_for_message(lambda m: m.button_texts == ["简体中文", "繁體中文"])
    await user.press("繁體中文", prompt)
    [subscription] = await rig.rows(
        Subscription, user_id=user.id, until=lambda rows: rows and rows[0].script == "hant"
    )
    assert subscription.script == "hant"
