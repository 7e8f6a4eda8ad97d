"""Add to my report, through the fake Bot API: from /myreports the reporter adds a photo, a voice
note and a note to an open report, and staff see it as an "addition" in the audit trail (and a
line in the staff chat without the reporter's identity); someone else's ticket in a forged
button, a closed report and an oversized file are refused politely and nothing is written."""

from __future__ import annotations

from typing import TYPE_CHECKING

from bot.routers.report.keyboards import AddCb
from bot.texts import reports as words
from citizens import ConversationState
from ground.clock import SystemClock
from outbox import Outbox
from reports import MediaStore, Report, ReportEvent, ReportPhoto, ReportService, Staff, Status
from tests.e2e.report_steps import STAFF_CHAT, jpeg, prompt, seed_report, stored_digest

if TYPE_CHECKING:
    from tests.support.bot_rig import BotRig
    from tests.support.fake_bot_api import FakeBotAPI, FakeUser

VOICE = b"OggS\x00\x02" + bytes(20) + b"OpusHead\x01\x01" + b"the chimney at night" * 4
OTHER_REPORTER = 6_999_001


def start(ticket: str) -> str:
    return AddCb(action="start", ticket=ticket).pack()


async def move(rig: BotRig, ticket: str, *targets: Status) -> None:
    """Staff moves through the domain, committed."""
    async with rig.sessions() as session, session.begin():
        service = ReportService(
            session,
            Outbox(session),
            SystemClock(),
            MediaStore(rig.data_dir / "media", max_bytes=10 * 1024 * 1024),
        )
        for target in targets:
            await service.change_status(ticket, target, by=Staff(1, "王科员"), note=f"→ {target}")


async def additions(rig: BotRig, report: Report) -> list[ReportEvent]:
    events = await rig.rows(ReportEvent, report_id=report.id)
    return [event for event in events if event.action == "addition"]


async def test_the_reporter_adds_a_photo_a_voice_note_and_a_note_seen_in_the_audit_trail(
    rig: BotRig, fake: FakeBotAPI, user: FakeUser
) -> None:
    report = await seed_report(rig.sessions, rig.data_dir, user_id=user.id, chat_id=user.id)
    closed = await seed_report(
        rig.sessions, rig.data_dir, user_id=user.id, chat_id=user.id, description="河道垃圾"
    )
    await move(rig, report.ticket, Status.ACCEPTED)
    await move(rig, closed.ticket, Status.REJECTED)
    staff_chat = fake.chat(STAFF_CHAT, title="举报受理")
    async with rig.running(deliver=True, scheduler_enabled=False, staff_chat_id=STAFF_CHAT):
        await user.send_command("/myreports")
        listing = await prompt(user, "您的举报（")
        assert listing.find_button(start(report.ticket)) is not None
        assert listing.find_button(start(closed.ticket)) is None  # rejected: nothing to add
        await user.press(f"📎 补充材料 {report.ticket}")
        asked = await prompt(user, f"为 {report.ticket} 补充材料")
        assert "不会公开" in (asked.plain or "")
        await user.send_photo(jpeg(7))
        await prompt(user, "照片 1 张")
        await user.send_voice(data=VOICE)
        await prompt(user, "语音 1 条")
        await user.send_text("今晚十点又开始施工，<扬尘>更大了")
        await prompt(user, "文字说明有")
        await user.press(words.BUTTON_DONE)
        done = await prompt(user, f"已为 {report.ticket} 补充材料")
        assert done.reply_markup is not None  # the main menu is back
        line = await prompt(staff_chat, report.ticket)

    (event,) = await additions(rig, report)
    assert event.note == "今晚十点又开始施工，<扬尘>更大了"
    assert event.from_status == event.to_status == "accepted" and event.staff_id is None
    added = [p for p in await rig.rows(ReportPhoto, report_id=report.id) if p.event_id]
    assert [(p.kind, p.event_id) for p in added] == [("photo", event.id), ("voice", event.id)]
    assert added[0].sha256 == stored_digest(jpeg(7))
    (after,) = await rig.rows(Report, ticket=report.ticket)
    assert after.status == "accepted"
    # The staff chat hears of it, with the note, never who sent it.
    assert "补充了材料" in (line.plain or "") and "<扬尘>" in (line.plain or "")
    assert str(user.id) not in (line.text or "") and "小绿" not in (line.text or "")
    assert await additions(rig, closed) == []


