"""The /chat sandbox over HTTP: the bot's real handlers (create_dispatcher) answer a visitor,
with the real answer engine; reports filed here reach the console, and its status changes come
back to the visitor's chat through the outbox."""

from __future__ import annotations

import html
import re
from collections.abc import AsyncIterator, Callable
from pathlib import Path

import pytest
from sqlalchemy import select

from bot import texts
from bot.texts import campaigns as campaign_texts
from bot.texts import reports as report_texts
from campaigns import Subscriptions
from knowledge.feedback import AskedQuestion
from outbox import OutboxMessage, OutboxStatus
from reports import Report
from tests.web.conftest import Browser, Web, web_settings
from tests.web.test_reports import PNG

pytestmark = pytest.mark.slow  # the answer engine

BUTTON = re.compile(
    r'name="message_id" value="(\d+)">\s*<input type="hidden" name="data" value="([^"]*)">'
    r'\s*<button type="submit"(?: aria-label="[^"]*")?>(.*?)</button>',
    re.S,
)
TAG = re.compile(r"<[^>]+>")
FETCH = {"x-requested-with": "fetch"}


@pytest.fixture
async def chat_web(
    tmp_path: Path,
    web_sessions,
    web_clock,
    knowledge_engine,  # type: ignore[no-untyped-def]
) -> AsyncIterator[Web]:
    from greenbot.root import create_web_app

    settings = web_settings(tmp_path)
    app = create_web_app(settings, sessions=web_sessions, clock=web_clock, engine=knowledge_engine)
    yield Web(app, settings, web_sessions, web_clock)
    await app.state.console.sandbox.close()


class Visitor:
    """A citizen at /chat: says things and presses buttons, reading the chat's HTML back."""

    def __init__(self, web: Web) -> None:
        self.browser = Browser(web.app)
        self.html = ""
        self.id = 0

    async def open(self) -> str:
        page = await self.browser.get("/chat")
        assert page.status_code == 200
        self.id = int(re.search(r'data-visitor="(\d+)"', page.text).group(1))  # type: ignore[union-attr]
        self.html = page.text
        return page.text

    async def _post(self, path: str, data: dict, **kwargs) -> str:  # type: ignore[no-untyped-def,type-arg]
        response = await self.browser.post(path, data, headers=FETCH, **kwargs)
        assert response.status_code == 200, response.text
        self.html = response.text
        return response.text

    async def say(self, text: str) -> str:
        return await self._post("/chat/send", {"text": text})

    async def press(self, label: str) -> str:
        """The newest inline button with this label (what a person would tap)."""
        found = [m for m in BUTTON.finditer(self.html) if _shown(m.group(3)) == label]
        assert found, f"no button {label!r} in {self.buttons()}"
        message_id, data, _ = found[-1].groups()
        return await self._post(
            "/chat/press", {"message_id": message_id, "data": html.unescape(data)}
        )

    def buttons(self) -> list[str]:
        return [_shown(m.group(3)) for m in BUTTON.finditer(self.html)]

    async def refresh(self) -> str:
        response = await self.browser.get("/chat/transcript")
        self.html = response.text
        return response.text

    async def close(self) -> None:
        await self.browser.close()


def _shown(button_html: str) -> str:
    """A button's text as the visitor reads it (tags dropped, entities decoded)."""
    return html.unescape(TAG.sub("", button_html)).strip()


@pytest.fixture
async def visitor(chat_web: Web) -> AsyncIterator[Visitor]:
    person = Visitor(chat_web)
    await person.open()
    yield person
    await person.close()


async def test_start_greets_and_shows_the_menu_keyboard(visitor: Visitor) -> None:
    assert "开始" in visitor.html  # an empty chat offers /start
    shown = await visitor.say("/start")
    assert "我是绿色铜仁助手" in shown
    assert 'class="reply-keyboard"' in shown
    for label in (texts.MENU_ASK, texts.MENU_REPORT, texts.MENU_CAMPAIGNS, texts.MENU_HELP):
        assert f'value="{label}"' in shown


async def test_a_question_is_answered_with_its_citation(chat_web: Web, visitor: Visitor) -> None:
    shown = await visitor.say("县城污水处理率要达到多少？")
    assert "铜仁市“十四五”节能减排综合工作方案" in shown  # the citation line
    assert {"👍 有帮助", "👎 没帮助", "查看原文"} <= set(visitor.buttons())  # words, not only emoji
    assert 'aria-label="有帮助"' in shown and 'aria-label="没帮助"' in shown
    async with chat_web.sessions() as session:
        asked = (await session.scalars(select(AskedQuestion))).one()
    assert asked.user_id == visitor.id and asked.covered


async def test_a_thumbs_down_and_its_reason_reach_the_gap_list(
    chat_web: Web, visitor: Visitor
) -> None:
    await visitor.say("县城污水处理率要达到多少？")
    after_down = await visitor.press("👎 没帮助")
    assert texts.THANKS_DOWN in after_down  # answerCallbackQuery, shown as a toast
    assert "哪里不对" in after_down
    saved = await visitor.say("没有写到农村<的>情况")
    assert "您的意见已记录" in saved
    staff = Browser(chat_web.app)
    await staff.log_in("reviewer1")
    gaps = await staff.get("/gaps")
    assert "县城污水处理率要达到多少？" in gaps.text
    feedback = await staff.get("/gaps/feedback")  # the reason, beside the answer it rated
    assert "县城污水处理率要达到多少？" in feedback.text
    assert "没有写到农村&lt;的&gt;情况" in feedback.text
    await staff.close()


