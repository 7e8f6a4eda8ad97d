"""Staff handling reports in the bot: the new-report post, /queue, status changes with a note
reaching the reporter, transfer and duplicate, and a citizen's forged staff button refused."""

from __future__ import annotations

import logging
from datetime import datetime, timedelta
from typing import TYPE_CHECKING

from bot import texts
from bot.notices import message_text
from bot.texts.staff import REVIEWERS_ONLY
from ground.clock import SHANGHAI, ManualClock
from outbox import OutboxMessage
from reports import Report, ReportEvent, ReportFollower
from tests.e2e.report_steps import STAFF_CHAT, Filing, file_report, prompt, seed_report
from tests.support.bot_rig import until

if TYPE_CHECKING:
    from collections.abc import Callable

    import pytest

    from tests.support.bot_rig import BotRig
    from tests.support.fake_bot_api import BotMessage, ChatView, FakeBotAPI, FakeUser

STAFF_ID = 5_100_001
STAFF_SETTINGS = {"staff_reviewers": [STAFF_ID], "staff_chat_id": STAFF_CHAT}


async def change(staff: FakeUser, chat: ChatView, card: BotMessage, button: str, note: str) -> None:
    """Press a status button on a report card, then reply to the bot's question with the note."""
    await staff.press(button, message=card)
    asked = await prompt(chat, "的说明")
    await staff.send_text(note, chat_id=chat.chat_id, reply_to=asked)


async def test_a_staff_status_change_reaches_the_reporter_with_the_note(
    rig: BotRig, fake: FakeBotAPI, user: FakeUser
) -> None:
    staff_chat = fake.chat(STAFF_CHAT, title="举报受理")
    staff = fake.user(STAFF_ID, "王科员")
    async with rig.running(deliver=True, scheduler_enabled=False, **STAFF_SETTINGS):
        ticket = await file_report(user, Filing(contact="anonymous"))
        card = await prompt(staff_chat, ticket)
        assert card.button_texts[:3] == ["受理", "不予受理", "重复"]
        await change(staff, staff_chat, card, "受理", "已受理，执法大队明天到现场核查 <锦江>")
        done = await prompt(staff_chat, "已更新")
        assert ticket in (done.plain or "") and "已受理" in (done.plain or "")
        notice = await prompt(user, f"您的举报 {ticket} 有新进展")  # sent by the outbox sender

    assert "状态：已受理" in (notice.plain or "")
    assert "执法大队明天到现场核查 <锦江>" in (notice.plain or "")  # escaped, shown as typed
    (report,) = await rig.rows(Report, ticket=ticket)
    assert report.status == "accepted" and report.responded_at is not None
    events = await rig.rows(ReportEvent, report_id=report.id)
    assert [(e.from_status, e.to_status, e.staff_id) for e in events] == [
        (None, "submitted", None),
        ("submitted", "accepted", STAFF_ID),
    ]
    assert events[1].staff_name == f"tg:{STAFF_ID}"
    (queued,) = await rig.rows(OutboxMessage, chat_id=user.id, kind="report_status")
    assert queued.status == "sent"


async def test_the_new_report_post_survives_a_server_error_of_the_staff_chat(
    rig: BotRig, fake: FakeBotAPI, user: FakeUser
) -> None:
    staff_chat = fake.chat(STAFF_CHAT, title="举报受理")
    fake.fail_next("sendMessage", 500, chat_id=STAFF_CHAT)
    async with rig.running(deliver=True, scheduler_enabled=False, **STAFF_SETTINGS):
        ticket = await file_report(user, Filing(contact="anonymous"))
        card = await prompt(staff_chat, ticket)  # the outbox retried it after the 500
    assert card.button_texts[:3] == ["受理", "不予受理", "重复"]
    posts = [c for c in fake.calls_to("sendMessage") if c.params.get("chat_id") == STAFF_CHAT]
    assert [c.status for c in posts] == [500, 200]
    (queued,) = await rig.rows(OutboxMessage, chat_id=STAFF_CHAT, kind="staff_new_report")
    assert queued.status == "sent" and queued.attempts == 2


