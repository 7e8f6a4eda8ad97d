"""Anonymity in staff views and CSV, /deleteme erasure, contact retention."""

from __future__ import annotations

import csv
import io

from PIL import Image

from ground.clock import ManualClock
from outbox import Outbox
from reports import (
    ADMIN,
    ANONYMITY_EXPLAINED,
    OPEN311_FIELDS,
    ReportService,
    StaffView,
    Status,
    anonymity_explained,
    to_staff_dict,
    write_csv,
)
from tests.unit.reports.conftest import STAFF, move, report_input

PHONE = "13908560000"


def export(reports: list, **flags: object) -> tuple[str, list[dict[str, str]]]:
    out = io.StringIO()
    write_csv(reports, out, **flags)  # type: ignore[arg-type]
    return out.getvalue(), list(csv.DictReader(io.StringIO(out.getvalue())))


async def test_anonymous_reporter_is_hidden_in_the_staff_view(service: ReportService) -> None:
    report = await service.submit(**report_input(anonymous=True, phone=PHONE))

    view = StaffView.of(report)
    data = to_staff_dict(report)

    assert (view.reporter_user_id, view.phone) == (None, None)
    assert "reporter_user_id" not in data and "phone" not in data
    assert PHONE not in repr(data) and "1001" not in repr(data) and "2001" not in repr(data)
    assert report.reporter_chat_id == 2001  # still stored, for notices


async def test_named_reporter_is_visible_in_the_admins_staff_view(
    service: ReportService,
) -> None:
    report = await service.submit(**report_input(phone=PHONE))
    data = to_staff_dict(report, role=ADMIN)
    assert (data["reporter_user_id"], data["phone"]) == (1001, PHONE)
    assert "reporter_chat_id" not in data
    reviewers = to_staff_dict(report)  # a reviewer's view unless told otherwise
    assert "phone" not in reviewers and PHONE not in repr(reviewers)


async def test_anonymous_reporter_is_hidden_in_csv_export_even_with_contact(
    service: ReportService,
) -> None:
    report = await service.submit(**report_input(anonymous=True, phone=PHONE))

    text, rows = export([report], include_contact=True)

    assert PHONE not in text and "1001" not in text and "2001" not in text
    assert rows[0]["reporter_user_id"] == "" and rows[0]["phone"] == ""


async def test_csv_shows_a_named_reporters_contact_only_when_asked(
    service: ReportService,
) -> None:
    report = await service.submit(**report_input(phone=PHONE))

    plain, rows = export([report])
    _, contact_rows = export([report], include_contact=True)

    assert PHONE not in plain and "phone" not in rows[0]
    assert contact_rows[0]["phone"] == PHONE and contact_rows[0]["reporter_user_id"] == "1001"


def picture(kind: str) -> bytes:
    output = io.BytesIO()
    Image.new("RGB", (4, 4), (10, 120, 30)).save(output, format=kind)
    return output.getvalue()


async def test_csv_rows_follow_open311_georeport_fields(
    service: ReportService, clock: ManualClock
) -> None:
    report = await service.submit(
        **report_input(address="锦江路 1 号", photos=[picture("JPEG"), picture("PNG")])
    )
    clock.advance(days=1)
    await move(service, report.ticket, Status.RESOLVED)
    formula = await service.submit(**report_input(description='=HYPERLINK("x")'))

    _, rows = export([report, formula], media_base_url="https://example.org/media/")

    row = rows[0]
    assert tuple(row) == OPEN311_FIELDS
    assert row["service_request_id"] == report.ticket
    assert (row["status"], row["status_notes"]) == ("closed", "to resolved")
    assert (row["service_code"], row["service_name"]) == ("air", "大气/扬尘")
    assert row["agency_responsible"] == "市生态环境局"
    assert row["requested_datetime"] == "2026-11-03T10:00:00+08:00"
    assert row["updated_datetime"] == "2026-11-04T10:00:00+08:00"
    assert row["address"] == "碧江区 锦江路 1 号"
    assert (row["lat"], row["long"]) == ("27.718300", "109.189400")
    assert row["media_url"].count("https://example.org/media/") == 2
    assert rows[1]["status"] == "open"
    assert rows[1]["description"].startswith("'=")


def test_the_anonymity_explanation_is_one_sentence_in_both_scripts() -> None:
    assert ANONYMITY_EXPLAINED.count("。") == 1 and ANONYMITY_EXPLAINED.endswith("。")
    assert "匿名" in ANONYMITY_EXPLAINED
    assert "顯示" in anonymity_explained("hant")


async def test_erase_reporter_anonymises_all_their_reports_and_stops_their_notices(
    service: ReportService,
) -> None:
    mine = [
        await service.submit(**report_input(phone=PHONE)),
        await service.submit(**report_input(description="第二份")),
    ]
    theirs = await service.submit(**report_input(user_id=7, chat_id=77, description="别人的"))
    await service.follow(theirs.ticket, user_id=1001, chat_id=2001)

    changed = await service.erase_reporter(1001)

    assert changed == 2
    assert await service.for_reporter(1001) == []
    for ticket in (r.ticket for r in mine):
        report = await service.get(ticket)
        assert (report.reporter_user_id, report.reporter_chat_id, report.phone) == (None,) * 3
        assert report.anonymous and report.erased_at is not None
    assert await service.followers(theirs.ticket) == []
    await service.change_status(mine[0].ticket, Status.ACCEPTED, by=STAFF, note="受理")
    await service.change_status(theirs.ticket, Status.ACCEPTED, by=STAFF, note="受理")
    assert await Outbox(service.session).for_chat(2001) == []
    assert await service.erase_reporter(1001) == 0


async def test_retention_clears_phone_numbers_older_than_the_given_days(
    service: ReportService, clock: ManualClock
) -> None:
    old = await service.submit(**report_input(phone=PHONE))
    clock.advance(days=10)
    recent = await service.submit(**report_input(phone=PHONE, description="最近的"))
    clock.advance(days=1)

    assert await service.purge_contacts(older_than_days=5) == 1
    assert (await service.get(old.ticket)).phone is None
    assert (await service.get(recent.ticket)).phone == PHONE
