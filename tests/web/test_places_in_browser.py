"""Places as people meet them in Chromium, at a phone's 390×844 and a desktop's 1280×800: a
citizen at /chat types an address and is asked to confirm the district read from it, sends
several photos at once, and always sees the newest message; staff see reports on the offline
map (dashboard and report detail) with no sideways scroll, and sort the queue by its column
headers. Screenshots go to tests/artifacts/layout/."""

from __future__ import annotations

import io
from pathlib import Path

import pytest
from PIL import Image
from sqlalchemy import select
from sqlalchemy.orm import selectinload

from reports import MediaStore, Report
from tests.web.test_browser import ARTIFACTS, chromium, log_in, served, tap  # noqa: F401
from tests.web.test_layout import SIZES, overflow
from tests.web.test_sandbox_report import PHONE_MAKER, gps_jpeg

pytestmark = pytest.mark.slow

SHOTS = ARTIFACTS / "layout"


async def newest_in_view(page) -> None:  # type: ignore[no-untyped-def]
    from playwright.async_api import expect

    await expect(page.locator("#chat li.msg").last).to_be_in_viewport()


async def say(page, text: str) -> None:  # type: ignore[no-untyped-def]
    await page.fill(".composer input[name=text]", text)
    await page.press(".composer input[name=text]", "Enter")


async def file_with_address(page, address: str, district: str, tmp: Path, size: str) -> None:  # type: ignore[no-untyped-def]
    """/report through a typed address to 提交, confirming the district proposed, with two
    photos chosen at once; the newest message in view after every action."""
    from playwright.async_api import expect

    chat = page.locator("#chat")
    await say(page, "/report")
    await expect(chat).to_contain_text("请选择问题类别")
    await newest_in_view(page)
    await tap(page, "大气/扬尘")
    await expect(chat).to_contain_text("第 2 步")
    await newest_in_view(page)
    await say(page, "工地夜间施工扬尘很大，没有洒水")
    await expect(chat).to_contain_text("敏感个人信息")
    await newest_in_view(page)
    await tap(page, "✏ 输入地址")
    await expect(page.locator("#chat li.msg").last).to_contain_text("请输入问题所在的地址")
    await say(page, address)
    proposal = f"您填写的地址在{district}，对吗？"
    await expect(page.locator("#chat li.msg.bot").last).to_contain_text(proposal)
    await newest_in_view(page)
    await expect(page.get_by_role("button", name="选择其他区县").last).to_be_visible()
    await page.screenshot(path=str(SHOTS / f"chat-district-proposed-{size}.png"))
    await tap(page, "是")
    await expect(chat).to_contain_text("第 5 步")
    await newest_in_view(page)
    photos = []
    for n, shade in enumerate((30, 200)):
        path = tmp / f"photo-{district}-{n}.jpg"
        path.write_bytes(gps_jpeg(shade))
        photos.append(str(path))
    await page.locator("#photo summary").click()
    await page.set_input_files("#photo input[type=file]", photos)
    await page.click("#photo button[type=submit]")
    await expect(chat).to_contain_text("已收到第 2 张照片")
    await newest_in_view(page)
    await tap(page, "完成")
    await expect(chat).to_contain_text("第 6 步")
    await newest_in_view(page)
    await tap(page, "不留手机号")
    await expect(chat).to_contain_text("请核对您的举报")
    await expect(page.locator("#chat li.msg.bot").last).to_contain_text(f"区县：{district}")
    await newest_in_view(page)
    await tap(page, "✅ 提交")
    await expect(page.locator("#chat li.msg.bot").last).to_contain_text("举报已提交")
    await newest_in_view(page)


async def test_a_typed_address_proposes_its_district_and_the_report_is_filed_there(
    served,  # noqa: F811
    chromium,  # noqa: F811
    tmp_path: Path,
) -> None:
    base, web = served
    walks = {
        "phone": ("碧江区锦江北路 12 号旁边的工地", "碧江区"),
        "desktop": ("木黄镇中学后面的工地", "印江土家族苗族自治县"),  # a township only
    }
    for size, (address, district) in walks.items():
        width, height = SIZES[size]
        context = await chromium.new_context(viewport={"width": width, "height": height})
        page = await context.new_page()
        await page.goto(f"{base}/chat")
        await file_with_address(page, address, district, tmp_path, size)
        await page.screenshot(path=str(SHOTS / f"chat-report-filed-{size}.png"))
        assert await overflow(page) <= 0
        await context.close()
    async with web.sessions() as session:
        filed = list(await session.scalars(select(Report).options(selectinload(Report.photos))))
    assert sorted((r.address, r.district) for r in filed) == sorted(walks.values())
    media = MediaStore(web.settings.media_dir, max_bytes=web.settings.max_photo_bytes)
    for report in filed:
        assert len(report.photos) == 2  # both photos chosen at once
        for photo in report.photos:
            stored = media.read(photo.name)
            assert PHONE_MAKER.encode() not in stored
            assert not Image.open(io.BytesIO(stored)).getexif().get_ifd(0x8825)


