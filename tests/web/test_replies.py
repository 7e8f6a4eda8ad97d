"""Response templates in the console: admins manage them at /replies, reviewers read them and
use them on a report's status form, where the filled template becomes the reporter's notice;
the report page also shows the reporter's follow-ups with their evidence."""

from __future__ import annotations

import asyncio
import html
import io
import re
from collections.abc import AsyncIterator, Callable
from pathlib import Path

import pytest
from PIL import Image
from sqlalchemy import select

from bot.notices import message_text
from outbox import OutboxMessage
from reports import NOTICE_KIND, Report, ReportEvent, ReportPhoto
from reports.models import ReportFeedback, ResponseTemplate
from reports.replies import DEFAULTS
from reports.service import Staff
from tests.web.conftest import Browser, Web, web_settings
from tests.web.test_browser import ARTIFACTS, chromium, free_port, log_in  # noqa: F401
from tests.web.test_reports import PNG

OGG = b"OggS\x00\x02" + b"\x00" * 40  # stands for a voice note: served, never decoded
MP4 = b"\x00\x00\x00\x18ftypmp42" + b"\x00" * 40


async def logged_in(browser: Callable[[], Browser], name: str) -> Browser:
    person = browser()
    await person.log_in(name)
    return person


async def templates(web: Web) -> list[ResponseTemplate]:
    async with web.sessions() as session:
        return list(await session.scalars(select(ResponseTemplate).order_by(ResponseTemplate.id)))


def option_of(page: str, title: str) -> re.Match[str]:
    found = re.search(
        r'<option value="(\d+)" data-to="(\w+)" data-note="([^"]*)"[^>]*>' + re.escape(title), page
    )
    assert found, f"no template {title!r} offered"
    return found


async def test_admins_add_edit_and_delete_templates(
    web: Web, browser: Callable[[], Browser]
) -> None:
    admin = await logged_in(browser, "admin1")
    listing = await admin.get("/replies")
    assert listing.status_code == 200 and 'href="/replies"' in listing.text  # the nav link
    assert all(default.title in listing.text for default in DEFAULTS)  # seeded at first use
    assert "改为「已受理」时" in listing.text

    form = await admin.get("/replies/new?status=resolved")
    assert "{工单号}" in form.text and '<option value="resolved" selected>' in form.text
    added = await admin.post(
        "/replies",
        {"title": "扬尘办结", "status": "resolved", "category": "air",
         "body": "{district}工地已覆盖防尘网，工单 {ticket} 办结。"},
    )  # fmt: skip
    assert added.status_code == 303 and added.headers["location"] == "/replies#status-resolved"
    stored = (await templates(web))[-1]
    assert (stored.title, stored.category, stored.updated_by) == ("扬尘办结", "air", "web:admin1")
    page = await admin.get("/replies")
    assert "已添加回复模板「扬尘办结」" in page.text and "工地已覆盖防尘网" in page.text

    edit = await admin.get(f"/replies/{stored.id}")
    assert "工地已覆盖防尘网" in edit.text
    saved = await admin.post(
        f"/replies/{stored.id}",
        {"title": "扬尘办结", "status": "resolved", "category": "", "body": "已办结：{日期}"},
    )
    assert saved.status_code == 303
    assert (await templates(web))[-1].body == "已办结：{日期}"
    assert (await templates(web))[-1].category is None

    deleted = await admin.post(f"/replies/{stored.id}/delete")
    assert deleted.status_code == 303
    assert "扬尘办结" not in [t.title for t in await templates(web)]
    assert (await admin.post(f"/replies/{stored.id}/delete")).status_code == 404
    assert (await admin.get("/replies/99999")).status_code == 404


