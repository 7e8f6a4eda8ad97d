"""Every Chinese text the reports domain has for a citizen, in one place, and its notices as data.

Words are written in Simplified Chinese; a surface converts them with OpenCC `s2t` for citizens
who read Traditional. A status notice is queued as data (`StatusNotice`, the outbox row's
payload) and rendered by the surface that delivers it, at send time, in the script the citizen
reads then (Telegram: `bot/notices.py`; the web sandbox: `web/sandbox/notices.py`). The words
here carry no markup: the surface marks the ticket up and escapes what staff typed.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import asdict, dataclass
from typing import TYPE_CHECKING, Any, Literal, Protocol

from ground.scripts import in_script
from reports.alerts import AreaDigest
from reports.statuses import Status

if TYPE_CHECKING:
    from outbox import Outbox
    from reports.models import Report, ReportEvent, ReportFollower

Script = Literal["hans", "hant"]
Markup = Callable[[str], str]  # plain text → the sending surface's markup
NOTICE_KIND = "report_status"  # OutboxMessage.kind of every notice queued here (and its payload's)

STATUS_NAMES: dict[Status, str] = {
    Status.SUBMITTED: "已提交",
    Status.ACCEPTED: "已受理",
    Status.TRANSFERRED: "已转办",
    Status.IN_PROGRESS: "办理中",
    Status.RESOLVED: "已办结",
    Status.REJECTED: "不予受理",
    Status.DUPLICATE: "重复举报（已合并）",
    Status.REOPENED: "已重新办理",
}

# Shown when a citizen chooses anonymity (one sentence, as the issue asks).
ANONYMITY_EXPLAINED = (
    "选择匿名后，工作人员查看的举报信息和导出的数据中都不会显示您的身份和联系方式，"
    "但处理进展仍会通过本机器人发送给您。"
)

# A status notice's lines: `{ticket}` and `{original}` are tickets (a surface may set them in
# bold), the rest is filled with escaped text.
HEAD_REPORTER = "您的举报 {ticket} 有新进展。"
HEAD_FOLLOWER = "您关注的举报 {ticket} 有新进展。"
STATUS_LINE = "状态：{status}"
DEPARTMENT_LINE = "承办单位：{department}"
DUPLICATE_LINE = "该问题已由工单 {original} 受理，将合并办理，请留意该工单的进展。"
NOTE_LINE = "说明：{note}"
# Was it fixed? (reports/feedback.py) Asked under a resolution's notice and once more later; the
# surface sends the two answers as buttons.
FIXED_ASK = "问题解决了吗？请点下方按钮告诉我们；如果没解决，可以补充照片或说明，我们会重新办理。"
FIXED_ASK_AGAIN = "您的举报 {ticket} 办结已有一段时间，问题真的解决了吗？请点下方按钮告诉我们。"
FIXED_YES, FIXED_NO = "✅ 已解决", "❌ 没解决"
QUESTION_KIND = "report_fixed_question"


def status_name(status: Status | str, script: str = "hans") -> str:
    return in_script(STATUS_NAMES[Status(status)], script)


def anonymity_explained(script: str = "hans") -> str:
    return in_script(ANONYMITY_EXPLAINED, script)


@dataclass(frozen=True)
class StatusNotice:
    """A report changed status: what its reporter (or a follower) is told, as data.

    `script` is the recipient's script when the notice was queued: a surface renders in the
    script the citizen reads at send time, and falls back to this one.
    """

    ticket: str
    status: str
    note: str
    department: str | None = None
    duplicate_of: str | None = None
    follower: bool = False
    script: str = "hans"

    def render(self, script: str, *, escape: Markup, strong: Markup) -> str:
        """The notice's lines in `script`, marked up by the surface that sends it: `escape` makes
        what staff typed safe in its markup, `strong` marks a ticket up (and escapes it)."""
        status = Status(self.status)
        lines = [
            (HEAD_FOLLOWER if self.follower else HEAD_REPORTER).format(ticket=strong(self.ticket)),
            STATUS_LINE.format(status=STATUS_NAMES[status]),
        ]
        if status == Status.TRANSFERRED and self.department:  # only a transfer names it
            lines.append(DEPARTMENT_LINE.format(department=escape(self.department)))
        if status == Status.DUPLICATE and self.duplicate_of:  # the ticket it was merged into
            lines.append(DUPLICATE_LINE.format(original=strong(self.duplicate_of)))
        lines.append(NOTE_LINE.format(note=escape(self.note)))
        if self.asks_if_fixed:
            lines.append(FIXED_ASK)
        return in_script("\n".join(lines), script)

    @property
    def asks_if_fixed(self) -> bool:
        """A resolution asks its reporter (not a follower) whether the problem is gone."""
        return self.status == Status.RESOLVED and not self.follower

    def payload(self) -> dict[str, Any]:
        return {"notice": NOTICE_KIND, **asdict(self)}

    @classmethod
    def from_payload(cls, payload: dict[str, Any] | None) -> StatusNotice | None:
        """The notice in an outbox row's payload; None when the row holds none."""
        if not payload or payload.get("notice") != NOTICE_KIND:
            return None
        return cls(
            ticket=str(payload["ticket"]),
            status=str(Status(payload["status"])),
            note=str(payload.get("note") or ""),
            department=payload.get("department"),
            duplicate_of=payload.get("duplicate_of"),
            follower=bool(payload.get("follower")),
            script=str(payload.get("script") or "hans"),
        )


