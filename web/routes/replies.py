"""Staff's response templates in the console (issue 17): the list by status for every staff
member, adding, editing and deleting them for admins, and what a report's status form offers.

Admins manage them because a template is what citizens read in the authority's name, many
times over, like a broadcast (`staff/roles.py`: admins broadcast); reviewers use them when they
move a report (`web/routes/reports.py`, the bot's staff buttons) and read the list here. A
template refused by `reports.replies.check` comes back in its form with the reason in Chinese.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from typing import TYPE_CHECKING, Annotated, Any

from fastapi import APIRouter, Form, Request
from starlette.responses import RedirectResponse, Response

from reports import CATEGORY_NAMES, STATUS_NAMES, Status
from reports.replies import (
    ALIASES,
    MAX_BODY,
    MAX_TITLE,
    PLACEHOLDERS,
    TARGETS,
    InvalidReply,
    Replies,
    ReplyNotFound,
    fill,
)
from staff import Role
from web.auth import flash
from web.deps import AdminDep, ConsoleDep, SessionDep, StaffDep
from web.errors import NotFound
from web.templating import page

if TYPE_CHECKING:
    from reports import Report, ReportService
    from reports.models import ResponseTemplate

log = logging.getLogger(__name__)

router = APIRouter()

REFUSALS = {
    "empty_title": "请填写模板名称。",
    "title_too_long": f"模板名称最多 {MAX_TITLE} 个字。",
    "unknown_status": "请选择这个模板用于哪种状态。",
    "unknown_category": "没有这个问题类别。",
    "empty_body": "模板内容不能为空。",
    "body_too_long": f"模板内容最多 {MAX_BODY} 个字。",
    "unknown_placeholder": "模板里有不认识的占位符：{names}。只能使用下面列出的占位符。",
    "unpaired_brace": "花括号不成对：占位符要写成 {{ticket}} 这样，左右括号各一个。",
    "filled_too_long": (
        f"填入占位符后可能超过 {MAX_BODY} 字（承办单位等最长可达数十字），请精简模板内容。"
    ),
}
STATUS_CHOICES = [(status.value, STATUS_NAMES[status]) for status in TARGETS]
CATEGORY_CHOICES = [("", "所有类别"), *((c.value, name) for c, name in CATEGORY_NAMES.items())]

TitleField = Annotated[str, Form(max_length=MAX_TITLE + 100)]
StatusField = Annotated[str, Form(max_length=32)]
CategoryField = Annotated[str, Form(max_length=32)]
BodyField = Annotated[str, Form(max_length=MAX_BODY + 500)]


def refusal(error: InvalidReply) -> str:
    return REFUSALS.get(error.reason, "模板无效。").format(
        names="、".join("{" + name + "}" for name in error.names)
    )


def _form_context(**values: Any) -> dict[str, Any]:
    return {
        "status_choices": STATUS_CHOICES,
        "category_choices": CATEGORY_CHOICES,
        "placeholders": [
            (name, next(k for k, v in ALIASES.items() if v == name), meaning)
            for name, meaning in PLACEHOLDERS.items()
        ],
        "max_title": MAX_TITLE,
        "max_body": MAX_BODY,
        "error": None,
        **values,
    }


@dataclass(frozen=True)
class Reply:
    """A response template as the status form offers it: filled for this report and move."""

    id: int
    title: str
    to: str
    to_name: str
    specific: bool  # written for this report's category
    note: str


async def offered_replies(
    reports: ReportService, report: Report, moves: list[Status]
) -> list[Reply]:
    """What a report's status form offers (`web/routes/reports.py`): the templates that fit each
    allowed move, filled; a transfer's {department} is left for the form's department list and
    filled when the change is sent."""
    found = Replies(reports.session, reports.clock)
    now = reports.clock.now()
    offered: list[Reply] = []
    for move in moves:
        leave = ("department",) if move == Status.TRANSFERRED else ()
        for template in await found.for_move(move, report.category):
            note = fill(template.body, report, status=move, on=now, leave=leave)
            offered.append(
                Reply(
                    template.id,
                    template.title,
                    move.value,
                    STATUS_NAMES[move],
                    template.category is not None,
                    note,
                )
            )
    return offered


@router.get("/replies")
async def list_replies(
    request: Request, session: SessionDep, console: ConsoleDep, staff: StaffDep
) -> Response:
    templates = await Replies(session, console.clock).all()
    groups: list[tuple[str, str, list[ResponseTemplate]]] = [
        (value, name, [t for t in templates if t.status == value]) for value, name in STATUS_CHOICES
    ]
    context = _form_context(
        groups=groups,
        category_names={c.value: name for c, name in CATEGORY_NAMES.items()},
        may_edit=staff.role_enum.allows(Role.ADMIN),
    )
    return page(request, "replies/list.html", context)


@router.get("/replies/new")
async def new_reply(
    request: Request, admin: AdminDep, status: str = "", category: str = ""
) -> Response:
    draft = {"title": "", "status": status, "category": category, "body": ""}
    return page(request, "replies/form.html", _form_context(draft=draft, template_id=None))


@router.post("/replies")
async def create_reply(
    request: Request,
    session: SessionDep,
    console: ConsoleDep,
    admin: AdminDep,
    title: TitleField = "",
    status: StatusField = "",
    category: CategoryField = "",
    body: BodyField = "",
) -> Response:
    draft = {"title": title, "status": status, "category": category, "body": body}
    try:
        template = await Replies(session, console.clock).create(
            title=title, status=status, category=category, body=body, by=admin.label
        )
    except InvalidReply as error:
        context = _form_context(draft=draft, template_id=None, error=refusal(error))
        return page(request, "replies/form.html", context, status_code=400)
    log.info("staff account %s added response template %s", admin.id, template.id)
    flash(request, f"已添加回复模板「{template.title}」。")
    return RedirectResponse(f"/replies#status-{template.status}", status_code=303)


async def _template(session: SessionDep, console: ConsoleDep, template_id: int) -> ResponseTemplate:
    try:
        return await Replies(session, console.clock).get(template_id)
    except ReplyNotFound:
        raise NotFound("没有这个回复模板，可能已被删除。") from None


@router.get("/replies/{template_id}")
async def edit_reply(
    request: Request, template_id: int, session: SessionDep, console: ConsoleDep, admin: AdminDep
) -> Response:
    template = await _template(session, console, template_id)
    draft = {
        "title": template.title,
        "status": template.status,
        "category": template.category or "",
        "body": template.body,
    }
    context = _form_context(draft=draft, template_id=template.id, template=template)
    return page(request, "replies/form.html", context)


@router.post("/replies/{template_id}")
async def update_reply(
    request: Request,
    template_id: int,
    session: SessionDep,
    console: ConsoleDep,
    admin: AdminDep,
    title: TitleField = "",
    status: StatusField = "",
    category: CategoryField = "",
    body: BodyField = "",
) -> Response:
    await _template(session, console, template_id)
    draft = {"title": title, "status": status, "category": category, "body": body}
    try:
        template = await Replies(session, console.clock).update(
            template_id, title=title, status=status, category=category, body=body, by=admin.label
        )
    except InvalidReply as error:
        context = _form_context(draft=draft, template_id=template_id, error=refusal(error))
        return page(request, "replies/form.html", context, status_code=400)
    log.info("staff account %s changed response template %s", admin.id, template.id)
    flash(request, f"已保存回复模板「{template.title}」。")
    return RedirectResponse(f"/replies#status-{template.status}", status_code=303)


@router.post("/replies/{template_id}/delete")
async def delete_reply(
    request: Request, template_id: int, session: SessionDep, console: ConsoleDep, admin: AdminDep
) -> Response:
    template = await _template(session, console, template_id)
    title = template.title
    await Replies(session, console.clock).delete(template_id)
    log.info("staff account %s deleted response template %s", admin.id, template_id)
    flash(request, f"已删除回复模板「{title}」。")
    return RedirectResponse("/replies", status_code=303)
