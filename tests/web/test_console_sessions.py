"""Console sessions held in the database: logout, password and role changes, disabling and
"sign out everywhere" end them at once; idle and absolute timeouts; cookies; the audit trail.
Over HTTP against the real app, and once against a running `greenbot run`."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import httpx
import pytest
from sqlalchemy import select

from staff import ConsoleSession, StaffAccounts, StaffEvent
from staff.sessions import token_digest
from tests.web.conftest import PASSWORD, Browser, Web, web_settings

NEW_PASSWORD = "a-brand-new-password"


def login_cookie(person: Browser, name: str = "greenbot_console") -> str:
    value = person.http.cookies.get(name)
    assert value, f"no {name} cookie"
    return value


def replay(web: Web, cookies: httpx.Cookies) -> Browser:
    """A second browser holding a copy of someone's cookies (a stolen or captured jar)."""
    thief = Browser(web.app)
    for cookie in cookies.jar:
        thief.http.cookies.set(cookie.name, cookie.value or "", domain=cookie.domain)
    return thief


async def opens_reports(person: Browser) -> bool:
    response = await person.get("/reports")
    assert response.status_code in (200, 303)
    return response.status_code == 200


async def test_a_cookie_captured_before_logout_opens_nothing_after_it(
    web: Web, browser: Callable[[], Browser]
) -> None:
    person = browser()
    await person.log_in("reviewer1")
    captured = httpx.Cookies(person.http.cookies)
    before = replay(web, captured)
    assert await opens_reports(before)  # the copy works while the session lives
    await before.close()
    logged_out = await person.post("/logout")
    assert logged_out.status_code == 303 and logged_out.headers["location"] == "/login"
    assert "您已退出登录" in (await person.get("/login")).text  # the flash survives
    thief = replay(web, captured)
    response = await thief.get("/reports")
    assert response.status_code == 303
    assert response.headers["location"].startswith("/login")
    await thief.close()


async def test_the_cookie_holds_a_token_the_database_stores_only_hashed(
    web: Web, browser: Callable[[], Browser]
) -> None:
    person = browser()
    await person.log_in("reviewer1")
    token = login_cookie(person)
    async with web.sessions() as session:
        rows = list(await session.scalars(select(ConsoleSession)))
    assert [row.id for row in rows] == [token_digest(token)]
    assert "reviewer1" not in token


async def test_changing_ones_password_ends_every_other_session_and_keeps_this_one(
    browser: Callable[[], Browser],
) -> None:
    laptop, phone = browser(), browser()
    await laptop.log_in("reviewer1")
    await phone.log_in("reviewer1")
    await laptop.get("/account")
    wrong = await laptop.post(
        "/account/password",
        {"current": "not-my-password", "password": NEW_PASSWORD, "again": NEW_PASSWORD},
    )
    assert wrong.status_code == 400 and "当前密码不正确" in wrong.text
    changed = await laptop.post(
        "/account/password", {"current": PASSWORD, "password": NEW_PASSWORD, "again": NEW_PASSWORD}
    )
    assert changed.status_code == 303
    assert "其他设备上的登录已全部退出" in (await laptop.get("/account")).text
    assert await opens_reports(laptop)
    assert not await opens_reports(phone)
    assert (await browser().log_in("reviewer1", PASSWORD)).status_code == 401
    assert (await browser().log_in("reviewer1", NEW_PASSWORD)).status_code == 303


async def test_a_password_set_from_the_command_line_ends_open_sessions(
    web: Web, browser: Callable[[], Browser]
) -> None:
    person = browser()
    await person.log_in("reviewer1")
    async with web.sessions.begin() as session:
        await StaffAccounts(session).set_password("reviewer1", NEW_PASSWORD)  # `staff passwd`
    assert not await opens_reports(person)


async def test_a_role_change_ends_that_persons_sessions_at_once(
    browser: Callable[[], Browser],
) -> None:
    admin, reviewer = browser(), browser()
    await admin.log_in("admin1")
    await reviewer.log_in("reviewer1")
    assert (await reviewer.get("/staff")).status_code == 403
    promoted = await admin.post("/staff/reviewer1/role", {"role": "admin"})
    assert promoted.status_code == 303
    assert not await opens_reports(reviewer)
    await reviewer.log_in("reviewer1")
    assert (await reviewer.get("/staff")).status_code == 200  # the new role, after a new login
    assert await opens_reports(admin)


async def test_an_admin_signs_someone_out_everywhere(
    web: Web, browser: Callable[[], Browser]
) -> None:
    admin, laptop, phone = browser(), browser(), browser()
    await admin.log_in("admin1")
    await laptop.log_in("reviewer1")
    await phone.log_in("reviewer1")
    staff_page = await admin.get("/staff")
    assert "2 处" in staff_page.text
    ended = await admin.post("/staff/reviewer1/sessions/end")
    assert ended.status_code == 303
    assert "已在所有设备上退出登录（2 处）" in (await admin.get("/staff")).text
    assert not await opens_reports(laptop) and not await opens_reports(phone)
    assert await opens_reports(admin)
    assert (await laptop.log_in("reviewer1")).status_code == 303  # they may log in again


async def test_signing_oneself_out_everywhere_ends_this_session_too(
    browser: Callable[[], Browser],
) -> None:
    laptop, phone, colleague = browser(), browser(), browser()
    await laptop.log_in("reviewer1")
    await phone.log_in("reviewer1")
    await colleague.log_in("admin1")
    await phone.get("/account")
    ended = await phone.post("/account/sessions/end")
    assert ended.status_code == 303 and ended.headers["location"] == "/login"
    assert not await opens_reports(phone) and not await opens_reports(laptop)
    assert await opens_reports(colleague)


