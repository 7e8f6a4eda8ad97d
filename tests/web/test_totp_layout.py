"""The two-step pages in Chromium at a phone's 390×844 and a desktop's 1280×800: enrolling
(QR code, secret, confirm), the recovery codes and the login's code step fit with no sideways
scroll, and a person gets through them by tapping. Screenshots go to tests/artifacts/layout/."""

from __future__ import annotations

import asyncio
import re
from collections.abc import AsyncIterator
from pathlib import Path

import pytest
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from ground.clock import ManualClock
from staff import totp
from tests.web.conftest import PASSWORD, Web, web_settings
from tests.web.test_browser import ARTIFACTS, CHROMIUM, chromium, free_port, log_in  # noqa: F401
from tests.web.test_layout import SIZES, overflow

pytestmark = [
    pytest.mark.slow,
    pytest.mark.skipif(
        not CHROMIUM.exists(), reason="Debian's Chromium is not at /usr/bin/chromium"
    ),
]


@pytest.fixture
async def console(
    tmp_path: Path, web_sessions: async_sessionmaker[AsyncSession], web_clock: ManualClock
) -> AsyncIterator[tuple[str, Web]]:
    """The console under uvicorn as `greenbot run` serves it (no answer engine: no chat here)."""
    from web.app import create_app
    from web.server import web_server

    settings = web_settings(tmp_path, web_port=free_port(), web_sandbox=False)
    app = create_app(settings, sessions=web_sessions, clock=web_clock)
    server = web_server(settings, app, lambda _: None)
    task = asyncio.create_task(server.serve())
    async with asyncio.timeout(30):
        while not server.started:
            await asyncio.sleep(0.05)
    yield f"http://127.0.0.1:{settings.web_port}", Web(app, settings, web_sessions, web_clock)
    server.stop()
    await task


async def test_enrolling_and_the_code_step_fit_a_phone_and_a_desktop(console, chromium) -> None:  # type: ignore[no-untyped-def]  # noqa: F811
    base, web = console
    shots = ARTIFACTS / "layout"
    shots.mkdir(parents=True, exist_ok=True)
    too_wide: dict[str, int] = {}

    async def check(page, name: str, size: str) -> None:  # type: ignore[no-untyped-def]
        await page.screenshot(path=str(shots / f"{name}-{size}.png"), full_page=True)
        if (extra := await overflow(page)) > 0:
            too_wide[f"{name}@{size}"] = extra

    for (size, (width, height)), name in zip(SIZES.items(), ("admin1", "reviewer1"), strict=True):
        context = await chromium.new_context(viewport={"width": width, "height": height})
        page = await context.new_page()
        await log_in(page, base, name)
        await page.wait_for_url(f"{base}/")
        await page.goto(f"{base}/account")
        await page.get_by_role("link", name="开启两步验证").click()
        await page.wait_for_url(f"{base}/account/totp")
        qr = await page.locator("p.qr svg").bounding_box()
        assert qr is not None and 150 <= qr["width"] <= width - 40, qr
        await check(page, "totp-enrol", size)
        secret = re.sub(r"\s", "", await page.locator("code.text").inner_text())
        await page.fill("input[name=password]", PASSWORD)
        await page.fill("input[name=code]", totp.code_at(secret, totp.step_at(web.clock.now())))
        await page.get_by_role("button", name="确认并开启").click()
        await page.wait_for_selector("ul.codes")
        assert await page.locator("ul.codes li").count() == 8
        await check(page, "totp-recovery-codes", size)
        await page.get_by_role("link", name="我已保存，继续").click()
        await page.wait_for_url(f"{base}/account")
        await check(page, "account", size)
        await page.get_by_role("button", name="退出", exact=True).click()
        await page.wait_for_url(f"{base}/login")

        await log_in(page, base, name)
        await page.wait_for_url(re.compile(r"/login/code"))
        await check(page, "login-code", size)
        web.clock.advance(seconds=30)
        await page.fill("input[name=code]", totp.code_at(secret, totp.step_at(web.clock.now())))
        await page.get_by_role("button", name="验证并登录").click()
        await page.wait_for_url(f"{base}/")
        assert await page.locator("header.top .who").count() == 1
        await context.close()
    assert not too_wide, f"pages wider than the window (px): {too_wide}"
