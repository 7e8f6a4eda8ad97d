"""One contact policy for every surface, demo reports kept apart, and publication for Open311."""

from __future__ import annotations

import csv
import io

import pytest

from ground.clock import ManualClock
from reports import (
    ADMIN,
    REVIEWER,
    CannotPublish,
    ReportService,
    contact_visible,
    may_see_contact,
    publish,
    withdraw,
    write_csv,
)
from reports.open311 import public_request
from reports.privacy import DEMO_IDS_FROM, OPEN311
from tests.unit.reports.conftest import STAFF, report_input

PHONE = "13908560000"
VISITOR = DEMO_IDS_FROM + 7


async def test_admins_see_a_named_reporters_contact_and_reviewers_by_default_never(
    service: ReportService,
) -> None:
    named = await service.submit(**report_input(phone=PHONE))

    assert contact_visible(ADMIN, named)
    assert not contact_visible(REVIEWER, named)
    assert not contact_visible(OPEN311, named) and not contact_visible("", named)
    assert may_see_contact(ADMIN) and not may_see_contact(REVIEWER)


async def test_reviewers_see_contact_only_when_the_city_allows_and_the_reporter_left_a_phone(
    service: ReportService,
) -> None:
    with_phone = await service.submit(**report_input(phone=PHONE))
    without = await service.submit(**report_input(user_id=1002, chat_id=2002))

    assert contact_visible(REVIEWER, with_phone, reviewers_see_contact=True)
    assert not contact_visible(REVIEWER, without, reviewers_see_contact=True)
    assert contact_visible(ADMIN, without)  # the Telegram account, for admins
    assert not contact_visible(OPEN311, with_phone, reviewers_see_contact=True)


async def test_anonymous_and_erased_reporters_are_hidden_from_everyone(
    service: ReportService,
) -> None:
    anonymous = await service.submit(**report_input(phone=PHONE, anonymous=True))
    erased = await service.submit(**report_input(user_id=1003, chat_id=2003, phone=PHONE))
    await service.erase_reporter(1003)
    await service.session.refresh(erased)

    for report in (anonymous, erased):
        for role in (ADMIN, REVIEWER, OPEN311):
            assert not contact_visible(role, report, reviewers_see_contact=True), role


async def test_the_csv_follows_the_policy_for_the_role_it_is_made_for(
    service: ReportService,
) -> None:
    report = await service.submit(**report_input(phone=PHONE))

    def export(**options: object) -> list[dict[str, str]]:
        out = io.StringIO()
        write_csv([report], out, include_contact=True, **options)  # type: ignore[arg-type]
        return list(csv.DictReader(io.StringIO(out.getvalue())))

    assert export(role=ADMIN)[0]["phone"] == PHONE
    assert export(role=REVIEWER)[0]["phone"] == ""
    assert export(role=REVIEWER)[0]["reporter_user_id"] == ""
    assert export(role=REVIEWER, reviewers_see_contact=True)[0]["phone"] == PHONE


async def test_a_sandbox_visitors_report_is_a_demo_kept_out_of_the_queue_and_similar_offers(
    service: ReportService,
) -> None:
    real = await service.submit(**report_input())
    demo = await service.submit(**report_input(user_id=VISITOR, chat_id=VISITOR))
    assert (real.demo, demo.demo) == (False, True)

    queue = await service.queue()
    with_demo = await service.queue(include_demo=True)
    similar = await service.find_similar(
        "air", real.lat, real.lon, "碧江区", "锦江路工地扬尘严重，运输车辆带泥上路"
    )

    assert [r.ticket for r in queue.items] == [real.ticket] and queue.total == 1
    assert [r.ticket for r in with_demo.items] == [real.ticket, demo.ticket]
    assert [match.report.ticket for match in similar] == [real.ticket]

    await service.erase_reporter(VISITOR)  # /deleteme drops the id, not the mark
    await service.session.refresh(demo)
    assert demo.demo and demo.reporter_user_id is None


async def test_publishing_keeps_staffs_text_and_writes_the_audit_trail(
    service: ReportService, clock: ManualClock
) -> None:
    report = await service.submit(
        **report_input(description="我叫李四，家住锦江路 3 号", lat=27.718349, lon=109.189461)
    )
    clock.advance(hours=2)

    await publish(service, report.ticket, "  锦江路一处工地扬尘  ", by=STAFF)
    public = public_request(report)
    events = await service.events(report.ticket)

    assert report.public_description == "锦江路一处工地扬尘" and report.published_at == clock.now()
    assert public["description"] == "锦江路一处工地扬尘"
    assert (public["lat"], public["long"]) == (27.718, 109.189)
    assert public["address"] == "碧江区" and "李四" not in repr(public)
    assert [(e.action, e.note, e.staff_name) for e in events][-1] == (
        "published",
        "锦江路一处工地扬尘",
        STAFF.name,
    )
    assert events[-1].from_status == events[-1].to_status == report.status

    await withdraw(service, report.ticket, by=STAFF)
    assert report.published_at is None and report.public_description == "锦江路一处工地扬尘"
    assert (await service.events(report.ticket))[-1].action == "withdrawn"
    with pytest.raises(CannotPublish):
        await withdraw(service, report.ticket, by=STAFF)


@pytest.mark.parametrize(
    "text", ["", "   ", "x" * 1001, "请联系 13908560000", "邮箱 a@example.cn", "520201199001011234"]
)
async def test_a_public_text_that_is_empty_long_or_holds_contacts_is_refused(
    service: ReportService, text: str
) -> None:
    report = await service.submit(**report_input())
    with pytest.raises(CannotPublish):
        await publish(service, report.ticket, text, by=STAFF)
    assert report.published_at is None


async def test_a_demo_report_cannot_be_published(service: ReportService) -> None:
    demo = await service.submit(**report_input(user_id=VISITOR, chat_id=VISITOR))
    with pytest.raises(CannotPublish):
        await publish(service, demo.ticket, "演示", by=STAFF)
