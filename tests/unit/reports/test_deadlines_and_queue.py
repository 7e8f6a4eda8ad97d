"""Service levels (15 days to respond, 60 to close) and the staff work list."""

from __future__ import annotations

from ground.clock import ManualClock
from reports import Deadline, ReportService, Status
from tests.unit.reports.conftest import STAFF, move, report_input


async def test_a_report_left_submitted_past_fifteen_days_misses_the_respond_deadline(
    service: ReportService, clock: ManualClock
) -> None:
    report = await service.submit(**report_input())
    answered = await service.submit(**report_input(description="已受理的"))
    await move(service, answered.ticket, Status.ACCEPTED)

    clock.advance(days=15)
    assert await service.overdue() == []
    clock.advance(minutes=1)
    overdue = await service.overdue()

    assert [(o.report.ticket, o.missed) for o in overdue] == [(report.ticket, (Deadline.RESPOND,))]


async def test_an_open_report_past_sixty_days_misses_the_close_deadline(
    service: ReportService, clock: ManualClock
) -> None:
    silent = await service.submit(**report_input())
    working = await service.submit(**report_input(description="办理中"))
    done = await service.submit(**report_input(description="已办结"))
    await move(service, working.ticket, Status.IN_PROGRESS)
    await move(service, done.ticket, Status.RESOLVED)

    later = clock.advance(days=60, minutes=1)
    missed = {o.report.ticket: o.missed for o in await service.overdue(later)}

    assert missed == {
        silent.ticket: (Deadline.RESPOND, Deadline.CLOSE),
        working.ticket: (Deadline.CLOSE,),
    }


async def test_queue_filters_by_status_category_district_overdue_and_text(
    service: ReportService, clock: ManualClock
) -> None:
    old = await service.submit(**report_input(description="老旧锅炉冒黑烟"))
    clock.advance(days=20)
    water = await service.submit(
        **report_input(category="water", district="万山区", description="河里有油污 100%")
    )
    noise = await service.submit(**report_input(category="noise", description="夜间施工"))
    await move(service, noise.ticket, Status.ACCEPTED)

    async def tickets(**filters: object) -> list[str]:
        return [r.ticket for r in (await service.queue(**filters)).items]  # type: ignore[arg-type]

    assert await tickets() == [old.ticket, water.ticket, noise.ticket]
    assert await tickets(statuses=["submitted"]) == [old.ticket, water.ticket]
    assert await tickets(category="水污染") == [water.ticket]
    assert await tickets(district="万山区") == [water.ticket]
    assert await tickets(overdue=True) == [old.ticket]
    assert await tickets(search="黑烟") == [old.ticket]
    assert await tickets(search="100%") == [water.ticket]
    assert await tickets(search=noise.ticket.lower()) == [noise.ticket]


async def test_queue_pages_oldest_first(service: ReportService, clock: ManualClock) -> None:
    created = []
    for n in range(5):
        created.append((await service.submit(**report_input(user_id=n, description=f"{n}"))).ticket)
        clock.advance(minutes=1)

    page = await service.queue(page=2, page_size=2)

    assert [r.ticket for r in page.items] == created[2:4]
    assert (page.total, page.pages) == (5, 3)


async def test_for_reporter_lists_only_their_reports_newest_first(
    service: ReportService, clock: ManualClock
) -> None:
    first = await service.submit(**report_input())
    clock.advance(hours=1)
    second = await service.submit(**report_input(description="第二份"))
    await service.submit(**report_input(user_id=42, description="别人的"))

    assert [r.ticket for r in await service.for_reporter(1001)] == [second.ticket, first.ticket]


async def test_staff_changes_do_not_stop_the_clock_on_the_close_deadline(
    service: ReportService, clock: ManualClock
) -> None:
    report = await service.submit(**report_input())
    clock.advance(days=30)
    await service.change_status(report.ticket, Status.ACCEPTED, by=STAFF, note="受理")
    clock.advance(days=31)

    overdue = await service.overdue()
    assert [o.missed for o in overdue] == [(Deadline.CLOSE,)]