async def test_a_bad_template_comes_back_with_the_reason(
    web: Web, browser: Callable[[], Browser]
) -> None:
    admin = await logged_in(browser, "admin1")
    await admin.get("/replies")
    before = len(await templates(web))
    unknown = await admin.post(
        "/replies",
        {"title": "问候", "status": "accepted", "category": "", "body": "您好{name}，电话{电话}"},
    )
    assert unknown.status_code == 400
    assert "不认识的占位符：{name}、{电话}" in unknown.text
    assert "您好{name}，电话{电话}</textarea>" in unknown.text  # kept to fix, not lost
    empty = await admin.post(
        "/replies", {"title": "空", "status": "accepted", "category": "", "body": "  "}
    )
    assert empty.status_code == 400 and "模板内容不能为空" in empty.text
    long = await admin.post(
        "/replies",
        {"title": "长", "status": "accepted", "category": "", "body": "字" * 1950 + "{承办单位}"},
    )
    assert long.status_code == 400 and "可能超过 2000 字" in long.text
    braces = await admin.post(
        "/replies", {"title": "括号", "status": "accepted", "category": "", "body": "{ticket"}
    )
    assert braces.status_code == 400 and "花括号不成对" in braces.text
    assert len(await templates(web)) == before


async def test_reviewers_read_templates_but_only_admins_change_them(
    web: Web, browser: Callable[[], Browser]
) -> None:
    reviewer = await logged_in(browser, "reviewer1")
    listing = await reviewer.get("/replies")
    assert listing.status_code == 200 and "模板由管理员维护" in listing.text
    assert "/replies/new" not in listing.text and "删除</button>" not in listing.text
    first = (await templates(web))[0]
    assert (await reviewer.get("/replies/new")).status_code == 403
    assert (await reviewer.get(f"/replies/{first.id}")).status_code == 403
    body = {"title": "x", "status": "accepted", "category": "", "body": "y"}
    assert (await reviewer.post("/replies", body)).status_code == 403
    assert (await reviewer.post(f"/replies/{first.id}", body)).status_code == 403
    assert (await reviewer.post(f"/replies/{first.id}/delete")).status_code == 403
    stranger = browser()
    assert (await stranger.get("/replies")).status_code == 303  # to the login page
    assert (await templates(web))[0].title == first.title
    assert len(await templates(web)) == len(DEFAULTS)


async def test_changes_without_the_pages_csrf_token_are_refused(
    web: Web, browser: Callable[[], Browser]
) -> None:
    admin = await logged_in(browser, "admin1")
    await admin.get("/replies")
    first = (await templates(web))[0]
    body = {"title": "伪造", "status": "accepted", "category": "", "body": "伪造"}
    assert (await admin.post("/replies", body, csrf=False)).status_code == 403
    forged = {**body, "csrf_token": "forged"}
    assert (await admin.post(f"/replies/{first.id}", forged, csrf=False)).status_code == 403
    refused = await admin.post(f"/replies/{first.id}/delete", csrf=False)
    assert refused.status_code == 403
    assert "伪造" not in [t.title for t in await templates(web)]
    assert len(await templates(web)) == len(DEFAULTS)


async def test_a_template_with_markup_is_shown_as_text(
    web: Web, browser: Callable[[], Browser]
) -> None:
    admin = await logged_in(browser, "admin1")
    await admin.get("/replies")
    attack = "<script>alert(1)</script>"
    await admin.post(
        "/replies",
        {"title": attack, "status": "accepted", "category": "", "body": f"已受理 {attack}"},
    )
    report = await web.file_report()
    for path in ("/replies", f"/reports/{report.ticket}"):
        page = await admin.get(path)
        assert "<script>alert" not in page.text, path
        assert "&lt;script&gt;alert(1)&lt;/script&gt;" in page.text, path


