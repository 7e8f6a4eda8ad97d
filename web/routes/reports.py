"""The reports queue, a report's detail (photos, location, audit trail), status changes,
publication and the CSV export. Status changes go through `ReportService.change_status`, exactly
like the bot's staff buttons: the audit row and the reporter's notice (outbox) commit together.

Contact (phone, Telegram account) shows on the detail page and in the export only where
`reports.contact_visible` allows it for the viewer's role. Demo reports (the web sandbox) are
left out of the queue and the export unless the "显示演示举报" box is ticked, and marked 演示.
Reviewers and admins alike publish a report for Open311's public view with a text they write
(`reports.publish`); each publication and withdrawal is in the audit trail.

The status form offers the response templates that fit the report and each move
(`reports.replies`), filled and editable; the audit trail shows the reporter's follow-ups (what
they added, "was it fixed?") with the evidence each came with."""

from __future__ import annotations

import io
import logging
from dataclasses import dataclass
from typing import TYPE_CHECKING, Annotated
from urllib.parse import urlencode

from fastapi import APIRouter, Form, Query, Request
from sqlalchemy import select
from starlette.responses import FileResponse, RedirectResponse, Response

from reports import (
    CannotPublish,
    Page,
    Report,
    ReportService,
    Staff,
    StaffView,
    Status,
    allowed_moves,
    may_see_contact,
    publish,
    withdraw,
    write_csv,
)
from reports.deadlines import missed_deadlines
from reports.models import ReportFeedback, ReportPhoto
from reports.notices import STATUS_NAMES
from reports.publication import MAX_PUBLIC_TEXT, PUBLIC_DECIMALS
from reports.replies import fill
from reports.repo import QUEUE_ORDERS
from web import maps
from web.auth import flash
from web.deps import ConsoleDep, ReportsDep, StaffDep
from web.errors import BadInput, NotFound
from web.routes.replies import offered_replies
from web.templating import page

if TYPE_CHECKING:
    from staff import StaffAccount
    from web.deps import Console

log = logging.getLogger(__name__)

router = APIRouter()

PAGE_SIZE = 25
EXPORT_PAGE = 200
STATUS_VALUES = frozenset(status.value for status in Status)
DEFAULT_SORT = "time"
SORTS = frozenset(QUEUE_ORDERS)
NEWEST_FIRST = frozenset({"time"})
SORT_NAMES = (
    ("time", "提交时间"),
    ("status", "状态"),
    ("category", "类别"),
    ("district", "区县"),
    ("deadline", "期限"),
)  # a first click on 提交时间 shows the newest first
MEDIA_TYPES = {
    ".jpg": "image/jpeg",
    ".png": "image/png",
    ".gif": "image/gif",
    ".webp": "image/webp",
    ".ogg": "audio/ogg",  # a Telegram voice note: Opus in OGG
    ".oga": "audio/ogg",
    ".opus": "audio/ogg",
    ".mp3": "audio/mpeg",
    ".m4a": "audio/mp4",
    ".mp4": "video/mp4",  # a Telegram video
    ".webm": "video/webm",
    ".mov": "video/quicktime",
}
# A file whose name tells nothing (`.bin`) is served as its evidence row's kind says.
KIND_TYPES = {"voice": "audio/ogg", "video": "video/mp4"}
# The reporter's own entries in the audit trail (staff_id None), by `action`.
CITIZEN_ACTIONS = {"addition": "举报人补充", "feedback": "举报人反馈：问题已解决"}
CITIZEN_REOPENED = "举报人反馈：没有解决，工单重新办理"


