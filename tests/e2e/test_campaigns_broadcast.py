"""Staff broadcasts and announced dates through the real bot: compose, preview, send now or at a
time, progress, cancel; only admins act, reviewers look, citizens are refused."""

from __future__ import annotations

from datetime import date, datetime
from typing import TYPE_CHECKING

from bot.texts import campaigns as t
from bot.texts.staff import ADMINS_ONLY
from campaigns import Broadcast, BroadcastStatus, Subscription
from campaigns.models import AnnouncedOccurrence
from ground.clock import SHANGHAI, ManualClock
from outbox import OutboxMessage
from tests.support.bot_rig import REPLY_TIMEOUT, until

if TYPE_CHECKING:
    from tests.support.bot_rig import BotRig
    from tests.support.fake_bot_api import BotMessage, FakeUser

YEAR = datetime.now(SHANGHAI).year + 1  # APScheduler's real clock never reaches planned jobs


async def say(user: FakeUser, text: str) -> BotMessage:
    if text.startswith("/"):
        command, _, args = text.partition(" ")
        await user.send_command(command, args or None)
    else:
        await user.send_text(text)
    return await user.wait_for_message(timeout=REPLY_TIMEOUT)


async def press(user: FakeUser, button: str, message: BotMessage | None = None) -> dict:  # type: ignore[type-arg]
    """Press and wait for the callback's answer (the handler has finished by then)."""
    answers = len(user.callback_answers)
    await user.press(button, message)
    await until(lambda: len(user.callback_answers) > answers, what=f"pressing {button}")
    return user.callback_answers[-1]


async def subscribe(rig: BotRig, user: FakeUser, button: str) -> None:
    panel = await say(user, "/subscribe")
    await press(user, button, panel)
    await rig.rows(Subscription, user_id=user.id, until=lambda rows: rows and rows[0].active)


async def status_is(rig: BotRig, broadcast_id: int, status: BroadcastStatus) -> None:
    """The bot commits just after its reply: wait for the row before the scheduler reads it."""
    await rig.rows(Broadcast, id=broadcast_id, until=lambda rows: rows[0].status == status)


async def compose(admin: FakeUser, text: str, audience: str) -> tuple[BotMessage, int]:
    """/broadcast → content → audience: the summary under the preview, and the broadcast id."""
    assert (await say(admin, "/broadcast")).plain == t.BROADCAST_PROMPT
    choose = await say(admin, text)
    assert choose.plain == t.AUDIENCE_PROMPT
    await admin.press(audience, choose)
    header, preview, summary = await admin.wait_for_messages(3, timeout=REPLY_TIMEOUT)
    assert header.plain == t.PREVIEW_HEADER
    assert preview.plain == text, "the preview is the message exactly as subscribers get it"
    assert summary.plain is not None and summary.plain.startswith("群发 #")
    return summary, int(summary.plain.split("#", 1)[1].split()[0])


async def test_an_admin_composes_previews_and_sends_now_with_progress_reported(
    rig: BotRig, make_user
) -> None:  # type: ignore[no-untyped-def]
    admin, saver, swimmer = make_user("管理员"), make_user("节能迷"), make_user("节水迷")
    clock = ManualClock(datetime(YEAR, 3, 2, 10, 0, tzinfo=SHANGHAI))
    async with rig.running(clock=clock, deliver=True, staff_admins=[admin.id]):
        await subscribe(rig, saver, "⬜ 节能降耗")
        await subscribe(rig, swimmer, "⬜ 节约用水")

        text = "节能宣传周来了：<周三>少开一天车 & 随手关灯"
        summary, broadcast_id = await compose(admin, text, "节能降耗（1 人）")
        assert "收件人：节能降耗，共 1 人" in (summary.plain or "")
        assert summary.button_texts == [
            t.BUTTON_TEST,
            t.BUTTON_SEND_NOW,
            t.BUTTON_SCHEDULE,
            t.BUTTON_DISCARD,
        ]

        assert (await press(admin, t.BUTTON_TEST, summary))["text"] == t.TEST_QUEUED
        copy = await admin.wait_for_message(
            lambda m: text in (m.plain or ""), timeout=REPLY_TIMEOUT
        )
        assert copy.plain is not None and copy.plain.startswith("🧪 测试发送（只发给您）")
        assert await rig.rows(OutboxMessage, chat_id=saver.id) == [], "only the admin got it"

        await admin.press(t.BUTTON_SEND_NOW, summary)
        started = await admin.wait_for_message(timeout=REPLY_TIMEOUT)
        assert started.plain is not None
        assert started.plain.startswith(f"群发 #{broadcast_id} 已开始，共 1 人")
        got = await saver.wait_for_message(lambda m: m.plain == text, timeout=REPLY_TIMEOUT)
        assert got.text == "节能宣传周来了：&lt;周三&gt;少开一天车 &amp; 随手关灯"

        done = await admin.wait_for_message(
            lambda m: (m.plain or "").startswith("✅"), timeout=REPLY_TIMEOUT
        )
        assert done.plain == f"✅ 群发 #{broadcast_id} 已结束：送达 1/1"
        [row] = await rig.rows(OutboxMessage, broadcast_id=broadcast_id, kind="broadcast")
        assert row.chat_id == saver.id, "the water subscriber was not in the audience"
        [broadcast] = await rig.rows(
            Broadcast, id=broadcast_id, until=lambda b: b[0].status == BroadcastStatus.DONE
        )
        assert broadcast.status == BroadcastStatus.DONE and broadcast.created_by == admin.id
        assert summary.buttons == [], "the choices are gone: nothing can be sent twice"


