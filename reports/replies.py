"""Staff's response templates (issue 17): replies kept per status (and category, or any), with
placeholders filled from the report when staff move it, in the bot and the console alike.

Placeholders name the report and the move, never the reporter: {ticket} {category} {district}
{department} {status} {date}, or their Chinese names ({工单号} {类别} …). A template is checked
when it is saved (known placeholders, paired braces, lengths), and its longest possible fill
fits the note limit of `ReportService.change_status`, so a filled template is never refused.

Defaults (受理、转办、办结、不予受理 …) are written into an empty table at first use: a new
install has replies to offer without a setup step, and they are rows staff edit like their own.
An empty table is read as "never set up": deleting every template brings the defaults back.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date, datetime
from typing import TYPE_CHECKING

from sqlalchemy import func, select

from ground.clock import chinese_date
from reports.categories import CATEGORY_NAMES, Category, category_name
from reports.districts import DISTRICTS
from reports.errors import ReportError
from reports.models import ResponseTemplate
from reports.notices import STATUS_NAMES, status_name
from reports.service import MAX_NOTE
from reports.statuses import TRANSITIONS, Status

if TYPE_CHECKING:
    from collections.abc import Collection

    from sqlalchemy.ext.asyncio import AsyncSession

    from ground.clock import Clock
    from reports.models import Report

MAX_TITLE = 60  # the column's length
MAX_BODY = MAX_NOTE
MAX_DEPARTMENT = 64  # the column's length
MAX_TICKET = 20  # the column's length

# What each placeholder stands for (shown to staff), and the longest text it can become.
PLACEHOLDERS: dict[str, str] = {
    "ticket": "工单号，如 TR-2611-0042",
    "category": "问题类别，如 大气/扬尘",
    "district": "区县，如 碧江区",
    "department": "承办单位（转办时为转入的单位）",
    "status": "改为的状态，如 已受理",
    "date": "处理日期，如 2026年11月3日",
}
ALIASES: dict[str, str] = {
    "工单号": "ticket",
    "类别": "category",
    "区县": "district",
    "承办单位": "department",
    "状态": "status",
    "日期": "date",
}
LONGEST: dict[str, int] = {
    "ticket": MAX_TICKET,
    "category": max(len(name) for name in CATEGORY_NAMES.values()),
    "district": max(len(name) for name in DISTRICTS),
    "department": MAX_DEPARTMENT,
    "status": max(len(name) for name in STATUS_NAMES.values()),
    "date": len("2026年12月31日"),
}
# Where staff move a report to: every status but `submitted`.
TARGETS: tuple[Status, ...] = tuple(
    s for s in Status if any(s in targets for targets in TRANSITIONS.values())
)
_FIELD = re.compile(r"\{([^{}]*)\}")
_STATUS_ORDER = {status.value: n for n, status in enumerate(Status)}


class ReplyError(ReportError):
    """A response template could not be used or saved."""


class ReplyNotFound(ReplyError):
    """No template has that id (deleted meanwhile, or a forged id)."""


class InvalidReply(ReplyError):
    """A template staff tried to save: `reason` says what is wrong (a surface words it),
    `names` the unknown placeholders."""

    def __init__(self, reason: str, names: Collection[str] = ()) -> None:
        super().__init__(f"{reason}: {', '.join(names)}" if names else reason)
        self.reason = reason
        self.names = tuple(names)


@dataclass(frozen=True)
class Default:
    title: str
    status: Status
    body: str
    category: Category | None = None


DEFAULTS: tuple[Default, ...] = (
    Default(
        "受理",
        Status.ACCEPTED,
        "您反映的{category}问题（工单号 {ticket}）已于{date}受理，我们会尽快安排核查，"
        "处理进展会通过本机器人告知您。",
    ),
    Default(
        "噪声受理（夜间核查）",
        Status.ACCEPTED,
        "您反映的{district}噪声扰民问题已于{date}受理，执法人员将在噪声多发时段到现场监测核查。",
        Category.NOISE,
    ),
    Default(
        "转办",
        Status.TRANSFERRED,
        "您反映的问题已转交{department}办理，该单位将依法依规核查处理，办理结果会及时告知您。",
    ),
    Default(
        "现场核查中",
        Status.IN_PROGRESS,
        "{department}已安排工作人员到{district}现场核查处理，整改完成后会告知您结果。",
    ),
    Default(
        "办结",
        Status.RESOLVED,
        "经{department}核查处理，您反映的问题已整改完毕，工单号 {ticket} 已于{date}办结。"
        "感谢您对铜仁生态环境保护的支持与监督！",
    ),
    Default(
        "露天焚烧已制止",
        Status.RESOLVED,
        "经{district}执法人员现场核查，露天焚烧已被制止，现场已清理，相关责任人已受到批评教育。"
        "感谢您的监督！",
        Category.BURNING,
    ),
    Default(
        "不予受理（不属于受理范围）",
        Status.REJECTED,
        "经核实，您反映的事项不属于生态环境和节能监督的受理范围，本次不予受理。"
        "其他政务问题请拨打 12345 政务服务便民热线。",
    ),
    Default(
        "不予受理（信息不足）",
        Status.REJECTED,
        "您提供的信息不足以核实（缺少具体地点或现场情况），本次暂不予受理。"
        "欢迎补充具体地点和照片后重新举报。",
    ),
    Default(
        "重复举报",
        Status.DUPLICATE,
        "您反映的问题已有其他市民举报，我们将合并办理，请留意原工单的进展。",
    ),
    Default(
        "重新办理",
        Status.REOPENED,
        "您的举报（工单号 {ticket}）已重新办理，{department}将再次到现场核查，结果会及时告知您。",
    ),
)
# "工单号 TR-…", not "工单 TR-…": a staff card is headed "工单 TR-…｜status" (bot/texts), and a
# filled template shown in the bot's offer must not read as one.


def placeholder_names(body: str) -> list[str]:
    """The placeholders `body` uses, as written (Chinese names included), in order."""
    return _FIELD.findall(body)


def check(
    title: str, status: str, category: str | None, body: str
) -> tuple[str, Status, str | None, str]:
    """The template's fields cleaned, or InvalidReply with what is wrong (for staff)."""
    title, body = (title or "").strip(), (body or "").strip()
    if not title:
        raise InvalidReply("empty_title")
    if len(title) > MAX_TITLE:
        raise InvalidReply("title_too_long")
    if status not in {s.value for s in TARGETS}:
        raise InvalidReply("unknown_status")
    code = (category or "").strip() or None
    if code is not None and code not in {c.value for c in Category}:
        raise InvalidReply("unknown_category")
    if not body:
        raise InvalidReply("empty_body")
    if len(body) > MAX_BODY:
        raise InvalidReply("body_too_long")
    names = placeholder_names(body)
    unknown = [n for n in dict.fromkeys(names) if _canonical(n) is None]
    if unknown:
        raise InvalidReply("unknown_placeholder", unknown)
    if "{" in _FIELD.sub("", body) or "}" in _FIELD.sub("", body):
        raise InvalidReply("unpaired_brace")
    if longest_fill(body) > MAX_NOTE:
        raise InvalidReply("filled_too_long")
    return title, Status(status), code, body


