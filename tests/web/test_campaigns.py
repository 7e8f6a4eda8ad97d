"""Campaigns in the console: the calendar, announced dates, broadcasts and their progress."""

from __future__ import annotations

from collections.abc import Callable
from datetime import date

from sqlalchemy import select

from campaigns import AnnouncedDates, Broadcast, Subscriptions
from outbox import OutboxMessage, OutboxStatus
from outbox.claims import Claims
from tests.web.conftest import Browser, Web


async def admin(browser: Callable[[], Browser]) -> Browser:
    person = browser()
    await person.log_in("admin1")
    return person


async def subscribe(web: Web, *chats: tuple[int, list[str]]) -> None:
    async with web.sessions.begin() as session:
        for chat_id, topics in chats:
            await Subscriptions(session).subscribe(
                user_id=chat_id, chat_id=chat_id, now=web.clock.now(), topics=topics
            )


async def test_admin_announces_this_years_dates_and_the_calendar_shows_them(
    web: Web, browser: Callable[[], Browser]
) -> None:
    person = await admin(browser)
    response = await person.post(
        "/campaigns/dates",
        {"event_id": "energy-saving-week", "start": "2027年6月21日", "end": "2027-06-27"},
    )
    assert response.status_code == 303
    async with web.sessions() as session:
        rows = await AnnouncedDates(session).all()
    assert [(r.event_id, r.start, r.end) for r in rows] == [
        ("energy-saving-week", date(2027, 6, 21), date(2027, 6, 27))
    ]
    calendar = await person.get("/campaigns")
    assert "2027年6月21日 至 2027年6月27日" in calendar.text
    assert "已登记全国节能宣传周：2027年6月21日至2027年6月27日" in calendar.text


async def test_events_still_waiting_for_this_years_dates_are_listed_with_a_call_to_enter_them(
    web: Web, browser: Callable[[], Browser]
) -> None:
    person = await admin(browser)
    calendar = await person.get("/campaigns")
    assert "2026 年还在等日期：" in calendar.text and "全国节能宣传周" in calendar.text
    assert 'type="date"' not in calendar.text, "no browser-locale date fields"
    await person.post(
        "/campaigns/dates", {"event_id": "energy-saving-week", "start": "2026年6月15日"}
    )
    waiting = (await person.get("/campaigns")).text.split("还在等日期：")[1].split("</div>")[0]
    assert "全国节能宣传周" not in waiting


async def test_dates_that_end_before_they_start_are_refused(
    web: Web, browser: Callable[[], Browser]
) -> None:
    person = await admin(browser)
    response = await person.post(
        "/campaigns/dates",
        {"event_id": "low-carbon-day", "start": "2027-06-23", "end": "2027-06-20"},
    )
    assert response.status_code == 400 and "日期无效" in response.text
    unknown = await person.post(
        "/campaigns/dates", {"event_id": "no-such-day", "start": "2027-06-23"}
    )
    assert unknown.status_code == 404
    async with web.sessions() as session:
        assert await AnnouncedDates(session).all() == []


async def test_broadcast_now_queues_one_message_per_subscriber_and_shows_progress(
    web: Web, browser: Callable[[], Browser]
) -> None:
    await subscribe(web, (8000001, ["energy"]), (8000002, ["water"]), (8000003, ["energy"]))
    person = await admin(browser)
    compose = await person.get("/campaigns/broadcasts/new")
    assert "节能降耗（2 人）" in compose.text
    response = await person.post(
        "/campaigns/broadcasts", {"text": "节能周 <b>开始</b> 啦", "topics": ["energy"]}
    )
    assert response.status_code == 303
    location = response.headers["location"]
    preview = await person.get(location)
    assert "预览：订阅者将收到" in preview.text and "共 <strong>2</strong> 人" in preview.text
    assert "节能周 &lt;b&gt;开始&lt;/b&gt; 啦" in preview.text, "shown as sent: escaped"
    async with web.sessions() as session:
        assert list(await session.scalars(select(OutboxMessage))) == [], "nothing before confirm"
    confirmed = await person.post(f"{location}/send", {"when": "now"})
    assert confirmed.status_code == 303
    twice = await person.post(f"{location}/send", {"when": "now"})
    assert twice.status_code == 400, "a second confirmation sends nothing more"
    async with web.sessions() as session:
        rows = list(await session.scalars(select(OutboxMessage).order_by(OutboxMessage.chat_id)))
    assert [row.chat_id for row in rows] == [8000001, 8000003]
    assert rows[0].text == "节能周 &lt;b&gt;开始&lt;/b&gt; 啦"  # plain text, safe in HTML mode
    progress = await person.get(location)
    assert "0%" in progress.text and 'http-equiv="refresh"' in progress.text
    claims, now = Claims(web.sessions), web.clock.now()
    assert await claims.claim(rows[0].id, token="t", now=now) is not None  # a sender delivers one
    await claims.finish(rows[0].id, token="t", status=OutboxStatus.SENT, now=now, error=None)
    halfway = await person.get(location)
    assert "50%" in halfway.text


