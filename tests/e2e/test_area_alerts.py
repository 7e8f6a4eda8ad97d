"""Area alerts end to end (issue 17): a citizen subscribes with /alerts through the fake Bot API,
another files a report in that district through the bot, the scheduler's housekeeping runs at
the digest hour (a ManualClock: never the wall clock) and the subscriber receives one digest."""

from __future__ import annotations

from datetime import datetime
from typing import TYPE_CHECKING

from bot import texts
from bot.texts import alerts as t
from ground.clock import SHANGHAI, ManualClock
from outbox import OutboxMessage
from reports import Report
from reports.alerts import DIGEST_KIND
from reports.models import AreaSubscription
from tests.e2e.report_steps import Filing, file_report, prompt
from tests.support.bot_rig import REPLY_TIMEOUT, until

if TYPE_CHECKING:
    from collections.abc import Callable

    from aiogram import Dispatcher

    from tests.support.bot_rig import BotRig
    from tests.support.fake_bot_api import BotMessage, FakeUser

# A year ahead: APScheduler plans calendar jobs on real time; none may come due in this test.
YEAR = datetime.now(SHANGHAI).year + 1
HEAD = "片区举报日报"
PRIVATE = "我是李四，家住锦江北路66号，楼下工地夜里扬尘大，运输车辆带泥上路。"
PHONE = "+8613912345678"


def at(hour: int, minute: int = 0) -> datetime:
    return datetime(YEAR, 11, 3, hour, minute, tzinfo=SHANGHAI)


async def open_panel(user: FakeUser) -> BotMessage:
    await user.send_command("/alerts")
    return await user.wait_for_message(lambda m: bool(m.buttons), timeout=REPLY_TIMEOUT)


async def press_and_wait(user: FakeUser, button: str, panel: BotMessage) -> str:
    """Press an inline button of `panel`; the callback answer's text once the bot sent it."""
    answers = len(user.callback_answers)
    await user.press(button, panel)
    await until(lambda: len(user.callback_answers) > answers, what="the callback answer")
    return str(user.callback_answers[-1].get("text") or "")


def digests_of(user: FakeUser) -> list[BotMessage]:
    return [m for m in user.messages() if HEAD in (m.plain or "")]


async def test_an_area_subscriber_receives_one_digest_of_the_report_filed_in_their_district(
    rig: BotRig, make_user: Callable[..., FakeUser]
) -> None:
    clock = ManualClock(at(16, 0))
    subscriber, reporter = make_user("关心碧江"), make_user("李四")
    async with rig.running(clock=clock, deliver=True):
        assert rig.delivery is not None and rig.delivery.scheduler is not None
        panel = await open_panel(subscriber)
        assert "⬜ 碧江区" in panel.button_texts and t.SUBSCRIBED_NONE in (panel.plain or "")
        assert await press_and_wait(subscriber, "⬜ 碧江区", panel) == "已订阅「碧江区」"
        assert "✅ 碧江区" in panel.button_texts
        await rig.rows(AreaSubscription, user_id=subscriber.id, until=bool)

        clock.set(at(16, 30))
        filing = Filing(description=PRIVATE, contact="phone", phone=PHONE)
        ticket = await file_report(reporter, filing)
        clock.set(at(16, 40))
        elsewhere = await file_report(reporter, Filing(district="石阡县", location=None))

        runner = rig.delivery.scheduler
        clock.set(at(17, 30))
        assert await runner.tick() is True  # the leader's housekeeping: before the digest hour
        clock.set(at(18, 5))
        await runner.tick()
        digest = await subscriber.wait_for_message(
            lambda m: HEAD in (m.plain or ""), timeout=REPLY_TIMEOUT
        )
        shown = digest.plain or ""
        assert "【碧江区】新举报 1 件，新办结 0 件" in shown
        assert f"{ticket} 大气/扬尘｜已提交" in shown
        assert digest.parse_mode == "HTML" and f"<b>{ticket}</b>" in (digest.text or "")
        assert elsewhere not in shown, "石阡县 is not their district"
        # Nothing identifies the reporter: no name, address, phone or their own words.
        for secret in ("李四", "锦江北路66号", "13912345678", "楼下工地", str(reporter.id)):
            assert secret not in shown

        # More ticks that evening (and the sender draining again) still make one digest.
        for minute in (20, 40):
            clock.set(at(18, minute))
            await runner.tick()
        await rig.delivery.sender.drain_once()
        rows = await rig.rows(
            OutboxMessage,
            kind=DIGEST_KIND,
            until=lambda rows: rows and all(r.status == "sent" for r in rows),
        )
        assert [(r.chat_id, r.status) for r in rows] == [(subscriber.id, "sent")]
        assert len(digests_of(subscriber)) == 1
        assert digests_of(reporter) == [], "the reporter did not subscribe"
    assert {r.ticket for r in await rig.rows(Report)} == {ticket, elsewhere}


async def test_the_panel_toggles_stops_and_speaks_traditional(
    bot: Dispatcher, rig: BotRig, make_user: Callable[..., FakeUser]
) -> None:
    reader = make_user("阿明", language_code="zh-hant")
    panel = await open_panel(reader)
    assert "⬜ 碧江區" in panel.button_texts and "片區提醒" in (panel.plain or "")
    assert "夜間免打擾" in (panel.plain or "")
    assert await press_and_wait(reader, "⬜ 萬山區", panel) == "已訂閱「萬山區」"
    await press_and_wait(reader, "⬜ 碧江區", panel)
    [first, second] = await rig.rows(
        AreaSubscription, user_id=reader.id, until=lambda rows: len(rows) == 2
    )
    assert {first.district, second.district} == {"碧江区", "万山区"}
    assert first.script == "hant" and first.chat_id == reader.id
    assert "已訂閱：碧江區、萬山區" in (panel.plain or "")

    assert await press_and_wait(reader, "✅ 萬山區", panel) == "已取消「萬山區」"
    await rig.rows(AreaSubscription, user_id=reader.id, until=lambda rows: len(rows) == 1)
    assert await press_and_wait(reader, "全部取消", panel) == "已取消全部片區提醒"
    assert await rig.rows(AreaSubscription, user_id=reader.id, until=lambda rows: not rows) == []
    await press_and_wait(reader, "完成", panel)
    assert (panel.plain or "").startswith("好的，設置已保存。目前沒有訂閱任何片區。")
    assert panel.buttons == []


async def test_a_forged_district_is_refused_and_changes_nothing(
    bot: Dispatcher, rig: BotRig, user: FakeUser
) -> None:
    panel = await open_panel(user)
    for forged in ("al:toggle:12", "al:toggle:-1", "al:toggle:99"):
        answers = len(user.callback_answers)
        await user.forge_callback(forged, panel)
        await until(lambda n=answers: len(user.callback_answers) > n, what="the callback answer")
        assert user.callback_answers[-1]["text"] == texts.STALE_BUTTON
    assert await rig.rows(AreaSubscription, user_id=user.id) == []


async def test_deleteme_removes_every_area_subscription(
    bot: Dispatcher, rig: BotRig, user: FakeUser
) -> None:
    panel = await open_panel(user)
    await press_and_wait(user, "⬜ 碧江区", panel)
    await press_and_wait(user, "⬜ 石阡县", panel)
    await rig.rows(AreaSubscription, user_id=user.id, until=lambda rows: len(rows) == 2)
    await user.send_command("/deleteme")
    await prompt(user, "确定要删除")
    await user.press("确认删除")
    await prompt(user, "已删除")
    assert await rig.rows(AreaSubscription, user_id=user.id, until=lambda rows: not rows) == []
