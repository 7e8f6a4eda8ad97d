"""Every Chinese text the reports domain sends to a citizen, in one place.

Written in Simplified Chinese and converted with OpenCC `s2t` for citizens who read Traditional.
Notices are HTML (Telegram parse mode): anything typed by staff is escaped with html.escape.
"""

from __future__ import annotations

import html
from typing import TYPE_CHECKING, Literal

from ground.scripts import in_script
from reports.statuses import Status

if TYPE_CHECKING:
    from outbox import Outbox
    from reports.models import Report, ReportEvent, ReportFollower

Script = Literal["hans", "hant"]
NOTICE_KIND = "report_status"  # OutboxMessage.kind of every notice queued here

STATUS_NAMES: dict[Status, str] = {
    Status.SUBMITTED: "已提交",
    Status.ACCEPTED: "已受理",
    Status.TRANSFERRED: "已转办",
    Status.IN_PROGRESS: "办理中",
    Status.RESOLVED: "已办结",
    Status.REJECTED: "不予受理",
    Status.DUPLICATE: "重复举报（已合并）",
}

# Shown when a citizen chooses anonymity (one sentence, as the issue asks).
ANONYMITY_EXPLAINED = (
    "选择匿名后，工作人员查看的举报信息和导出的数据中都不会显示您的身份和联系方式，"
    "但处理进展仍会通过本机器人发送给您。"
)

_HEAD_REPORTER = "您的举报 <b>{ticket}</b> 有新进展。"
_HEAD_FOLLOWER = "您关注的举报 <b>{ticket}</b> 有新进展。"
_STATUS_LINE = "状态：{status}"
_DEPARTMENT_LINE = "承办单位：{department}"
_DUPLICATE_LINE = "该问题已由工单 <b>{original}</b> 受理，将合并办理，请留意该工单的进展。"
_NOTE_LINE = "说明：{note}"


def status_name(status: Status | str, script: str = "hans") -> str:
    return in_script(STATUS_NAMES[Status(status)], script)


def anonymity_explained(script: str = "hans") -> str:
    return in_script(ANONYMITY_EXPLAINED, script)


def status_notice(
    *,
    ticket: str,
    status: Status | str,
    note: str,
    department: str | None = None,
    duplicate_of: str | None = None,
    script: str = "hans",
    follower: bool = False,
) -> str:
    """The HTML message telling a reporter (or a follower) that their report changed status."""
    head = _HEAD_FOLLOWER if follower else _HEAD_REPORTER
    lines = [
        head.format(ticket=html.escape(ticket)),
        _STATUS_LINE.format(status=STATUS_NAMES[Status(status)]),
    ]
    if Status(status) == Status.TRANSFERRED and department:
        lines.append(_DEPARTMENT_LINE.format(department=html.escape(department)))
    if Status(status) == Status.DUPLICATE and duplicate_of:
        lines.append(_DUPLICATE_LINE.format(original=html.escape(duplicate_of)))
    lines.append(_NOTE_LINE.format(note=html.escape(note)))
    return in_script("\n".join(lines), script)


async def queue_status_notices(
    outbox: Outbox, report: Report, event: ReportEvent, followers: list[ReportFollower]
) -> int:
    """Queue the notice of `event` for the reporter and each follower, each in their script.

    Dedupe keys: `report:{ticket}:event:{id}` for the reporter, `…:chat:{chat_id}` for a
    follower, so a retried change never double-sends. Returns how many were queued.
    """
    base_key = f"report:{report.ticket}:event:{event.id}"
    recipients: list[tuple[int, str, bool, str]] = []
    if report.reporter_chat_id is not None:  # None after erase_reporter
        recipients.append((report.reporter_chat_id, report.reporter_script, False, base_key))
    for follower in followers:
        if follower.chat_id != report.reporter_chat_id:
            key = f"{base_key}:chat:{follower.chat_id}"
            recipients.append((follower.chat_id, follower.script, True, key))
    queued = 0
    for chat_id, script, is_follower, key in recipients:
        text = status_notice(
            ticket=report.ticket,
            status=event.to_status,
            note=event.note,
            department=report.department,
            duplicate_of=report.duplicate_of,
            script=script,
            follower=is_follower,
        )
        queued += await outbox.add(
            chat_id=chat_id, text=text, kind=NOTICE_KIND, dedupe_key=key, now=event.at
        )
    return queued
