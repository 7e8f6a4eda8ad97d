"""The reports queue, a report's detail (photos, location, audit trail), status changes and the
CSV export. Status changes go through `ReportService.change_status`, exactly like the bot's
staff buttons: the audit row and the reporter's notice (outbox) commit together."""

from __future__ import annotations

import io
import logging
from dataclasses import dataclass
from typing import Annotated
from urllib.parse import urlencode

from fastapi import APIRouter, Form, Query, Request
from starlette.responses import FileResponse, RedirectResponse, Response

from reports import (
    Page,
    Report,
    ReportService,
    Staff,
    StaffView,
    Status,
    allowed_moves,
    write_csv,
)
from reports.deadlines import missed_deadlines
from reports.notices import STATUS_NAMES
from staff import Role
from web.auth import flash
from web.deps import ConsoleDep, ReportsDep, StaffDep
from web.errors import BadInput, NotFound
from web.templating import page

log = logging.getLogger(__name__)

router = APIRouter()

PAGE_SIZE = 25
EXPORT_PAGE = 200
STATUS_VALUES = frozenset(status.value for status in Status)
MEDIA_TYPES = {
    ".jpg": "image/jpeg",
    ".png": "image/png",
    ".gif": "image/gif",
    ".webp": "image/webp",
}


@dataclass(frozen=True)
class Filters:
    """The queue's filters, as the query string carries them (empty means any)."""

    status: str = ""
    category: str = ""
    district: str = ""
    overdue: bool = False
    q: str = ""

    def query(self, **extra: object) -> str:
        values = {
            "status": self.status,
            "category": self.category,
            "district": self.district,
            "overdue": "1" if self.overdue else "",
            "q": self.q,
            **extra,
        }
        return urlencode({k: v for k, v in values.items() if v not in ("", None)})

    async def page(self, reports: ReportService, number: int, size: int = PAGE_SIZE) -> Page:
        return await reports.queue(
            statuses=[self.status] if self.status else None,
            category=self.category or None,
            district=self.district or None,
            overdue=self.overdue,
            search=self.q or None,
            page=number,
            page_size=size,
        )


def _filters(
    status: str = "", category: str = "", district: str = "", overdue: str = "", q: str = ""
) -> Filters:
    if status and status not in STATUS_VALUES:
        raise BadInput("没有这个状态。")
    return Filters(status, category, district, overdue in ("1", "on", "true"), q.strip()[:100])


FilterArgs = Annotated[str, Query(max_length=100)]


@router.get("/reports")
async def list_reports(
    request: Request,
    reports: ReportsDep,
    staff: StaffDep,
    status: FilterArgs = "",
    category: FilterArgs = "",
    district: FilterArgs = "",
    overdue: FilterArgs = "",
    q: FilterArgs = "",
    page_number: Annotated[int, Query(alias="page", ge=1, le=100_000)] = 1,
) -> Response:
    filters = _filters(status, category, district, overdue, q)
    found = await filters.page(reports, page_number)
    now = reports.clock.now()
    rows = [(StaffView.of(r), bool(missed_deadlines(r, now))) for r in found.items]
    context = {"filters": filters, "found": found, "rows": rows}
    return page(request, "reports/list.html", context)


@router.get("/reports/export.csv")
async def export_reports(
    reports: ReportsDep,
    staff: StaffDep,
    status: FilterArgs = "",
    category: FilterArgs = "",
    district: FilterArgs = "",
    overdue: FilterArgs = "",
    q: FilterArgs = "",
) -> Response:
    """Open311-shaped rows; reporters' contact only for admins and never for anonymous ones."""
    filters = _filters(status, category, district, overdue, q)
    chosen: list[Report] = []
    number = 1
    while True:
        found = await filters.page(reports, number, EXPORT_PAGE)
        chosen.extend(found.items)
        if number >= found.pages:
            break
        number += 1
    out = io.StringIO()
    include_contact = staff.role_enum.allows(Role.ADMIN)
    count = write_csv(chosen, out, include_contact=include_contact, media_base_url="/media")
    log.info("staff account %s exported %s reports", staff.id, count)
    return Response(
        "\ufeff" + out.getvalue(),  # a BOM, so spreadsheet programs read the Chinese as UTF-8
        media_type="text/csv; charset=utf-8",
        headers={"Content-Disposition": 'attachment; filename="greenbot-reports.csv"'},
    )


@router.get("/reports/{ticket}")
async def show_report(
    request: Request, ticket: str, reports: ReportsDep, staff: StaffDep
) -> Response:
    report = await reports.get(ticket)
    moves = sorted(allowed_moves(report.status), key=list(Status).index)
    context = {
        "report": StaffView.of(report),
        "events": await reports.events(report.ticket),
        "followers": len(await reports.followers(report.ticket)),
        "missed": missed_deadlines(report, reports.clock.now()),
        "moves": [(status.value, STATUS_NAMES[status]) for status in moves],
        "departments": reports.routing.departments,
    }
    return page(request, "reports/detail.html", context)


@router.post("/reports/{ticket}/status")
async def change_status(
    request: Request,
    ticket: str,
    reports: ReportsDep,
    staff: StaffDep,
    to: Annotated[str, Form(max_length=32)],
    note: Annotated[str, Form(max_length=2000)] = "",
    department: Annotated[str, Form(max_length=64)] = "",
    duplicate_of: Annotated[str, Form(max_length=20)] = "",
) -> Response:
    target = Status(to) if to in STATUS_VALUES else None
    if target is None:
        raise BadInput("没有这个状态。")
    report = await reports.change_status(
        ticket,
        target,
        by=Staff(id=staff.id, name=staff.label),
        note=note,
        department=(department.strip() or None) if target == Status.TRANSFERRED else None,
        duplicate_of=(duplicate_of.strip() or None) if target == Status.DUPLICATE else None,
    )
    log.info("staff account %s moved %s to %s", staff.id, report.ticket, target.value)
    flash(request, f"工单 {report.ticket} 已改为「{STATUS_NAMES[target]}」，举报人会收到通知。")
    return RedirectResponse(f"/reports/{report.ticket}", status_code=303)


@router.get("/media/{name}")
async def show_photo(name: str, console: ConsoleDep, staff: StaffDep) -> Response:
    """A report's photo, for logged-in staff only (never cached by a shared proxy)."""
    path = console.media.path(name)  # InvalidReport for a name with a path in it
    if not path.is_file():
        raise NotFound("照片不存在。")
    suffix = path.suffix.lower()
    headers = {"Cache-Control": "private, max-age=3600"}
    if suffix in MEDIA_TYPES:
        return FileResponse(path, media_type=MEDIA_TYPES[suffix], headers=headers)
    headers["Content-Disposition"] = "attachment"
    return FileResponse(path, media_type="application/octet-stream", headers=headers)