async def test_a_photo_broadcast_reaches_subscribers_as_that_photo_with_its_caption(
    rig: BotRig, make_user
) -> None:  # type: ignore[no-untyped-def]
    admin, citizen = make_user("管理员"), make_user("市民")
    clock = ManualClock(datetime(YEAR, 3, 2, 10, 0, tzinfo=SHANGHAI))
    async with rig.running(clock=clock, deliver=True, staff_admins=[admin.id]):
        await subscribe(rig, citizen, "全部订阅")
        await say(admin, "/broadcast")
        too_long = await say(admin, "长" * 4097)
        assert too_long.plain == t.BROADCAST_TOO_LONG.format(kind="文字", limit=4096, length=4097)
        poster = b"\xff\xd8\xff\xe0 energy week poster"
        await admin.send_photo(poster, caption="节能周海报 <转发>")
        choose = await admin.wait_for_message(timeout=REPLY_TIMEOUT)
        await admin.press("全部订阅者（1 人）", choose)
        _, preview, summary = await admin.wait_for_messages(3, timeout=REPLY_TIMEOUT)
        assert preview.kind == "photo" and preview.plain == "节能周海报 <转发>"
        await admin.press(t.BUTTON_SEND_NOW, summary)

        got = await citizen.wait_for_message(lambda m: m.kind == "photo", timeout=REPLY_TIMEOUT)
        assert got.plain == "节能周海报 <转发>"
        assert rig.fake.methods.files[got.raw["photo"][-1]["file_id"]].data == poster


async def test_a_scheduled_broadcast_goes_out_at_its_time_after_quiet_hours(
    rig: BotRig, make_user
) -> None:  # type: ignore[no-untyped-def]
    admin, citizen = make_user("管理员"), make_user("市民")
    clock = ManualClock(datetime(YEAR, 5, 1, 10, 0, tzinfo=SHANGHAI))
    async with rig.running(clock=clock, deliver=True, staff_admins=[admin.id]):
        assert rig.delivery is not None and rig.delivery.scheduler is not None
        await subscribe(rig, citizen, "全部订阅")
        summary, broadcast_id = await compose(admin, "五一出行提示", "全部订阅者（1 人）")
        await admin.press(t.BUTTON_SCHEDULE, summary)
        ask = await admin.wait_for_message(timeout=REPLY_TIMEOUT)
        assert ask.plain == t.ASK_TIME.format(example=f"{YEAR}-05-02 09:00")

        assert (await say(admin, "明天上午")).plain == t.BAD_TIME.format(
            example=f"{YEAR}-05-02 09:00"
        )
        assert (await say(admin, f"{YEAR}-04-30 09:00")).plain == t.PAST_TIME
        scheduled = await say(admin, f"{YEAR}-05-02 23:30")
        assert scheduled.plain is not None
        assert scheduled.plain.startswith(
            f"已安排群发 #{broadcast_id}：{YEAR}-05-02 23:30（北京时间）发给全部订阅者"
        )
        assert f"实际会在 {YEAR}-05-03 08:00 开始发送" in scheduled.plain
        await status_is(rig, broadcast_id, BroadcastStatus.SCHEDULED)

        runner = rig.delivery.scheduler
        await runner.tick()
        assert runner.scheduler is not None
        job = runner.scheduler.get_job(f"broadcast:{broadcast_id}")
        assert job is not None
        assert job.next_run_time == datetime(YEAR, 5, 2, 23, 30, tzinfo=SHANGHAI)

        clock.set(datetime(YEAR, 5, 2, 23, 30, tzinfo=SHANGHAI))
        job.modify(next_run_time=datetime.now(SHANGHAI))  # APScheduler runs it now
        [row] = await rig.rows(OutboxMessage, broadcast_id=broadcast_id, until=bool)
        assert row.chat_id == citizen.id
        assert await rig.delivery.sender.drain_once() == 0, "held by quiet hours"

        clock.set(datetime(YEAR, 5, 3, 8, 0, tzinfo=SHANGHAI))
        rig.delivery.nudge()
        await citizen.wait_for_message(lambda m: m.plain == "五一出行提示", timeout=REPLY_TIMEOUT)


