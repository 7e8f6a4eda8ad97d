"""Voice notes and videos as evidence in the 随手拍 flow, through the fake Bot API: a voice note
where the description is expected is kept and text still asked for, videos (and round video
notes) at the photos step are stored as they came, and what is too big or not what it claims
to be gets a polite line and is not kept."""

from __future__ import annotations

from typing import TYPE_CHECKING

from bot.texts import reports as words
from citizens import ConversationState
from reports import Report
from tests.e2e.report_steps import (
    Filing,
    begin,
    choose_district,
    jpeg,
    place,
    prompt,
    step,
    submit,
    to_district,
)

if TYPE_CHECKING:
    from pathlib import Path

    from tests.support.bot_rig import BotRig
    from tests.support.fake_bot_api import FakeUser

VOICE = b"OggS\x00\x02" + bytes(20) + b"OpusHead\x01\x01\x38\x01" + b"spoken evidence" * 8
MP4 = b"\x00\x00\x00\x18ftypmp42\x00\x00\x00\x00mp42isom" + b"\x00\x00\x00\x10moov" + bytes(8)


def video(n: int, padding: int = 0) -> bytes:
    return MP4 + f"frames-{n}".encode() + bytes(padding)


def stored_files(data_dir: Path) -> list[Path]:
    media = data_dir / "media"
    return [p for p in media.rglob("*") if p.is_file()] if media.exists() else []


async def test_a_voice_note_for_the_description_is_kept_and_a_line_of_text_is_asked_for(
    rig: BotRig, user: FakeUser
) -> None:
    async with rig.running():
        await begin(user)
        await user.press("水污染")
        await prompt(user, step(2))
        await user.send_voice(data=VOICE)
        kept = await prompt(user, "已保存这条语音")
        assert "请再用文字" in (kept.plain or "")
        assert not user.new_messages()[1:]  # still at the description: nothing moved on
        await user.send_text("锦江河边排污口冒黑水，味道很臭")
        await place(user, None)
        await prompt(user, step(4))
        await choose_district(user, "碧江区")
        await prompt(user, step(5))
        await user.press(words.BUTTON_DONE)
        await prompt(user, step(6))
        await user.send_text(words.BUTTON_NO_PHONE)
        summary = await prompt(user, step(7))
        assert "照片：0 张" in (summary.plain or "")
        assert "语音：1 条｜视频：0 段" in (summary.plain or "")
        ticket = await submit(user)

    (report,) = await rig.rows(Report, ticket=ticket)
    assert report.description == "锦江河边排污口冒黑水，味道很臭"
    (piece,) = report.photos
    assert piece.kind == "voice" and piece.event_id is None and piece.name.endswith(".ogg")
    stored = rig.data_dir / "media" / piece.name[:2] / piece.name
    assert stored.read_bytes() == VOICE  # stored as it came


async def test_videos_and_a_video_note_at_the_photos_step_are_stored_with_the_photos(
    rig: BotRig, user: FakeUser
) -> None:
    async with rig.running():
        await begin(user)
        await to_district(user, Filing(location=None))
        await choose_district(user, "碧江区")
        asked = await prompt(user, step(5))
        assert "语音或短视频" in (asked.plain or "") and "不会公开" in (asked.plain or "")
        await user.send_photo(jpeg(1))
        await prompt(user, "已收到第 1 张照片")
        await user.send_video(data=video(1))
        await prompt(user, "已收到视频")
        await user.send_video_note(data=video(2))
        await prompt(user, "已收到视频")
        await user.send_video(data=video(1))  # the same video again
        await prompt(user, words.RECORDING_AGAIN)
        await user.send_photo(jpeg(2))
        await prompt(user, "已收到第 2 张照片")  # photos are counted on their own
        await user.press(words.BUTTON_DONE)
        await prompt(user, step(6))
        await user.send_text(words.BUTTON_ANONYMOUS)
        summary = await prompt(user, step(7))
        assert "照片：2 张" in (summary.plain or "")
        assert "语音：0 条｜视频：2 段" in (summary.plain or "")
        ticket = await submit(user)

    (report,) = await rig.rows(Report, ticket=ticket)
    assert [p.kind for p in report.photos] == ["photo", "video", "video", "photo"]
    videos = [p for p in report.photos if p.kind == "video"]
    contents = [(rig.data_dir / "media" / p.name[:2] / p.name).read_bytes() for p in videos]
    assert contents == [video(1), video(2)]


async def test_an_oversized_video_and_a_fake_voice_note_get_a_polite_line_and_are_not_kept(
    rig: BotRig, user: FakeUser
) -> None:
    async with rig.running(max_video_bytes=2048):
        await begin(user)
        await to_district(user, Filing(location=None))
        await choose_district(user, "碧江区")
        await prompt(user, step(5))
        await user.send_video(data=video(1, padding=4096))
        refused = await prompt(user, "这段视频太大了")
        assert "没有保存" in (refused.plain or "")
        await user.send_document("语音.ogg", b"%PDF-1.4 not a voice note", mime_type="audio/ogg")
        await prompt(user, "不像是语音")
        await user.send_voice(data=b"RIFF\x00\x00\x00\x00WAVEfmt ")  # a voice that is no OGG
        await prompt(user, "不像是语音")
        await user.send_sticker()
        await prompt(user, "已收到 0 份材料")  # the hint: nothing was kept
        assert stored_files(rig.data_dir) == []
        await user.send_video(data=video(2))  # one within the limit still goes in
        await prompt(user, "已收到视频")
        await user.press(words.BUTTON_DONE)
        await prompt(user, step(6))

    assert len(stored_files(rig.data_dir)) == 1


async def test_a_voice_note_kept_at_the_description_survives_a_restart(
    rig: BotRig, user: FakeUser
) -> None:
    async with rig.running(fsm_storage="database"):
        await begin(user)
        await user.press("噪声")
        await prompt(user, step(2))
        await user.send_voice(data=VOICE)
        await prompt(user, "已保存这条语音")

    (saved,) = await rig.rows(ConversationState)
    assert [piece["kind"] for piece in saved.data["report"]["photos"]] == ["voice"]

    async with rig.running(fsm_storage="database"):
        await user.send_text("广场舞音响太吵，晚上十点后还在放")
        await place(user, None)
        await prompt(user, step(4))
        await choose_district(user, "万山区")
        await prompt(user, step(5))
        await user.press(words.BUTTON_DONE)
        await prompt(user, step(6))
        await user.send_text(words.BUTTON_NO_PHONE)
        await prompt(user, "语音：1 条")
        ticket = await submit(user)

    (report,) = await rig.rows(Report, ticket=ticket)
    assert [p.kind for p in report.photos] == ["voice"]


async def test_an_iphone_video_sent_as_a_file_is_kept_as_a_video(
    rig: BotRig, user: FakeUser
) -> None:
    """iOS sends a video picked as a file as QuickTime (.MOV, video/quicktime): an ISO media
    file like MP4, its `ftyp` box first, so the bytes say video."""
    mov = b"\x00\x00\x00\x14ftypqt  \x00\x00\x00\x00moov-iphone"
    async with rig.running():
        await begin(user)
        await to_district(user, Filing(location=None))
        await choose_district(user, "碧江区")
        await prompt(user, step(5))
        await user.send_document("IMG_0042.MOV", mov, mime_type="video/quicktime")
        await prompt(user, "已收到视频")
    (stored,) = stored_files(rig.data_dir)
    assert stored.read_bytes() == mov
