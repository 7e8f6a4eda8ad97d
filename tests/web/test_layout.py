"""Every console page and the sandbox fit a phone (390×844) and a desktop (1280×800) in Chromium:
nothing scrolls sideways, and on the phone a table's rows become labelled cards. Screenshots of
each page at each size are kept under tests/artifacts/layout/ to be looked at, not only asserted.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from campaigns import Broadcasts, Subscriptions
from knowledge.feedback import QuestionLog
from tests.web.test_browser import ARTIFACTS, chromium, log_in, served  # noqa: F401

pytestmark = pytest.mark.slow

SIZES = {"phone": (390, 844), "desktop": (1280, 800)}
LONG = "锦江大道与环城北路交叉口东北角的建筑工地" * 4  # no spaces: it must wrap, not overflow


async def seed(web) -> dict[str, str]:  # type: ignore[no-untyped-def]
    """A report with long text, a broadcast and a knowledge gap: pages with real content."""
    report = await web.file_report(description=LONG + "，夜间施工扬尘严重。", address=LONG)
    now = web.clock.now()
    async with web.sessions.begin() as session:
        await Subscriptions(session).subscribe(user_id=8000001, chat_id=8000001, now=now)
        broadcasts = Broadcasts(session)
        broadcast = await broadcasts.create(text="节能宣传周：随手关灯。", created_by=None, now=now)
        await broadcasts.start(broadcast.id, now=now)
        await QuestionLog(session).record(
            user_id=8000001,
            question="垃圾焚烧厂什么时候建成" + "？" * 3,
            simplified="垃圾焚烧厂什么时候建成？",
            answer="",
            covered=False,
            sources=[],
            now=now,
        )
    return {"ticket": report.ticket, "broadcast": str(broadcast.id)}


async def overflow(page) -> int:  # type: ignore[no-untyped-def]
    """How many pixels the page is wider than the window (0: no sideways scroll)."""
    return await page.evaluate(
        "Math.max(document.documentElement.scrollWidth, document.body.scrollWidth)"
        " - document.documentElement.clientWidth"
    )


async def visit(page, url: str):  # type: ignore[no-untyped-def]
    """page.goto, once more if the page we leave superseded it: a live broadcast's page
    refreshes itself every 5 s (meta refresh), which aborts a navigation begun at that moment."""
    from playwright.async_api import Error

    try:
        return await page.goto(url)
    except Error as error:
        if "ERR_ABORTED" not in str(error):
            raise
        return await page.goto(url)


async def test_every_page_fits_a_phone_and_a_desktop(served, chromium) -> None:  # type: ignore[no-untyped-def]  # noqa: F811
    base, web = served
    ids = await seed(web)
    pages = {
        "dashboard": "/",
        "reports": "/reports",
        "report": f"/reports/{ids['ticket']}",
        "campaigns": "/campaigns",
        "broadcast-new": "/campaigns/broadcasts/new",
        "broadcast": f"/campaigns/broadcasts/{ids['broadcast']}",
        "gaps": "/gaps",
        "staff": "/staff",
        "chat": "/chat",
    }
    shots = ARTIFACTS / "layout"
    shots.mkdir(parents=True, exist_ok=True)
    too_wide: dict[str, int] = {}
    for size, (width, height) in SIZES.items():
        context = await chromium.new_context(viewport={"width": width, "height": height})
        page = await context.new_page()
        await page.goto(f"{base}/login")
        assert await overflow(page) <= 0
        await page.screenshot(path=str(shots / f"login-{size}.png"), full_page=True)
        await log_in(page, base, "admin1")
        for name, path in pages.items():
            response = await visit(page, f"{base}{path}")
            assert response is not None and response.ok, (name, response and response.status)
            await page.wait_for_load_state("networkidle")
            await page.screenshot(path=str(shots / f"{name}-{size}.png"), full_page=True)
            if (extra := await overflow(page)) > 0:
                too_wide[f"{name}@{width}"] = extra
        if size == "phone":  # the queue's rows are cards, each cell named by its column
            await page.goto(f"{base}/reports")
            label = await page.evaluate(
                "getComputedStyle(document.querySelector('table.list tbody td'), '::before')"
                ".content"
            )
            assert label not in ("none", "normal", ""), label
        await page.goto(f"{base}/")  # chart labels are read at their drawn size, not shrunk
        sizes = await page.evaluate(
            "[...document.querySelectorAll('figure.chart text.label')]"
            ".filter(t => t.getClientRects().length)"
            ".map(t => t.getBoundingClientRect().height)"
        )
        assert sizes and min(sizes) >= 10, (size, sizes[:3])
        await context.close()
    assert not too_wide, f"pages wider than the window (px): {too_wide}"
    assert Path(shots / "dashboard-phone.png").stat().st_size > 0


async def test_on_a_phone_the_newest_message_and_a_confirmation_are_in_view(
    served,  # noqa: F811
    chromium,  # noqa: F811
) -> None:  # type: ignore[no-untyped-def]
    from playwright.async_api import expect

    base, _ = served
    context = await chromium.new_context(viewport={"width": 390, "height": 844})
    page = await context.new_page()
    await page.goto(f"{base}/chat")
    for question in ("垃圾分类怎么做？", "县城污水处理率要达到多少？"):
        await page.fill(".composer input[name=text]", question)
        await page.press(".composer input[name=text]", "Enter")
        await expect(page.locator("li.msg.bot").last).to_contain_text("出处", timeout=30_000)
        await expect(page.locator("li.msg.bot").last).to_be_in_viewport()
    await page.get_by_role("button", name="有帮助", exact=True).last.click()
    toast = page.locator(".toast")
    await expect(toast).to_be_visible()
    await expect(toast).to_be_in_viewport()
    await page.screenshot(path=str(ARTIFACTS / "layout" / "chat-thanks-phone.png"))
    assert await overflow(page) <= 0
    await context.close()


async def test_public_pages_name_no_internal_command(web) -> None:  # type: ignore[no-untyped-def]
    from tests.web.conftest import Browser

    visitor = Browser(web.app)
    try:
        login = await visitor.get("/login")
    finally:
        await visitor.close()
    assert login.status_code == 200 and "管理员开通" in login.text
    assert "greenbot staff" not in login.text and "<code>" not in login.text
