"""The console and the chat sandbox in a real browser: Debian's Chromium, headless, driven by
Playwright against the app served by uvicorn (`web/server.py`) on a free local port.

A citizen files a report through the sandbox (the bot's own report flow), staff find it in the
console and change its status, and the notice arrives in the citizen's chat; the dashboard's
screenshot is saved under tests/artifacts/.
"""

from __future__ import annotations

import asyncio
import os
import re
import socket
import sys
from collections.abc import AsyncIterator
from pathlib import Path

import pytest
from sqlalchemy import select

from outbox import OutboxMessage
from reports import Report
from tests.web.conftest import PASSWORD, Web, web_settings
from web.sandbox.notices import message_text

CHROMIUM = Path("/usr/bin/chromium")
ARTIFACTS = Path(__file__).resolve().parents[1] / "artifacts"
QUESTION = "县城污水处理率要达到多少？"
PLAN = "铜仁市“十四五”节能减排综合工作方案"

pytestmark = [
    pytest.mark.slow,
    pytest.mark.skipif(
        not CHROMIUM.exists(),
        reason="Debian's Chromium is not at /usr/bin/chromium (apt-get install chromium)",
    ),
]


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@pytest.fixture
async def served(
    tmp_path: Path,
    web_sessions,
    web_clock,
    knowledge_engine,  # type: ignore[no-untyped-def]
) -> AsyncIterator[tuple[str, Web]]:
    """The app under uvicorn, as `greenbot run` serves it, until the test ends."""
    from greenbot.root import create_web_app
    from web.server import web_server

    settings = web_settings(tmp_path, web_port=free_port())
    app = create_web_app(settings, sessions=web_sessions, clock=web_clock, engine=knowledge_engine)
    announced: list[str] = []
    server = web_server(settings, app, announced.append)
    task = asyncio.create_task(server.serve())
    async with asyncio.timeout(30):
        while not server.started:
            await asyncio.sleep(0.05)
    assert announced and f":{settings.web_port}/chat" in announced[0]
    yield f"http://127.0.0.1:{settings.web_port}", Web(app, settings, web_sessions, web_clock)
    server.stop()
    await task


@pytest.fixture
async def chromium() -> AsyncIterator:  # type: ignore[type-arg]
    from playwright.async_api import async_playwright

    args = ["--no-sandbox"] if os.geteuid() == 0 else []  # Chromium's sandbox refuses root
    async with async_playwright() as playwright:
        browser = await playwright.chromium.launch(
            executable_path=str(CHROMIUM), headless=True, args=args
        )
        yield browser
        await browser.close()


async def tap(page, label: str) -> None:  # type: ignore[no-untyped-def]
    """The newest button with exactly this label (inline or under the input field)."""
    await page.get_by_role("button", name=label, exact=True).last.click()


async def log_in(page, base: str, name: str, password: str = PASSWORD) -> None:  # type: ignore[no-untyped-def]
    await page.goto(f"{base}/login")
    await page.fill("input[name=name]", name)
    await page.fill("input[name=password]", password)
    await page.click("form.stack button[type=submit]")


async def test_the_sandbox_answers_a_question_with_its_citation(served, chromium) -> None:  # type: ignore[no-untyped-def]
    from playwright.async_api import expect

    base, _ = served
    page = await chromium.new_page()
    await page.goto(f"{base}/chat")
    await page.fill(".composer input[name=text]", QUESTION)
    await page.press(".composer input[name=text]", "Enter")
    chat = page.locator("#chat")
    await expect(chat).to_contain_text(PLAN, timeout=30_000)
    await expect(page.get_by_role("button", name="查看原文")).to_be_visible()
    assert QUESTION in await chat.inner_text()


async def test_wrong_password_and_a_form_without_its_csrf_token_are_refused(
    served,
    chromium,  # type: ignore[no-untyped-def]
) -> None:
    from playwright.async_api import expect

    base, _ = served
    page = await chromium.new_page()
    await log_in(page, base, "reviewer1", "wrong-password-123")
    await expect(page.locator("[role=alert]")).to_contain_text("用户名或密码不正确")
    await page.goto(f"{base}/login")
    await page.eval_on_selector("input[name=csrf_token]", "input => input.remove()")
    await page.fill("input[name=name]", "reviewer1")
    await page.fill("input[name=password]", PASSWORD)
    await page.click("form.stack button[type=submit]")
    await expect(page.locator(".message")).to_contain_text("表单已过期")
    await page.goto(f"{base}/reports")
    assert "/login" in page.url  # still not logged in


