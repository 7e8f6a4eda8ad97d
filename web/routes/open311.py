"""Open311 GeoReport v2: read reports in the standard shape, file new ones.

- GET without a key: the public view, only reports staff published (`reports/publication.py`):
  their reviewed text, the district, the location rounded to about 100 m, no staff notes.
- GET with one of `GREENBOT_OPEN311_API_KEYS` in the `X-Api-Key` header: the full view of every
  report (the reporter's text, staff notes, exact location). Neither view carries a reporter's
  identity or contact, nor a demo report from the web sandbox.
- POST needs a key as the `api_key` form field (GeoReport v2) or in `X-Api-Key`.
- A key in the query string is refused (400) on every request, never used and never logged: URLs
  end up in proxy and browser logs.

JSON only: a `.xml` URL gets 404 with a JSON error. Errors use the spec's shape,
`[{"code": 400, "description": "…"}]`. The mapping lives in `reports/open311.py`; this module
reads the request and writes the response.
"""

from __future__ import annotations

import hmac
import logging
from typing import TYPE_CHECKING, Any

from fastapi import APIRouter, Request
from fastapi.responses import JSONResponse

from reports import open311
from reports.errors import ReportError
from web.deps import ClockDep, ReportServicesDep, SessionsDep, SettingsDep

if TYPE_CHECKING:
    from ground.settings import Settings

log = logging.getLogger(__name__)

router = APIRouter(prefix="/open311/v2", tags=["open311"])

MEDIA_TYPE = "application/json; charset=utf-8"  # the spec asks for UTF-8, said in the header
KEY_HEADER = "X-Api-Key"
KEY_IN_URL = (
    "api_key must not be sent in the URL (proxies and browsers log URLs): send it in the "
    "X-Api-Key header, or as the api_key form field of a POST"
)
BAD_KEY = "api_key was not provided or is invalid"


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


def _refuse_key_in_url(request: Request) -> JSONResponse | None:
    if "api_key" in request.query_params:
        return error(400, KEY_IN_URL)
    return None


def _full_view(request: Request, settings: Settings) -> bool | JSONResponse:
    """True with a valid key in the header, False without one; 403 for a wrong one (a city
    system with a mistyped key should hear so, not quietly get the public list)."""
    given = request.headers.get(KEY_HEADER)
    if given is None:
        return False
    if not _valid_key(given, settings.open311_api_keys):
        return error(403, BAD_KEY)
    return True


@router.get("/services.{fmt}")
async def list_services(fmt: str, services: ReportServicesDep) -> JSONResponse:
    return _unsupported(fmt) or respond(open311.services(services.routing))


@router.get("/requests.{fmt}")
async def list_requests(
    fmt: str, request: Request, settings: SettingsDep, sessions: SessionsDep, clock: ClockDep
) -> JSONResponse:
    refused = _unsupported(fmt) or _refuse_key_in_url(request)
    if refused is not None:
        return refused
    full = _full_view(request, settings)
    if isinstance(full, JSONResponse):
        return full
    try:
        query = open311.parse_query(request.query_params, clock.now())
    except ReportError as problem:
        return error(400, str(problem))
    async with sessions() as session:
        reports = await open311.find_requests(session, query, published_only=not full)
        shape = open311.service_request if full else open311.public_request
        return respond([shape(report) for report in reports])


@router.get("/requests/{ticket}.{fmt}")
async def get_request(
    fmt: str, ticket: str, request: Request, settings: SettingsDep, sessions: SessionsDep
) -> JSONResponse:
    refused = _unsupported(fmt) or _refuse_key_in_url(request)
    if refused is not None:
        return refused
    full = _full_view(request, settings)
    if isinstance(full, JSONResponse):
        return full
    query = open311.RequestQuery(tickets=(ticket,))
    async with sessions() as session:
        found = await open311.find_requests(session, query, published_only=not full)
        if not found:  # unpublished reads as unknown: the public learns nothing of it
            return error(404, f"service_request_id not found: {ticket}")
        shape = open311.service_request if full else open311.public_request
        return respond([shape(found[0])])  # a list, as the spec shows


@router.post("/requests.{fmt}")
async def create_request(
    fmt: str,
    request: Request,
    settings: SettingsDep,
    sessions: SessionsDep,
    services: ReportServicesDep,
) -> JSONResponse:
    refused = _unsupported(fmt) or _refuse_key_in_url(request)
    if refused is not None:
        return refused
    async with request.form() as form:
        fields = {**request.query_params, **{k: v for k, v in form.items() if isinstance(v, str)}}
    given = fields.get("api_key") or request.headers.get(KEY_HEADER) or ""
    if not _valid_key(given, settings.open311_api_keys):
        return error(403, BAD_KEY)
    try:
        new = open311.parse_new_request(fields)
        async with sessions.begin() as session:  # committed before the ticket is answered
            service = services(session)
            report = await open311.file_request(service, new)
    except open311.UnknownService as problem:
        return error(404, str(problem))
    except ReportError as problem:  # bad input: the domain message says which field
        return error(400, str(problem))
    log.info("open311: filed %s (%s)", report.ticket, report.category)
    return respond(open311.filed_response(report), 201)
