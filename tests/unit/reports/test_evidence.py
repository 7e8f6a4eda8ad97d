"""Evidence of three kinds (photos, voice notes, videos) and the reporter's additions to an open
report: what the media store accepts, and who may add what, when."""

from __future__ import annotations

import io
from pathlib import Path

import pytest
from PIL import Image
from pydantic import ValidationError
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from ground.settings import Settings
from reports import InvalidReport, MediaStore, ReportEvent, ReportPhoto, ReportService, Status
from reports.evidence import (
    ADDITION,
    DEFAULT_NOTE,
    MAX_ADDITIONS,
    MAX_PIECES,
    NotTheReporter,
    ReportClosed,
    TooMuchEvidence,
    add_to_report,
    open_report_of,
)
from reports.media import MAX_RECORDINGS, NotThatMedia, StoredPhoto, sniff_kind
from tests.unit.reports.conftest import STAFF, move, report_input

OGG = b"OggS\x00\x02" + bytes(22) + b"OpusHead\x01\x01"
MP4 = b"\x00\x00\x00\x18ftypmp42\x00\x00\x00\x00mp42isom" + b"\x00\x00\x00\x08free"


def voice(n: int) -> bytes:
    return OGG + f"voice-{n}".encode()


def video(n: int) -> bytes:
    return MP4 + f"video-{n}".encode()


def jpeg(n: int) -> bytes:
    output = io.BytesIO()
    Image.new("RGB", (8, 8), (n * 40 % 256, 80, 160)).save(output, format="JPEG")
    return output.getvalue()


def files(media_dir: Path) -> list[Path]:
    return [p for p in media_dir.rglob("*") if p.is_file()] if media_dir.exists() else []


# --- the media store ---------------------------------------------------------------------------
@pytest.mark.parametrize(
    ("data", "kind"),
    [
        (voice(1), "voice"),
        (video(1), "video"),
        (jpeg(1), "photo"),
        (b"%PDF-1.4 not evidence", None),
        (b"\x00\x00\x00\x00ftypmp42", None),  # a box of size 0 is no MP4
        (b"Ogg", None),
        (b"", None),
    ],
)
def test_kind_is_read_from_the_magic_bytes(data: bytes, kind: str | None) -> None:
    assert sniff_kind(data) == kind


def test_a_voice_note_and_a_video_are_stored_as_they_came_by_content_hash(
    media: MediaStore, media_dir: Path
) -> None:
    spoken = media.put_evidence(voice(1), "voice")
    filmed = media.put_evidence(video(1), "video")

    assert spoken.kind == "voice" and spoken.name.endswith(".ogg")
    assert filmed.kind == "video" and filmed.name.endswith(".mp4")
    assert media.read(spoken.name) == voice(1) and media.read(filmed.name) == video(1)
    assert media.put_evidence(voice(1), "voice") == spoken  # once
    assert len(files(media_dir)) == 2


@pytest.mark.parametrize(
    ("data", "claimed"),
    [(video(1), "voice"), (voice(1), "video"), (b"%PDF-1.4 fake", "video"), (b"MZ\x90", "voice")],
)
def test_a_file_that_is_not_what_it_claims_is_refused_and_nothing_is_written(
    media: MediaStore, media_dir: Path, data: bytes, claimed: str
) -> None:
    with pytest.raises(NotThatMedia):
        media.put_evidence(data, claimed)
    assert files(media_dir) == []


def test_a_photo_as_evidence_is_stripped_and_a_non_image_is_not_that_media(
    media: MediaStore,
) -> None:
    stored = media.put_evidence(jpeg(2), "photo")
    assert stored.kind == "photo" and stored.name.endswith(".jpg")
    with pytest.raises(NotThatMedia):
        media.put_evidence(b"\xff\xd8\xff\xe0 not a jpeg", "photo")


def test_each_kind_has_its_own_size_limit(tmp_path: Path) -> None:
    store = MediaStore(tmp_path, max_bytes=10_000, max_voice_bytes=64, max_video_bytes=128)
    with pytest.raises(InvalidReport) as too_big:
        store.put_evidence(voice(1) + bytes(64), "voice")
    assert not isinstance(too_big.value, NotThatMedia)  # "too big", not "not a voice note"
    store.put_evidence(video(1) + bytes(64), "video")  # under the video's own limit
    with pytest.raises(InvalidReport):
        store.put_evidence(video(1) + bytes(128), "video")
    with pytest.raises(InvalidReport):
        store.put_evidence(b"", "voice")
    with pytest.raises(InvalidReport):
        store.put_evidence(voice(1), "sticker")


def test_the_settings_cannot_allow_more_than_a_bot_can_download() -> None:
    settings = Settings(_env_file=None)  # type: ignore[call-arg]
    assert settings.max_voice_bytes <= settings.max_video_bytes <= 20 * 1024 * 1024
    with pytest.raises(ValidationError):
        Settings(_env_file=None, max_video_bytes=21 * 1024 * 1024)  # type: ignore[call-arg]


# --- filing with recordings ------------------------------------------------------------------
async def test_a_report_keeps_each_piece_of_evidence_with_its_kind(
    service: ReportService, media: MediaStore
) -> None:
    spoken = media.put_evidence(voice(1), "voice")
    filmed = media.put_evidence(video(1), "video")
    photos = [media.put_evidence(jpeg(n), "photo") for n in range(1, 6)]

    report = await service.submit(**report_input(photos=[spoken, *photos, filmed]))

    assert [p.kind for p in report.photos] == ["voice"] + ["photo"] * 5 + ["video"]
    assert all(p.event_id is None for p in report.photos)  # filed with the report


