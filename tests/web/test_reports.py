"""The reports queue, detail, status changes and CSV export, through the console over HTTP."""

from __future__ import annotations

import csv
import io
from collections.abc import Callable

from sqlalchemy import select

from bot.notices import message_text
from outbox import OutboxMessage
from reports import NOTICE_KIND, Report, ReportEvent
from reports.media import strip_metadata
from tests.web.conftest import Browser, Web

PNG = (
    b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR\x00\x00\x00\x01\x00\x00\x00\x01\x08\x06\x00\x00\x00"
    b"\x1f\x15\xc4\x89\x00\x00\x00\rIDATx\x9cc\xf8\xcf\xc0\xf0\x1f\x00\x05\x00\x01\xff\x89\x99"
    b"=\x1d\x00\x00\x00\x00IEND\xaeB`\x82"
)


async def reviewer(browser: Callable[[], Browser]) -> Browser:
    person = browser()
    await person.log_in("reviewer1")
    return person


async def test_queue_filters_by_status_category_district_and_search(
    web: Web, browser: Callable[[], Browser]
) -> None:
    dust = await web.file_report(description="工地扬尘", category="air", district="碧江区")
    water = await web.file_report(
        user_id=5550002, chat_id=5550002, description="河道排污发黑", category="water",
        district="万山区",
    )  # fmt: skip
    person = await reviewer(browser)
    everything = await person.get("/reports")
    assert dust.ticket in everything.text and water.ticket in everything.text
    by_category = await person.get("/reports?category=water")
    assert water.ticket in by_category.text and dust.ticket not in by_category.text
    by_district = await person.get("/reports", params={"district": "碧江区"})
    assert dust.ticket in by_district.text and water.ticket not in by_district.text
    by_text = await person.get("/reports", params={"q": "排污"})
    assert water.ticket in by_text.text and dust.ticket not in by_text.text
    by_status = await person.get("/reports?status=accepted")
    assert dust.ticket not in by_status.text and "没有符合条件的工单" in by_status.text


async def test_overdue_filter_lists_reports_past_their_deadline(
    web: Web, browser: Callable[[], Browser]
) -> None:
    old = await web.file_report(description="很久以前的举报")
    web.clock.advance(days=16)  # past the 15-day respond deadline
    fresh = await web.file_report(user_id=5550003, chat_id=5550003, description="刚提交的举报")
    person = await reviewer(browser)
    overdue = await person.get("/reports?overdue=1")
    assert old.ticket in overdue.text and fresh.ticket not in overdue.text
    detail = await person.get(f"/reports/{old.ticket}")
    assert "超过 15 天未受理" in detail.text


async def test_unknown_filter_values_get_a_clear_page(
    web: Web, browser: Callable[[], Browser]
) -> None:
    person = await reviewer(browser)
    assert (await person.get("/reports?status=bogus")).status_code == 400
    bad_district = await person.get("/reports", params={"district": "火星区"})
    assert bad_district.status_code == 400 and "区县" in bad_district.text
    missing = await person.get("/reports/TR-0000-0000")
    assert missing.status_code == 404 and "没有找到这个工单" in missing.text


async def test_anonymous_reporter_is_hidden_in_detail_and_csv(
    web: Web, browser: Callable[[], Browser]
) -> None:
    hidden = await web.file_report(
        user_id=7770001, chat_id=7770001, phone="13800001111", anonymous=True
    )
    shown = await web.file_report(user_id=7770002, chat_id=7770002, phone="13900002222")
    admin = browser()
    await admin.log_in("admin1")
    detail = await admin.get(f"/reports/{hidden.ticket}")
    assert "匿名举报" in detail.text
    assert "7770001" not in detail.text and "13800001111" not in detail.text
    visible = await admin.get(f"/reports/{shown.ticket}")
    assert "7770002" in visible.text and "13900002222" in visible.text
    export = await admin.get("/reports/export.csv")
    assert export.headers["content-type"].startswith("text/csv")
    rows = {row["service_request_id"]: row for row in csv.DictReader(io.StringIO(export.text[1:]))}
    assert rows[hidden.ticket]["reporter_user_id"] == "" and rows[hidden.ticket]["phone"] == ""
    assert "7770001" not in export.text and "13800001111" not in export.text
    assert rows[shown.ticket]["phone"] == "13900002222"


async def test_reviewers_export_has_no_contact_columns(
    web: Web, browser: Callable[[], Browser]
) -> None:
    report = await web.file_report(phone="13900003333")
    person = await reviewer(browser)
    export = await person.get("/reports/export.csv?category=air")
    rows = list(csv.DictReader(io.StringIO(export.text[1:])))
    assert [row["service_request_id"] for row in rows] == [report.ticket]
    assert "phone" not in rows[0] and "13900003333" not in export.text