async def test_the_map_fits_a_phone_and_a_desktop_on_the_dashboard_and_a_report(
    served,  # noqa: F811
    chromium,  # noqa: F811
) -> None:
    base, web = served
    located = await web.file_report(lat=27.7183, lon=109.1910)
    await web.file_report(district="松桃苗族自治县", lat=28.1541, lon=109.2026, user_id=5550002)
    await web.file_report(district="思南县", address="思唐街道", user_id=5550003)
    for size, (width, height) in SIZES.items():
        context = await chromium.new_context(viewport={"width": width, "height": height})
        page = await context.new_page()
        await log_in(page, base, "reviewer1")
        for name, path in (("dashboard", "/"), ("report", f"/reports/{located.ticket}")):
            await page.goto(f"{base}{path}")
            figure = page.locator("figure.map")
            await figure.scroll_into_view_if_needed()
            await figure.screenshot(path=str(SHOTS / f"map-{name}-{size}.png"))
            await page.screenshot(path=str(SHOTS / f"{name}-with-map-{size}.png"), full_page=True)
            assert await overflow(page) <= 0, (name, size)
            box = await figure.locator("svg").bounding_box()
            assert box is not None and box["width"] <= width
            labels = figure.locator("text.map-label")
            assert await labels.count() == 12  # ten districts and two zones
            font = await labels.first.evaluate(
                "el => el.getBoundingClientRect().height"
            )  # rendered size on screen
            assert font >= 10, (name, size, font)
        await page.goto(f"{base}/")
        dashboard = page.locator("figure.map")
        assert await dashboard.locator("circle.map-point").count() == 2  # open, located
        assert "碧江 1" in await dashboard.inner_text()
        assert "思南 1" in await dashboard.inner_text()
        await page.goto(f"{base}/reports/{located.ticket}")
        assert await page.locator("figure.map circle.map-point").count() == 1
        await context.close()


async def test_the_queue_is_sorted_by_the_column_header_links_keeping_its_filters(
    served,  # noqa: F811
    chromium,  # noqa: F811
) -> None:
    base, web = served
    filed = []
    for n, district in enumerate(("松桃苗族自治县", "碧江区", "万山区")):
        filed.append(await web.file_report(district=district, user_id=5550100 + n))
        web.clock.advance(minutes=5)
    context = await chromium.new_context(viewport={"width": 1280, "height": 800})
    page = await context.new_page()
    await log_in(page, base, "reviewer1")
    await page.goto(f"{base}/reports?status=submitted")

    async def districts() -> list[str]:
        return await page.locator("table.list tbody td:nth-child(4)").all_inner_texts()

    assert await districts() == ["松桃苗族自治县", "碧江区", "万山区"]  # oldest first
    await page.get_by_role("link", name="区县").click()
    assert "sort=district" in page.url and "status=submitted" in page.url
    assert await districts() == ["碧江区", "万山区", "松桃苗族自治县"]  # the plan's order
    await page.get_by_role("link", name="区县 ↑").click()
    assert await districts() == ["松桃苗族自治县", "万山区", "碧江区"]
    await page.get_by_role("link", name="提交时间").click()
    assert await districts() == ["万山区", "碧江区", "松桃苗族自治县"]  # newest first
    await page.screenshot(path=str(SHOTS / "reports-sorted-desktop.png"), full_page=True)
    await context.close()

    phone = await chromium.new_context(viewport={"width": 390, "height": 844})
    page = await phone.new_page()  # a phone's cards have no header row: the form sorts
    await log_in(page, base, "reviewer1")
    await page.goto(f"{base}/reports?status=submitted")
    await page.select_option("select[name=sort]", "district")
    await page.select_option("select[name=dir]", "desc")
    await page.click("form.filters button[type=submit]")
    assert await districts() == ["松桃苗族自治县", "万山区", "碧江区"]
    assert "status=submitted" in page.url
    await page.screenshot(path=str(SHOTS / "reports-sorted-phone.png"), full_page=True)
    assert await overflow(page) <= 0
    await phone.close()