async def test_recordings_are_limited_apart_from_photos(
    service: ReportService, media: MediaStore
) -> None:
    recordings = [media.put_evidence(voice(n), "voice") for n in range(MAX_RECORDINGS + 1)]
    with pytest.raises(InvalidReport):
        await service.submit(**report_input(photos=recordings))


# --- adding to a report ----------------------------------------------------------------------
async def events_of(session: AsyncSession, report_id: int) -> list[ReportEvent]:
    rows = await session.scalars(select(ReportEvent).where(ReportEvent.report_id == report_id))
    return list(rows)


async def test_the_reporter_adds_a_note_and_evidence_as_one_audit_row(
    service: ReportService, media: MediaStore, session: AsyncSession
) -> None:
    report = await service.submit(**report_input(photos=[jpeg(1)]))
    await move(service, report.ticket, Status.ACCEPTED)
    added = [media.put_evidence(jpeg(2), "photo"), media.put_evidence(voice(1), "voice")]

    event = await add_to_report(
        service, report.ticket, user_id=1001, note="  今晚又开始了  ", evidence=added
    )

    assert event.action == ADDITION and event.note == "今晚又开始了"
    assert event.from_status == event.to_status == "accepted"
    assert event.staff_id is None and event.staff_name is None
    rows = list(await session.scalars(select(ReportPhoto).order_by(ReportPhoto.position)))
    assert [(r.kind, r.event_id, r.position) for r in rows] == [
        ("photo", None, 0),
        ("photo", event.id, 1),
        ("voice", event.id, 2),
    ]
    assert (await service.get(report.ticket)).status == "accepted"  # the status stays


async def test_evidence_without_a_note_gets_the_default_note_and_nothing_at_all_is_refused(
    service: ReportService, media: MediaStore
) -> None:
    report = await service.submit(**report_input(photos=[jpeg(1)]))
    again = media.put_evidence(jpeg(1), "photo")  # already on the report
    with pytest.raises(InvalidReport):
        await add_to_report(service, report.ticket, user_id=1001, note="  ", evidence=[again])

    event = await add_to_report(
        service,
        report.ticket,
        user_id=1001,
        note=None,
        evidence=[media.put_evidence(video(1), "video")],
    )
    assert event.note == DEFAULT_NOTE
    assert [p.kind for p in (await service.get(report.ticket)).photos] == ["photo", "video"]


async def test_only_the_reporter_may_add_and_nothing_is_written_for_anyone_else(
    service: ReportService, media: MediaStore, session: AsyncSession
) -> None:
    report = await service.submit(**report_input())
    with pytest.raises(NotTheReporter):
        await add_to_report(
            service,
            report.ticket,
            user_id=4242,
            note="不是我的举报",
            evidence=[media.put_evidence(jpeg(3), "photo")],
        )
    with pytest.raises(NotTheReporter):
        await open_report_of(service, report.ticket.lower(), 4242)
    assert [e.action for e in await events_of(session, report.id)] == ["status"]
    assert (await service.get(report.ticket)).photos == []


@pytest.mark.parametrize("closed", [Status.RESOLVED, Status.REJECTED])
async def test_a_closed_report_takes_no_additions(
    service: ReportService, session: AsyncSession, closed: Status
) -> None:
    report = await service.submit(**report_input())
    await move(service, report.ticket, closed)
    with pytest.raises(ReportClosed):
        await add_to_report(service, report.ticket, user_id=1001, note="还有问题")
    assert ADDITION not in [e.action for e in await events_of(session, report.id)]


async def test_a_reopened_report_takes_additions_again(service: ReportService) -> None:
    report = await service.submit(**report_input())
    await move(service, report.ticket, Status.RESOLVED)
    await service.change_status(report.ticket, Status.REOPENED, by=STAFF, note="复查")
    event = await add_to_report(service, report.ticket, user_id=1001, note="补充说明")
    assert event.from_status == event.to_status == "reopened"


async def test_additions_are_limited_in_pieces_count_and_length(
    service: ReportService, media: MediaStore
) -> None:
    report = await service.submit(**report_input())
    many = [media.put_evidence(jpeg(n), "photo") for n in range(MAX_PIECES + 1)]
    with pytest.raises(TooMuchEvidence):
        await add_to_report(service, report.ticket, user_id=1001, note=None, evidence=many)
    with pytest.raises(InvalidReport):
        await add_to_report(service, report.ticket, user_id=1001, note="长" * 2001)
    for n in range(MAX_ADDITIONS):
        await add_to_report(service, report.ticket, user_id=1001, note=f"第 {n} 次补充")
    with pytest.raises(TooMuchEvidence):
        await add_to_report(service, report.ticket, user_id=1001, note="再补充一次")


async def test_a_piece_missing_from_the_store_is_refused(service: ReportService) -> None:
    report = await service.submit(**report_input())
    ghost = StoredPhoto(sha256="ab" * 32, name="ab" * 32 + ".ogg", size=10, kind="voice")
    with pytest.raises(InvalidReport):
        await add_to_report(service, report.ticket, user_id=1001, note=None, evidence=[ghost])
