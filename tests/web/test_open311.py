"""Open311 GeoReport v2 over HTTP: the router on its own FastAPI app, a real database.

Without a key: only published reports, with staff's text and a rounded location. With a key in
the `X-Api-Key` header: every report, in full, still without its reporter. A key in the URL is
refused. No view ever carries a demo report (the web sandbox)."""

from __future__ import annotations

import logging
from collections.abc import AsyncIterator
from datetime import datetime

import httpx
import pytest
from fastapi import FastAPI
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from ground.clock import SHANGHAI, ManualClock
from ground.settings import Settings
from outbox import Outbox
from reports import MediaStore, Report, ReportService, Staff, Status, publish
from reports.service import ReportServices
from web.routes import open311
from web.sandbox.transport import FIRST_VISITOR_ID

START = datetime(2026, 11, 3, 10, 0, tzinfo=SHANGHAI)
KEY = "city-key-0123456789abcdef"
PHONE = "13908560000"
STAFF = Staff(id=900, name="王科员")
FULL = {"X-Api-Key": KEY}


@pytest.fixture
def clock() -> ManualClock:
    return ManualClock(START)


@pytest.fixture
async def client(
    sessions: async_sessionmaker[AsyncSession], clock: ManualClock, tmp_path
) -> AsyncIterator[httpx.AsyncClient]:
    app = FastAPI()
    app.state.settings = Settings(
        _env_file=None, data_dir=tmp_path, open311_api_keys=f"{KEY},another-key"
    )  # type: ignore[call-arg]
    app.state.sessions = sessions
    app.state.clock = clock
    app.state.reports = ReportServices(  # what create_app puts there: the root's use cases
        clock=clock, media=MediaStore(tmp_path / "media", max_bytes=1024 * 1024)
    )
    app.include_router(open311.router)
    transport = httpx.ASGITransport(app=app)
    async with httpx.AsyncClient(transport=transport, base_url="http://test") as http:
        yield http


async def file_by_bot(
    sessions: async_sessionmaker[AsyncSession], clock: ManualClock, tmp_path, **extra
) -> Report:
    """A citizen's report as the bot files it (the API only reads it)."""
    async with sessions.begin() as session:
        service = ReportService(
            session, Outbox(session), clock, MediaStore(tmp_path / "media", max_bytes=1024)
        )
        values = {
            "user_id": 1001,
            "chat_id": 2001,
            "category": "air",
            "description": "锦江路工地扬尘严重",
            "district": "碧江区",
            "lat": 27.7183,
            "lon": 109.1894,
            "phone": PHONE,
            "anonymous": True,
        }
        values.update(extra)
        return await service.submit(**values)


async def test_services_list_every_category(client: httpx.AsyncClient) -> None:
    response = await client.get("/open311/v2/services.json")

    assert response.status_code == 200
    assert response.headers["content-type"] == "application/json; charset=utf-8"
    services = response.json()
    assert {s["service_code"] for s in services} >= {"air", "water", "energy", "other"}
    assert all(s["metadata"] is False and s["type"] == "realtime" for s in services)


async def test_xml_is_refused_with_a_json_error(client: httpx.AsyncClient) -> None:
    for path in ("services.xml", "requests.xml", "requests/TR-2611-0001.xml"):
        response = await client.get(f"/open311/v2/{path}")
        assert response.status_code == 404
        assert response.json()[0]["code"] == 404 and ".json" in response.json()[0]["description"]


async def publish_as_staff(
    sessions: async_sessionmaker[AsyncSession], clock: ManualClock, tmp_path, ticket: str, text: str
) -> None:
    async with sessions.begin() as session:
        service = ReportService(session, Outbox(session), clock, MediaStore(tmp_path, max_bytes=1))
        await publish(service, ticket, text, by=STAFF)


@pytest.mark.parametrize("anonymous", [True, False])
async def test_the_keyed_view_lists_a_report_without_reporter_details(
    client: httpx.AsyncClient, sessions, clock, tmp_path, anonymous: bool
) -> None:
    report = await file_by_bot(sessions, clock, tmp_path, anonymous=anonymous)

    listed = await client.get("/open311/v2/requests.json", headers=FULL)
    single = await client.get(f"/open311/v2/requests/{report.ticket}.json", headers=FULL)

    assert listed.status_code == single.status_code == 200
    assert [r["service_request_id"] for r in listed.json()] == [report.ticket]
    assert single.json() == listed.json()  # a one-element list, as the spec shows
    body = single.text
    assert PHONE not in body and "1001" not in body and "2001" not in body
    request = single.json()[0]
    assert request["status"] == "open" and request["agency_responsible"] == "市生态环境局"
    assert request["description"] == "锦江路工地扬尘严重"  # the full view: the reporter's text
    assert (request["lat"], request["long"]) == (27.7183, 109.1894)  # and the exact place