async def test_an_idle_session_ends_after_two_hours(
    web: Web, browser: Callable[[], Browser]
) -> None:
    person = browser()
    await person.log_in("reviewer1")
    web.clock.advance(minutes=119)
    assert await opens_reports(person)  # used: the idle clock starts again
    web.clock.advance(minutes=119)
    assert await opens_reports(person)
    web.clock.advance(minutes=120)
    response = await person.get("/reports")
    assert response.status_code == 303 and response.headers["location"].startswith("/login")


async def test_a_busy_session_still_ends_twelve_hours_after_login(
    web: Web, browser: Callable[[], Browser]
) -> None:
    person = browser()
    await person.log_in("reviewer1")
    for _ in range(11):
        web.clock.advance(hours=1)
        assert await opens_reports(person)
    web.clock.advance(minutes=59)
    assert await opens_reports(person)
    web.clock.advance(minutes=1)
    assert not await opens_reports(person)
    assert (await person.log_in("reviewer1")).status_code == 303


async def test_a_form_from_an_ended_session_goes_to_the_login_page(
    web: Web, browser: Callable[[], Browser]
) -> None:
    report = await web.file_report()
    person = browser()
    await person.log_in("reviewer1")
    await person.get(f"/reports/{report.ticket}")
    web.clock.advance(hours=3)
    response = await person.post(f"/reports/{report.ticket}/status", {"to": "accepted"})
    assert response.status_code == 303 and response.headers["location"].startswith("/login")


async def test_cookies_are_httponly_lax_and_not_secure_by_default(
    browser: Callable[[], Browser],
) -> None:
    person = browser()
    await person.get("/login")
    response = await person.post("/login", {"name": "reviewer1", "password": PASSWORD})
    cookies = response.headers.get_list("set-cookie")
    login = next(cookie for cookie in cookies if cookie.startswith("greenbot_console="))
    assert "httponly" in login.lower() and "samesite=lax" in login.lower()
    assert "secure" not in login.lower()


async def test_with_secure_cookies_on_both_cookies_are_secure_and_host_prefixed(
    tmp_path: Path, web: Web
) -> None:
    from web.app import create_app

    settings = web_settings(tmp_path, console_secure_cookies=True)
    app = create_app(settings, sessions=web.sessions, clock=web.clock)
    person = Browser(app, base_url="https://console.test")
    await person.get("/login")
    response = await person.post("/login", {"name": "reviewer1", "password": PASSWORD})
    assert response.status_code == 303
    cookies = {
        cookie.split("=", 1)[0]: cookie.lower()
        for cookie in response.headers.get_list("set-cookie")
    }
    assert set(cookies) == {"__Host-greenbot_console", "__Host-greenbot_session"}
    for attributes in cookies.values():
        assert "; secure" in attributes and "; httponly" in attributes
        assert "samesite=lax" in attributes and "path=/" in attributes
        assert "domain=" not in attributes  # __Host- forbids it
    assert await opens_reports(person)  # over https the browser sends them back
    await person.close()


async def test_logins_logouts_and_failures_are_audited_without_passwords_or_unknown_names(
    web: Web, browser: Callable[[], Browser], caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level("INFO")
    person = browser()
    await person.log_in("reviewer1", "wrong-password-1")
    await person.log_in("someone-unknown", "wrong-password-2")
    await person.log_in("reviewer1")
    await person.post("/logout")
    admin = browser()
    await admin.log_in("admin1")
    await admin.post("/staff/reviewer1/sessions/end")
    async with web.sessions() as session:
        events = list(await session.scalars(select(StaffEvent).order_by(StaffEvent.id)))
    assert [event.kind for event in events] == [
        "login_failed",
        "login_failed",
        "login",
        "logout",
        "login",
        "signed_out_everywhere",
    ]
    assert events[0].account_id is not None and events[1].account_id is None
    assert all(event.address == "127.0.0.1" for event in events)
    assert events[-1].actor_id == events[-2].account_id  # the admin did it
    stored = " ".join(f"{event.detail} {event.address}" for event in events)
    for secret in ("wrong-password", PASSWORD, "someone-unknown"):
        assert secret not in stored and secret not in caplog.text
    page = (await admin.get("/staff")).text
    assert "登录失败" in page and "在所有设备上退出" in page


async def test_greenbot_run_sends_a_cookie_replayed_after_logout_to_the_login_page(
    tmp_path: Path,
) -> None:
    from tests.web.test_server import add_admin, free_port, greenbot

    settings = web_settings(tmp_path, web_port=free_port())
    await add_admin(settings)  # the database as `greenbot run` migrates it
    async with greenbot(settings, None) as base:  # no answer engine: the sandbox is off
        person = Browser(base_url=base)
        assert (await person.log_in("admin1")).status_code == 303
        cookie = {"Cookie": f"greenbot_console={login_cookie(person)}"}
        async with httpx.AsyncClient(base_url=base) as replayed:
            assert (await replayed.get("/reports", headers=cookie)).status_code == 200
            assert (await person.post("/logout")).status_code == 303
            response = await replayed.get("/reports", headers=cookie)
        assert response.status_code == 303
        assert response.headers["location"] == "/login?next=/reports"
        await person.close()