def longest_fill(body: str) -> int:
    """How long `body` can become once filled (each placeholder at its longest value)."""
    return len(_FIELD.sub("", body)) + sum(
        LONGEST.get(_canonical(name) or "", len(name) + 2) for name in placeholder_names(body)
    )


def fill(
    body: str,
    report: Report,
    *,
    status: Status | str,
    on: date | datetime,
    department: str | None = None,
    leave: Collection[str] = (),
) -> str:
    """`body` with its placeholders filled for moving `report` to `status` on `on`.

    `department` is the one the move names (a transfer's new department), else the report's.
    Placeholders in `leave` (canonical names) and unknown ones stay as written: a note staff
    typed is filled the same way without touching braces it uses for itself."""
    values = {
        "ticket": report.ticket,
        "category": category_name(report.category),
        "district": report.district,
        "department": department or report.department,
        "status": status_name(status),
        "date": chinese_date(on),
    }

    def value(match: re.Match[str]) -> str:
        name = _canonical(match.group(1))
        if name is None or name in leave:
            return match.group(0)
        return values[name]

    return _FIELD.sub(value, body)


def _canonical(name: str) -> str | None:
    cleaned = name.strip()
    if cleaned in PLACEHOLDERS:
        return cleaned
    return ALIASES.get(cleaned)