async def test_unknown_ticket_is_404_in_the_spec_shape(client: httpx.AsyncClient) -> None:
    response = await client.get("/open311/v2/requests/TR-2611-9999.json")
    assert response.status_code == 404
    assert response.json() == [
        {"code": 404, "description": "service_request_id not found: TR-2611-9999"}
    ]


async def test_get_filters_by_status_and_refuses_bad_dates(
    client: httpx.AsyncClient, sessions, clock, tmp_path
) -> None:
    first = await file_by_bot(sessions, clock, tmp_path)
    second = await file_by_bot(sessions, clock, tmp_path, user_id=1002, chat_id=2002)
    async with sessions.begin() as session:
        service = ReportService(session, Outbox(session), clock, MediaStore(tmp_path, max_bytes=1))
        await service.change_status(second.ticket, Status.REJECTED, by=STAFF, note="不属实")

    closed = await client.get(
        "/open311/v2/requests.json", params={"status": "closed"}, headers=FULL
    )
    both = await client.get(
        "/open311/v2/requests.json",
        params={"service_request_id": f"{first.ticket},{second.ticket}"},
        headers=FULL,
    )
    bad = await client.get("/open311/v2/requests.json", params={"start_date": "last week"})
    wide = await client.get(
        "/open311/v2/requests.json",
        params={"start_date": "2026-01-01T00:00:00+08:00", "end_date": "2026-12-01T00:00:00Z"},
    )

    assert [(r["service_request_id"], r["status_notes"]) for r in closed.json()] == [
        (second.ticket, "不予受理：不属实")
    ]
    assert {r["service_request_id"] for r in both.json()} == {first.ticket, second.ticket}
    assert bad.status_code == 400 and "start_date" in bad.json()[0]["description"]
    assert wide.status_code == 400 and "90 days" in wide.json()[0]["description"]


@pytest.mark.parametrize("key", [None, "", "wrong-key", KEY + "x", "城市"])
async def test_post_without_a_valid_api_key_is_403(
    client: httpx.AsyncClient, sessions, key: str | None
) -> None:
    form = {"service_code": "air", "address_string": "碧江区锦江路", "description": "扬尘"}
    if key is not None:
        form["api_key"] = key

    response = await client.post("/open311/v2/requests.json", data=form)

    assert response.status_code == 403
    assert response.json() == [
        {"code": 403, "description": "api_key was not provided or is invalid"}
    ]
    async with sessions() as session:
        assert (await session.scalars(select(Report))).all() == []


async def test_post_files_a_report_routed_to_its_department(
    client: httpx.AsyncClient, sessions
) -> None:
    form = {
        "api_key": KEY,
        "service_code": "waste",
        "address_string": "铜仁市碧江区锦江北路 12 号",
        "lat": "27.7201",
        "long": "109.1912",
        "description": "小区门口垃圾堆放三天无人清运",
        "email": "citizen@example.cn",
        "first_name": "李",
        "phone": PHONE,
    }

    response = await client.post("/open311/v2/requests.json", data=form)

    assert response.status_code == 201
    answer = response.json()
    ticket = answer[0]["service_request_id"]
    assert ticket.startswith("TR-2611-")
    assert "前办结" in answer[0]["service_notice"]
    async with sessions() as session:
        stored = (await session.scalars(select(Report))).one()
    assert (stored.ticket, stored.department, stored.district) == (
        ticket,
        "市城市综合执法局",
        "碧江区",
    )
    assert stored.reporter_user_id is None and stored.phone == PHONE
    assert (await client.get(f"/open311/v2/requests/{ticket}.json")).status_code == 404
    full = (await client.get(f"/open311/v2/requests/{ticket}.json", headers=FULL)).text
    assert PHONE not in full and "citizen@example.cn" not in full and "李" not in full


@pytest.mark.parametrize(
    ("form", "status", "mentions"),
    [
        ({"address_string": "碧江区"}, 400, "service_code is required"),
        ({"service_code": "potholes", "address_string": "碧江区"}, 404, "service_code not found"),
        ({"service_code": "air", "description": "扬尘"}, 400, "address_string"),
        (
            {"service_code": "air", "address_string": "北京市朝阳区", "description": "x"},
            400,
            "district",
        ),
        ({"service_code": "air", "address_string": "碧江区"}, 400, "description"),
        (
            {
                "service_code": "air",
                "lat": "95",
                "long": "109",
                "district": "碧江区",
                "description": "x",
            },
            400,
            "coordinates",
        ),
        (
            {"service_code": "air", "address_string": "碧江区", "description": "x", "phone": "abc"},
            400,
            "phone",
        ),
    ],
)
async def test_post_validation_errors_use_the_spec_shape(
    client: httpx.AsyncClient, sessions, form: dict[str, str], status: int, mentions: str
) -> None:
    response = await client.post("/open311/v2/requests.json", data={"api_key": KEY, **form})

    assert response.status_code == status
    [problem] = response.json()
    assert problem["code"] == status and mentions in problem["description"]
    async with sessions() as session:
        assert (await session.scalars(select(Report))).all() == []


