"""Area alerts: subscriptions to a district, and the daily digest the scheduler's housekeeping
queues through the outbox (what it shows, what it never shows, when)."""

from __future__ import annotations

import html
from datetime import datetime

import pytest
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from ground.clock import SHANGHAI, ManualClock
from outbox import OutboxMessage
from reports import InvalidReport, ReportService, Status, publish
from reports.alerts import (
    DIGEST_KIND,
    AreaAlerts,
    AreaDigest,
    DigestTimes,
    queue_area_digests,
)
from reports.housekeeping import Housekeeping
from reports.models import AreaSubscription
from reports.notices import notice_from_payload
from reports.privacy import DEMO_IDS_FROM
from tests.unit.reports.conftest import STAFF, move, report_input

CITIZEN = 5001  # the subscriber (user and private chat)
REPORTER_PHONE = "13812345678"
PRIVATE = "张三家门口的锅炉，住在锦江北路88号"


def at(hour: int, minute: int = 0, *, day: int = 3) -> datetime:
    return datetime(2026, 11, day, hour, minute, tzinfo=SHANGHAI)


async def digests(session: AsyncSession) -> list[OutboxMessage]:
    rows = await session.scalars(
        select(OutboxMessage).where(OutboxMessage.kind == DIGEST_KIND).order_by(OutboxMessage.id)
    )
    return list(rows)


def shown(row: OutboxMessage, script: str = "hans") -> str:
    """What the citizen reads: the digest rendered as the bot renders it (bot/notices.py)."""
    notice = notice_from_payload(row.payload)
    assert isinstance(notice, AreaDigest)
    return notice.render(script, escape=html.escape, strong=lambda t: f"<b>{html.escape(t)}</b>")


async def subscribe(session: AsyncSession, clock: ManualClock, district: str = "碧江区") -> None:
    await AreaAlerts(session).subscribe(
        user_id=CITIZEN, chat_id=CITIZEN, district=district, script="hans", now=clock.now()
    )


@pytest.fixture
def duty() -> Housekeeping:
    return Housekeeping(retention_days=365, staff_chat_id=None)


# --- subscriptions --------------------------------------------------------------------------


async def test_a_citizen_subscribes_toggles_and_lists_districts_in_the_lists_order(
    session: AsyncSession, clock: ManualClock
) -> None:
    alerts = AreaAlerts(session)
    await subscribe(session, clock, "万山区")
    assert await alerts.toggle(
        user_id=CITIZEN, chat_id=CITIZEN, district="碧江区", script="hans", now=clock.now()
    )
    assert not await alerts.subscribe(
        user_id=CITIZEN, chat_id=CITIZEN, district="万山区", script="hans", now=clock.now()
    ), "already subscribed: no second row"
    assert await alerts.districts(CITIZEN) == ["碧江区", "万山区"]
    assert not await alerts.toggle(
        user_id=CITIZEN, chat_id=CITIZEN, district="万山区", script="hans", now=clock.now()
    )
    assert await alerts.districts(CITIZEN) == ["碧江区"]
    assert await alerts.unsubscribe(CITIZEN, "碧江区")
    assert not await alerts.unsubscribe(CITIZEN, "碧江区")
    assert await alerts.districts(CITIZEN) == []


async def test_an_unknown_district_is_refused(session: AsyncSession, clock: ManualClock) -> None:
    with pytest.raises(InvalidReport):
        await subscribe(session, clock, "<script>区")
    assert list(await session.scalars(select(AreaSubscription))) == []


async def test_erasing_a_citizen_removes_every_area_subscription(
    session: AsyncSession, clock: ManualClock
) -> None:
    await subscribe(session, clock, "碧江区")
    await subscribe(session, clock, "石阡县")
    await AreaAlerts(session).subscribe(
        user_id=CITIZEN + 1, chat_id=CITIZEN + 1, district="碧江区", script="hans", now=clock.now()
    )
    assert await AreaAlerts(session).erase(CITIZEN) == 2
    left = list(await session.scalars(select(AreaSubscription.user_id)))
    assert left == [CITIZEN + 1]


# --- the digest's content -------------------------------------------------------------------


