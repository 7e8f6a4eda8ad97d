"""TOTP for console logins, over HTTP against the real app: enrol on 我的账号, then the password
is not enough; the half-done login opens no page; a code passes once, a recovery code once;
wrong codes are throttled and audited; GREENBOT_ADMIN_TOTP_REQUIRED sends an admin to enrol
before any page; turning it off needs the password and a code."""

from __future__ import annotations

import re
from collections.abc import AsyncIterator, Callable
from pathlib import Path

import httpx
import pytest
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from ground.clock import ManualClock
from staff import EventKind, StaffEvent, totp
from tests.web.conftest import PASSWORD, Browser, Web, web_settings

SECRET = re.compile(r'<code class="text">([A-Z2-7 ]+)</code>')
RECOVERY = re.compile(r"<li><code>([a-z2-7]{4}(?:-[a-z2-7]{4}){3})</code></li>")


def code_now(secret: str, web: Web, *, steps: int = 0) -> str:
    return totp.code_at(secret, totp.step_at(web.clock.now()) + steps)


def wrong_code(secret: str, web: Web) -> str:
    right = {code_now(secret, web, steps=offset) for offset in (-1, 0, 1)}
    return next(c for c in ("000000", "111111", "222222", "333333") if c not in right)


async def enrol(person: Browser, web: Web) -> tuple[str, list[str]]:
    """Turn TOTP on from the account page, as a person would; the secret and recovery codes."""
    page = await person.get("/account/totp")
    assert page.status_code == 200 and "<svg" in page.text and "otpauth://totp/" in page.text
    assert page.headers["cache-control"] == "no-store"
    secret = SECRET.search(page.text)
    assert secret, "the enrolment page shows no secret"
    plain = secret.group(1).replace(" ", "")
    refused = await person.post(
        "/account/totp", {"password": "not-the-password", "code": code_now(plain, web)}
    )
    assert refused.status_code == 400 and "当前密码不正确" in refused.text
    assert SECRET.search(refused.text) and plain in refused.text.replace(" ", "")
    confirmed = await person.post(
        "/account/totp", {"password": PASSWORD, "code": code_now(plain, web)}
    )
    assert confirmed.status_code == 200, confirmed.text
    codes = RECOVERY.findall(confirmed.text)
    assert len(codes) == 8 and "只显示这一次" in confirmed.text
    assert confirmed.headers["cache-control"] == "no-store"
    return plain, codes


async def password_step(person: Browser, next_path: str = "/") -> httpx.Response:
    """The login form with admin1's right password, then the page it sends to (each page for
    its CSRF token, as a browser would load it)."""
    await person.get("/login")
    sent = await person.post("/login", {"name": "admin1", "password": PASSWORD, "next": next_path})
    if sent.status_code == 303 and sent.headers["location"].startswith("/login/"):
        await person.get(sent.headers["location"])
    return sent


def copy_of(web: Web, person: Browser) -> Browser:
    thief = Browser(web.app)
    for cookie in person.http.cookies.jar:
        thief.http.cookies.set(cookie.name, cookie.value or "", domain=cookie.domain)
    return thief


async def opens(person: Browser, path: str) -> bool:
    response = await person.get(path)
    assert response.status_code in (200, 303), response.status_code
    return response.status_code == 200


async def events(sessions: async_sessionmaker[AsyncSession]) -> list[StaffEvent]:
    async with sessions() as session:
        return list(await session.scalars(select(StaffEvent).order_by(StaffEvent.id)))