async def test_a_template_used_on_a_report_reaches_the_reporter_filled(
    web: Web, browser: Callable[[], Browser]
) -> None:
    report = await web.file_report(user_id=6660011, chat_id=6660011, category="noise")
    reviewer = await logged_in(browser, "reviewer1")
    page = await reviewer.get(f"/reports/{report.ticket}")
    # the noise template first, then the one for any category; nothing for other moves' lists
    offered = re.findall(r'data-to="(\w+)"[^>]*>([^<]+)</option>', page.text)
    assert offered[:2] == [("accepted", "噪声受理（夜间核查）（噪声）"), ("accepted", "受理")]
    assert {to for to, _ in offered} == {"accepted", "rejected", "duplicate"}
    general = option_of(page.text, "受理<")
    note = html.unescape(general.group(3))
    assert note == (
        f"您反映的噪声问题（工单号 {report.ticket}）已于2026年11月3日受理，我们会尽快安排核查，"
        "处理进展会通过本机器人告知您。"
    )

    # without JavaScript: the picker asks the page again, which fills the status form
    chosen = await reviewer.get(f"/reports/{report.ticket}", params={"template": general.group(1)})
    assert '<option value="accepted" selected>' in chosen.text
    assert f">{html.escape(note, quote=False)}</textarea>" in chosen.text
    edited = note + "（另：请保持电话畅通）"  # the note stays editable
    moved = await reviewer.post(
        f"/reports/{report.ticket}/status", {"to": "accepted", "note": edited}
    )
    assert moved.status_code == 303
    async with web.sessions() as session:
        (notice,) = await session.scalars(
            select(OutboxMessage).where(OutboxMessage.chat_id == 6660011)
        )
        event = (await session.scalars(select(ReportEvent).order_by(ReportEvent.id.desc()))).first()
    assert notice.kind == NOTICE_KIND and event is not None and event.note == edited
    text = message_text(notice)
    assert "状态：已受理" in text and "已于2026年11月3日受理" in text and "请保持电话畅通" in text


async def test_a_transfer_template_names_the_department_chosen_in_the_form(
    web: Web, browser: Callable[[], Browser]
) -> None:
    report = await web.file_report(user_id=6660012, chat_id=6660012)
    reviewer = await logged_in(browser, "reviewer1")
    await reviewer.post(f"/reports/{report.ticket}/status", {"to": "accepted", "note": "受理"})
    page = await reviewer.get(f"/reports/{report.ticket}")
    transfer = option_of(page.text, "转办")
    note = html.unescape(transfer.group(3))
    assert transfer.group(2) == "transferred" and "{department}" in note
    await reviewer.post(
        f"/reports/{report.ticket}/status",
        {"to": "transferred", "note": note, "department": "市水务局"},
    )
    async with web.sessions() as session:
        stored = (await session.scalars(select(Report))).one()
        notices = list(await session.scalars(select(OutboxMessage).order_by(OutboxMessage.id)))
    assert stored.status_note.startswith("您反映的问题已转交市水务局办理")
    assert "转交市水务局办理" in message_text(notices[-1])


async def test_a_deleted_or_unfitting_template_is_not_filled(
    web: Web, browser: Callable[[], Browser]
) -> None:
    report = await web.file_report()
    reviewer = await logged_in(browser, "reviewer1")
    await reviewer.get("/replies")
    resolved = next(t for t in await templates(web) if t.status == "resolved")
    page = await reviewer.get(f"/reports/{report.ticket}", params={"template": resolved.id})
    assert page.status_code == 200 and "这个回复模板已被删除" in page.text
    assert "></textarea>" in page.text  # the note is left empty


