"""Open311 GeoReport v2 over the reports domain: the service list, a report as a service request,
the standard GET filters, and filing a request sent by a city system.

Spec: wiki.open311.org/GeoReport_v2. Two views of a report, neither with its reporter's identity
or contact (`reports.privacy`: no one outside the staff sees them; the spec's GET fields have
none), and never a demo report (the web sandbox):

- public (`public_request`, no key): only reports staff published (`reports/publication.py`),
  with the text staff wrote, the district for an address, the location rounded to about 100 m
  and our status name without staff notes;
- full (`service_request`, a city system's API key): every report, the reporter's description
  and staff notes with phone, ID-card and e-mail shapes masked, exact coordinates.

`web/routes/open311.py` is the HTTP surface.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import TYPE_CHECKING, Any

from sqlalchemy import select

from ground.clock import SHANGHAI
from reports.categories import CATEGORY_NAMES, Category, category_name
from reports.districts import DISTRICTS
from reports.errors import InvalidReport, ReportError
from reports.models import Report
from reports.notices import status_name
from reports.privacy import mask_contacts
from reports.publication import approximate
from reports.statuses import OPEN, TERMINAL, Status, is_open, open311_status
from reports.tickets import normalise_ticket

if TYPE_CHECKING:
    from sqlalchemy.ext.asyncio import AsyncSession

    from reports.routing import Routing
    from reports.service import ReportService

# The spec: "the default is the last 90 days"; the span may not exceed what the city allows.
DEFAULT_RANGE = MAX_RANGE = timedelta(days=90)
MAX_RESULTS = 1000  # the spec's suggested cap per response
API_USER_ID = 0  # Telegram user ids are positive: 0 marks "filed through the API" in flight

_GROUPS: dict[Category, str] = {
    Category.AIR: "生态环境",
    Category.WATER: "生态环境",
    Category.NOISE: "生态环境",
    Category.WASTE: "城市管理",
    Category.VOC: "生态环境",
    Category.ENERGY: "节能降耗",
    Category.BURNING: "生态环境",
    Category.OTHER: "其他",
}
_KEYWORDS: dict[Category, tuple[str, ...]] = {
    Category.AIR: ("扬尘", "烟尘", "废气", "大气污染"),
    Category.WATER: ("污水", "排污", "河道", "水污染"),
    Category.NOISE: ("噪声", "施工噪音", "夜间施工"),
    Category.WASTE: ("垃圾", "固体废物", "乱倒"),
    Category.VOC: ("异味", "挥发性有机物", "油烟"),
    Category.ENERGY: ("能源浪费", "长明灯", "空调", "节能"),
    Category.BURNING: ("焚烧", "秸秆", "烧垃圾"),
    Category.OTHER: ("其他",),
}


class UnknownService(ReportError):
    """A POST named a service_code we do not offer (the spec answers 404)."""


def services(routing: Routing) -> list[dict[str, Any]]:
    """GET services: one realtime service per category, no extra attributes (metadata false)."""
    return [
        {
            "service_code": category.value,
            "service_name": name,
            "description": f"{name}问题举报，由{routing.department_for(category)}首先受理。",
            "metadata": False,
            "type": "realtime",
            "keywords": ",".join(_KEYWORDS[category]),
            "group": _GROUPS[category],
        }
        for category, name in CATEGORY_NAMES.items()
    ]


def status_notes(report: Report) -> str:
    """Our finer status (Open311 knows only open/closed), then the latest note staff wrote."""
    parts = [status_name(report.status)]
    if report.status == Status.DUPLICATE and report.duplicate_of:
        parts.append(f"已合并至工单 {report.duplicate_of}")
    if report.status_note:
        parts.append(mask_contacts(report.status_note) or "")
    return "：".join(parts)


def _w3c(moment: datetime | None) -> str | None:
    return None if moment is None else moment.astimezone(SHANGHAI).isoformat(timespec="seconds")


def service_request(report: Report) -> dict[str, Any]:
    """The full view (a key): a report as a GeoReport v2 service request, without its reporter."""
    return {
        "service_request_id": report.ticket,
        "status": open311_status(report.status),
        "status_notes": status_notes(report),
        "service_name": category_name(report.category),
        "service_code": report.category,
        "description": mask_contacts(report.description),
        "agency_responsible": report.department,
        "service_notice": None,
        "requested_datetime": _w3c(report.created_at),
        "updated_datetime": _w3c(report.updated_at),
        "expected_datetime": _w3c(report.close_by) if is_open(report.status) else None,
        "address": mask_contacts(" ".join(p for p in (report.district, report.address) if p)),
        "address_id": None,
        "zipcode": None,
        "lat": report.lat,
        "long": report.lon,
        "media_url": None,  # photos stay with staff: faces and number plates
    }


def public_request(report: Report) -> dict[str, Any]:
    """The public view of a published report: staff's text, the district, ~100 m, no notes.

    Written out field by field, so a field added to the full view is not public by accident."""
    return {
        "service_request_id": report.ticket,
        "status": open311_status(report.status),
        "status_notes": status_name(report.status),  # staff notes stay with the reporter
        "service_name": category_name(report.category),
        "service_code": report.category,
        "description": report.public_description,
        "agency_responsible": report.department,
        "service_notice": None,
        "requested_datetime": _w3c(report.created_at),
        "updated_datetime": _w3c(report.updated_at),
        "expected_datetime": _w3c(report.close_by) if is_open(report.status) else None,
        "address": report.district,  # a typed address can name a home; the district cannot
        "address_id": None,
        "zipcode": None,
        "lat": approximate(report.lat),
        "long": approximate(report.lon),
        "media_url": None,
    }


# --- GET requests.json: the standard filters ----------------------------------------------


@dataclass(frozen=True)
class RequestQuery:
    tickets: tuple[str, ...] = ()  # when given, every other filter is ignored (the spec)
    service_codes: tuple[str, ...] = ()
    start: datetime | None = None
    end: datetime | None = None
    statuses: frozenset[Status] | None = None


def parse_datetime(value: str, name: str) -> datetime:
    """A W3C datetime (`2026-11-03T10:00:00+08:00`, `…Z`, or a date); no zone means Shanghai."""
    try:
        moment = datetime.fromisoformat(value.strip())
    except ValueError:
        raise InvalidReport(f"{name} is not a W3C datetime: {value!r}") from None
    return moment if moment.tzinfo else moment.replace(tzinfo=SHANGHAI)


def _split(value: str | None) -> tuple[str, ...]:
    return tuple(part.strip() for part in (value or "").split(",") if part.strip())


def parse_query(params: Mapping[str, str], now: datetime) -> RequestQuery:
    """The spec's GET filters; InvalidReport for a bad date, range or status."""
    tickets = tuple(normalise_ticket(t) for t in _split(params.get("service_request_id")))
    if tickets:
        return RequestQuery(tickets=tickets)
    start = parse_datetime(params["start_date"], "start_date") if params.get("start_date") else None
    end = parse_datetime(params["end_date"], "end_date") if params.get("end_date") else None
    if start is None and end is None:
        end = now
    if start is None:
        start = end - DEFAULT_RANGE  # type: ignore[operator]
    if end is None:
        end = start + DEFAULT_RANGE
    if end < start:
        raise InvalidReport("end_date is before start_date")
    if end - start > MAX_RANGE:
        raise InvalidReport(f"start_date to end_date spans more than {MAX_RANGE.days} days")
    statuses: set[Status] = set()
    for value in _split(params.get("status")):
        if value not in ("open", "closed"):
            raise InvalidReport(f"status must be open or closed, not {value!r}")
        statuses |= OPEN if value == "open" else TERMINAL
    return RequestQuery(
        service_codes=_split(params.get("service_code")),
        start=start,
        end=end,
        statuses=frozenset(statuses) or None,
    )