@dataclass(frozen=True)
class FixedQuestion:
    """The second "was it fixed?", some days after a resolution nobody answered."""

    ticket: str
    script: str = "hans"
    asks_if_fixed: bool = True

    def render(self, script: str, *, escape: Markup, strong: Markup) -> str:
        return in_script(FIXED_ASK_AGAIN.format(ticket=strong(self.ticket)), script)

    def payload(self) -> dict[str, Any]:
        return {"notice": QUESTION_KIND, "ticket": self.ticket, "script": self.script}

    @classmethod
    def from_payload(cls, payload: dict[str, Any] | None) -> FixedQuestion | None:
        if not payload or payload.get("notice") != QUESTION_KIND:
            return None
        return cls(ticket=str(payload["ticket"]), script=str(payload.get("script") or "hans"))


def fixed_buttons(script: str) -> tuple[str, str]:
    """The labels of the two answers (已解决, 没解决) in `script`."""
    return in_script(FIXED_YES, script), in_script(FIXED_NO, script)


class Notice(Protocol):
    """A message queued as data and rendered by the surface that delivers it, at send time."""

    script: str  # the recipient's script when it was queued (the fallback)

    def render(self, script: str, *, escape: Markup, strong: Markup) -> str: ...


class NoticeType(Protocol):
    def from_payload(self, payload: dict[str, Any] | None) -> Notice | None: ...


# Every kind of notice queued as data; a surface asks each in turn (`notice_from_payload`).
NOTICE_TYPES: list[NoticeType] = [StatusNotice, FixedQuestion, AreaDigest]


def notice_from_payload(payload: dict[str, Any] | None) -> Notice | None:
    """The notice an outbox row's payload holds, of whichever registered kind; None for a row
    queued as text."""
    for kind in NOTICE_TYPES:
        notice = kind.from_payload(payload)
        if notice is not None:
            return notice
    return None


async def queue_status_notices(
    outbox: Outbox,
    report: Report,
    event: ReportEvent,
    followers: list[ReportFollower],
    *,
    reporter: bool = True,
) -> int:
    """Queue the notice of `event` for the reporter (unless `reporter` is False: the change
    was theirs) and each follower, as data.

    Dedupe keys: `report:{ticket}:event:{id}` for the reporter, `…:chat:{chat_id}` for a
    follower, so a retried change never double-sends. Returns how many were queued.
    """
    base_key = f"report:{report.ticket}:event:{event.id}"
    recipients: list[tuple[int, str, bool, str]] = []
    if reporter and report.reporter_chat_id is not None:  # None after erase_reporter
        recipients.append((report.reporter_chat_id, report.reporter_script, False, base_key))
    for follower in followers:
        if follower.chat_id != report.reporter_chat_id:
            key = f"{base_key}:chat:{follower.chat_id}"
            recipients.append((follower.chat_id, follower.script, True, key))
    queued = 0
    for chat_id, script, is_follower, key in recipients:
        notice = StatusNotice(
            ticket=report.ticket,
            status=str(Status(event.to_status)),
            note=event.note,
            department=report.department,
            duplicate_of=report.duplicate_of,
            follower=is_follower,
            script=script,
        )
        queued += await outbox.add(
            chat_id=chat_id,
            text="",
            payload=notice.payload(),
            kind=NOTICE_KIND,
            dedupe_key=key,
            now=event.at,
        )
    return queued


def fixed_question(notice: Notice | None) -> str | None:
    """The ticket whose reporter `notice` asks "was it fixed?"; None when it asks nothing."""
    if isinstance(notice, StatusNotice | FixedQuestion) and notice.asks_if_fixed:
        return notice.ticket
    return None