async def test_after_enrolling_the_password_alone_opens_nothing_and_the_code_opens_reports(
    web: Web, browser: Callable[[], Browser]
) -> None:
    person = browser()
    await person.log_in("admin1")
    secret, _ = await enrol(person, web)
    account = await person.get("/account")
    assert "已开启" in account.text and "剩余恢复码 8 个" in account.text
    await person.post("/logout")

    asked = await password_step(person, "/reports")
    assert asked.status_code == 303
    assert asked.headers["location"] == "/login/code?next=/reports"
    assert "greenbot_console" not in person.http.cookies
    half = copy_of(web, person)
    for path in ("/reports", "/account", "/", "/staff"):
        assert not await opens(half, path), path
    await half.close()
    step = await person.get(asked.headers["location"])
    assert step.status_code == 200 and "两步验证" in step.text
    assert 'autocomplete="one-time-code"' in step.text

    wrong = await person.post("/login/code", {"code": wrong_code(secret, web), "next": "/reports"})
    assert wrong.status_code == 401 and "验证码不正确" in wrong.text
    assert not await opens(person, "/reports")
    # The code typed at enrolment has been used: a replay within its window is refused.
    replayed = await person.post("/login/code", {"code": code_now(secret, web), "next": "/reports"})
    assert replayed.status_code == 401
    web.clock.advance(seconds=30)
    passed = await person.post("/login/code", {"code": code_now(secret, web), "next": "/reports"})
    assert passed.status_code == 303 and passed.headers["location"] == "/reports"
    assert await opens(person, "/reports")

    kinds = [(e.kind, e.detail) for e in await events(web.sessions)]
    assert (EventKind.TOTP_ENABLED.value, None) in kinds
    assert kinds.count((EventKind.CODE_FAILED.value, None)) == 2
    assert kinds[-1] == (EventKind.LOGIN.value, "两步验证：验证码")
    assert not any(secret in str(e.detail) for e in await events(web.sessions))
    trail = (await person.get("/staff")).text
    assert "开启两步验证" in trail and "验证码错误" in trail


async def test_a_code_that_logged_in_once_is_refused_the_second_time(
    web: Web, browser: Callable[[], Browser]
) -> None:
    person = browser()
    await person.log_in("admin1")
    secret, _ = await enrol(person, web)
    await person.post("/logout")
    web.clock.advance(seconds=30)
    code = code_now(secret, web)
    await password_step(person)
    assert (await person.post("/login/code", {"code": code})).status_code == 303
    await person.post("/logout")
    thief = browser()  # someone who watched the code being typed, with the password
    await password_step(thief)
    refused = await thief.post("/login/code", {"code": code})
    assert refused.status_code == 401 and not await opens(thief, "/reports")


async def test_a_recovery_code_logs_in_once(web: Web, browser: Callable[[], Browser]) -> None:
    person = browser()
    await person.log_in("admin1")
    _, codes = await enrol(person, web)
    await person.post("/logout")
    await password_step(person)
    used = await person.post("/login/code", {"code": codes[3].upper()})
    assert used.status_code == 303
    landing = await person.get("/")
    assert landing.status_code == 200 and "还剩 7 个" in landing.text
    await person.post("/logout")
    await password_step(person)
    again = await person.post("/login/code", {"code": codes[3]})
    assert again.status_code == 401 and not await opens(person, "/reports")
    logins = [e.detail for e in await events(web.sessions) if e.kind == EventKind.LOGIN.value]
    assert "两步验证：恢复码（还剩 7 个）" in logins


async def test_wrong_codes_end_the_step_then_wait_even_after_the_right_password(
    web: Web, browser: Callable[[], Browser]
) -> None:
    person = browser()
    await person.log_in("admin1")
    secret, _ = await enrol(person, web)
    await person.post("/logout")
    await password_step(person)
    for _ in range(4):
        assert (
            await person.post("/login/code", {"code": wrong_code(secret, web)})
        ).status_code == 401
    fifth = await person.post("/login/code", {"code": wrong_code(secret, web)})
    assert fifth.status_code == 303 and fifth.headers["location"].startswith("/login?")
    assert "请重新输入密码" in (await person.get("/login")).text
    # The right password starts a new step, but the count of wrong codes is the account's.
    again = await password_step(person)
    assert again.status_code == 303 and again.headers["location"].startswith("/login/code")
    waiting = await person.post("/login/code", {"code": code_now(secret, web, steps=1)})
    assert waiting.status_code == 429 and int(waiting.headers["Retry-After"]) >= 1
    web.clock.advance(seconds=30)
    passed = await person.post("/login/code", {"code": code_now(secret, web)})
    assert passed.status_code == 303 and await opens(person, "/reports")


async def test_the_step_expires_after_five_minutes(
    web: Web, browser: Callable[[], Browser]
) -> None:
    person = browser()
    await person.log_in("admin1")
    secret, _ = await enrol(person, web)
    await person.post("/logout")
    await password_step(person)
    web.clock.advance(minutes=5)
    late = await person.post("/login/code", {"code": code_now(secret, web)})
    assert late.status_code == 303 and late.headers["location"].startswith("/login?")
    assert not await opens(person, "/reports")


