"""The /chat sandbox under a flood: limits per source address (not per cookie) on messages,
button presses, new visitors and reports, kept in the database; chats kept there too, so two
instances serve one visitor's transcript and a flood evicts only its own chats; photos stored
without their EXIF. In-process over HTTP (httpx on `create_app`), the clock in the test's hand;
the last test floods a real `greenbot run` behind a trusted proxy."""

from __future__ import annotations

import asyncio
import io
import re
import time
from collections.abc import AsyncIterator, Callable
from contextlib import asynccontextmanager
from pathlib import Path
from typing import Any

import httpx
import pytest
from PIL import Image
from sqlalchemy import func, select

from bot import texts
from bot.texts import reports as report_texts
from reports import Report
from tests.web.conftest import Browser, Web, web_settings
from tests.web.test_chat import BUTTON, FETCH, Visitor
from web.routes.chat import BUSY
from web.sandbox.limits import MESSAGE, PRESS, REPORT, VISITOR
from web.sandbox.models import SandboxChat, SandboxFile

pytestmark = pytest.mark.slow  # the answer engine

GREETING = "我是绿色铜仁助手"


@pytest.fixture
def chat_app(tmp_path: Path, web_sessions, web_clock, knowledge_engine) -> Callable[..., Any]:  # type: ignore[no-untyped-def]
    """`create_app` with the sandbox and the given settings; closed when the test ends."""
    from greenbot.root import create_web_app

    apps: list[Any] = []

    @asynccontextmanager
    async def make(**overrides: Any) -> AsyncIterator[Web]:
        settings = web_settings(tmp_path, **overrides)
        app = create_web_app(
            settings, sessions=web_sessions, clock=web_clock, engine=knowledge_engine
        )
        apps.append(app)
        try:
            yield Web(app, settings, web_sessions, web_clock)
        finally:
            await app.state.console.sandbox.close()

    return make


class Guest(Visitor):
    """A visitor whose requests come from `address` (a fresh cookie jar each)."""

    def __init__(self, web: Web, address: str) -> None:
        super().__init__(web)
        transport = httpx.ASGITransport(app=web.app, client=(address, 40000))
        self.browser.http = httpx.AsyncClient(
            transport=transport, base_url="http://console.test", timeout=60
        )

    async def attempt(self, path: str, data: dict[str, Any], **kwargs: Any) -> httpx.Response:
        """A post that may be refused (Visitor._post insists on 200)."""
        response = await self.browser.post(path, data, headers=FETCH, **kwargs)
        if response.status_code == 200:
            self.html = response.text
        return response


async def guest(web: Web, address: str) -> Guest:
    person = Guest(web, address)
    await person.open()
    return person


def refused(response: httpx.Response, kind: str) -> bool:
    return response.status_code == 429 and BUSY[kind] in response.text


async def test_fresh_cookies_from_one_address_are_refused_politely_while_another_is_answered(
    chat_app: Callable[..., Any],
) -> None:
    async with chat_app(sandbox_visitors_per_hour=3) as web:
        replies = []
        for _ in range(5):  # a fresh cookie each time, one address
            flooder = await guest(web, "198.51.100.7")
            replies.append(await flooder.attempt("/chat/send", {"text": "/start"}))
            await flooder.close()
        assert [r.status_code for r in replies] == [200, 200, 200, 429, 429]
        assert GREETING in replies[0].text
        assert refused(replies[3], VISITOR) and "，" in BUSY[VISITOR]  # full-width, polite
        neighbour = await guest(web, "198.51.100.8")
        assert GREETING in await neighbour._post("/chat/send", {"text": "/start"})
        # An open chat keeps working for the flooded address: only new identities are refused.
        web.clock.advance(hours=1)
        again = await guest(web, "198.51.100.7")
        assert (await again.attempt("/chat/send", {"text": "/start"})).status_code == 200
        async with web.sessions() as session:
            chats = await session.scalar(select(func.count()).select_from(SandboxChat))
        assert chats == 5  # three, the neighbour's and the one an hour later


