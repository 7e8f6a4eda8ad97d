"""Reports as Open311 GeoReport v2: services, service requests, the GET filters, API filing."""

from __future__ import annotations

from datetime import timedelta

import pytest
from sqlalchemy import select

from ground.clock import ManualClock
from outbox import OutboxMessage
from reports import Category, InvalidReport, ReportService, Status, load_routing, open311
from tests.unit.reports.conftest import START, move, report_input

PHONE = "13908560000"
REQUEST_FIELDS = {
    "service_request_id",
    "status",
    "status_notes",
    "service_name",
    "service_code",
    "description",
    "agency_responsible",
    "service_notice",
    "requested_datetime",
    "updated_datetime",
    "expected_datetime",
    "address",
    "address_id",
    "zipcode",
    "lat",
    "long",
    "media_url",
}


def test_every_category_is_a_realtime_service_without_metadata() -> None:
    routing = load_routing()
    listed = open311.services(routing)

    assert [s["service_code"] for s in listed] == [c.value for c in Category]
    for service in listed:
        assert service["metadata"] is False and service["type"] == "realtime"
        assert service["service_name"] and service["group"] and service["keywords"]
        assert routing.department_for(service["service_code"]) in service["description"]


async def test_anonymous_report_becomes_a_request_without_any_reporter_detail(
    service: ReportService,
) -> None:
    report = await service.submit(**report_input(anonymous=True, phone=PHONE))
    named = await service.submit(**report_input(user_id=1002, chat_id=2002, phone=PHONE))

    for submitted in (report, named):
        request = open311.service_request(submitted)
        assert set(request) == REQUEST_FIELDS  # the spec's GET fields and no others
        text = repr(request)
        assert PHONE not in text and "1001" not in text and "2001" not in text
        assert "1002" not in text and "2002" not in text
    request = open311.service_request(report)
    assert request["service_request_id"] == report.ticket
    assert request["status"] == "open" and request["status_notes"] == "已提交"
    assert request["agency_responsible"] == "市生态环境局"
    assert (request["lat"], request["long"]) == (27.7183, 109.1894)
    assert request["requested_datetime"] == "2026-11-03T10:00:00+08:00"
    assert request["expected_datetime"] == report.close_by.isoformat(timespec="seconds")


async def test_closed_statuses_map_to_closed_with_our_status_and_note(
    service: ReportService,
) -> None:
    original = await service.submit(**report_input())
    copy = await service.submit(**report_input(user_id=1002, chat_id=2002))
    resolved = await service.submit(**report_input(user_id=1003, chat_id=2003))
    await move(service, copy.ticket, Status.DUPLICATE, duplicate_of=original.ticket)
    await move(service, resolved.ticket, Status.RESOLVED)

    as_copy = open311.service_request(copy)
    as_resolved = open311.service_request(resolved)

    assert as_copy["status"] == "closed" and as_resolved["status"] == "closed"
    merged = f"重复举报（已合并）：已合并至工单 {original.ticket}：to duplicate"
    assert as_copy["status_notes"] == merged
    assert as_resolved["status_notes"] == "已办结：to resolved"
    assert as_resolved["expected_datetime"] is None
    assert open311.service_request(original)["status"] == "open"


async def test_contacts_typed_into_free_text_are_masked(service: ReportService) -> None:
    report = await service.submit(
        **report_input(
            description=(
                f"请联系 {PHONE} 或 0856-5221234，邮箱 a.b@example.cn，身份证 52060219900101123X"
            ),
            address="碧江区锦江路 138 0856 0000 号",
        )
    )

    request = open311.service_request(report)

    for secret in (PHONE, "0856-5221234", "a.b@example.cn", "52060219900101123X"):
        assert secret not in repr(request)
    masked = "请联系 [电话已隐去] 或 [电话已隐去]，邮箱 [邮箱已隐去]，身份证 [证件号已隐去]"
    assert request["description"] == masked
    assert "锦江路" in request["address"]


def test_default_window_is_the_last_90_days() -> None:
    query = open311.parse_query({}, START)
    assert (query.start, query.end) == (START - timedelta(days=90), START)

    only_start = open311.parse_query({"start_date": "2026-10-01T00:00:00Z"}, START)
    assert only_start.end - only_start.start == timedelta(days=90)