@dataclass(frozen=True)
class Filters:
    """The queue's filters, as the query string carries them (empty means any)."""

    status: str = ""
    category: str = ""
    district: str = ""
    overdue: bool = False
    q: str = ""
    demo: bool = False  # also the web sandbox's demo reports
    sort: str = DEFAULT_SORT
    descending: bool = False

    def query(self, **extra: object) -> str:
        values = {
            "status": self.status,
            "category": self.category,
            "district": self.district,
            "overdue": "1" if self.overdue else "",
            "q": self.q,
            "demo": "1" if self.demo else "",
            "sort": self.sort if self.sort != DEFAULT_SORT else "",
            "dir": "desc" if self.descending else "",
            **extra,
        }
        return urlencode({k: v for k, v in values.items() if v not in ("", None)})

    def sorted_by(self, key: str) -> str:
        """The query for a column header's link: sort by `key` with these filters, from the
        first page; a second click on the current column turns the order round."""
        descending = not self.descending if key == self.sort else key in NEWEST_FIRST
        return self.query(sort=key if key != DEFAULT_SORT else "", dir="desc" if descending else "")

    def arrow(self, key: str) -> str:
        if key != self.sort:
            return ""
        return " ↓" if self.descending else " ↑"

    async def page(self, reports: ReportService, number: int, size: int = PAGE_SIZE) -> Page:
        return await reports.queue(
            statuses=[self.status] if self.status else None,
            category=self.category or None,
            district=self.district or None,
            overdue=self.overdue,
            search=self.q or None,
            include_demo=self.demo,
            page=number,
            page_size=size,
            order=self.sort,
            descending=self.descending,
        )


YES = ("1", "on", "true")


def _filters(
    status: str = "",
    category: str = "",
    district: str = "",
    overdue: str = "",
    q: str = "",
    demo: str = "",
    sort: str = "",
    direction: str = "",
) -> Filters:
    if status and status not in STATUS_VALUES:
        raise BadInput("没有这个状态。")
    if sort and sort not in SORTS:
        raise BadInput("不能按这一列排序。")
    return Filters(
        status,
        category,
        district,
        overdue in YES,
        q.strip()[:100],
        demo in YES,
        sort or DEFAULT_SORT,
        direction == "desc",
    )


def _view(report: Report, staff: StaffAccount, console: Console) -> StaffView:
    """The report as this staff member's role may see it (the one contact policy)."""
    return StaffView.of(
        report,
        role=staff.role_enum.value,
        reviewers_see_contact=console.settings.reviewers_see_contact,
    )


FilterArgs = Annotated[str, Query(max_length=100)]


@router.get("/reports")
async def list_reports(
    request: Request,
    reports: ReportsDep,
    staff: StaffDep,
    console: ConsoleDep,
    status: FilterArgs = "",
    category: FilterArgs = "",
    district: FilterArgs = "",
    overdue: FilterArgs = "",
    q: FilterArgs = "",
    demo: FilterArgs = "",
    sort: FilterArgs = "",
    direction: Annotated[str, Query(alias="dir", max_length=4)] = "",
    page_number: Annotated[int, Query(alias="page", ge=1, le=100_000)] = 1,
) -> Response:
    filters = _filters(status, category, district, overdue, q, demo, sort, direction)
    found = await filters.page(reports, page_number)
    now = reports.clock.now()
    rows = [(_view(r, staff, console), bool(missed_deadlines(r, now))) for r in found.items]
    context = {"filters": filters, "found": found, "rows": rows, "sorts": SORT_NAMES}
    return page(request, "reports/list.html", context)