def _order(template: ResponseTemplate) -> tuple[int, int, int]:
    """By status (in lifecycle order), any-category after specific ones, then as created."""
    return (
        _STATUS_ORDER.get(template.status, len(_STATUS_ORDER)),
        template.category is None,
        template.id,
    )


class Replies:
    """The templates on one transaction (the caller commits)."""

    def __init__(self, session: AsyncSession, clock: Clock) -> None:
        self.session = session
        self.clock = clock

    async def all(self) -> list[ResponseTemplate]:
        """Every template, by status; the defaults are written first into an empty table."""
        await self._seed_if_empty()
        found = await self.session.scalars(select(ResponseTemplate))
        return sorted(found, key=_order)

    async def get(self, template_id: int) -> ResponseTemplate:
        found = await self.session.get(ResponseTemplate, template_id)
        if found is None:
            raise ReplyNotFound(f"no response template {template_id}")
        return found

    async def for_move(self, status: Status | str, category: str) -> list[ResponseTemplate]:
        """The templates for moving a report of `category` to `status`: those written for that
        category first, then those for any category (each as created)."""
        await self._seed_if_empty()
        found = await self.session.scalars(
            select(ResponseTemplate).where(
                ResponseTemplate.status == Status(status).value,
                (ResponseTemplate.category == category) | ResponseTemplate.category.is_(None),
            )
        )
        return sorted(found, key=_order)

    async def fitting(
        self, template_id: int, status: Status | str, category: str
    ) -> ResponseTemplate:
        """The template `template_id` when it fits this move (a button or a form may be older
        than an edit): ReplyNotFound otherwise."""
        template = await self.get(template_id)
        if template.status != Status(status).value or template.category not in (None, category):
            raise ReplyNotFound(f"response template {template_id} does not fit {status}")
        return template

    async def create(
        self, *, title: str, status: str, category: str | None, body: str, by: str | None
    ) -> ResponseTemplate:
        title, target, code, text = check(title, status, category, body)
        template = ResponseTemplate(
            title=title,
            status=target.value,
            category=code,
            body=text,
            updated_at=self.clock.now(),
            updated_by=by,
        )
        self.session.add(template)
        await self.session.flush()
        return template

    async def update(
        self,
        template_id: int,
        *,
        title: str,
        status: str,
        category: str | None,
        body: str,
        by: str | None,
    ) -> ResponseTemplate:
        template = await self.get(template_id)
        title, target, code, text = check(title, status, category, body)
        template.title, template.status, template.category, template.body = (
            title,
            target.value,
            code,
            text,
        )
        template.updated_at, template.updated_by = self.clock.now(), by
        await self.session.flush()
        return template

    async def delete(self, template_id: int) -> None:
        await self.session.delete(await self.get(template_id))
        await self.session.flush()

    async def seed_defaults(self) -> int:
        """Write the default templates (whatever is there); returns how many."""
        now = self.clock.now()
        for default in DEFAULTS:
            self.session.add(
                ResponseTemplate(
                    title=default.title,
                    status=default.status.value,
                    category=default.category.value if default.category else None,
                    body=default.body,
                    updated_at=now,
                    updated_by=None,
                )
            )
        await self.session.flush()
        return len(DEFAULTS)

    async def _seed_if_empty(self) -> None:
        count = await self.session.scalar(select(func.count()).select_from(ResponseTemplate))
        if not count:
            await self.seed_defaults()