async def test_the_reporters_follow_ups_show_in_the_audit_trail_with_their_evidence(
    web: Web, browser: Callable[[], Browser]
) -> None:
    report = await web.file_report(photos=[PNG])
    reviewer = await logged_in(browser, "reviewer1")
    await reviewer.post(f"/reports/{report.ticket}/status", {"to": "accepted", "note": "受理"})
    await reviewer.post(f"/reports/{report.ticket}/status", {"to": "resolved", "note": "已办结"})
    now = web.clock.now()
    async with web.sessions.begin() as session:
        for name, data in (("voice1.ogg", OGG), ("video1.bin", MP4), ("later.png", PNG)):
            path = web.reports(session).media.path(name)  # rows made here, files as stored
            path.parent.mkdir(parents=True, exist_ok=True)
            path.write_bytes(data)
        stored = (await session.scalars(select(Report))).one()
        resolution = (
            await session.scalars(select(ReportEvent).order_by(ReportEvent.id.desc()))
        ).first()
        addition = ReportEvent(
            report_id=stored.id, at=now, from_status="resolved", to_status="resolved",
            note="补充 <一段录音>", action="addition",
        )  # fmt: skip
        reopened = ReportEvent(
            report_id=stored.id, at=now, from_status="resolved", to_status="reopened",
            note="还在冒烟，没有解决", action="status",
        )  # fmt: skip
        session.add_all([addition, reopened])
        await session.flush()
        session.add_all(
            [
                ReportPhoto(report_id=stored.id, position=1, sha256="a" * 64, name="voice1.ogg",
                            size=len(OGG), kind="voice", event_id=addition.id),
                ReportPhoto(report_id=stored.id, position=2, sha256="b" * 64, name="video1.bin",
                            size=len(MP4), kind="video", event_id=reopened.id),
                ReportPhoto(report_id=stored.id, position=3, sha256="c" * 64, name="later.png",
                            size=len(PNG), kind="photo", event_id=reopened.id),
                ReportFeedback(report_id=stored.id, resolved_event_id=resolution.id,
                               department=stored.department, fixed=False,
                               note="还在冒烟 <b>", event_id=reopened.id, at=now),
            ]
        )  # fmt: skip
        stored.status = "reopened"

    page = (await reviewer.get(f"/reports/{report.ticket}")).text
    trail = page[page.index("处理记录") :]
    assert "举报人补充" in trail and "补充 &lt;一段录音&gt;" in trail
    assert "举报人反馈：没有解决，工单重新办理" in trail and "还在冒烟，没有解决" in trail
    assert '<audio controls preload="none" src="/media/voice1.ogg"' in trail
    assert '<video controls preload="metadata" src="/media/video1.bin"' in trail
    assert '<img src="/media/later.png"' in trail
    filed = page[: page.index("处理记录")]
    assert f'src="/media/{report.photos[0].name}"' in filed  # the photo filed with the report
    assert "later.png" not in filed and "voice1.ogg" not in filed
    assert "没有解决</strong>" in page and "还在冒烟 &lt;b&gt;" in page
    voice = await reviewer.get("/media/voice1.ogg")
    assert voice.status_code == 200 and voice.headers["content-type"] == "audio/ogg"
    video = await reviewer.get("/media/video1.bin")
    assert video.status_code == 200 and video.headers["content-type"] == "video/mp4"
    assert (await browser().get("/media/voice1.ogg")).status_code == 303  # staff only
    # staff move a reopened report on, with the templates for that move
    assert "改为「办理中」" in page


@pytest.fixture
async def console_served(tmp_path: Path, web_sessions, web_clock) -> AsyncIterator[tuple[str, Web]]:  # type: ignore[no-untyped-def]
    """The console alone (no answer engine) under uvicorn, for Chromium."""
    from web.app import create_app
    from web.server import web_server

    settings = web_settings(tmp_path, web_port=free_port())
    app = create_app(settings, sessions=web_sessions, clock=web_clock)
    server = web_server(settings, app, lambda _: None)
    task = asyncio.create_task(server.serve())
    async with asyncio.timeout(30):
        while not server.started:
            await asyncio.sleep(0.05)
    yield f"http://127.0.0.1:{settings.web_port}", Web(app, settings, web_sessions, web_clock)
    server.stop()
    await task