@pytest.mark.parametrize(
    ("params", "problem"),
    [
        ({"start_date": "yesterday"}, "start_date is not a W3C datetime"),
        ({"start_date": "2026-01-01T00:00:00+08:00", "end_date": "2026-11-01"}, "90 days"),
        ({"start_date": "2026-11-02", "end_date": "2026-11-01"}, "before start_date"),
        ({"status": "pending"}, "open or closed"),
    ],
)
def test_bad_filters_are_refused(params: dict[str, str], problem: str) -> None:
    with pytest.raises(InvalidReport, match=problem):
        open311.parse_query(params, START)


async def test_filters_by_ticket_code_window_and_status(
    service: ReportService, clock: ManualClock
) -> None:
    old = await service.submit(**report_input(category="water"))
    clock.advance(days=100)
    fresh = await service.submit(**report_input(user_id=1002, chat_id=2002))
    closed = await service.submit(**report_input(user_id=1003, chat_id=2003))
    await move(service, closed.ticket, Status.REJECTED)
    now = clock.now()

    async def tickets(params: dict[str, str]) -> list[str]:
        query = open311.parse_query(params, now)
        return [r.ticket for r in await open311.find_requests(service.session, query)]

    assert await tickets({}) == [closed.ticket, fresh.ticket]  # newest first, last 90 days
    assert await tickets({"status": "open"}) == [fresh.ticket]
    assert await tickets({"status": "closed"}) == [closed.ticket]
    assert await tickets({"service_code": "water"}) == []
    assert await tickets({"service_code": "water", "start_date": "2026-11-01"}) == [old.ticket]
    # service_request_id wins over every other filter, as the spec says
    ids = f"{old.ticket.lower()}, {fresh.ticket}"
    assert await tickets({"service_request_id": ids, "status": "closed"}) == [
        fresh.ticket,
        old.ticket,
    ]


def test_a_post_needs_a_known_service_and_a_place_in_a_district() -> None:
    with pytest.raises(InvalidReport, match="service_code is required"):
        open311.parse_new_request({"description": "x", "address_string": "碧江区"})
    with pytest.raises(open311.UnknownService):
        open311.parse_new_request({"service_code": "potholes", "address_string": "碧江区"})
    with pytest.raises(InvalidReport, match="address_string"):
        open311.parse_new_request({"service_code": "air", "description": "x"})
    with pytest.raises(InvalidReport, match="district"):
        open311.parse_new_request({"service_code": "air", "lat": "27.7", "long": "109.2"})
    with pytest.raises(InvalidReport, match="lat is not a number"):
        open311.parse_new_request({"service_code": "air", "lat": "north", "long": "1"})

    parsed = open311.parse_new_request(
        {"service_code": "noise", "address_string": "铜仁市万山区仁山街道", "description": "施工"}
    )
    assert (parsed.category, parsed.district, parsed.lat) == (Category.NOISE, "万山区", None)
    with_attribute = open311.parse_new_request(
        {"service_code": "air", "lat": "27.7", "long": "109.2", "attribute[district]": "江口县"}
    )
    assert (with_attribute.district, with_attribute.lon) == ("江口县", 109.2)


async def test_filed_request_has_no_reporter_and_queues_no_notice(
    service: ReportService,
) -> None:
    new = open311.parse_new_request(
        {
            "service_code": "burning",
            "lat": "27.72",
            "long": "109.19",
            "attribute[district]": "碧江区",
            "description": "河边有人焚烧秸秆",
            "phone": PHONE,
            "email": "citizen@example.cn",
            "first_name": "李",
        }
    )
    report = await open311.file_request(service, new)
    for _ in range(6):  # a city system is not held to a citizen's 5 reports a day
        await open311.file_request(service, new)
    await move(service, report.ticket, Status.ACCEPTED)

    assert (report.reporter_user_id, report.reporter_chat_id) == (None, None)
    assert report.phone == PHONE and not report.anonymous  # staff may call back
    assert report.department == "市农业农村局" and report.status == Status.ACCEPTED
    assert (await service.session.scalars(select(OutboxMessage))).all() == []
    answer = open311.filed_response(report)
    assert answer[0]["service_request_id"] == report.ticket
    assert "2026-11-18 前答复" in answer[0]["service_notice"]