async def test_a_scheduled_broadcast_can_be_cancelled_and_is_never_sent(
    rig: BotRig, make_user
) -> None:  # type: ignore[no-untyped-def]
    admin, citizen = make_user("管理员"), make_user("市民")
    clock = ManualClock(datetime(YEAR, 5, 1, 10, 0, tzinfo=SHANGHAI))
    async with rig.running(clock=clock, deliver=True, staff_admins=[admin.id]):
        assert rig.delivery is not None and rig.delivery.scheduler is not None
        await subscribe(rig, citizen, "全部订阅")
        summary, broadcast_id = await compose(admin, "取消测试", "全部订阅者（1 人）")
        await admin.press(t.BUTTON_SCHEDULE, summary)
        await admin.wait_for_message(timeout=REPLY_TIMEOUT)
        await say(admin, f"{YEAR}-05-02 10:00")
        await status_is(rig, broadcast_id, BroadcastStatus.SCHEDULED)
        runner = rig.delivery.scheduler
        await runner.tick()
        assert runner.scheduler is not None
        assert runner.scheduler.get_job(f"broadcast:{broadcast_id}") is not None

        assert (await say(admin, "/broadcast_cancel")).plain == t.CANCEL_USAGE
        assert (await say(admin, "/broadcast_cancel 99999")).plain == t.NOT_FOUND.format(id=99999)
        cancelled = await say(admin, f"/broadcast_cancel {broadcast_id}")
        assert cancelled.plain == t.CANCELLED.format(id=broadcast_id, count=0)
        await status_is(rig, broadcast_id, BroadcastStatus.CANCELLED)
        await runner.tick()
        assert runner.scheduler.get_job(f"broadcast:{broadcast_id}") is None
        assert await rig.rows(OutboxMessage, broadcast_id=broadcast_id) == []


async def test_a_forged_broadcast_callback_from_a_citizen_is_refused(
    rig: BotRig, make_user
) -> None:  # type: ignore[no-untyped-def]
    admin, intruder = make_user("管理员"), make_user("好奇的市民")
    clock = ManualClock(datetime(YEAR, 3, 2, 10, 0, tzinfo=SHANGHAI))
    async with rig.running(clock=clock, deliver=True, staff_admins=[admin.id]):
        await subscribe(rig, intruder, "全部订阅")
        _, broadcast_id = await compose(admin, "草稿", "全部订阅者（1 人）")

        panel = await say(intruder, "/subscribe")
        for data in (f"bc:now:{broadcast_id}:", f"bc:discard:{broadcast_id}:", "bc:audience:0:all"):
            answer = await forge(intruder, data, panel)
            assert answer["text"] == ADMINS_ONLY and answer.get("show_alert") in (True, "true")
        assert (await say(intruder, "/broadcast")).plain == ADMINS_ONLY
        assert (await say(intruder, f"/broadcast_cancel {broadcast_id}")).plain == ADMINS_ONLY

        [broadcast] = await rig.rows(Broadcast, id=broadcast_id)
        assert broadcast.status == BroadcastStatus.DRAFT
        assert await rig.rows(OutboxMessage) == []


