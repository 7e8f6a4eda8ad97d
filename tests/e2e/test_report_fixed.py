"""Was it fixed? Staff resolve a report; its reporter answers under the notice, over the fake Bot
API: 没解决 with a photo reopens it to staff with that photo, 已解决 is counted for the department,
and a button for someone else's report is refused."""

from __future__ import annotations

from datetime import timedelta
from typing import TYPE_CHECKING

from ground.clock import ManualClock, SystemClock
from outbox import Outbox, OutboxMessage
from reports import MediaStore, Report, ReportEvent, ReportService, Staff
from reports.feedback import answer_token, ask_again, satisfaction
from reports.models import ReportFeedback, ReportPhoto
from tests.e2e.report_steps import STAFF_CHAT, jpeg, prompt, seed_report, stored_digest

if TYPE_CHECKING:
    from ground.clock import Clock
    from tests.support.bot_rig import BotRig
    from tests.support.fake_bot_api import FakeBotAPI, FakeUser

STAFF = Staff(id=1, name="tg:1")


async def resolve(
    rig: BotRig,
    ticket: str,
    note: str = "已清扫路面并督促工地覆盖裸土",
    *,
    clock: Clock | None = None,
) -> None:
    """Staff accept and resolve the report (as the console would)."""
    async with rig.sessions() as session, session.begin():
        media = MediaStore(rig.data_dir / "media", max_bytes=10 * 1024 * 1024)
        service = ReportService(session, Outbox(session), clock or SystemClock(), media)
        await service.change_status(ticket, "accepted", by=STAFF, note="已受理")
        await service.change_status(ticket, "resolved", by=STAFF, note=note)


async def test_not_fixed_with_a_photo_reopens_the_report_with_that_photo(
    rig: BotRig, fake: FakeBotAPI, user: FakeUser
) -> None:
    staff_chat = fake.chat(STAFF_CHAT, title="举报受理")
    report = await seed_report(rig.sessions, rig.data_dir, user_id=user.id, chat_id=user.id)
    evidence = jpeg(7)
    async with rig.running(deliver=True, scheduler_enabled=False, staff_chat_id=STAFF_CHAT):
        await resolve(rig, report.ticket)
        notice = await prompt(user, "状态：已办结")
        assert "问题解决了吗" in (notice.plain or "")
        assert notice.button_texts == ["✅ 已解决", "❌ 没解决"]
        await user.press("❌ 没解决", message=notice)
        await prompt(user, "很抱歉问题还没解决")
        await user.send_photo(evidence, caption="路面还是很多泥")
        await prompt(user, "已收到（照片、录音或视频 1 件，文字说明已记下）")
        await user.press("提交")
        await prompt(user, f"工单 {report.ticket} 已重新打开")
        card = await prompt(staff_chat, "举报人反馈问题未解决")
        assert report.ticket in (card.plain or "")
        assert "路面还是很多泥" in (card.plain or "")  # the latest note is on the card

    (reopened,) = await rig.rows(Report, ticket=report.ticket)
    assert reopened.status == "reopened" and reopened.closed_at is None
    events = await rig.rows(ReportEvent, report_id=report.id)
    last = events[-1]
    assert (last.from_status, last.to_status, last.staff_id) == ("resolved", "reopened", None)
    assert last.note == "路面还是很多泥"
    (photo,) = await rig.rows(ReportPhoto, report_id=report.id)
    assert photo.event_id == last.id and photo.kind == "photo"
    assert photo.sha256 == stored_digest(evidence)
    (answer,) = await rig.rows(ReportFeedback, report_id=report.id)
    assert answer.fixed is False and answer.event_id == last.id
    assert answer.department == reopened.department


async def test_fixed_is_counted_once_and_a_second_press_is_thanked_not_counted(
    rig: BotRig, user: FakeUser
) -> None:
    report = await seed_report(rig.sessions, rig.data_dir, user_id=user.id, chat_id=user.id)
    async with rig.running(deliver=True, scheduler_enabled=False):
        await resolve(rig, report.ticket)
        notice = await prompt(user, "状态：已办结")
        await user.press("✅ 已解决", message=notice)
        await prompt(user, "感谢您的确认")
        await user.forge_callback(answer_token(report.ticket, False), message=notice)
        await prompt(user, "您已经反馈过这次的办理结果")

    (kept,) = await rig.rows(Report, ticket=report.ticket)
    assert kept.status == "resolved"
    (answer,) = await rig.rows(ReportFeedback, report_id=report.id)
    assert answer.fixed is True
    async with rig.sessions() as session:
        figures = await satisfaction(session)
    assert [(f.department, f.answered, f.fixed) for f in figures] == [
        (kept.department, 1, 1),
        (None, 1, 1),
    ]


async def test_a_button_for_someone_elses_report_is_refused_and_changes_nothing(
    rig: BotRig, user: FakeUser
) -> None:
    report = await seed_report(rig.sessions, rig.data_dir)  # filed by another citizen
    await resolve(rig, report.ticket)
    async with rig.running(scheduler_enabled=False):
        await user.send_command("/start")
        await user.wait_for_message()
        await user.forge_callback(answer_token(report.ticket, False))
        await prompt(user, "这不是您提交的举报")
        await user.forge_callback("fixed:not-a-ticket:n")  # nonsense: ignored, no crash
        await user.send_command("/myreports")
        await prompt(user, "您还没有提交过举报")

    (kept,) = await rig.rows(Report, ticket=report.ticket)
    assert kept.status == "resolved"
    assert await rig.rows(ReportFeedback, report_id=report.id) == []


async def test_an_unanswered_resolution_is_asked_again_once_with_the_buttons(
    rig: BotRig, user: FakeUser
) -> None:
    now = SystemClock().now()
    weeks_ago = ManualClock(now - timedelta(days=15))
    report = await seed_report(
        rig.sessions, rig.data_dir, clock=weeks_ago, user_id=user.id, chat_id=user.id
    )
    await resolve(rig, report.ticket, clock=weeks_ago)
    async with rig.sessions() as session, session.begin():  # not yet: resolved 15 days ago
        soon = timedelta(days=16)
        assert await ask_again(session, Outbox(session), now, after=soon, quiet_start=0) == 0
    async with rig.sessions() as session, session.begin():
        assert await ask_again(session, Outbox(session), now, quiet_start=0, quiet_end=0) == 1
    async with rig.sessions() as session, session.begin():  # the next tick: already queued
        assert await ask_again(session, Outbox(session), now, quiet_start=0, quiet_end=0) == 0
    async with rig.running(deliver=True, scheduler_enabled=False):
        question = await prompt(user, "问题真的解决了吗")
        assert report.ticket in (question.plain or "")
        await user.press("❌ 没解决", message=question)
        await prompt(user, "很抱歉问题还没解决")
        await user.send_text("河边还是有垃圾")
        await user.press("提交")
        await prompt(user, "已重新打开")
    (reopened,) = await rig.rows(Report, ticket=report.ticket)
    assert reopened.status == "reopened"
    assert len(await rig.rows(OutboxMessage, chat_id=user.id, kind="report_fixed_again")) == 1
