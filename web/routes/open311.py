"""Open311 GeoReport v2 for city systems: read reports in the standard shape, file new ones.

JSON only: a `.xml` URL gets 404 with a JSON error. Errors use the spec's shape,
`[{"code": 400, "description": "…"}]`. POST needs one of `GREENBOT_OPEN311_API_KEYS`. The
mapping lives in `reports/open311.py`; this module reads the request and writes the response.
"""

from __future__ import annotations

import hmac
import logging
from functools import cache
from typing import Annotated, Any
from zoneinfo import ZoneInfo

from fastapi import APIRouter, Depends, Request
from fastapi.responses import JSONResponse
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from greenbot.clock import Clock, SystemClock
from greenbot.settings import Settings
from outbox import Outbox
from reports import open311
from reports.errors import ReportError
from reports.media import MediaStore
from reports.routing import Routing, load_routing
from reports.service import Limits, ReportService

log = logging.getLogger(__name__)

router = APIRouter(prefix="/open311/v2", tags=["open311"])

MEDIA_TYPE = "application/json; charset=utf-8"  # the spec asks for UTF-8, said in the header


def get_settings(request: Request) -> Settings:
    return request.app.state.settings


def get_sessions(request: Request) -> async_sessionmaker[AsyncSession]:
    return request.app.state.sessions


def get_clock(request: Request) -> Clock:
    """A test sets `app.state.clock`; otherwise the wall clock in the city's zone."""
    clock = getattr(request.app.state, "clock", None)
    return clock or SystemClock(ZoneInfo(get_settings(request).timezone))


@cache
def _routing() -> Routing:
    return load_routing()


SettingsDep = Annotated[Settings, Depends(get_settings)]
SessionsDep = Annotated[async_sessionmaker[AsyncSession], Depends(get_sessions)]
ClockDep = Annotated[Clock, Depends(get_clock)]


def respond(body: Any, status: int = 200) -> JSONResponse:
    return JSONResponse(body, status_code=status, media_type=MEDIA_TYPE)


def error(status: int, description: str) -> JSONResponse:
    return respond([{"code": status, "description": description}], status)


def _unsupported(fmt: str) -> JSONResponse | None:
    if fmt == "json":
        return None
    return error(404, f"format {fmt!r} is not supported: this endpoint speaks .json only")


def _valid_key(given: str, keys: list[str]) -> bool:
    """Constant-time comparison against every configured key."""
    supplied = given.encode()
    return any(hmac.compare_digest(supplied, key.encode()) for key in keys) and bool(given)


@router.get("/services.{fmt}")
async def list_services(fmt: str) -> JSONResponse:
    return _unsupported(fmt) or respond(open311.services(_routing()))


@router.get("/requests.{fmt}")
async def list_requests(
    fmt: str, request: Request, sessions: SessionsDep, clock: ClockDep
) -> JSONResponse:
    if (unsupported := _unsupported(fmt)) is not None:
        return unsupported
    try:
        query = open311.parse_query(request.query_params, clock.now())
    except ReportError as problem:
        return error(400, str(problem))
    async with sessions() as session:
        reports = await open311.find_requests(session, query)
        return respond([open311.service_request(report) for report in reports])


@router.get("/requests/{ticket}.{fmt}")
async def get_request(fmt: str, ticket: str, sessions: SessionsDep) -> JSONResponse:
    if (unsupported := _unsupported(fmt)) is not None:
        return unsupported
    async with sessions() as session:
        found = await open311.find_requests(session, open311.RequestQuery(tickets=(ticket,)))
        if not found:
            return error(404, f"service_request_id not found: {ticket}")
        return respond([open311.service_request(found[0])])  # a list, as the spec shows


@router.post("/requests.{fmt}")
async def create_request(
    fmt: str,
    request: Request,
    settings: SettingsDep,
    sessions: SessionsDep,
    clock: ClockDep,
) -> JSONResponse:
    if (unsupported := _unsupported(fmt)) is not None:
        return unsupported
    async with request.form() as form:
        fields = {**request.query_params, **{k: v for k, v in form.items() if isinstance(v, str)}}
    if not _valid_key(fields.get("api_key") or "", settings.open311_api_keys):
        return error(403, "api_key was not provided or is invalid")
    try:
        new = open311.parse_new_request(fields)
        async with sessions.begin() as session:  # committed before the ticket is answered
            service = _service(session, settings, clock)
            report = await open311.file_request(service, new)
    except open311.UnknownService as problem:
        return error(404, str(problem))
    except ReportError as problem:  # bad input: the domain message says which field
        return error(400, str(problem))
    log.info("open311: filed %s (%s)", report.ticket, report.category)
    return respond(open311.filed_response(report), 201)


def _service(session: AsyncSession, settings: Settings, clock: Clock) -> ReportService:
    return ReportService(
        session,
        Outbox(session),
        clock,
        MediaStore(settings.media_dir, max_bytes=settings.max_photo_bytes),
        routing=_routing(),
        limits=Limits(reports_per_day=settings.reports_per_day),
    )