@router.get("/reports/export.csv")
async def export_reports(
    reports: ReportsDep,
    staff: StaffDep,
    console: ConsoleDep,
    status: FilterArgs = "",
    category: FilterArgs = "",
    district: FilterArgs = "",
    overdue: FilterArgs = "",
    q: FilterArgs = "",
    demo: FilterArgs = "",
) -> Response:
    """Open311-shaped rows; contact columns for a role that may see contact, each row's as the
    contact policy allows; demo reports (marked) only when the queue shows them."""
    filters = _filters(status, category, district, overdue, q, demo)
    chosen: list[Report] = []
    number = 1
    while True:
        found = await filters.page(reports, number, EXPORT_PAGE)
        chosen.extend(found.items)
        if number >= found.pages:
            break
        number += 1
    out = io.StringIO()
    role = staff.role_enum.value
    policy = console.settings.reviewers_see_contact
    count = write_csv(
        chosen,
        out,
        include_contact=may_see_contact(role, reviewers_see_contact=policy),
        role=role,
        reviewers_see_contact=policy,
        mark_demo=filters.demo,
        media_base_url="/media",
    )
    log.info("staff account %s exported %s reports", staff.id, count)
    return Response(
        "\ufeff" + out.getvalue(),  # a BOM, so spreadsheet programs read the Chinese as UTF-8
        media_type="text/csv; charset=utf-8",
        headers={"Content-Disposition": 'attachment; filename="greenbot-reports.csv"'},
    )


@router.get("/reports/{ticket}")
async def show_report(
    request: Request,
    ticket: str,
    reports: ReportsDep,
    staff: StaffDep,
    console: ConsoleDep,
    template: Annotated[int | None, Query(ge=1, le=2**31)] = None,
) -> Response:
    """The report; `?template=` fills that response template into the status form (the move it
    is for chosen, the note editable), so the picker works without JavaScript."""
    report = await reports.get(ticket)
    moves = sorted(allowed_moves(report.status), key=list(Status).index)
    view = _view(report, staff, console)
    replies = await offered_replies(reports, report, moves)
    chosen = next((r for r in replies if r.id == template), None)
    context = {
        "report": view,
        "map": _map(view),
        "public_decimals": PUBLIC_DECIMALS,
        "max_public_text": MAX_PUBLIC_TEXT,
        "events": await reports.events(report.ticket),
        "evidence": _evidence(report),
        "feedback": await _feedback(reports, report),
        "followers": len(await reports.followers(report.ticket)),
        "missed": missed_deadlines(report, reports.clock.now()),
        "moves": [(status.value, STATUS_NAMES[status]) for status in moves],
        "departments": reports.routing.departments,
        "replies": replies,
        "chosen": chosen,
        "template_gone": template is not None and chosen is None,
        "citizen_actions": CITIZEN_ACTIONS,
        "citizen_reopened": CITIZEN_REOPENED,
    }
    return page(request, "reports/detail.html", context)


@dataclass(frozen=True)
class Evidence:
    name: str
    kind: str  # photo | voice | video


def _evidence(report: Report) -> dict[int | None, list[Evidence]]:
    """The report's photos, voice notes and videos by the audit row they came with (None: filed
    with the report)."""
    by_event: dict[int | None, list[Evidence]] = {}
    for item in report.photos:
        kind = item.kind if item.kind in ("photo", "voice", "video") else "photo"
        by_event.setdefault(item.event_id, []).append(Evidence(item.name, kind))
    return by_event


async def _feedback(reports: ReportService, report: Report) -> list[ReportFeedback]:
    """The reporter's answers to "was it fixed?", oldest first."""
    found = await reports.session.scalars(
        select(ReportFeedback)
        .where(ReportFeedback.report_id == report.id)
        .order_by(ReportFeedback.at, ReportFeedback.id)
    )
    return list(found)


def _map(view: StaffView) -> maps.DistrictMap:
    """The report's point as this viewer may see it (the staff view), in its district; the
    district alone when no point was shared."""
    points: list[tuple[float, float, str, str | None]] = []
    if view.lat is not None and view.lon is not None:
        points.append((view.lat, view.lon, view.ticket, None))
    title = f"位置：{view.district}" + ("" if points else "（未提供坐标，只标出区县）")
    return maps.draw(title, points=points, highlight=view.district)


