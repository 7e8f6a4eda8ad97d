"""/privacy and /deleteme: what is kept is said plainly, and erasing takes a confirmation."""

from __future__ import annotations

from typing import TYPE_CHECKING

from campaigns import Subscription, Subscriptions
from citizens import ConversationState
from ground.clock import SystemClock
from outbox import Outbox, OutboxMessage
from reports import MediaStore, Report, ReportFollower, ReportService
from tests.e2e.report_steps import Filing, file_report, prompt, seed_report

if TYPE_CHECKING:
    from tests.support.bot_rig import BotRig
    from tests.support.fake_bot_api import FakeUser


async def test_privacy_shows_what_is_kept_who_sees_it_and_for_how_long(
    rig: BotRig, user: FakeUser
) -> None:
    async with rig.running(report_retention_days=365):
        await user.send_command("/privacy")
        notice = await prompt(user, "个人信息说明")
    shown = notice.plain or ""
    assert "手机号在提交一年后删除" in shown and "工作人员" in shown and "/deleteme" in shown


async def test_deleteme_after_confirmation_erases_identity_contact_and_subscriptions(
    rig: BotRig, user: FakeUser
) -> None:
    other = await seed_report(  # someone else's, which they follow
        rig.sessions, rig.data_dir, category="water", description="河面漂浮垃圾", lat=27.75
    )
    async with rig.sessions() as session, session.begin():
        now = SystemClock().now()
        service = ReportService(
            session, Outbox(session), SystemClock(), MediaStore(rig.data_dir / "media", max_bytes=1)
        )
        await service.follow(other.ticket, user_id=user.id, chat_id=user.id)
        await Subscriptions(session).subscribe(user_id=user.id, chat_id=user.id, now=now)
        await Outbox(session).add(
            chat_id=user.id, text="节能宣传周提醒", kind="reminder", dedupe_key="r:1", now=now
        )
    async with rig.running():
        ticket = await file_report(user, Filing(contact="phone"))
        await user.send_command("/report")  # a new draft is under way when they ask
        await prompt(user, "第 1 步")

        await user.send_command("/deleteme")
        confirm = await prompt(user, "确定要删除")
        assert "1 条举报" in (confirm.plain or "")
        await user.press("不删除")
        await prompt(user, "什么都没有删除")
        assert (await rig.rows(Report, ticket=ticket))[0].phone is not None

        await user.send_command("/deleteme")
        await prompt(user, "确定要删除")
        await user.press("确认删除")
        done = await prompt(user, "已删除")
        assert "1 条举报" in (done.plain or "")
        await user.send_command("/myreports")
        await prompt(user, "您还没有提交过举报")

    (report,) = await rig.rows(Report, ticket=ticket)  # the report stays, anonymised
    assert report.reporter_user_id is None and report.reporter_chat_id is None
    assert report.phone is None and report.anonymous and report.erased_at is not None
    assert report.description == Filing().description
    assert await rig.rows(ReportFollower, user_id=user.id) == []
    assert await rig.rows(Subscription, user_id=user.id) == []
    assert await rig.rows(OutboxMessage, chat_id=user.id) == []
    states = await rig.rows(ConversationState)
    assert not [s for s in states if str(user.id) in s.key and s.data.get("report")]
