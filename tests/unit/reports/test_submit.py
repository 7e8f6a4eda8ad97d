"""Filing a report: tickets, validation, photos, the daily limit."""

from __future__ import annotations

import asyncio
import io
import re
from datetime import datetime, timedelta
from pathlib import Path

import pytest
from PIL import Image
from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from ground.clock import SHANGHAI, ManualClock
from outbox import Outbox
from reports import (
    InvalidReport,
    MediaStore,
    Report,
    ReportNotFound,
    ReportService,
    Status,
    TicketCounter,
    TooManyReports,
)
from reports.media import strip_metadata
from tests.unit.reports.conftest import MAX_PHOTO_BYTES, report_input


def photo(n: int) -> bytes:
    """A tiny JPEG, a different colour for each `n`."""
    output = io.BytesIO()
    Image.new("RGB", (8, 8), (n * 40 % 256, 80, 160)).save(output, format="JPEG")
    return output.getvalue()


def stored_files(media_dir: Path) -> list[Path]:
    return [p for p in media_dir.rglob("*") if p.is_file()] if media_dir.exists() else []


async def test_submit_assigns_a_readable_ticket_and_routes_to_the_default_department(
    service: ReportService,
) -> None:
    report = await service.submit(**report_input())

    assert report.ticket == "TR-2611-0001"
    assert re.fullmatch(r"TR-\d{4}-\d{4}", report.ticket)
    assert report.status == Status.SUBMITTED
    assert report.department == "市生态环境局"
    second = await service.submit(**report_input(description="另一处扬尘"))
    assert second.ticket == "TR-2611-0002"


async def test_submit_stores_aware_shanghai_times_that_survive_a_round_trip(
    sessions: async_sessionmaker[AsyncSession], service: ReportService, session: AsyncSession
) -> None:
    report = await service.submit(**report_input())
    await session.commit()

    async with sessions() as other:
        loaded = await ReportService(other, Outbox(other), service.clock, service.media).get(
            report.ticket
        )
    assert loaded.created_at == datetime(2026, 11, 3, 10, 0, tzinfo=SHANGHAI)
    assert loaded.created_at.utcoffset() == timedelta(hours=8)
    assert loaded.respond_by - loaded.created_at == timedelta(days=15)
    assert loaded.close_by - loaded.created_at == timedelta(days=60)


async def test_get_accepts_a_ticket_typed_loosely_and_raises_for_an_unknown_one(
    service: ReportService,
) -> None:
    report = await service.submit(**report_input())

    assert (await service.get(" tr－2611-0001 ")).id == report.id
    with pytest.raises(ReportNotFound):
        await service.get("TR-2611-9999")


async def test_month_rollover_in_shanghai_time_restarts_the_sequence(
    service: ReportService, clock: ManualClock
) -> None:
    clock.set(datetime(2026, 11, 30, 23, 58, tzinfo=SHANGHAI))
    first = await service.submit(**report_input())
    await service.submit(**report_input(description="第二份"))
    clock.advance(minutes=5)  # 2026-12-01 00:03 in Shanghai, still 30 November in UTC
    december = await service.submit(**report_input(description="十二月第一份"))

    assert first.ticket == "TR-2611-0001"
    assert december.ticket == "TR-2612-0001"


async def test_fifty_concurrent_submissions_are_each_stored_once_with_distinct_tickets(
    sessions: async_sessionmaker[AsyncSession], clock: ManualClock, media: MediaStore
) -> None:
    async def submit_one(n: int) -> str:
        async with sessions() as session, session.begin():
            service = ReportService(session, Outbox(session), clock, media)
            report = await service.submit(
                **report_input(user_id=5000 + n, chat_id=6000 + n, description=f"第{n}号举报")
            )
            return report.ticket

    tickets = await asyncio.gather(*(submit_one(n) for n in range(50)))

    assert sorted(tickets) == [f"TR-2611-{n:04d}" for n in range(1, 51)]
    async with sessions() as session:
        rows = (await session.execute(select(Report.ticket, Report.description))).all()
        counter = await session.get(TicketCounter, "2611")
    assert len(rows) == 50
    assert len({description for _, description in rows}) == 50
    assert counter is not None and counter.last == 50