async def test_messages_and_button_presses_are_limited_per_address_per_minute(
    chat_app: Callable[..., Any],
) -> None:
    async with chat_app(sandbox_messages_per_minute=3, sandbox_presses_per_minute=2) as web:
        first, second = await guest(web, "203.0.113.5"), await guest(web, "203.0.113.5")
        assert (await first.attempt("/chat/send", {"text": "/lang"})).status_code == 200
        assert (await second.attempt("/chat/send", {"text": "/help"})).status_code == 200
        assert (await first.attempt("/chat/send", {"text": "/start"})).status_code == 200
        over = await second.attempt("/chat/send", {"text": "/start"})  # the cookie is no escape
        assert refused(over, MESSAGE)

        message_id, data, _ = BUTTON.findall(first.html)[0]  # 简体中文 under /lang's prompt
        press = {"message_id": message_id, "data": data}
        statuses = [(await first.attempt("/chat/press", press)).status_code for _ in range(3)]
        assert statuses == [200, 200, 429]
        assert refused(await second.attempt("/chat/press", press), PRESS)

        web.clock.advance(minutes=1)  # a new minute: answered again
        assert (await second.attempt("/chat/send", {"text": "/help"})).status_code == 200


async def file_in_the_sandbox(person: Guest, category: str, description: str) -> httpx.Response:
    """/report to 提交 with the district only; the response to 提交."""
    await person._post("/chat/send", {"text": "/report"})
    await person.press(category)
    await person._post("/chat/send", {"text": description})
    await person.press(report_texts.BUTTON_DISTRICT_ONLY)
    await person.press("碧江区")
    await person.press(report_texts.BUTTON_DONE)
    await person._post("/chat/send", {"text": report_texts.BUTTON_NO_PHONE})
    found = list(re.finditer(r'value="(\d+)">\s*<input type="hidden" name="data" '
                                    r'value="(rp:submit)"', person.html))  # fmt: skip
    assert found, person.buttons()
    message_id, data = found[-1].groups()
    return await person.attempt("/chat/press", {"message_id": message_id, "data": data})


async def test_reports_from_one_address_are_limited_whatever_the_cookie(
    chat_app: Callable[..., Any],
) -> None:
    async with chat_app(sandbox_reports_per_hour=1) as web:
        filed = await file_in_the_sandbox(
            await guest(web, "192.0.2.10"), "大气/扬尘", "工地夜间施工扬尘很大，没有洒水"
        )
        assert filed.status_code == 200 and "工单号" in filed.text
        second = await file_in_the_sandbox(
            await guest(web, "192.0.2.10"), "噪声", "广场舞音响太吵，深夜还在放"
        )
        assert refused(second, REPORT) and "12369" in second.text
        elsewhere = await file_in_the_sandbox(
            await guest(web, "192.0.2.11"), "水污染", "河面漂着死鱼，有刺鼻气味"
        )
        assert elsewhere.status_code == 200
        async with web.sessions() as session:
            reports = list(await session.scalars(select(Report)))
        assert len(reports) == 2
        assert all(r.lat is None and r.location_consent_at is None for r in reports)


async def test_two_instances_on_one_database_serve_the_same_visitors_chat(
    chat_app: Callable[..., Any],
) -> None:
    async with chat_app() as first:
        dispatcher = first.app.state.console.sandbox.dispatcher
        from web.app import create_app

        other = create_app(
            first.settings,
            sessions=first.sessions,
            clock=first.clock,
            dispatcher=lambda: dispatcher,  # one process here: the bot's handlers are shared
        )
        one = await guest(first, "10.1.1.1")
        two = Guest(Web(other, first.settings, first.sessions, first.clock), "10.1.1.1")
        two.browser.http.cookies = one.browser.http.cookies  # the same visitor, either instance
        await one._post("/chat/send", {"text": "/start"})
        shown = await two.refresh()
        assert GREETING in shown
        await two._post("/chat/send", {"text": "/lang"})
        assert two.buttons()  # 简体 / 繁體, sent through the second instance
        await one.refresh()
        chosen = await one.press(texts.LANG_HANS)  # pressed on the first
        assert GREETING in chosen and "好的，以后用简体中文回复您" in chosen
        ids = re.findall(r'data-message-id="(\d+)"', await two.refresh())
        assert len(ids) == len(set(ids)) >= 4  # no message id given twice
        assert re.findall(r'data-message-id="(\d+)"', await one.refresh()) == ids