async def find_requests(
    session: AsyncSession, query: RequestQuery, *, published_only: bool = False
) -> list[Report]:
    """Matching reports, newest first, at most MAX_RESULTS; never a demo report."""
    stmt = select(Report).where(Report.demo.is_(False))
    if published_only:
        stmt = stmt.where(Report.published_at.is_not(None))
    if query.tickets:
        stmt = stmt.where(Report.ticket.in_(query.tickets))
    else:
        if query.service_codes:
            stmt = stmt.where(Report.category.in_(query.service_codes))
        if query.start is not None:
            stmt = stmt.where(Report.created_at >= query.start)
        if query.end is not None:
            stmt = stmt.where(Report.created_at <= query.end)
        if query.statuses:
            stmt = stmt.where(Report.status.in_(sorted(query.statuses)))
    stmt = stmt.order_by(Report.created_at.desc(), Report.id.desc()).limit(MAX_RESULTS)
    return list(await session.scalars(stmt))


# --- POST requests.json: a city system files a report -------------------------------------


@dataclass(frozen=True)
class NewRequest:
    category: Category
    description: str
    district: str
    lat: float | None
    lon: float | None
    address: str | None
    phone: str | None


def _district(fields: Mapping[str, str], address: str | None) -> str:
    """`attribute[district]` (or `district`), else the first district named in the address."""
    named = (fields.get("attribute[district]") or fields.get("district") or "").strip()
    if named:
        return named  # checked by ReportService.submit
    for district in DISTRICTS:
        if address and district in address:
            return district
    raise InvalidReport(
        "address_string must name a district of 铜仁 (" + "、".join(DISTRICTS) + ") "
        "or attribute[district] must give one"
    )