async def test_the_digest_lists_new_and_resolved_reports_with_only_published_text(
    service: ReportService, session: AsyncSession, clock: ManualClock, duty: Housekeeping
) -> None:
    clock.set(at(9))
    await subscribe(session, clock)
    clock.set(at(10))
    published = await service.submit(
        **report_input(description=f"{PRIVATE}，<b>天天冒黑烟</b>", phone=REPORTER_PHONE)
    )
    await publish(service, published.ticket, "锦江北路一处锅炉冒黑烟 <已核实>", by=STAFF)
    unpublished = await service.submit(
        **report_input(user_id=1002, description=PRIVATE, address="锦江北路88号")
    )
    await move(service, unpublished.ticket, Status.RESOLVED)
    elsewhere = await service.submit(**report_input(user_id=1003, district="万山区"))
    demo = await service.submit(**report_input(user_id=DEMO_IDS_FROM + 7, chat_id=DEMO_IDS_FROM))

    clock.set(at(18, 5))
    await duty(session, clock)
    [row] = await digests(session)
    assert row.chat_id == CITIZEN and row.text == ""
    text = shown(row)
    assert text.startswith("📍 片区举报日报（2026年11月3日）")
    assert "【碧江区】新举报 2 件，新办结 1 件" in text
    assert f"<b>{published.ticket}</b> 大气/扬尘｜已提交" in text
    assert f"<b>{unpublished.ticket}</b> 大气/扬尘｜已办结" in text
    assert "公开说明：锦江北路一处锅炉冒黑烟 &lt;已核实&gt;" in text  # escaped at render
    assert elsewhere.ticket not in text, "another district"
    assert demo.ticket not in text, "a sandbox report never"
    # Nothing of the reporters: their own descriptions, names, phones, addresses, ids.
    for secret in ("张三", "锦江北路88号", "黑烟</b>", "天天冒黑烟", REPORTER_PHONE, "1001"):
        assert secret not in text
        assert secret not in str(row.payload)
    assert "/alerts" in text


async def test_a_traditional_reader_gets_the_digest_in_traditional(
    service: ReportService, session: AsyncSession, clock: ManualClock, duty: Housekeeping
) -> None:
    clock.set(at(9))
    await subscribe(session, clock)
    clock.set(at(10))
    await service.submit(**report_input())
    clock.set(at(18))
    await duty(session, clock)
    [row] = await digests(session)
    assert "片區舉報日報" in shown(row, "hant") and "新舉報 1 件" in shown(row, "hant")


async def test_the_digest_lists_at_most_ten_reports_and_says_how_many_more(
    service: ReportService, session: AsyncSession, clock: ManualClock
) -> None:
    clock.set(at(9))
    await subscribe(session, clock)
    clock.set(at(10))
    tickets = [(await service.submit(**report_input(user_id=2000 + n))).ticket for n in range(13)]
    clock.set(at(18))
    assert await queue_area_digests(session, clock.now()) == 1
    text = shown((await digests(session))[0])
    assert "新举报 13 件" in text and "……另有 3 件未列出。" in text
    assert all(t in text for t in tickets[:10]) and not any(t in text for t in tickets[10:])


async def test_a_withdrawn_publication_shows_no_text(
    service: ReportService, session: AsyncSession, clock: ManualClock
) -> None:
    from reports import withdraw

    clock.set(at(9))
    await subscribe(session, clock)
    clock.set(at(10))
    report = await service.submit(**report_input())
    await publish(service, report.ticket, "工地扬尘已核实", by=STAFF)
    await withdraw(service, report.ticket, by=STAFF)
    clock.set(at(18))
    await queue_area_digests(session, clock.now())
    text = shown((await digests(session))[0])
    assert report.ticket in text and "工地扬尘已核实" not in text and "公开说明" not in text


# --- when -----------------------------------------------------------------------------------


async def test_nothing_new_queues_nothing(
    service: ReportService, session: AsyncSession, clock: ManualClock, duty: Housekeeping
) -> None:
    await service.submit(**report_input())  # 10:00, before the subscription
    clock.set(at(11))
    await subscribe(session, clock)
    await service.submit(**report_input(user_id=1002, district="石阡县"))  # not their district
    clock.set(at(18))
    await duty(session, clock)
    assert await digests(session) == []
    [subscription] = await session.scalars(select(AreaSubscription))
    assert subscription.last_digest_at == at(18), "looked at: not again until tomorrow"


