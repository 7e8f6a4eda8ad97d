"""What the scheduler's leader does for reports on every tick (cheap, idempotent queries).

- Retention: the privacy notice promises phone numbers are cleared after `retention_days`;
  this keeps that promise without a cron job.
- Overdue digest: once a day from 09:00 (Asia/Shanghai) staff get one message listing the open
  reports past the 12369 deadlines (respond within 15 days, close within 60). The outbox dedupe
  key is the date, so ticks, restarts and several instances still queue it once.
- Area digests: once a day from 18:00 (never in quiet hours) each citizen subscribed to a
  district gets the reports filed or resolved there since their last one (reports/alerts.py).
- Was it fixed? A reporter who has not answered a resolution in 14 days is asked once more
  (reports/feedback.py), after quiet hours.
"""

from __future__ import annotations

import html
from dataclasses import dataclass
from datetime import timedelta
from typing import TYPE_CHECKING

from campaigns.quiet import QUIET_END_HOUR, QUIET_START_HOUR
from ground.clock import SHANGHAI
from outbox import Outbox
from reports.alerts import ALERT_HOUR, DigestTimes, queue_area_digests
from reports.categories import category_name
from reports.deadlines import Deadline, missed_deadlines
from reports.feedback import ask_again
from reports.repo import ReportRepo

if TYPE_CHECKING:
    from datetime import datetime

    from sqlalchemy.ext.asyncio import AsyncSession

    from ground.clock import Clock
    from reports.models import Report

    Late = tuple[Report, tuple[Deadline, ...]]

DIGEST_HOUR = 9
DIGEST_KIND = "overdue_digest"
MAX_LISTED = 20  # one phone screen; the console and /queue show the rest
MISSED = {Deadline.RESPOND: "超过15日未受理", Deadline.CLOSE: "超过60日未办结"}


@dataclass(frozen=True)
class Housekeeping:
    retention_days: int
    staff_chat_id: int | None
    # Citizens' area digests: the hour they are due and the quiet hours they never fall in
    # (the root passes settings.quiet_start_hour / quiet_end_hour).
    alert_hour: int = ALERT_HOUR
    quiet_start: int = QUIET_START_HOUR
    quiet_end: int = QUIET_END_HOUR

    async def __call__(self, session: AsyncSession, clock: Clock) -> None:
        now = clock.now()
        repo = ReportRepo(session)
        await repo.purge_contacts(now - timedelta(days=self.retention_days))
        await self._overdue_digest(session, repo, now)
        times = DigestTimes(self.alert_hour, self.quiet_start, self.quiet_end)
        await queue_area_digests(session, now, times=times)
        await ask_again(
            session, Outbox(session), now, quiet_start=self.quiet_start, quiet_end=self.quiet_end
        )

    async def _overdue_digest(self, session: AsyncSession, repo: ReportRepo, now: datetime) -> None:
        local = now.astimezone(SHANGHAI)
        if self.staff_chat_id is None or local.hour < DIGEST_HOUR:
            return
        key = f"{DIGEST_KIND}:{self.staff_chat_id}:{local.date().isoformat()}"
        if await Outbox(session).has(key):  # today's is queued: no overdue scan every tick
            return
        overdue: list[Late] = [(r, missed_deadlines(r, now)) for r in await repo.overdue(now)]
        if not overdue:
            return
        await Outbox(session).add(
            chat_id=self.staff_chat_id,
            text=digest(overdue),
            kind=DIGEST_KIND,
            dedupe_key=key,
            now=now,
        )


def digest(overdue: list[Late]) -> str:
    """HTML for staff: ticket, category, district and which deadline passed; no reporter data."""
    lines = [f"⏰ <b>{len(overdue)} 件举报已超期</b>（按12369办理时限）："]
    for report, missed in overdue[:MAX_LISTED]:
        why = "、".join(MISSED[deadline] for deadline in missed)
        lines.append(
            f"· {html.escape(report.ticket)} {html.escape(category_name(report.category))}"
            f" {html.escape(report.district)}：{why}"
        )
    if len(overdue) > MAX_LISTED:
        lines.append(f"……另有 {len(overdue) - MAX_LISTED} 件，请在 /queue 或网页后台查看。")
    return "\n".join(lines)