async def test_source_button_opens_the_cited_text_in_pages(visitor: Visitor) -> None:
    await visitor.say("县城污水处理率要达到多少？")
    shown = await visitor.press("查看原文")
    assert "第 1/" in shown


async def test_a_button_not_on_the_message_is_refused_before_any_handler(
    visitor: Visitor,
) -> None:
    await visitor.say("/start")
    message_id = re.findall(r'data-message-id="(\d+)"', visitor.html)[-1]
    shown = await visitor._post("/chat/press", {"message_id": message_id, "data": "r:1:0"})
    assert "这个按钮已失效" in shown


async def test_visitor_text_is_escaped_in_the_chat(visitor: Visitor) -> None:
    shown = await visitor.say('<img src=x onerror="alert(1)">你好')
    assert "<img src=x" not in shown
    assert "&lt;img src=x onerror=&#34;alert(1)&#34;&gt;你好" in shown


async def test_impossible_coordinates_are_refused(visitor: Visitor) -> None:
    response = await visitor.browser.post(
        "/chat/location", {"latitude": "95", "longitude": "109"}, headers=FETCH
    )
    assert response.status_code == 400 and "坐标超出范围" in response.text


async def test_report_filed_in_the_sandbox_reaches_staff_and_their_answer_comes_back(
    chat_web: Web, visitor: Visitor
) -> None:
    await visitor.say("/report")
    await visitor.press("大气/扬尘")
    await visitor.say("工地夜间施工扬尘很大，没有洒水")
    assert "敏感个人信息" in visitor.html  # the location's own consent comes first
    assert report_texts.BUTTON_SEND_LOCATION not in visitor.html
    await visitor.press(report_texts.BUTTON_CONSENT_LOCATION)
    assert report_texts.BUTTON_SEND_LOCATION in visitor.html
    await visitor._post("/chat/location", {"latitude": "27.7183", "longitude": "109.1910"})
    assert "您分享的位置在碧江区，对吗？" in visitor.html  # read from the point
    await visitor.press(report_texts.BUTTON_YES)
    await visitor._post("/chat/photo", {"caption": ""}, files={"photo": ("p.png", PNG)})
    assert "已收到第 1 张照片" in visitor.html
    await visitor.press(report_texts.BUTTON_DONE)
    await visitor.say(report_texts.BUTTON_ANONYMOUS)  # a reply-keyboard button sends its text
    submitted = await visitor.press(report_texts.BUTTON_SUBMIT)
    ticket = re.search(r"TR-\d{4}-\d{4}", submitted)
    assert ticket, submitted
    async with chat_web.sessions() as session:
        report = (await session.scalars(select(Report))).one()
    assert report.ticket == ticket.group(0)
    assert report.reporter_chat_id == visitor.id and report.anonymous
    assert (report.lat, report.lon, len(report.photos)) == (27.7183, 109.191, 1)
    assert report.location_consent_at is not None

    staff = Browser(chat_web.app)
    await staff.log_in("reviewer1")
    detail = await staff.get(f"/reports/{report.ticket}")
    assert "工地夜间施工扬尘很大" in detail.text and "匿名举报" in detail.text
    assert str(visitor.id) not in detail.text
    await staff.post(
        f"/reports/{report.ticket}/status", {"to": "accepted", "note": "已安排执法人员核查"}
    )
    await staff.close()

    chat = await visitor.refresh()
    assert f"您的举报 <b>{report.ticket}</b> 有新进展" in chat
    assert "已安排执法人员核查" in chat
    async with chat_web.sessions() as session:
        notice = (await session.scalars(select(OutboxMessage))).one()
    assert notice.chat_id == visitor.id and notice.status == OutboxStatus.SENT
    assert (await visitor.refresh()).count("已安排执法人员核查") == 1  # shown once


async def test_a_subscriber_in_the_sandbox_receives_a_console_broadcast(
    chat_web: Web, visitor: Visitor
) -> None:
    await visitor.say("/subscribe")
    label = campaign_texts.BUTTON_OFF.format(label=campaign_texts.TOPIC_LABELS["energy"])
    await visitor.press(label)
    async with chat_web.sessions() as session:
        subscription = await Subscriptions(session).get(visitor.id)
    assert subscription is not None and subscription.topics == frozenset({"energy"})

    admin = Browser(chat_web.app)
    await admin.log_in("admin1")
    sent = await admin.post(
        "/campaigns/broadcasts", {"text": "节能宣传周开始了 & 欢迎参加", "topics": ["energy"]}
    )
    assert sent.status_code == 303  # a draft, previewed
    confirmed = await admin.post(f"{sent.headers['location']}/send", {"when": "now"})
    assert confirmed.status_code == 303
    chat = await visitor.refresh()
    assert "节能宣传周开始了 &amp; 欢迎参加" in chat
    progress = await admin.get(sent.headers["location"])
    assert "100%" in progress.text
    await admin.close()


async def test_without_an_engine_the_sandbox_says_it_is_off(
    browser: Callable[[], Browser],
) -> None:
    response = await browser().get("/chat")
    assert response.status_code == 503 and "网页体验版未开启" in response.text
