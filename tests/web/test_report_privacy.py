"""What the console reveals of reports: one contact policy on the detail page and in the CSV,
demo reports (the web sandbox) apart unless asked for, and publication for Open311's public
view, each through the console over HTTP."""

from __future__ import annotations

import csv
import io
import re
from collections.abc import Callable
from pathlib import Path

import httpx
from sqlalchemy import select

from ground.clock import ManualClock
from reports import Report, ReportEvent
from tests.web.conftest import Browser, Web, web_settings
from web.sandbox.transport import FIRST_VISITOR_ID

PHONE = "13900004444"
NAMED = 7770004
VISITOR = FIRST_VISITOR_ID + 99


async def logged_in(browser: Callable[[], Browser], name: str) -> Browser:
    person = browser()
    assert (await person.log_in(name)).status_code == 303
    return person


def csv_rows(response: httpx.Response) -> list[dict[str, str]]:
    assert response.headers["content-type"].startswith("text/csv")
    return list(csv.DictReader(io.StringIO(response.text[1:])))  # after the BOM


async def test_a_reviewer_sees_neither_phone_nor_account_on_the_detail_page_or_in_the_csv(
    web: Web, browser: Callable[[], Browser]
) -> None:
    report = await web.file_report(user_id=NAMED, chat_id=NAMED, phone=PHONE)
    reviewer = await logged_in(browser, "reviewer1")

    detail = await reviewer.get(f"/reports/{report.ticket}")
    export = await reviewer.get("/reports/export.csv")

    assert detail.status_code == 200 and "实名举报" in detail.text
    assert "联系方式仅管理员可见" in detail.text
    assert PHONE not in detail.text and str(NAMED) not in detail.text
    assert PHONE not in export.text and str(NAMED) not in export.text
    assert "phone" not in csv_rows(export)[0]


async def test_an_admin_sees_the_contact_on_the_detail_page_and_in_the_csv(
    web: Web, browser: Callable[[], Browser]
) -> None:
    report = await web.file_report(user_id=NAMED, chat_id=NAMED, phone=PHONE)
    admin = await logged_in(browser, "admin1")

    detail = await admin.get(f"/reports/{report.ticket}")
    [row] = csv_rows(await admin.get("/reports/export.csv"))

    assert PHONE in detail.text and str(NAMED) in detail.text
    assert (row["phone"], row["reporter_user_id"]) == (PHONE, str(NAMED))


async def test_with_the_city_policy_on_reviewers_see_the_contact_a_reporter_left(
    tmp_path: Path, web_sessions, web_clock: ManualClock
) -> None:
    from web.app import create_app

    settings = web_settings(tmp_path, reviewers_see_contact=True)
    app = create_app(settings, sessions=web_sessions, clock=web_clock)
    web = Web(app, settings, web_sessions, web_clock)
    called_back = await web.file_report(user_id=NAMED, chat_id=NAMED, phone=PHONE)
    no_phone = await web.file_report(user_id=NAMED + 1, chat_id=NAMED + 1)
    reviewer = Browser(app)
    await reviewer.log_in("reviewer1")

    shown = await reviewer.get(f"/reports/{called_back.ticket}")
    hidden = await reviewer.get(f"/reports/{no_phone.ticket}")
    rows = {r["service_request_id"]: r for r in csv_rows(await reviewer.get("/reports/export.csv"))}
    await reviewer.close()

    assert PHONE in shown.text
    assert str(NAMED + 1) not in hidden.text and "联系方式仅管理员可见" in hidden.text
    assert rows[called_back.ticket]["phone"] == PHONE
    assert rows[no_phone.ticket]["reporter_user_id"] == ""


async def test_demo_reports_stay_out_of_queue_export_and_dashboard_unless_asked(
    web: Web, browser: Callable[[], Browser]
) -> None:
    real = await web.file_report(description="真实举报：河道排污", category="water")
    demo = await web.file_report(
        user_id=VISITOR, chat_id=VISITOR, description="演示举报：试一试", category="water"
    )
    reviewer = await logged_in(browser, "reviewer1")

    queue = await reviewer.get("/reports")
    with_demo = await reviewer.get("/reports?demo=1")
    export = csv_rows(await reviewer.get("/reports/export.csv"))
    export_demo = csv_rows(await reviewer.get("/reports/export.csv?demo=1"))
    dashboard = (await reviewer.get("/")).text
    detail = await reviewer.get(f"/reports/{demo.ticket}")

    assert real.ticket in queue.text and demo.ticket not in queue.text
    assert demo.ticket in with_demo.text and "演示" in with_demo.text
    assert 'name="demo" value="1" checked' in with_demo.text
    assert "export.csv?demo=1" in with_demo.text  # the export follows the toggle
    assert [r["service_request_id"] for r in export] == [real.ticket]
    assert {r["service_request_id"]: r["demo"] for r in export_demo} == {
        real.ticket: "",
        demo.ticket: "演示",
    }
    totals = re.search(r"<strong>(\d+)</strong><span>举报总数", dashboard)
    assert totals and totals.group(1) == "1"
    assert detail.status_code == 200 and "演示" in detail.text
    assert "演示举报不会公开" in detail.text


async def test_a_reviewer_publishes_a_report_with_a_reviewed_text_and_the_trail_says_so(
    web: Web, browser: Callable[[], Browser]
) -> None:
    report = await web.file_report(description="我是王五，工地扬尘", lat=27.718349, lon=109.189461)
    reviewer = await logged_in(browser, "reviewer1")
    page = await reviewer.get(f"/reports/{report.ticket}")
    assert "公开此工单" in page.text and "27.718, 109.189" in page.text

    refused = await reviewer.post(
        f"/reports/{report.ticket}/publish", {"public_description": "请打 13900004444"}
    )
    published = await reviewer.post(
        f"/reports/{report.ticket}/publish", {"public_description": "锦江大道一处工地扬尘"}
    )
    after = await reviewer.get(f"/reports/{report.ticket}")

    assert refused.status_code == 400 and "电话" in refused.text
    assert published.status_code == 303
    assert "已公开" in after.text and "公开摘要：锦江大道一处工地扬尘" in after.text
    async with web.sessions() as session:
        stored = (await session.scalars(select(Report))).one()
        events = list(await session.scalars(select(ReportEvent).order_by(ReportEvent.id)))
    assert stored.public_description == "锦江大道一处工地扬尘"
    assert stored.published_at is not None
    assert [(e.action, e.staff_name) for e in events] == [
        ("status", None),
        ("published", "web:reviewer1"),
    ]

    withdrawn = await reviewer.post(f"/reports/{report.ticket}/withdraw")
    assert withdrawn.status_code == 303
    assert "撤回公开" in (await reviewer.get(f"/reports/{report.ticket}")).text
    async with web.sessions() as session:
        assert (await session.scalars(select(Report))).one().published_at is None


async def test_publishing_needs_a_logged_in_staff_member_and_the_forms_token(
    web: Web, browser: Callable[[], Browser]
) -> None:
    report = await web.file_report()
    stranger = browser()
    anonymous = await stranger.post(
        f"/reports/{report.ticket}/publish", {"public_description": "x"}
    )
    reviewer = await logged_in(browser, "reviewer1")
    forged = await reviewer.post(
        f"/reports/{report.ticket}/publish", {"public_description": "x"}, csrf=False
    )

    assert anonymous.status_code in (303, 403)
    assert forged.status_code == 403
    async with web.sessions() as session:
        assert (await session.scalars(select(Report))).one().published_at is None
