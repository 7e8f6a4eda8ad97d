"""Response templates in the bot: asked for the note of a move, staff get the templates that fit
the report and the move as buttons; pressing one sends its filled text to the reporter through
the outbox, and forged or stale template buttons are refused."""

from __future__ import annotations

from typing import TYPE_CHECKING

from bot.texts import replies as reply_words
from bot.texts.reports import STAFF_STALE
from bot.texts.staff import REVIEWERS_ONLY
from ground.clock import local_time
from outbox import OutboxMessage
from reports import MediaStore, Report, ReportEvent, ReportPhoto
from tests.e2e.report_steps import jpeg, prompt, seed_report
from tests.support.bot_rig import until

if TYPE_CHECKING:
    from collections.abc import Callable

    from tests.support.bot_rig import BotRig
    from tests.support.fake_bot_api import BotMessage, FakeBotAPI, FakeUser

STAFF_ID = 5_100_011
STAFF_SETTINGS = {"staff_reviewers": [STAFF_ID]}


async def ask_note(staff: FakeUser, ticket: str, button: str) -> BotMessage:
    """Open the report's card from /queue, press a move, and return the templates' offer."""
    await staff.send_command("/queue")
    queue = await prompt(staff, "待处理举报")
    await staff.press(ticket, message=queue)
    card = await prompt(staff, f"工单 {ticket}｜")
    await staff.press(button, message=card)
    await prompt(staff, "的说明")
    return await prompt(staff, "回复模板")


async def test_staff_pick_a_template_and_the_reporter_receives_it_filled(
    rig: BotRig, fake: FakeBotAPI, user: FakeUser
) -> None:
    report = await seed_report(
        rig.sessions, rig.data_dir, user_id=user.id, chat_id=user.id, category="noise"
    )
    staff = fake.user(STAFF_ID, "王科员")
    async with rig.running(deliver=True, scheduler_enabled=False, **STAFF_SETTINGS):
        offer = await ask_note(staff, report.ticket, "受理")
        # the noise template first, then the one for any category
        assert offer.button_texts == ["1. 噪声受理（夜间核查）", "2. 受理"]
        assert f"您反映的噪声问题（工单号 {report.ticket}）已于" in (offer.plain or "")
        await staff.press("2. 受理", message=offer)
        used = await prompt(staff, "已选用回复模板")
        await prompt(staff, "已更新")
        notice = await prompt(user, f"您的举报 {report.ticket} 有新进展")  # the outbox sender

    today = local_time(report.created_at).split(" ")[0]  # 2026年…日, the day of the move
    filled = (
        f"您反映的噪声问题（工单号 {report.ticket}）已于{today}受理，我们会尽快安排核查，"
        "处理进展会通过本机器人告知您。"
    )
    assert filled in (used.plain or "")
    assert "状态：已受理" in (notice.plain or "") and filled in (notice.plain or "")
    (moved,) = await rig.rows(Report, ticket=report.ticket)
    assert moved.status == "accepted" and moved.status_note == filled
    events = await rig.rows(ReportEvent, report_id=report.id)
    assert [(e.to_status, e.staff_id, e.note) for e in events][-1] == ("accepted", STAFF_ID, filled)
    (queued,) = await rig.rows(OutboxMessage, chat_id=user.id, kind="report_status")
    assert queued.status == "sent"


async def test_a_transfer_template_names_the_department_picked(
    rig: BotRig, fake: FakeBotAPI, user: FakeUser
) -> None:
    report = await seed_report(rig.sessions, rig.data_dir, user_id=user.id, chat_id=user.id)
    staff = fake.user(STAFF_ID, "王科员")
    async with rig.running(deliver=True, scheduler_enabled=False, **STAFF_SETTINGS):
        offer = await ask_note(staff, report.ticket, "受理")
        await staff.press("1. 受理", message=offer)
        await prompt(staff, "已更新")
        card = await prompt(staff, f"工单 {report.ticket}｜")  # the card, now 已受理
        await staff.press("转办", message=card)
        departments = await prompt(staff, "转办给哪个单位")
        await staff.press("市水务局", message=departments)
        offer = await prompt(staff, "回复模板")
        assert "已转交市水务局办理" in (offer.plain or "")
        await staff.press("1. 转办", message=offer)
        await prompt(staff, "已更新")
        notice = await until_notice(user, "已转办")

    assert "承办单位：市水务局" in notice and "您反映的问题已转交市水务局办理" in notice


async def until_notice(user: FakeUser, status: str) -> str:
    found = await user.wait_for_message(lambda m: f"状态：{status}" in (m.plain or ""))
    return found.plain or ""


async def test_forged_and_stale_template_buttons_are_refused(
    rig: BotRig, fake: FakeBotAPI, make_user: Callable[..., FakeUser]
) -> None:
    citizen = make_user("小李")
    report = await seed_report(rig.sessions, rig.data_dir)
    staff = fake.user(STAFF_ID, "王科员")
    async with rig.running(**STAFF_SETTINGS):
        offer = await ask_note(staff, report.ticket, "受理")
        await staff.forge_callback(f"rt:{report.ticket}:accepted:99999", message=offer)
        gone = await prompt(staff, "已被删除或修改")  # the move still waits for its note
        await staff.forge_callback(f"rt:{report.ticket}:rejected:1", message=offer)
        await prompt(staff, STAFF_STALE)  # not the move being asked about
        await staff.press("1. 受理", message=offer)
        await prompt(staff, "已更新")
        await staff.press("1. 受理", message=offer)  # the same button once more
        stale = await prompt(staff, STAFF_STALE)

        await citizen.send_command("/start")
        await citizen.wait_for_message()
        await citizen.forge_callback(f"rt:{report.ticket}:accepted:1")
        await until(lambda: citizen.callback_answers, what="the refusal")

    assert gone.plain == reply_words.REPLY_GONE and stale.plain == STAFF_STALE
    assert [a.get("text") for a in citizen.callback_answers] == [REVIEWERS_ONLY]
    events = await rig.rows(ReportEvent, report_id=report.id)
    assert [e.to_status for e in events] == ["submitted", "accepted"]  # one change, not two


async def test_staff_get_a_voice_note_as_a_file_under_the_reports_photos(
    rig: BotRig, fake: FakeBotAPI
) -> None:
    report = await seed_report(rig.sessions, rig.data_dir, photos=[jpeg(1)])
    voice = b"OggS\x00\x02" + b"\x00" * 58
    async with rig.sessions() as session, session.begin():
        name = "voice-e2e.ogg"
        path = MediaStore(rig.data_dir / "media", max_bytes=1024).path(name)
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_bytes(voice)
        session.add(
            ReportPhoto(
                report_id=report.id, position=1, sha256="9" * 64, name=name,
                size=len(voice), kind="voice",
            )
        )  # fmt: skip
    staff = fake.user(STAFF_ID, "王科员")
    async with rig.running(**STAFF_SETTINGS):
        await staff.send_command("/queue")
        queue = await prompt(staff, "待处理举报")
        await staff.press(report.ticket, message=queue)
        card = await prompt(staff, f"工单 {report.ticket}｜")
        await staff.press("🖼 照片", message=card)
        await prompt(staff, f"{report.ticket} 语音")

    sent = [c.params.get("chat_id") for c in fake.calls_to("sendPhoto")]
    files = fake.calls_to("sendDocument")
    assert sent == [STAFF_ID] and [c.params.get("chat_id") for c in files] == [STAFF_ID]