async def test_a_flood_of_chats_evicts_only_its_own_and_idle_chats_expire(
    chat_app: Callable[..., Any], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr("web.sandbox.store.CHATS_PER_SOURCE", 3)
    async with chat_app(sandbox_visitors_per_hour=0) as web:  # the identity limit off
        resident = await guest(web, "10.2.2.2")
        await resident._post("/chat/send", {"text": "/start"})
        for _ in range(6):
            flooder = await guest(web, "10.9.9.9")
            await flooder._post("/chat/send", {"text": "/help"})
        assert GREETING in await resident.refresh()  # still there
        async with web.sessions() as session:
            by_source = dict(
                (await session.execute(
                    select(SandboxChat.source, func.count()).group_by(SandboxChat.source)
                )).all()
            )  # fmt: skip
        assert sorted(by_source.values()) == [1, 3]  # the flooder kept only its newest three

        web.clock.advance(days=8)  # past GREENBOT_SANDBOX_CHAT_DAYS
        newcomer = await guest(web, "10.3.3.3")
        await newcomer._post("/chat/send", {"text": "/start"})
        assert "开始" in await resident.refresh() and GREETING not in resident.html
        async with web.sessions() as session:
            assert await session.scalar(select(func.count()).select_from(SandboxChat)) == 1


def gps_jpeg() -> bytes:
    exif = Image.Exif()
    exif[0x010F] = "PhoneMaker"
    exif.get_ifd(0x8825).update({1: "N", 2: (27.0, 43.0, 5.0), 3: "E", 4: (109.0, 11.0, 20.0)})
    output = io.BytesIO()
    Image.new("RGB", (20, 10), (90, 160, 40)).save(output, format="JPEG", exif=exif)
    return output.getvalue()


async def test_an_uploaded_photo_is_stored_without_its_exif(
    chat_app: Callable[..., Any],
) -> None:
    async with chat_app() as web:
        person = await guest(web, "10.4.4.4")
        await person._post("/chat/send", {"text": "你好"})
        await person._post("/chat/photo", {"caption": ""}, files={"photo": ("p.jpg", gps_jpeg())})
        file_id = re.findall(r'src="/chat/files/([^"]+)"', person.html)[-1]
        shown = await person.browser.http.get(f"/chat/files/{file_id}")
        assert shown.status_code == 200 and b"PhoneMaker" not in shown.content
        assert not Image.open(io.BytesIO(shown.content)).getexif()
        stranger = await guest(web, "10.4.4.5")
        assert (await stranger.browser.http.get(f"/chat/files/{file_id}")).status_code == 404
        async with web.sessions() as session:
            (stored,) = await session.scalars(select(SandboxFile.data))
        assert not Image.open(io.BytesIO(stored)).getexif().get_ifd(0x8825)


async def test_a_running_greenbot_limits_fresh_cookies_by_the_forwarded_address(
    tmp_path: Path, knowledge_engine: Any
) -> None:
    """`greenbot run` behind a proxy it trusts (127.0.0.1 here): X-Forwarded-For names the
    source; a client's own X-Forwarded-For entries, left of the proxy's, prove nothing."""
    from tests.web.test_server import free_port, greenbot

    settings = web_settings(
        tmp_path,
        web_port=free_port(),
        web_trusted_proxies=["127.0.0.1"],
        sandbox_visitors_per_hour=2,
    )
    async with greenbot(settings, knowledge_engine) as base:

        async def fresh(forwarded: str) -> int:
            person = Browser(base_url=base)
            person.http.headers["X-Forwarded-For"] = forwarded
            await person.get("/chat")
            reply = await person.post("/chat/send", {"text": "/start"}, headers=FETCH)
            await person.close()
            return reply.status_code

        # The counters use fixed windows on the wall clock (web/sandbox/limits.py): a flood
        # that straddles the top of the hour rightly starts a new count, so start clear of it.
        to_next_hour = 3600 - time.time() % 3600
        if to_next_hour < 60:
            await asyncio.sleep(to_next_hour + 1)
        flood = [await fresh(f"10.0.0.{n}, 198.51.100.20") for n in range(4)]
        assert flood == [200, 200, 429, 429]  # the spoofed first hop changed nothing
        assert await fresh("198.51.100.21") == 200