async def test_one_digest_a_day_then_the_next_covers_only_what_came_after(
    service: ReportService, session: AsyncSession, clock: ManualClock, duty: Housekeeping
) -> None:
    clock.set(at(9))
    await subscribe(session, clock)
    clock.set(at(10))
    first = await service.submit(**report_input())
    clock.set(at(18))
    await duty(session, clock)
    clock.set(at(19))
    later = await service.submit(**report_input(user_id=1002))
    for minute in (20, 40):  # more ticks the same evening, or a second instance
        clock.set(at(20, minute))
        await duty(session, clock)
    assert len(await digests(session)) == 1, "one a day"
    assert later.ticket not in shown((await digests(session))[0])

    clock.set(at(18, day=4))
    await duty(session, clock)
    await duty(session, clock)
    rows = await digests(session)
    assert len(rows) == 2
    assert rows[1].dedupe_key == f"{DIGEST_KIND}:{CITIZEN}:2026-11-04"
    assert later.ticket in shown(rows[1]) and first.ticket not in shown(rows[1])


async def test_a_resolution_is_announced_on_the_day_it_happens(
    service: ReportService, session: AsyncSession, clock: ManualClock, duty: Housekeeping
) -> None:
    clock.set(at(9))
    await subscribe(session, clock)
    clock.set(at(10))
    report = await service.submit(**report_input())
    clock.set(at(18))
    await duty(session, clock)
    clock.set(at(10, day=4))
    await move(service, report.ticket, Status.RESOLVED)
    clock.set(at(18, day=4))
    await duty(session, clock)
    text = shown((await digests(session))[1])
    assert "新举报 0 件，新办结 1 件" in text and f"{report.ticket}</b> 大气/扬尘｜已办结" in text


async def test_nothing_before_the_digest_hour_nor_in_quiet_hours(
    service: ReportService, session: AsyncSession, clock: ManualClock, duty: Housekeeping
) -> None:
    clock.set(at(8))
    await subscribe(session, clock)
    clock.set(at(9))
    await service.submit(**report_input())
    clock.set(at(17, 59))
    await duty(session, clock)
    assert await digests(session) == [], "not before 18:00"
    clock.set(at(23, 30))  # the whole evening missed (the bot was down): quiet now
    await duty(session, clock)
    clock.set(at(2, day=4))
    await duty(session, clock)
    assert await digests(session) == [], "never in quiet hours"
    clock.set(at(8, 1, day=4))  # quiet hours over: yesterday's digest goes out now
    await duty(session, clock)
    [row] = await digests(session)
    assert row.dedupe_key.endswith(":2026-11-03") and row.created_at is not None


async def test_a_digest_hour_inside_quiet_hours_waits_for_their_end() -> None:
    times = DigestTimes(hour=23, quiet_start=22, quiet_end=8)
    assert times.latest_due(at(23, 30)) is None
    assert times.latest_due(at(7, 59, day=4)) is None
    due = times.latest_due(at(8, 0, day=4))
    assert due is not None and due[1] == at(8, 0, day=4) and due[0].isoformat() == "2026-11-03"


async def test_an_unreachable_citizen_is_not_queued_a_digest(
    service: ReportService, session: AsyncSession, clock: ManualClock, duty: Housekeeping
) -> None:
    from citizens import Citizens

    clock.set(at(9))
    await Citizens(session).seen(user_id=CITIZEN, chat_id=CITIZEN, now=clock.now())
    await subscribe(session, clock)
    await Citizens(session).mark_unreachable(CITIZEN)
    clock.set(at(10))
    await service.submit(**report_input())
    clock.set(at(18))
    await duty(session, clock)
    assert await digests(session) == []


async def test_one_digest_for_several_districts(
    service: ReportService, session: AsyncSession, clock: ManualClock, duty: Housekeeping
) -> None:
    clock.set(at(9))
    await subscribe(session, clock, "石阡县")
    await subscribe(session, clock, "碧江区")
    clock.set(at(10))
    await service.submit(**report_input())
    await service.submit(**report_input(user_id=1002, district="石阡县"))
    clock.set(at(18))
    await duty(session, clock)
    [row] = await digests(session)
    text = shown(row)
    assert text.index("【碧江区】") < text.index("【石阡县】")


async def test_the_payload_round_trips() -> None:
    from reports.alerts import DigestItem, DigestSection

    digest = AreaDigest(
        day="2026-11-03",
        sections=(
            DigestSection("碧江区", 1, 0, (DigestItem("TR-2611-0001", "air", "accepted", "x"),)),
        ),
        more=2,
        script="hant",
    )
    assert AreaDigest.from_payload(digest.payload()) == digest
    assert AreaDigest.from_payload({"notice": "report_status"}) is None