async def test_script_in_report_text_is_escaped(web: Web, browser: Callable[[], Browser]) -> None:
    attack = "<script>alert(1)</script><img src=x onerror=alert(2)>"
    report = await web.file_report(description=attack, address="<b>地址</b>")
    person = await reviewer(browser)
    for path in ("/reports", f"/reports/{report.ticket}"):
        page = await person.get(path)
        assert "<script>alert" not in page.text and "<img src=x" not in page.text, path
        assert "&lt;script&gt;alert(1)&lt;/script&gt;" in page.text, path
    assert "&lt;b&gt;地址&lt;/b&gt;" in (await person.get(f"/reports/{report.ticket}")).text


async def test_status_change_writes_the_reporter_notice_and_the_audit_row(
    web: Web, browser: Callable[[], Browser]
) -> None:
    report = await web.file_report(user_id=6660001, chat_id=6660001)
    person = await reviewer(browser)
    await person.get(f"/reports/{report.ticket}")
    response = await person.post(
        f"/reports/{report.ticket}/status", {"to": "accepted", "note": "已派人核查 <现场>"}
    )
    assert response.status_code == 303
    assert response.headers["location"] == f"/reports/{report.ticket}"
    async with web.sessions() as session:
        stored = (await session.scalars(select(Report))).one()
        events = list(await session.scalars(select(ReportEvent).order_by(ReportEvent.id)))
        notices = list(await session.scalars(select(OutboxMessage)))
    assert stored.status == "accepted" and stored.status_note == "已派人核查 <现场>"
    assert [(e.from_status, e.to_status) for e in events] == [
        (None, "submitted"),
        ("submitted", "accepted"),
    ]
    assert events[-1].staff_name == "web:reviewer1"
    assert [(n.chat_id, n.kind) for n in notices] == [(6660001, NOTICE_KIND)]
    text = message_text(notices[0])  # a notice is data: rendered as Telegram shows it
    assert report.ticket in text and "已受理" in text
    assert "已派人核查 &lt;现场&gt;" in text  # staff text escaped for Telegram HTML
    page = await person.get(f"/reports/{report.ticket}")
    assert "举报人会收到通知" in page.text  # the flash after the redirect
    assert "web:reviewer1" in page.text and "已派人核查 &lt;现场&gt;" in page.text


async def test_transfer_names_the_department_in_the_notice(
    web: Web, browser: Callable[[], Browser]
) -> None:
    report = await web.file_report()
    person = await reviewer(browser)
    await person.post(f"/reports/{report.ticket}/status", {"to": "accepted", "note": "受理"})
    page = await person.get(f"/reports/{report.ticket}")
    async with web.sessions() as session:
        departments = web.reports(session).routing.departments
    target = next(d for d in departments if d != report.department)
    assert target in page.text  # offered in the transfer list
    moved = await person.post(
        f"/reports/{report.ticket}/status",
        {"to": "transferred", "note": "转交", "department": target},
    )
    assert moved.status_code == 303
    async with web.sessions() as session:
        notices = list(await session.scalars(select(OutboxMessage).order_by(OutboxMessage.id)))
    assert target in message_text(notices[-1])


async def test_a_move_the_lifecycle_forbids_changes_nothing(
    web: Web, browser: Callable[[], Browser]
) -> None:
    report = await web.file_report()
    person = await reviewer(browser)
    skipped = await person.post(
        f"/reports/{report.ticket}/status", {"to": "in_progress", "note": "跳过受理"}
    )
    no_note = await person.post(f"/reports/{report.ticket}/status", {"to": "accepted"})
    no_department = await person.post(
        f"/reports/{report.ticket}/status", {"to": "rejected", "note": "x", "department": ""}
    )
    assert skipped.status_code == 400 and "无法更改状态" in skipped.text
    assert no_note.status_code == 400
    assert no_department.status_code == 303  # rejecting needs no department
    async with web.sessions() as session:
        notices = list(await session.scalars(select(OutboxMessage)))
        stored = (await session.scalars(select(Report))).one()
    assert stored.status == "rejected" and len(notices) == 1
    final = await person.get(f"/reports/{report.ticket}")
    assert "不能再更改状态" in final.text


async def test_photos_are_shown_to_staff_only(web: Web, browser: Callable[[], Browser]) -> None:
    report = await web.file_report(photos=[PNG])
    name = report.photos[0].name
    person = await reviewer(browser)
    detail = await person.get(f"/reports/{report.ticket}")
    assert f'src="/media/{name}"' in detail.text
    photo = await person.get(f"/media/{name}")
    assert photo.status_code == 200 and photo.headers["content-type"] == "image/png"
    assert photo.content == strip_metadata(PNG)  # as stored: without metadata
    stranger = await browser().get(f"/media/{name}")
    assert stranger.status_code == 303
    assert (await person.get("/media/..%2Fweb.db")).status_code in (400, 404)
