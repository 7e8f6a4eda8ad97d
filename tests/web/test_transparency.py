"""The public transparency page and its open data: published reports only, anonymised, with
figures over every real report (never the sandbox's), served to anyone without a login, and
readable on a phone and a desktop in Chromium (screenshots in tests/artifacts/layout/)."""

from __future__ import annotations

import csv
import io
import json

import pytest

from reports import Status
from reports.privacy import DEMO_IDS_FROM
from reports.publication import publish
from reports.service import Staff
from tests.web.conftest import Browser, Web
from tests.web.test_browser import ARTIFACTS, chromium, served  # noqa: F401
from tests.web.test_layout import SIZES, overflow

REVIEWER = Staff(id=900, name="王科员")
PUBLIC_TEXT = "锦江大道一处工地扬尘，已督促覆盖"
SECRET = {
    "description": "我是张三，住锦江大道 88 号 3 单元，电话 13900004444",
    "address": "锦江大道 88 号 3 单元",
    "phone": "+8613900004444",
    "lat": 27.718312,
    "lon": 109.191047,
}


async def seed(web: Web) -> str:
    """A published report answered in 2 days and closed in 10; an unpublished one; a demo one."""
    shown = await web.file_report(**SECRET, category="air")
    await web.file_report(user_id=5550002, chat_id=5550002, category="noise", district="万山区")
    visitor = DEMO_IDS_FROM + 7  # a web-sandbox visitor: a demo report
    await web.file_report(user_id=visitor, chat_id=visitor, category="water")
    async with web.sessions.begin() as session:
        service = web.reports(session)
        web.clock.advance(days=2)
        await service.change_status(shown.ticket, Status.ACCEPTED, by=REVIEWER, note="受理")
        web.clock.advance(days=8)
        await service.change_status(shown.ticket, Status.RESOLVED, by=REVIEWER, note="王科员已到场")
        await publish(service, shown.ticket, PUBLIC_TEXT, by=REVIEWER)
    return shown.ticket


def no_reporter_data(text: str) -> None:
    for secret in ("张三", "13900004444", "3 单元", "88 号", "27.718312", "109.191047", "王科员"):
        assert secret not in text, secret
    assert "5550001" not in text  # the reporter's Telegram account


async def test_anyone_sees_published_reports_and_figures_and_nothing_of_the_reporter(
    web: Web,
) -> None:
    ticket = await seed(web)
    visitor = Browser(web.app)  # not logged in
    page = await visitor.get("/transparency")
    assert page.status_code == 200
    text = page.text
    assert ticket in text and PUBLIC_TEXT in text
    assert text.count('<tr id="TR-') == 1  # the unpublished and the demo report are not listed
    assert "举报总数" in text and ">2<" in text  # figures: both real reports, not the demo one
    assert "2.0 天" in text and "10.0 天" in text  # medians to respond and to close
    assert "100%" in text  # answered within 15 days, closed within 60
    assert 'class="map-point"' in text  # the published report's rounded place on the map
    no_reporter_data(text)

    rows = list(csv.DictReader(io.StringIO((await visitor.get("/transparency/reports.csv")).text)))
    assert len(rows) == 1
    (row,) = rows
    assert row["\ufeffticket"] == ticket and row["text"] == PUBLIC_TEXT
    assert row["latitude"] == "27.718" and row["longitude"] == "109.191"  # about 100 m
    assert row["status_name"] == "已办结" and row["closed_on"] == "2026-11-13"
    no_reporter_data(json.dumps(rows, ensure_ascii=False))

    data = (await visitor.get("/transparency/reports.json")).json()
    assert [r["ticket"] for r in data["reports"]] == [ticket]
    assert set(data["schema"]) == set(data["reports"][0])  # every field documented
    assert data["figures"]["reports"] == 2 and data["figures"]["by_district"]["万山区"] == 1
    overall = data["figures"]["service_levels"][0]
    assert overall["respond_median_days"] == 2.0 and overall["close_on_time"] == 1.0
    no_reporter_data(json.dumps(data, ensure_ascii=False))
    await visitor.close()


async def test_a_withdrawn_report_leaves_the_page_and_the_files(web: Web) -> None:
    from reports.publication import withdraw

    ticket = await seed(web)
    async with web.sessions.begin() as session:
        await withdraw(web.reports(session), ticket, by=REVIEWER)
    visitor = Browser(web.app)
    assert ticket not in (await visitor.get("/transparency")).text
    assert ticket not in (await visitor.get("/transparency/reports.csv")).text
    assert (await visitor.get("/transparency/reports.json")).json()["reports"] == []
    await visitor.close()


@pytest.mark.slow
async def test_the_page_fits_a_phone_and_a_desktop(served, chromium) -> None:  # type: ignore[no-untyped-def]  # noqa: F811
    base, web = served
    ticket = await seed(web)
    for size, (width, height) in SIZES.items():
        context = await chromium.new_context(viewport={"width": width, "height": height})
        page = await context.new_page()
        await page.goto(f"{base}/transparency")
        await page.screenshot(
            path=str(ARTIFACTS / "layout" / f"transparency-{size}.png"), full_page=True
        )
        assert await overflow(page) <= 0, size
        assert await page.locator(f"tr#{ticket}").is_visible()
        assert await page.locator("figure.map circle.map-point").count() == 1
        await context.close()


async def test_reporters_answers_to_was_it_fixed_are_counted_per_department(web: Web) -> None:
    from reports.feedback import Feedback

    ticket = await seed(web)  # resolved; filed by the default reporter 5550001
    second = await web.file_report(user_id=5550003, chat_id=5550003, category="air")
    async with web.sessions.begin() as session:
        service = web.reports(session)
        await service.change_status(second.ticket, Status.ACCEPTED, by=REVIEWER, note="受理")
        await service.change_status(second.ticket, Status.RESOLVED, by=REVIEWER, note="已处理")
        await Feedback(service).fixed(ticket, user_id=5550001)
        await Feedback(service).not_fixed(second.ticket, user_id=5550003, note="灰尘还是很大")
    visitor = Browser(web.app)
    data = (await visitor.get("/transparency/reports.json")).json()
    overall, *departments = data["figures"]["service_levels"]
    assert (overall["answered"], overall["fixed_share"]) == (2, 0.5)
    (air,) = [d for d in departments if d["answered"]]
    assert air["name"] == second.department and (air["answered"], air["fixed_share"]) == (2, 0.5)
    assert data["figures"]["by_status"]["reopened"] == 1  # back with staff, counted open
    page = (await visitor.get("/transparency")).text
    assert "反馈已解决" in page and "50%（2 人反馈）" in page
    assert "灰尘还是很大" not in page  # the reporter's own words stay with staff
    no_reporter_data(page)
    await visitor.close()