async def test_staff_handle_a_report_filed_in_the_sandbox_and_the_reporter_hears_back(
    served,
    chromium,  # type: ignore[no-untyped-def]
) -> None:
    from playwright.async_api import expect

    base, web = served
    citizen = await (await chromium.new_context()).new_page()
    await citizen.goto(f"{base}/chat")
    chat = citizen.locator("#chat")
    await tap(citizen, "开始")
    await expect(chat).to_contain_text("我是绿色铜仁助手")
    await tap(citizen, "随手拍/举报")
    await expect(chat).to_contain_text("请选择问题类别")
    await tap(citizen, "大气/扬尘")
    await expect(chat).to_contain_text("第 2 步")
    await citizen.fill(".composer input[name=text]", "工地夜间施工扬尘很大，没有洒水")
    await citizen.press(".composer input[name=text]", "Enter")
    await expect(chat).to_contain_text("敏感个人信息")  # the location's own consent first
    await tap(citizen, "📍 同意并分享定位")
    await citizen.get_by_role("link", name="📍 发送当前位置").click()  # opens the place picker
    await tap(citizen, "碧江区（铜仁市政府附近）")
    await expect(chat).to_contain_text("您分享的位置在碧江区，对吗？")  # step 4, proposed
    await tap(citizen, "是")
    await expect(chat).to_contain_text("第 5 步")
    await tap(citizen, "完成")
    await expect(chat).to_contain_text("第 6 步")
    await tap(citizen, "不留手机号")
    await expect(chat).to_contain_text("请核对您的举报")
    await tap(citizen, "✅ 提交")
    await expect(chat).to_contain_text(re.compile(r"TR-\d{4}-\d{4}"))
    ticket = re.search(r"TR-\d{4}-\d{4}", await chat.inner_text()).group(0)  # type: ignore[union-attr]
    visitor = int(await citizen.locator("#visitor").get_attribute("data-visitor"))  # type: ignore[arg-type]

    staff = await (await chromium.new_context()).new_page()
    await log_in(staff, base, "reviewer1")
    await expect(staff.locator("h1")).to_contain_text("概览")
    await staff.goto(f"{base}/reports")
    await expect(staff.locator("main")).not_to_contain_text(ticket)  # a demo: not in the queue
    await staff.get_by_label("显示演示举报").check()
    await staff.get_by_role("button", name="筛选").click()
    await staff.get_by_role("link", name=ticket).click()
    await expect(staff.locator("h1")).to_contain_text("演示")
    await expect(staff.locator("h1")).to_contain_text(ticket)
    await expect(staff.locator(".description")).to_contain_text("工地夜间施工扬尘很大")
    await staff.select_option("select[name=to]", "accepted")
    await staff.fill("textarea[name=note]", "已安排执法人员今晚核查")
    await staff.get_by_role("button", name="更新状态并通知举报人").click()
    await expect(staff.locator(".flash")).to_contain_text("举报人会收到通知")
    await expect(staff.locator("ol.audit")).to_contain_text("已安排执法人员今晚核查")

    async with web.sessions() as session:
        report = (await session.scalars(select(Report))).one()
        notice = (await session.scalars(select(OutboxMessage))).one()
    assert report.ticket == ticket and report.status == "accepted"
    assert notice.chat_id == visitor and ticket in message_text(notice, None)

    # The chat page polls: the notice shows up in the reporter's chat on its own.
    await expect(chat).to_contain_text(f"您的举报 {ticket} 有新进展", timeout=20_000)
    await expect(chat).to_contain_text("已安排执法人员今晚核查")
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    await citizen.screenshot(path=str(ARTIFACTS / "chat.png"), full_page=True)

    await web.file_report()  # a Telegram citizen's report: demo ones stay off the dashboard
    await staff.goto(f"{base}/")
    await expect(staff.locator("figure.chart svg").first).to_be_visible()
    shot = ARTIFACTS / "dashboard.png"
    await staff.screenshot(path=str(shot), full_page=True)
    sys.stdout.write(f"\ndashboard screenshot: {shot}\n")  # shown with -s
    assert shot.read_bytes().startswith(b"\x89PNG")