async def reopened_with_evidence(web: Web) -> Report:
    """A report with a long description, resolved, then reopened by its reporter with a voice
    note, a video and a photo, and their "not fixed" answer."""
    long = "锦江大道与环城北路交叉口东北角的建筑工地" * 3
    picture = io.BytesIO()
    Image.new("RGB", (160, 120), (120, 140, 110)).save(picture, format="PNG")
    report = await web.file_report(
        description=long + "，夜间焚烧垃圾。", category="burning", photos=[picture.getvalue()]
    )
    staff = Staff(id=1, name="web:reviewer1")
    async with web.sessions.begin() as session:
        service = web.reports(session)
        await service.change_status(report.ticket, "accepted", by=staff, note="已受理")
        moved = await service.change_status(report.ticket, "resolved", by=staff, note="已办结")
        for name, data in (("voice2.ogg", OGG), ("video2.mp4", MP4)):
            path = service.media.path(name)
            path.parent.mkdir(parents=True, exist_ok=True)
            path.write_bytes(data)
        resolution = (await service.events(report.ticket))[-1]
        reopened = ReportEvent(
            report_id=moved.id, at=web.clock.now(), from_status="resolved", to_status="reopened",
            note="还在冒烟，" + long, action="status",
        )  # fmt: skip
        session.add(reopened)
        await session.flush()
        session.add_all(
            [
                ReportPhoto(report_id=moved.id, position=1, sha256="d" * 64, name="voice2.ogg",
                            size=len(OGG), kind="voice", event_id=reopened.id),
                ReportPhoto(report_id=moved.id, position=2, sha256="e" * 64, name="video2.mp4",
                            size=len(MP4), kind="video", event_id=reopened.id),
                ReportPhoto(report_id=moved.id, position=3, sha256="f" * 64,
                            name=moved.photos[0].name, size=1, kind="photo",
                            event_id=reopened.id),
                ReportFeedback(report_id=moved.id, resolved_event_id=resolution.id,
                               department=moved.department, fixed=False, note="还在冒烟",
                               event_id=reopened.id, at=web.clock.now()),
            ]
        )  # fmt: skip
        moved.status = "reopened"
    return report


@pytest.mark.slow
async def test_replies_and_the_report_page_fit_a_phone_and_a_desktop(
    console_served,
    chromium,  # type: ignore[no-untyped-def]  # noqa: F811
) -> None:
    from tests.web.test_layout import SIZES, overflow

    base, web = console_served
    report = await reopened_with_evidence(web)
    shots = ARTIFACTS / "layout"
    shots.mkdir(parents=True, exist_ok=True)
    for size, (width, height) in SIZES.items():
        context = await chromium.new_context(viewport={"width": width, "height": height})
        page = await context.new_page()
        await log_in(page, base, "admin1")
        await page.wait_for_url(f"{base}/")
        for name, path in (("replies", "/replies"), ("replies-new", "/replies/new")):
            response = await page.goto(f"{base}{path}")
            assert response is not None and response.ok, name
            assert await overflow(page) <= 0, (name, size)
            await page.screenshot(path=str(shots / f"{name}-{size}.png"), full_page=True)
        response = await page.goto(f"{base}/reports/{report.ticket}")
        assert response is not None and response.ok
        # with JavaScript, choosing a template fills the form at once (the button is hidden)
        assert not await page.locator("#reply-pick button").is_visible()
        await page.select_option("#reply-template", label="办结")
        note = await page.input_value("#status-form textarea[name=note]")
        assert note.startswith("经") and f"工单号 {report.ticket}" in note
        assert await page.input_value("#status-form select[name=to]") == "resolved"
        assert await overflow(page) <= 0, ("report", size)
        await page.screenshot(path=str(shots / f"report-replies-{size}.png"), full_page=True)
        await context.close()

    # a delete asks first: dismissed, nothing is deleted; accepted, the template goes
    context = await chromium.new_context(viewport={"width": 1280, "height": 800})
    page = await context.new_page()
    await log_in(page, base, "admin1")
    await page.wait_for_url(f"{base}/")
    await page.goto(f"{base}/replies")
    asked: list[str] = []

    async def dismiss(dialog) -> None:  # type: ignore[no-untyped-def]
        asked.append(dialog.message)
        await dialog.dismiss()

    page.once("dialog", dismiss)
    await page.locator("form[data-confirm] button").first.click()
    assert asked and asked[0].startswith("删除回复模板「")
    assert len(await templates(web)) == len(DEFAULTS)
    page.once("dialog", lambda dialog: dialog.accept())
    async with page.expect_navigation():
        await page.locator("form[data-confirm] button").first.click()
    assert len(await templates(web)) == len(DEFAULTS) - 1
    await context.close()