async def test_a_forged_button_for_someone_elses_report_is_refused_and_nothing_is_written(
    rig: BotRig, user: FakeUser
) -> None:
    theirs = await seed_report(
        rig.sessions, rig.data_dir, user_id=OTHER_REPORTER, chat_id=OTHER_REPORTER
    )
    mine = await seed_report(rig.sessions, rig.data_dir, user_id=user.id, chat_id=user.id)
    async with rig.running(fsm_storage="database"):
        await user.send_command("/myreports")
        await prompt(user, "您的举报（")
        await user.forge_callback(start(theirs.ticket))
        refusal = await prompt(user, "不是您提交的")
        assert "/myreports" in (refusal.plain or "")
        await user.send_photo(jpeg(3))  # not in an addition: the flow does not take it
        await user.wait_for_message()
        await user.forge_callback(AddCb(action="done", ticket=theirs.ticket).pack())
        await user.forge_callback(start("TR-0000-9999"))  # no such report
        await prompt(user, "不是您提交的")
        # Inside one's own addition, a 完成 claiming another ticket changes nothing either.
        await user.press(start(mine.ticket))
        await prompt(user, f"为 {mine.ticket} 补充材料")
        await user.send_text("补充一句")
        await prompt(user, "文字说明有")
        await user.forge_callback(AddCb(action="done", ticket=theirs.ticket).pack())
        await user.forge_callback(AddCb(action="cancel", ticket=mine.ticket).pack())
        await prompt(user, words.ADD_CANCELLED)

    alerts = [a for a in user.callback_answers if a.get("show_alert")]
    assert len(alerts) == 2 and all("已失效" in a["text"] for a in alerts)
    assert await additions(rig, theirs) == [] and await additions(rig, mine) == []
    assert await rig.rows(ReportPhoto, report_id=theirs.id) == []

    # Left the addition: no state, no pending pieces (an empty conversation is no row at all).
    def ended(rows: list[ConversationState]) -> bool:
        return all(row.state is None and "addition" not in row.data for row in rows)

    assert ended(await rig.rows(ConversationState, until=ended))


async def test_a_closed_report_an_oversized_voice_note_and_an_empty_addition_are_refused(
    rig: BotRig, user: FakeUser
) -> None:
    report = await seed_report(rig.sessions, rig.data_dir, user_id=user.id, chat_id=user.id)
    resolved = await seed_report(
        rig.sessions, rig.data_dir, user_id=user.id, chat_id=user.id, description="烧秸秆"
    )
    await move(rig, resolved.ticket, Status.ACCEPTED, Status.RESOLVED)
    async with rig.running(max_voice_bytes=64):
        await user.send_command("/myreports")
        await prompt(user, "您的举报（")
        await user.forge_callback(start(resolved.ticket))
        await prompt(user, f"{resolved.ticket} 已经办结")
        await user.press(start(report.ticket))
        await prompt(user, "补充材料")
        await user.send_voice(data=VOICE)  # over 64 bytes
        await prompt(user, "这条语音太长了")
        await user.send_sticker()
        await prompt(user, words.ADD_HINT)
        await user.press(words.BUTTON_DONE)
        await prompt(user, words.ADD_NOTHING_YET)  # nothing to add yet: still adding
        await user.send_text("排污口又冒黑水了")
        await prompt(user, "文字说明有")
        await user.press(words.BUTTON_DONE)
        await prompt(user, "已为")

    (event,) = await additions(rig, report)
    assert event.note == "排污口又冒黑水了" and event.from_status == "submitted"
    assert [p for p in await rig.rows(ReportPhoto, report_id=report.id) if p.event_id] == []
    assert await additions(rig, resolved) == []


async def test_an_addition_half_sent_before_a_restart_is_written_after_it(
    rig: BotRig, user: FakeUser
) -> None:
    report = await seed_report(rig.sessions, rig.data_dir, user_id=user.id, chat_id=user.id)
    async with rig.running(fsm_storage="database"):
        await user.send_command("/myreports")
        await prompt(user, "您的举报（")
        await user.press(start(report.ticket))
        await prompt(user, "补充材料")
        await user.send_photo(jpeg(5))
        await prompt(user, "照片 1 张")

    async with rig.running(fsm_storage="database"):  # a new process: the pieces wait in the db
        await user.press(words.BUTTON_DONE)
        await prompt(user, "已为")

    (event,) = await additions(rig, report)
    assert event.note == "举报人补充了材料"  # no text sent: the default note
    (photo,) = [p for p in await rig.rows(ReportPhoto, report_id=report.id) if p.event_id]
    assert photo.event_id == event.id and photo.sha256 == stored_digest(jpeg(5))


async def test_a_traditional_reader_adds_in_traditional(rig: BotRig, fake: FakeBotAPI) -> None:
    reader = fake.user(6_990_001, "陳先生", language_code="zh-hant")
    report = await seed_report(rig.sessions, rig.data_dir, user_id=reader.id, chat_id=reader.id)
    async with rig.running():
        await reader.send_command("/myreports")
        listing = await prompt(reader, "您的舉報")
        assert f"📎 補充材料 {report.ticket}" in listing.button_texts
        await reader.press(start(report.ticket))
        asked = await prompt(reader, "補充材料")
        assert "請發送照片" in (asked.plain or "")
