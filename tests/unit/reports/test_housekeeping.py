"""The scheduler leader's duties for reports: the retention promise and one overdue digest a day."""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from ground.clock import ManualClock
from outbox import OutboxMessage
from reports import Report, ReportService, Status
from reports.housekeeping import DIGEST_KIND, Housekeeping
from tests.unit.reports.conftest import move, report_input

STAFF_CHAT = -100500


async def digests(session: AsyncSession) -> list[OutboxMessage]:
    rows = await session.scalars(select(OutboxMessage).where(OutboxMessage.kind == DIGEST_KIND))
    return list(rows)


async def test_phone_numbers_are_cleared_once_past_the_retention_period(
    service: ReportService, session: AsyncSession, clock: ManualClock
) -> None:
    old = await service.submit(**report_input(phone="13800138000"))
    clock.advance(days=300)
    recent = await service.submit(**report_input(user_id=1002, phone="13900139000"))
    clock.advance(days=70)  # old is 370 days old, recent 70
    await Housekeeping(retention_days=365, staff_chat_id=None)(session, clock)
    phones = {r.ticket: r.phone for r in await session.scalars(select(Report))}
    assert phones == {old.ticket: None, recent.ticket: "13900139000"}


async def test_staff_get_one_digest_a_day_listing_overdue_reports_without_reporters(
    service: ReportService, session: AsyncSession, clock: ManualClock
) -> None:
    late = await service.submit(
        **report_input(phone="13800138000", description="<b>锅炉冒黑烟</b>")
    )
    handled = await service.submit(**report_input(user_id=1002))
    await move(service, handled.ticket, Status.ACCEPTED)
    clock.advance(days=16)
    clock.set(clock.now().replace(hour=8, minute=30))
    duty = Housekeeping(retention_days=365, staff_chat_id=STAFF_CHAT)
    await duty(session, clock)
    assert await digests(session) == [], "nothing before 09:00"

    clock.set(clock.now().replace(hour=9, minute=5))
    for _ in range(3):  # every tick, and a second instance, queue it once
        await duty(session, clock)
    [digest] = await digests(session)
    assert digest.chat_id == STAFF_CHAT
    assert late.ticket in digest.text and "超过15日未受理" in digest.text
    assert handled.ticket not in digest.text
    assert "13800138000" not in digest.text and "黑烟" not in digest.text

    clock.advance(days=1)
    await duty(session, clock)
    assert len(await digests(session)) == 2, "the next day brings the next digest"


async def test_no_digest_without_overdue_reports_or_without_a_staff_chat(
    service: ReportService, session: AsyncSession, clock: ManualClock
) -> None:
    clock.set(clock.now().replace(hour=10))
    await Housekeeping(retention_days=365, staff_chat_id=STAFF_CHAT)(session, clock)
    await service.submit(**report_input())
    clock.advance(days=30)
    await Housekeeping(retention_days=365, staff_chat_id=None)(session, clock)
    assert await digests(session) == []