async def test_turning_it_off_needs_the_password_and_a_code(
    web: Web, browser: Callable[[], Browser]
) -> None:
    person = browser()
    await person.log_in("admin1")
    secret, _ = await enrol(person, web)
    web.clock.advance(seconds=30)
    await person.get("/account")
    bad = await person.post(
        "/account/totp/off", {"password": "wrong-password!", "code": code_now(secret, web)}
    )
    assert bad.status_code == 303 and "密码不正确" in (await person.get("/account")).text
    bad = await person.post(
        "/account/totp/off", {"password": PASSWORD, "code": wrong_code(secret, web)}
    )
    assert "验证码不正确" in (await person.get("/account")).text
    off = await person.post(
        "/account/totp/off", {"password": PASSWORD, "code": code_now(secret, web)}
    )
    assert off.status_code == 303 and "两步验证已关闭" in (await person.get("/account")).text
    await person.post("/logout")
    plain = await password_step(person)
    assert plain.headers["location"] == "/"
    kinds = [e.kind for e in await events(web.sessions)]
    assert EventKind.TOTP_DISABLED.value in kinds


async def test_a_form_without_its_csrf_token_is_refused_at_the_code_step(
    web: Web, browser: Callable[[], Browser]
) -> None:
    person = browser()
    await person.log_in("admin1")
    secret, _ = await enrol(person, web)
    await person.post("/logout")
    await password_step(person)
    web.clock.advance(seconds=30)
    forged = await person.post("/login/code", {"code": code_now(secret, web)}, csrf=False)
    assert forged.status_code == 403 and not await opens(person, "/reports")


@pytest.fixture
async def strict(
    tmp_path: Path, web_sessions: async_sessionmaker[AsyncSession], web_clock: ManualClock
) -> AsyncIterator[Web]:
    """The console with GREENBOT_ADMIN_TOTP_REQUIRED=true."""
    from web.app import create_app

    settings = web_settings(tmp_path, admin_totp_required=True)
    yield Web(
        create_app(settings, sessions=web_sessions, clock=web_clock),
        settings,
        web_sessions,
        web_clock,
    )


async def test_when_required_an_admin_without_totp_enrols_before_any_page(strict: Web) -> None:
    admin, reviewer = Browser(strict.app), Browser(strict.app)
    try:
        await admin.get("/login")
        sent = await password_step(admin, "/gaps")
        assert sent.status_code == 303 and sent.headers["location"] == "/login/enrol?next=/gaps"
        for path in ("/", "/reports", "/account", "/account/totp"):
            assert not await opens(admin, path), path
        page = await admin.get("/login/enrol?next=/gaps")
        assert page.status_code == 200 and "本系统要求管理员开启两步验证" in page.text
        found = SECRET.search(page.text)
        assert found
        secret = found.group(1).replace(" ", "")
        wrong = await admin.post(
            "/login/enrol", {"code": wrong_code(secret, strict), "next": "/gaps"}
        )
        assert wrong.status_code == 400 and not await opens(admin, "/reports")
        done = await admin.post("/login/enrol", {"code": code_now(secret, strict), "next": "/gaps"})
        assert done.status_code == 200 and len(RECOVERY.findall(done.text)) == 8
        assert 'href="/gaps"' in done.text
        assert await opens(admin, "/gaps")
        assert "不能关闭" in (await admin.get("/account")).text

        await reviewer.get("/login")
        plain = await reviewer.post("/login", {"name": "reviewer1", "password": PASSWORD})
        assert plain.headers["location"] == "/"  # required of admins only
    finally:
        await admin.close()
        await reviewer.close()


async def test_the_step_cookie_does_not_survive_as_a_login_after_logout(
    web: Web, browser: Callable[[], Browser]
) -> None:
    """A captured cookie jar from the code step, replayed after the person finished logging in
    and out, opens nothing and cannot finish a second login."""
    person = browser()
    await person.log_in("admin1")
    secret, _ = await enrol(person, web)
    await person.post("/logout")
    await password_step(person)
    captured = httpx.Cookies(person.http.cookies)
    web.clock.advance(seconds=30)
    await person.post("/login/code", {"code": code_now(secret, web)})
    await person.post("/logout")
    thief = Browser(web.app)
    for cookie in captured.jar:
        thief.http.cookies.set(cookie.name, cookie.value or "", domain=cookie.domain)
    web.clock.advance(seconds=30)
    await thief.get("/login")
    late = await thief.post("/login/code", {"code": code_now(secret, web)})
    assert late.status_code == 303 and late.headers["location"].startswith("/login?")
    assert not await opens(thief, "/reports")
    await thief.close()