@router.post("/reports/{ticket}/status")
async def change_status(
    request: Request,
    ticket: str,
    reports: ReportsDep,
    staff: StaffDep,
    to: Annotated[str, Form(max_length=32)],
    note: Annotated[str, Form(max_length=2100)] = "",  # the service refuses past 2000
    department: Annotated[str, Form(max_length=64)] = "",
    duplicate_of: Annotated[str, Form(max_length=20)] = "",
) -> Response:
    target = Status(to) if to in STATUS_VALUES else None
    if target is None:
        raise BadInput("没有这个状态。")
    moved_to = (department.strip() or None) if target == Status.TRANSFERRED else None
    # A response template's placeholders still in the note (a transfer's {department}, one
    # typed by hand) are filled for this move, as the template picker fills the rest.
    current = await reports.get(ticket)
    note = fill(note, current, status=target, on=reports.clock.now(), department=moved_to)
    report = await reports.change_status(
        ticket,
        target,
        by=Staff(id=staff.id, name=staff.label),
        note=note,
        department=moved_to,
        duplicate_of=(duplicate_of.strip() or None) if target == Status.DUPLICATE else None,
    )
    log.info("staff account %s moved %s to %s", staff.id, report.ticket, target.value)
    flash(request, f"工单 {report.ticket} 已改为「{STATUS_NAMES[target]}」，举报人会收到通知。")
    return RedirectResponse(f"/reports/{report.ticket}", status_code=303)


PUBLISH_REFUSED = (
    "无法公开：演示举报不能公开；公开摘要不能为空、不能超过 {max} 字，"
    "也不能含有电话、身份证号或邮箱。"
)


@router.post("/reports/{ticket}/publish")
async def publish_report(
    request: Request,
    ticket: str,
    reports: ReportsDep,
    staff: StaffDep,
    public_description: Annotated[str, Form(max_length=MAX_PUBLIC_TEXT + 200)] = "",
) -> Response:
    """Publish with the text this staff member wrote (or approved): Open311 shows it to all."""
    try:
        report = await publish(
            reports, ticket, public_description, by=Staff(id=staff.id, name=staff.label)
        )
    except CannotPublish as refused:
        log.info("publication of %s refused: %s", ticket, type(refused).__name__)
        raise BadInput(PUBLISH_REFUSED.format(max=MAX_PUBLIC_TEXT)) from None
    log.info("staff account %s published %s", staff.id, report.ticket)
    flash(request, f"工单 {report.ticket} 已公开：公众可以看到公开摘要和大致位置。")
    return RedirectResponse(f"/reports/{report.ticket}", status_code=303)


@router.post("/reports/{ticket}/withdraw")
async def withdraw_report(
    request: Request, ticket: str, reports: ReportsDep, staff: StaffDep
) -> Response:
    try:
        report = await withdraw(reports, ticket, by=Staff(id=staff.id, name=staff.label))
    except CannotPublish:
        raise BadInput("这个工单没有公开。") from None
    log.info("staff account %s withdrew %s from publication", staff.id, report.ticket)
    flash(request, f"工单 {report.ticket} 已撤回公开。")
    return RedirectResponse(f"/reports/{report.ticket}", status_code=303)


@router.get("/media/{name}")
async def show_photo(name: str, staff: StaffDep, reports: ReportsDep) -> Response:
    """A report's photo, voice note or video, for logged-in staff only (never cached by a shared
    proxy), with the content type its name or its evidence row gives."""
    path = reports.media.path(name)  # InvalidReport for a name with a path in it
    if not path.is_file():
        raise NotFound("照片不存在。")
    suffix = path.suffix.lower()
    headers = {"Cache-Control": "private, max-age=3600"}
    if suffix in MEDIA_TYPES:
        return FileResponse(path, media_type=MEDIA_TYPES[suffix], headers=headers)
    kind = await reports.session.scalar(
        select(ReportPhoto.kind).where(ReportPhoto.name == name).limit(1)
    )
    if kind in KIND_TYPES:
        return FileResponse(path, media_type=KIND_TYPES[kind], headers=headers)
    headers["Content-Disposition"] = "attachment"
    return FileResponse(path, media_type="application/octet-stream", headers=headers)