def _coordinate(fields: Mapping[str, str], name: str) -> float | None:
    raw = (fields.get(name) or "").strip()
    if not raw:
        return None
    try:
        return float(raw)
    except ValueError:
        raise InvalidReport(f"{name} is not a number: {raw!r}") from None


def parse_new_request(fields: Mapping[str, str]) -> NewRequest:
    """The spec's POST fields. email, first_name, last_name, device_id, account_id and media_url
    are accepted and dropped: we keep no such columns and fetch no remote files."""
    code = (fields.get("service_code") or "").strip()
    if not code:
        raise InvalidReport("service_code is required")
    try:
        category = Category(code)
    except ValueError:
        raise UnknownService(f"service_code not found: {code!r}") from None
    address = (fields.get("address_string") or "").strip() or None
    lat, lon = _coordinate(fields, "lat"), _coordinate(fields, "long")
    if lat is None and lon is None and address is None:
        raise InvalidReport("lat and long, or address_string, is required")
    return NewRequest(
        category=category,
        description=(fields.get("description") or "").strip(),
        district=_district(fields, address),
        lat=lat,
        lon=lon,
        address=address,
        phone=(fields.get("phone") or "").strip() or None,
    )


async def file_request(service: ReportService, new: NewRequest) -> Report:
    """File through ReportService.submit, then drop the placeholder reporter: a city system has
    no Telegram chat to notify and no citizen's daily limit (its API key answers for it)."""
    report = await service.submit(
        user_id=API_USER_ID,
        chat_id=API_USER_ID,
        category=new.category,
        description=new.description,
        district=new.district,
        lat=new.lat,
        lon=new.lon,
        address=new.address,
        phone=new.phone,
        anonymous=new.phone is None,
    )
    report.reporter_user_id = report.reporter_chat_id = None
    await service.session.flush()
    return report


def filed_response(report: Report) -> list[dict[str, Any]]:
    """POST's answer: the ticket and when the 12369 service levels fall due."""
    respond_by = report.respond_by.astimezone(SHANGHAI).date().isoformat()
    close_by = report.close_by.astimezone(SHANGHAI).date().isoformat()
    notice = f"已登记，工单号 {report.ticket}：{respond_by} 前答复，{close_by} 前办结。"
    return [{"service_request_id": report.ticket, "service_notice": notice, "account_id": None}]