@pytest.mark.parametrize("description", ["", "   ", "字" * 4001])
async def test_description_outside_one_to_four_thousand_characters_is_invalid(
    service: ReportService, description: str
) -> None:
    with pytest.raises(InvalidReport):
        await service.submit(**report_input(description=description))


async def test_description_of_exactly_four_thousand_characters_is_accepted(
    service: ReportService,
) -> None:
    report = await service.submit(**report_input(description="字" * 4000))
    assert len(report.description) == 4000


async def test_district_must_be_one_of_tongrens(service: ReportService) -> None:
    with pytest.raises(InvalidReport):
        await service.submit(**report_input(district="贵阳市"))
    report = await service.submit(**report_input(district=" 松桃苗族自治县 "))
    assert report.district == "松桃苗族自治县"


async def test_a_location_needs_coordinates_or_an_address(service: ReportService) -> None:
    with pytest.raises(InvalidReport):
        await service.submit(**report_input(lat=None, lon=None))
    with pytest.raises(InvalidReport):
        await service.submit(**report_input(lon=None))
    report = await service.submit(**report_input(lat=None, lon=None, address="东太大道 88 号"))
    assert (report.lat, report.address) == (None, "东太大道 88 号")


async def test_unknown_category_or_bad_phone_is_invalid(service: ReportService) -> None:
    with pytest.raises(InvalidReport):
        await service.submit(**report_input(category="smoke"))
    with pytest.raises(InvalidReport):
        await service.submit(**report_input(phone="call me"))
    report = await service.submit(**report_input(category="能源浪费", phone="138 0856 0000"))
    assert (report.category, report.department) == ("energy", "市发展改革委")


async def test_five_photos_are_kept_in_order(service: ReportService, media: MediaStore) -> None:
    report = await service.submit(**report_input(photos=[photo(n) for n in range(5)]))

    assert [p.position for p in report.photos] == [0, 1, 2, 3, 4]
    assert all(p.name.endswith(".jpg") for p in report.photos)
    assert media.read(report.photos[2].name) == strip_metadata(photo(2))


async def test_a_sixth_photo_is_refused_before_anything_is_written(
    service: ReportService, media_dir: Path
) -> None:
    with pytest.raises(InvalidReport):
        await service.submit(**report_input(photos=[photo(n) for n in range(6)]))
    assert stored_files(media_dir) == []


async def test_a_photo_over_the_size_limit_is_refused(
    service: ReportService, media_dir: Path
) -> None:
    with pytest.raises(InvalidReport):
        await service.submit(**report_input(photos=[photo(1), b"x" * (MAX_PHOTO_BYTES + 1)]))
    assert stored_files(media_dir) == []


async def test_identical_photos_are_stored_once(service: ReportService, media_dir: Path) -> None:
    first = await service.submit(**report_input(photos=[photo(1), photo(1), photo(2)]))
    second = await service.submit(**report_input(description="同一张照片", photos=[photo(1)]))

    assert len(first.photos) == 2
    assert second.photos[0].sha256 == first.photos[0].sha256
    assert len(stored_files(media_dir)) == 2


async def test_a_photo_stored_earlier_by_the_bot_can_be_attached(
    service: ReportService, media: MediaStore
) -> None:
    stored = media.put(photo(7))
    report = await service.submit(**report_input(photos=[stored, photo(7)]))
    assert [p.name for p in report.photos] == [stored.name]


async def test_sixth_report_on_the_same_shanghai_day_is_refused_until_midnight(
    service: ReportService, clock: ManualClock
) -> None:
    clock.set(datetime(2026, 11, 3, 0, 5, tzinfo=SHANGHAI))  # 2 November 16:05 UTC
    for n in range(5):
        await service.submit(**report_input(description=f"第{n}份"))
        clock.advance(hours=4)
    with pytest.raises(TooManyReports):
        await service.submit(**report_input(description="第六份"))
    other_user = await service.submit(**report_input(user_id=1002, description="别人的"))
    clock.set(datetime(2026, 11, 4, 0, 0, tzinfo=SHANGHAI))
    next_day = await service.submit(**report_input(description="第二天"))

    assert other_user.ticket and next_day.ticket
    assert await service.session.scalar(select(func.count(Report.id))) == 7
