"""What the bot keeps about who it talks to: the private chat to reach them in, and that they
are reachable again (with their reminders) when they write after having blocked the bot."""

from __future__ import annotations

from datetime import datetime
from typing import TYPE_CHECKING

from campaigns import Subscriptions
from campaigns.models import Subscription
from citizens import Citizen, Citizens
from ground.clock import SHANGHAI
from tests.support.bot_rig import REPLY_TIMEOUT, until

if TYPE_CHECKING:
    from aiogram import Dispatcher

    from tests.support.bot_rig import BotRig
    from tests.support.fake_bot_api import FakeBotAPI, FakeUser

STAFF_GROUP = -100_555_0001
NOW = datetime(2025, 6, 1, 9, 0, tzinfo=SHANGHAI)


async def test_a_message_in_a_group_does_not_become_the_citizens_chat(
    bot: Dispatcher, fake: FakeBotAPI, rig: BotRig, user: FakeUser
) -> None:
    await user.send_command("/start")
    await user.wait_for_message(timeout=REPLY_TIMEOUT)
    group = fake.chat(STAFF_GROUP, title="节能办工作群")
    await user.send_text("/help", chat_id=STAFF_GROUP)
    shown = await group.wait_for_message(timeout=REPLY_TIMEOUT)
    # Handled after the group message is committed (the same user and chat go in order).
    await user.forge_callback("sentinel", shown)
    await until(lambda: user.callback_answers, what="the sentinel press")
    [citizen] = await rig.rows(Citizen, user_id=user.id)
    assert citizen.chat_id == user.id


async def test_a_citizen_who_blocked_the_bot_and_writes_again_gets_reminders_again(
    bot: Dispatcher, rig: BotRig, user: FakeUser
) -> None:
    async with rig.sessions() as session, session.begin():
        await Citizens(session).seen(user_id=user.id, chat_id=user.id, now=NOW)
        await Subscriptions(session).subscribe(user_id=user.id, chat_id=user.id, now=NOW)
    async with rig.sessions() as session, session.begin():  # a broadcast met a 403
        await Citizens(session).mark_unreachable(user.id)
        await Subscriptions(session).deactivate_chat(user.id)
    [subscription] = await rig.rows(Subscription, user_id=user.id)
    assert not subscription.active

    await user.send_text("你好")
    await user.wait_for_message(timeout=REPLY_TIMEOUT)
    [subscription] = await rig.rows(Subscription, user_id=user.id, until=lambda r: r[0].active)
    assert subscription.active and subscription.topics
    [citizen] = await rig.rows(Citizen, user_id=user.id)
    assert citizen.reachable