async def test_uncertain_deliveries_are_explained_and_requeued_only_when_an_admin_asks(
    web: Web, browser: Callable[[], Browser]
) -> None:
    await subscribe(web, (8000001, ["energy"]), (8000002, ["energy"]))
    person = await admin(browser)
    response = await person.post("/campaigns/broadcasts", {"text": "节能周", "topics": ["energy"]})
    location = response.headers["location"]
    await person.post(f"{location}/send", {"when": "now"})
    async with web.sessions() as session:
        rows = list(await session.scalars(select(OutboxMessage).order_by(OutboxMessage.chat_id)))
    claims, now = Claims(web.sessions), web.clock.now()
    await claims.claim(rows[0].id, token="dead:1", now=now)  # in flight when its sender died
    assert await claims.recover_from(["dead"], policy="uncertain") == [rows[0].broadcast_id]
    page = await person.get(location)
    assert "无法知道对方是否已收到" in page.text and "重新发送这 1 条" in page.text
    requeue = await person.post(f"{location}/requeue", {})
    assert requeue.status_code == 303
    async with web.sessions() as session:
        statuses = {r.chat_id: r.status for r in await session.scalars(select(OutboxMessage))}
    assert statuses == {8000001: OutboxStatus.PENDING, 8000002: OutboxStatus.PENDING}
    assert "重新发送这" not in (await person.get(location)).text


async def test_scheduled_broadcast_waits_and_can_be_cancelled(
    web: Web, browser: Callable[[], Browser]
) -> None:
    await subscribe(web, (8000011, ["garbage"]))
    person = await admin(browser)
    response = await person.post("/campaigns/broadcasts", {"text": "明天垃圾分类宣传"})
    assert response.status_code == 303
    scheduled = await person.post(
        f"{response.headers['location']}/send", {"when": "later", "at": "2026年11月4日 9:00"}
    )
    assert scheduled.status_code == 303
    assert (
        "已预约在 2026年11月4日 09:00 发送"
        in (await person.get(scheduled.headers["location"])).text
    )
    async with web.sessions() as session:
        broadcast = (await session.scalars(select(Broadcast))).one()
        queued = list(await session.scalars(select(OutboxMessage)))
    assert broadcast.status == "scheduled" and queued == []
    cancelled = await person.post(f"/campaigns/broadcasts/{broadcast.id}/cancel")
    assert cancelled.status_code == 303
    page = await person.get(cancelled.headers["location"])
    assert "已取消" in page.text
    again = await person.post(f"/campaigns/broadcasts/{broadcast.id}/cancel")
    assert again.status_code == 303  # cancelling twice is harmless


async def test_a_broadcast_in_the_past_or_empty_is_refused(
    web: Web, browser: Callable[[], Browser]
) -> None:
    person = await admin(browser)
    empty = await person.post("/campaigns/broadcasts", {"text": "   "})
    bad_topic = await person.post("/campaigns/broadcasts", {"text": "x", "topics": ["fishing"]})
    assert empty.status_code == 400
    assert bad_topic.status_code == 400 and "订阅主题" in bad_topic.text
    async with web.sessions() as session:
        assert list(await session.scalars(select(Broadcast))) == []
    draft = await person.post("/campaigns/broadcasts", {"text": "过期"})
    location = draft.headers["location"]
    past = await person.post(f"{location}/send", {"when": "later", "at": "2026-11-01 09:00"})
    vague = await person.post(f"{location}/send", {"when": "later", "at": "明天早上"})
    assert past.status_code == 400 and "晚于现在" in past.text
    assert vague.status_code == 400 and "2026年6月18日 09:00" in vague.text
    async with web.sessions() as session:
        assert [b.status for b in await session.scalars(select(Broadcast))] == ["draft"]


async def test_reviewer_reads_the_calendar_but_cannot_broadcast(
    web: Web, browser: Callable[[], Browser]
) -> None:
    person = browser()
    await person.log_in("reviewer1")
    calendar = await person.get("/campaigns")
    assert calendar.status_code == 200 and "全国节能宣传周" in calendar.text
    assert "撰写群发消息" not in calendar.text
    response = await person.post("/campaigns/broadcasts", {"text": "越权群发"})
    assert response.status_code == 403
    async with web.sessions() as session:
        assert list(await session.scalars(select(Broadcast))) == []