async def forge(user: FakeUser, data: str, message: BotMessage) -> dict:  # type: ignore[type-arg]
    answers = len(user.callback_answers)
    await user.forge_callback(data, message)
    await until(lambda: len(user.callback_answers) > answers, what=f"forged {data}")
    return user.callback_answers[-1]


async def test_a_reviewer_may_list_broadcasts_but_not_send_one(rig: BotRig, make_user) -> None:  # type: ignore[no-untyped-def]
    admin, reviewer = make_user("管理员"), make_user("审核员")
    clock = ManualClock(datetime(YEAR, 3, 2, 10, 0, tzinfo=SHANGHAI))
    overrides = {"staff_admins": [admin.id], "staff_reviewers": [reviewer.id]}
    async with rig.running(clock=clock, deliver=True, **overrides):
        assert (await say(reviewer, "/broadcasts")).plain == t.LIST_EMPTY
        await subscribe(rig, make_user("市民"), "全部订阅")
        _, broadcast_id = await compose(admin, "列表测试", "全部订阅者（1 人）")
        listing = await say(reviewer, "/broadcasts")
        assert listing.plain is not None
        assert f"#{broadcast_id} 群发 · 草稿 · 全部订阅者 · 已送达 0/0" in listing.plain
        # A reviewer is staff: told the role the command needs, not "staff only".
        refused = await say(reviewer, "/broadcast")
        assert refused.plain == ADMINS_ONLY and "仅限管理员使用" in refused.plain
        assert (await say(reviewer, "/campaign_dates")).plain == ADMINS_ONLY
        assert (await say(reviewer, f"/broadcast_cancel {broadcast_id}")).plain == ADMINS_ONLY


async def test_an_admin_enters_this_years_dates_and_the_scheduler_plans_them(
    rig: BotRig, make_user
) -> None:  # type: ignore[no-untyped-def]
    admin = make_user("管理员")
    clock = ManualClock(datetime(YEAR, 6, 1, 10, 0, tzinfo=SHANGHAI))
    async with rig.running(clock=clock, deliver=True, staff_admins=[admin.id]):
        assert rig.delivery is not None and rig.delivery.scheduler is not None
        overview = await say(admin, "/campaign_dates")
        assert overview.plain is not None
        assert "全国节能宣传周（energy-saving-week）：尚未公布" in overview.plain

        unknown = await say(admin, f"/campaign_dates 节水周 {YEAR}-06-22")
        assert unknown.plain is not None and unknown.plain.startswith("没有名为「节水周」的活动")
        bad = await say(admin, f"/campaign_dates 全国节能宣传周 {YEAR}-06-28 {YEAR}-06-22")
        assert bad.plain == t.DATES_BAD.format(example=f"{YEAR}-06-22")

        saved = await say(admin, f"/campaign_dates 全国节能宣传周 {YEAR}-06-22 {YEAR}-06-28")
        assert saved.plain == (
            f"已登记 {YEAR} 年全国节能宣传周：6月22日至28日。\n"
            "提醒时间：6月19日 09:00、6月22日 08:30"
        )
        low_carbon = await say(admin, f"/campaign_dates low-carbon-day {YEAR}-06-24")
        assert low_carbon.plain is not None and "全国低碳日：6月24日" in low_carbon.plain
        rows = await rig.rows(AnnouncedOccurrence, year=YEAR, until=lambda rows: len(rows) == 2)
        assert {(r.event_id, r.start, r.end, r.created_by) for r in rows} == {
            ("energy-saving-week", date(YEAR, 6, 22), date(YEAR, 6, 28), admin.id),
            ("low-carbon-day", date(YEAR, 6, 24), date(YEAR, 6, 24), admin.id),
        }

        runner = rig.delivery.scheduler
        await runner.tick()
        assert runner.scheduler is not None
        job = runner.scheduler.get_job(f"reminder:energy-saving-week:{YEAR}-06-22:before")
        assert job is not None
        assert job.next_run_time == datetime(YEAR, 6, 19, 9, 0, tzinfo=SHANGHAI)
        assert runner.scheduler.get_job(f"reminder:low-carbon-day:{YEAR}-06-24:day_of")
