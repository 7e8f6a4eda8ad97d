"""In Chromium against a running `greenbot run` (no answer engine: the sandbox is off): logging
out through the page ends the session for good, so a copy of the browser's cookies taken before
opens nothing afterwards."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.web.conftest import web_settings
from tests.web.test_browser import CHROMIUM, chromium, log_in  # noqa: F401 (a fixture)
from tests.web.test_server import add_admin, free_port, greenbot

pytestmark = pytest.mark.skipif(
    not CHROMIUM.exists(),
    reason="Debian's Chromium is not at /usr/bin/chromium (apt-get install chromium)",
)


async def test_cookies_copied_before_logout_in_chromium_open_nothing_after_it(
    tmp_path: Path,
    chromium,  # type: ignore[no-untyped-def]  # noqa: F811
) -> None:
    from playwright.async_api import expect

    settings = web_settings(tmp_path, web_port=free_port())
    await add_admin(settings)
    async with greenbot(settings, None) as base:
        staff = await (await chromium.new_context()).new_page()
        await log_in(staff, base, "admin1")
        await expect(staff.locator("form.logout")).to_be_visible()
        copied = await staff.context.cookies()
        assert any(cookie["name"] == "greenbot_console" for cookie in copied)
        assert all(cookie["httpOnly"] for cookie in copied)

        before = await chromium.new_context()
        await before.add_cookies(copied)  # the copy works while the session lives
        early = await before.new_page()
        await early.goto(f"{base}/reports")
        assert early.url == f"{base}/reports"

        await staff.click("form.logout button[type=submit]")
        await expect(staff.locator("[role=status]")).to_contain_text("您已退出登录")

        thief = await chromium.new_context()
        await thief.add_cookies(copied)
        page = await thief.new_page()
        await page.goto(f"{base}/reports")
        assert page.url == f"{base}/login?next=/reports"
        await early.goto(f"{base}/reports")
        assert "/login" in early.url