async def test_a_citizen_forging_a_staff_button_is_refused_and_logged(
    rig: BotRig, user: FakeUser, caplog: pytest.LogCaptureFixture
) -> None:
    report = await seed_report(rig.sessions, rig.data_dir)
    with caplog.at_level(logging.INFO):
        async with rig.running(**STAFF_SETTINGS):
            await user.send_command("/myreports")
            await user.wait_for_message()
            await user.forge_callback(f"sr:accepted:{report.ticket}")
            await until(lambda: user.callback_answers, what="the refusal")
            await user.forge_callback(f"sd:{report.ticket}:3")  # a transfer's department
            await until(lambda: len(user.callback_answers) == 2, what="the second refusal")
            await user.send_command("/queue")
            typed = await user.wait_for_message()

    assert [a.get("text") for a in user.callback_answers] == [REVIEWERS_ONLY, REVIEWERS_ONLY]
    assert all(a.get("show_alert") for a in user.callback_answers)
    assert typed.plain == REVIEWERS_ONLY and "仅限工作人员使用" in typed.plain
    refusals = [r for r in caplog.records if "refused a staff action" in r.getMessage()]
    assert len(refusals) == 3 and all(str(user.id) in r.getMessage() for r in refusals)
    (unchanged,) = await rig.rows(Report, ticket=report.ticket)
    assert unchanged.status == "submitted"
    assert len(await rig.rows(ReportEvent, report_id=report.id)) == 1


async def test_a_traditional_reader_is_refused_in_traditional(
    rig: BotRig, make_user: Callable[..., FakeUser]
) -> None:
    reader = make_user("陳先生", language_code="zh-tw")
    async with rig.running(**STAFF_SETTINGS):
        await reader.send_command("/queue")
        typed = await reader.wait_for_message()

    assert typed.plain == texts.say(REVIEWERS_ONLY, "hant") == "抱歉，這項操作僅限工作人員使用。"


async def test_queue_transfer_and_duplicate_through_the_buttons(
    rig: BotRig, fake: FakeBotAPI
) -> None:
    start = datetime(2026, 11, 2, 9, 0, tzinfo=SHANGHAI)
    first = await seed_report(rig.sessions, rig.data_dir, clock=ManualClock(start))
    later = ManualClock(start + timedelta(days=16))
    second = await seed_report(
        rig.sessions, rig.data_dir, clock=later, user_id=9_000_002, chat_id=9_000_002
    )
    staff = fake.user(STAFF_ID, "王科员")
    async with rig.running(clock=later, **STAFF_SETTINGS):
        await staff.send_command("/queue")
        queue = await prompt(staff, "待处理举报")
        lines = (queue.plain or "").splitlines()
        assert first.ticket in lines[1] and "⚠逾期" in lines[1]  # 16 days without a response
        assert second.ticket in lines[2] and "逾期" not in lines[2]

        await staff.press(first.ticket, message=queue)
        card = await prompt(staff, "工单 " + first.ticket)
        assert "未在 15 天内受理" in (card.plain or "")
        await change(staff, staff, card, "受理", "受理")
        card = await prompt(staff, "工单 " + first.ticket)
        await staff.press("转办", message=card)
        departments = await prompt(staff, "转办给哪个单位")
        await staff.press("市水务局", message=departments)
        asked = await prompt(staff, "的说明")
        await staff.send_text("污水管网问题，转市水务局办理", reply_to=asked)
        await prompt(staff, "已更新")

        await staff.press(second.ticket, message=queue)
        card = await prompt(staff, "工单 " + second.ticket)
        await staff.press("重复", message=card)
        asked = await prompt(staff, "与哪个工单重复")
        await staff.send_text("TR-0000-0000", reply_to=asked)
        await prompt(staff, "不存在")  # asked again
        await staff.send_text(first.ticket.lower(), reply_to=asked)  # typed loosely
        asked = await prompt(staff, "的说明")
        await staff.send_text("与前一工单为同一工地，合并办理", reply_to=asked)
        await prompt(staff, "已更新")

    (moved,) = await rig.rows(Report, ticket=first.ticket)
    assert (moved.status, moved.department) == ("transferred", "市水务局")
    (merged,) = await rig.rows(Report, ticket=second.ticket)
    assert (merged.status, merged.duplicate_of) == ("duplicate", first.ticket)
    # The duplicate's reporter now hears about the original.
    followers = await rig.rows(ReportFollower, report_id=first.id)
    assert [f.user_id for f in followers] == [9_000_002]
    notices = await rig.rows(OutboxMessage, kind="report_status")
    assert sorted(n.chat_id for n in notices) == [9_000_001, 9_000_001, 9_000_002]
    assert any("市水务局" in message_text(n) for n in notices)
