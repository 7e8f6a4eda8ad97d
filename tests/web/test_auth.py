"""Logging in, sessions, CSRF and roles, over HTTP against the real app."""

from __future__ import annotations

import re
from collections.abc import Callable

import pytest
from sqlalchemy import select

from reports import ReportEvent
from tests.web.conftest import PASSWORD, Browser, Web


async def test_wrong_password_is_refused_and_opens_nothing(
    browser: Callable[[], Browser],
) -> None:
    person = browser()
    refused = await person.log_in("reviewer1", "not-the-password")
    assert refused.status_code == 401
    assert "用户名或密码不正确" in refused.text
    queue = await person.get("/reports")
    assert queue.status_code == 303
    assert queue.headers["location"] == "/login?next=/reports"


async def test_unknown_name_gets_the_same_answer_as_a_wrong_password(
    browser: Callable[[], Browser],
) -> None:
    refused = await browser().log_in("nobody", PASSWORD)
    assert refused.status_code == 401
    assert "用户名或密码不正确" in refused.text


async def test_right_password_opens_the_console_with_a_safe_cookie(
    browser: Callable[[], Browser],
) -> None:
    person = browser()
    await person.get("/login")
    response = await person.post("/login", {"name": "reviewer1", "password": PASSWORD})
    assert response.status_code == 303 and response.headers["location"] == "/"
    cookie = response.headers["set-cookie"].lower()
    assert "httponly" in cookie and "samesite=lax" in cookie
    home = await person.get("/")
    assert home.status_code == 200
    assert "reviewer1" in home.text and "举报：按类别" in home.text


async def test_login_goes_back_to_the_page_asked_for_but_never_off_site(
    browser: Callable[[], Browser],
) -> None:
    person = browser()
    await person.get("/login")
    wanted = await person.post(
        "/login", {"name": "reviewer1", "password": PASSWORD, "next": "/gaps"}
    )
    assert wanted.headers["location"] == "/gaps"
    other = browser()
    await other.get("/login")
    away = await other.post(
        "/login", {"name": "reviewer1", "password": PASSWORD, "next": "//evil.example/x"}
    )
    assert away.headers["location"] == "/"


async def test_login_form_without_csrf_token_is_refused(browser: Callable[[], Browser]) -> None:
    person = browser()
    await person.get("/login")
    response = await person.post("/login", {"name": "reviewer1", "password": PASSWORD}, csrf=False)
    assert response.status_code == 403
    assert "表单已过期" in response.text
    assert (await person.get("/")).status_code == 303  # not logged in


async def test_status_change_without_or_with_a_wrong_csrf_token_is_refused(
    web: Web, browser: Callable[[], Browser]
) -> None:
    report = await web.file_report()
    person = browser()
    await person.log_in("reviewer1")
    form = {"to": "accepted", "note": "已受理"}
    missing = await person.post(f"/reports/{report.ticket}/status", form, csrf=False)
    wrong = await person.post(
        f"/reports/{report.ticket}/status", {**form, "csrf_token": "forged-token"}
    )
    assert missing.status_code == 403 and wrong.status_code == 403
    async with web.sessions() as session:
        events = list(await session.scalars(select(ReportEvent)))
    assert [event.to_status for event in events] == ["submitted"]  # nothing changed


async def test_a_token_from_another_session_is_refused(
    web: Web, browser: Callable[[], Browser]
) -> None:
    report = await web.file_report()
    attacker, victim = browser(), browser()
    await attacker.log_in("admin1")
    await victim.log_in("reviewer1")
    response = await victim.post(
        f"/reports/{report.ticket}/status",
        {"to": "accepted", "note": "x", "csrf_token": attacker.csrf},
    )
    assert response.status_code == 403


async def test_reviewer_cannot_reach_admin_pages(browser: Callable[[], Browser]) -> None:
    person = browser()
    await person.log_in("reviewer1")
    for path in ("/staff", "/campaigns/broadcasts/new"):
        response = await person.get(path)
        assert response.status_code == 403, path
        assert "需要管理员权限" in response.text
    posted = await person.post(
        "/campaigns/dates", {"event_id": "energy-saving-week", "start": "2026-06-22"}
    )
    assert posted.status_code == 403
    added = await person.post(
        "/staff", {"name": "sneaky", "role": "admin", "password": "0123456789ab"}
    )
    assert added.status_code == 403


async def test_admin_reaches_admin_pages(browser: Callable[[], Browser]) -> None:
    person = browser()
    await person.log_in("admin1")
    assert (await person.get("/staff")).status_code == 200
    assert (await person.get("/campaigns/broadcasts/new")).status_code == 200


async def test_disabling_an_account_ends_its_open_session(
    browser: Callable[[], Browser],
) -> None:
    admin, reviewer = browser(), browser()
    await admin.log_in("admin1")
    await reviewer.log_in("reviewer1")
    assert (await reviewer.get("/reports")).status_code == 200
    disabled = await admin.post("/staff/reviewer1/active", {"active": "0"})
    assert disabled.status_code == 303
    assert (await reviewer.get("/reports")).status_code == 303
    assert (await browser().log_in("reviewer1")).status_code == 401


async def test_the_last_admin_cannot_lock_everyone_out(browser: Callable[[], Browser]) -> None:
    admin = browser()
    await admin.log_in("admin1")
    myself = await admin.post("/staff/admin1/active", {"active": "0"})
    assert myself.status_code == 400
    assert (await admin.get("/staff")).status_code == 200


async def test_logout_ends_the_session(browser: Callable[[], Browser]) -> None:
    person = browser()
    await person.log_in("reviewer1")
    response = await person.post("/logout")
    assert response.status_code == 303
    assert (await person.get("/reports")).status_code == 303


async def test_repeated_failures_make_the_name_wait_a_while(
    browser: Callable[[], Browser],
) -> None:
    person = browser()
    for _ in range(5):
        assert (await person.log_in("admin1", "wrong-password-x")).status_code == 401
    blocked = await person.log_in("admin1", PASSWORD)
    assert blocked.status_code == 429 and blocked.headers["retry-after"] == "1"
    assert "次数过多，请 1 秒后再试" in blocked.text
    assert (await browser().log_in("reviewer1")).status_code == 303  # other names unaffected


async def test_pages_forbid_framing_and_outside_scripts(browser: Callable[[], Browser]) -> None:
    response = await browser().get("/login")
    policy = response.headers["content-security-policy"]
    assert "script-src 'self'" in policy and "frame-ancestors 'none'" in policy
    links = re.findall(r'(?:src|href)="([^"]*)"', response.text)
    assert links and all(link.startswith(("/", "#")) for link in links)  # nothing from a CDN


async def test_an_unexpected_error_gets_a_polite_page_and_its_message_stays_out_of_the_log(
    web: Web, browser: Callable[[], Browser], caplog: pytest.LogCaptureFixture
) -> None:
    phone = "".join(["138", "0000", "1111"])

    async def boom() -> None:
        raise RuntimeError(f"reporter phone {phone}")

    web.app.add_api_route("/boom", boom)
    response = await browser().get("/boom")
    assert response.status_code == 500 and "出了点问题" in response.text
    assert "RuntimeError" in caplog.text and "13800001111" not in caplog.text