async def test_without_a_key_only_published_reports_show_with_staffs_text_and_a_rough_place(
    client: httpx.AsyncClient, sessions, clock, tmp_path
) -> None:
    published = await file_by_bot(
        sessions, clock, tmp_path, description="我是张三，住锦江路 8 号，工地扬尘严重",
        lat=27.718349, lon=109.189461, address="锦江路 8 号", anonymous=False,
    )  # fmt: skip
    hidden = await file_by_bot(sessions, clock, tmp_path, user_id=1002, chat_id=2002)
    async with sessions.begin() as session:
        service = ReportService(session, Outbox(session), clock, MediaStore(tmp_path, max_bytes=1))
        await service.change_status(
            published.ticket, Status.ACCEPTED, by=STAFF, note="张三家已核实"
        )
    await publish_as_staff(sessions, clock, tmp_path, published.ticket, "锦江路一工地扬尘较大")

    listed = await client.get("/open311/v2/requests.json")
    single = await client.get(f"/open311/v2/requests/{published.ticket}.json")
    unpublished = await client.get(f"/open311/v2/requests/{hidden.ticket}.json")

    assert listed.status_code == single.status_code == 200
    assert listed.json() == single.json()
    [request] = listed.json()
    assert request["service_request_id"] == published.ticket
    assert request["description"] == "锦江路一工地扬尘较大"
    assert (request["lat"], request["long"]) == (27.718, 109.189)  # about 100 m
    assert request["address"] == "碧江区" and request["status_notes"] == "已受理"
    body = listed.text
    for secret in ("张三", "8 号", PHONE, "1001", "2001", "27.7183", "109.1894"):
        assert secret not in body, secret
    assert unpublished.status_code == 404  # reads as unknown: nothing about it leaks


async def test_a_demo_report_is_in_no_open311_view(
    client: httpx.AsyncClient, sessions, clock, tmp_path
) -> None:
    visitor = FIRST_VISITOR_ID + 42
    demo = await file_by_bot(sessions, clock, tmp_path, user_id=visitor, chat_id=visitor)
    real = await file_by_bot(sessions, clock, tmp_path, user_id=1003, chat_id=2003)
    assert demo.demo and not real.demo

    full = await client.get("/open311/v2/requests.json", headers=FULL)
    single = await client.get(f"/open311/v2/requests/{demo.ticket}.json", headers=FULL)

    assert [r["service_request_id"] for r in full.json()] == [real.ticket]
    assert single.status_code == 404


@pytest.mark.parametrize(
    ("method", "path"),
    [
        ("GET", "/open311/v2/requests.json"),
        ("GET", "/open311/v2/requests/TR-2611-0001.json"),
        ("POST", "/open311/v2/requests.json"),
    ],
)
async def test_a_key_in_the_query_string_is_refused_and_not_logged(
    client: httpx.AsyncClient,
    sessions,
    clock,
    tmp_path,
    caplog: pytest.LogCaptureFixture,
    method: str,
    path: str,
) -> None:
    await file_by_bot(sessions, clock, tmp_path)
    form = {"service_code": "air", "address_string": "碧江区锦江路", "description": "扬尘"}
    caplog.set_level(logging.DEBUG)

    response = await client.request(
        method, path, params={"api_key": KEY}, data=form if method == "POST" else None
    )

    assert response.status_code == 400
    [problem] = response.json()
    assert "X-Api-Key" in problem["description"] and "URL" in problem["description"]
    server_side = [r for r in caplog.records if not r.name.startswith(("httpx", "httpcore"))]
    assert KEY not in response.text
    assert not [r for r in server_side if KEY in r.getMessage()]
    async with sessions() as session:
        assert len((await session.scalars(select(Report))).all()) == 1  # nothing filed


async def test_a_wrong_key_in_the_header_is_403_not_the_public_list(
    client: httpx.AsyncClient,
) -> None:
    response = await client.get("/open311/v2/requests.json", headers={"X-Api-Key": "guess"})
    assert response.status_code == 403
    assert response.json()[0]["description"] == "api_key was not provided or is invalid"


async def test_post_also_takes_the_key_in_the_header(client: httpx.AsyncClient) -> None:
    form = {"service_code": "noise", "address_string": "万山区", "description": "夜间施工"}
    response = await client.post("/open311/v2/requests.json", data=form, headers=FULL)
    assert response.status_code == 201
