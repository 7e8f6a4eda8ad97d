"""Area alerts (issue 17): a citizen subscribes to a district and gets one digest a day of the
reports filed or resolved there, as data through the outbox (`AreaDigest`, rendered by the
delivering surface at send time in the citizen's script).

What a digest shows of a report: its ticket, category and status, and the text staff published
(`public_description`, only while published) — never the reporter's own description, identity,
contact, address or location; demo (sandbox) reports never appear (reports/publication.py).

When: once a day from `ALERT_HOUR` (Asia/Shanghai), never in quiet hours (a due digest waits
for their end). Each subscription's window runs from its last digest (or its creation) to the
moment it is processed; `last_digest_at` moves to that moment in the same transaction as the
outbox row, also when there was nothing new (then nothing is queued), so every subscription is
looked at once a day. The dedupe key holds the citizen and the Shanghai date the digest is due:
ticks, restarts and several instances queue it once.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from typing import TYPE_CHECKING, Any

from sqlalchemy import and_, delete, func, or_, select, update

from campaigns.quiet import QUIET_END_HOUR, QUIET_START_HOUR, is_quiet, next_allowed
from citizens.models import Citizen
from ground.clock import SHANGHAI, chinese_date
from ground.scripts import in_script
from outbox import Outbox
from reports.categories import Category, category_name
from reports.districts import DISTRICTS, check_district
from reports.models import AreaSubscription, Report
from reports.publication import is_published
from reports.statuses import Status

if TYPE_CHECKING:
    from collections.abc import Callable, Sequence

    from sqlalchemy.ext.asyncio import AsyncSession

    Markup = Callable[[str], str]

DIGEST_KIND = "area_digest"  # OutboxMessage.kind of a digest, and its payload's `notice`
ALERT_HOUR = 18  # after a working day, well before quiet hours (22:00)
MAX_LISTED = 10  # reports listed in one digest; the rest are counted
MAX_PUBLIC_CHARS = 80  # of a published text, per report (one phone screen for the digest)

# The digest's words (Simplified; `in_script` converts for 繁體 readers). `{ticket}` is marked up
# by the surface, everything else is escaped.
HEAD = "📍 片区举报日报（{day}）"
SECTION = "【{district}】新举报 {new} 件，新办结 {resolved} 件"
ITEM = "· {ticket} {category}｜{status}"
PUBLIC_LINE = "　公开说明：{text}"
MORE = "……另有 {more} 件未列出。"
FOOTER = (
    "以上只列工单号、类别、处理状态和工作人员公开发布的说明，不含举报人信息。\n"
    "发送 /alerts 可以调整或取消片区提醒。"
)


# --- subscriptions --------------------------------------------------------------------------


class AreaAlerts:
    """A citizen's district subscriptions; the caller's session owns the transaction."""

    def __init__(self, session: AsyncSession) -> None:
        self.session = session

    async def districts(self, user_id: int) -> list[str]:
        """The districts `user_id` subscribed to, in the list's order."""
        rows = await self.session.scalars(
            select(AreaSubscription.district).where(AreaSubscription.user_id == user_id)
        )
        chosen = set(rows)
        return [district for district in DISTRICTS if district in chosen]

    async def subscribe(
        self, *, user_id: int, chat_id: int, district: str, script: str, now: datetime
    ) -> bool:
        """Subscribe to `district` (InvalidReport when it is not one); False when already."""
        district = check_district(district)
        if await self._get(user_id, district) is not None:
            return False
        self.session.add(
            AreaSubscription(
                user_id=user_id, chat_id=chat_id, district=district, script=script, created_at=now
            )
        )
        await self.session.flush()
        return True

    async def unsubscribe(self, user_id: int, district: str) -> bool:
        """Stop `district`'s digest; False when there was none."""
        result = await self.session.execute(
            delete(AreaSubscription).where(
                AreaSubscription.user_id == user_id,
                AreaSubscription.district == check_district(district),
            )
        )
        return bool(result.rowcount)

    async def toggle(
        self, *, user_id: int, chat_id: int, district: str, script: str, now: datetime
    ) -> bool:
        """Subscribe when not subscribed, else unsubscribe; True when subscribed after."""
        if await self.unsubscribe(user_id, district):
            return False
        return await self.subscribe(
            user_id=user_id, chat_id=chat_id, district=district, script=script, now=now
        )

    async def erase(self, user_id: int) -> int:
        """Every subscription of `user_id` (/deleteme, or 全部取消); returns how many."""
        result = await self.session.execute(
            delete(AreaSubscription).where(AreaSubscription.user_id == user_id)
        )
        return int(result.rowcount or 0)

    async def set_script(self, user_id: int, script: str) -> None:
        """The script a digest falls back to when the citizen's current one is unknown."""
        await self.session.execute(
            update(AreaSubscription)
            .where(AreaSubscription.user_id == user_id)
            .values(script=script)
        )

    async def _get(self, user_id: int, district: str) -> AreaSubscription | None:
        return await self.session.scalar(
            select(AreaSubscription).where(
                AreaSubscription.user_id == user_id, AreaSubscription.district == district
            )
        )


# --- the digest as data ---------------------------------------------------------------------


@dataclass(frozen=True)
class DigestItem:
    ticket: str
    category: str  # Category code
    status: str  # Status code
    public: str | None = None  # the published text, shortened; None when not published


@dataclass(frozen=True)
class DigestSection:
    district: str
    new: int
    resolved: int
    items: tuple[DigestItem, ...]


@dataclass(frozen=True)
class AreaDigest:
    """One citizen's digest of their districts for `day` (ISO date, Asia/Shanghai)."""

    day: str
    sections: tuple[DigestSection, ...]
    more: int = 0  # reports counted but not listed
    script: str = "hans"

    def render(self, script: str, *, escape: Markup, strong: Markup) -> str:
        from reports.notices import STATUS_NAMES  # notices registers this class: no cycle

        lines = [HEAD.format(day=chinese_date(date.fromisoformat(self.day)))]
        for section in self.sections:
            lines.append(
                SECTION.format(
                    district=escape(section.district), new=section.new, resolved=section.resolved
                )
            )
            for item in section.items:
                lines.append(
                    ITEM.format(
                        ticket=strong(item.ticket),
                        category=escape(category_name(item.category)),
                        status=STATUS_NAMES[Status(item.status)],
                    )
                )
                if item.public:
                    lines.append(PUBLIC_LINE.format(text=escape(item.public)))
        if self.more:
            lines.append(MORE.format(more=self.more))
        lines.append(FOOTER)
        return in_script("\n".join(lines), script)

    def payload(self) -> dict[str, Any]:
        return {
            "notice": DIGEST_KIND,
            "day": self.day,
            "more": self.more,
            "script": self.script,
            "sections": [
                {
                    "district": s.district,
                    "new": s.new,
                    "resolved": s.resolved,
                    "items": [
                        {"ticket": i.ticket, "category": i.category, "status": i.status}
                        | ({"public": i.public} if i.public else {})
                        for i in s.items
                    ],
                }
                for s in self.sections
            ],
        }

    @classmethod
    def from_payload(cls, payload: dict[str, Any] | None) -> AreaDigest | None:
        """The digest in an outbox row's payload; None when the row holds none."""
        if not payload or payload.get("notice") != DIGEST_KIND:
            return None
        sections = tuple(
            DigestSection(
                district=str(section["district"]),
                new=int(section["new"]),
                resolved=int(section["resolved"]),
                items=tuple(
                    DigestItem(
                        ticket=str(item["ticket"]),
                        category=str(Category(item["category"])),
                        status=str(Status(item["status"])),
                        public=item.get("public") or None,
                    )
                    for item in section["items"]
                ),
            )
            for section in payload["sections"]
        )
        return cls(
            day=date.fromisoformat(str(payload["day"])).isoformat(),
            sections=sections,
            more=int(payload.get("more") or 0),
            script=str(payload.get("script") or "hans"),
        )


# --- queueing the digests -------------------------------------------------------------------


@dataclass(frozen=True)
class DigestTimes:
    """When digests are due: from `hour` each day, outside quiet hours (Asia/Shanghai)."""

    hour: int = ALERT_HOUR
    quiet_start: int = QUIET_START_HOUR
    quiet_end: int = QUIET_END_HOUR

    def due(self, day: date) -> datetime:
        """`day`'s digest moment: `hour`, or the end of quiet hours when `hour` is quiet."""
        at = datetime.combine(day, time(self.hour), tzinfo=SHANGHAI)
        return next_allowed(at, start_hour=self.quiet_start, end_hour=self.quiet_end)

    def latest_due(self, now: datetime) -> tuple[date, datetime] | None:
        """The day and moment of the latest digest due by `now`; None in quiet hours."""
        if is_quiet(now, start_hour=self.quiet_start, end_hour=self.quiet_end):
            return None
        today = now.astimezone(SHANGHAI).date()
        for day in (today, today - timedelta(days=1)):
            if self.due(day) <= now:
                return day, self.due(day)
        return None


async def queue_area_digests(
    session: AsyncSession,
    now: datetime,
    *,
    times: DigestTimes | None = None,
    max_listed: int = MAX_LISTED,
) -> int:
    """Queue today's digest for every citizen with a subscription due; returns how many.

    A subscription is due when its window (from `last_digest_at`, or `created_at`) started
    before the latest digest moment. Cheap on every tick: once processed, none is due until
    the next day's moment.
    """
    due = (times or DigestTimes()).latest_due(now)
    if due is None:
        return 0
    day, moment = due
    since = func.coalesce(AreaSubscription.last_digest_at, AreaSubscription.created_at)
    rows = await session.execute(
        select(AreaSubscription, Citizen.reachable)
        .outerjoin(Citizen, Citizen.user_id == AreaSubscription.user_id)
        .where(since < moment)
        .order_by(AreaSubscription.user_id, AreaSubscription.id)
    )
    by_user: dict[int, list[AreaSubscription]] = defaultdict(list)
    unreachable: set[int] = set()
    for subscription, reachable in rows:
        by_user[subscription.user_id].append(subscription)
        if reachable is False:  # blocked the bot: the window moves on, nothing is queued
            unreachable.add(subscription.user_id)
    outbox, queued = Outbox(session), 0
    for user_id, subscriptions in by_user.items():
        if user_id not in unreachable:
            digest = await _digest(session, subscriptions, day, now, max_listed)
            if digest is not None:
                latest = subscriptions[-1]
                queued += await outbox.add(
                    chat_id=latest.chat_id,
                    text="",
                    payload=digest.payload(),
                    kind=DIGEST_KIND,
                    dedupe_key=f"{DIGEST_KIND}:{user_id}:{day.isoformat()}",
                    now=now,
                )
        for subscription in subscriptions:
            subscription.last_digest_at = now
    await session.flush()
    return queued


async def _digest(
    session: AsyncSession,
    subscriptions: Sequence[AreaSubscription],
    day: date,
    now: datetime,
    max_listed: int,
) -> AreaDigest | None:
    """The digest of these subscriptions' windows up to `now`; None when nothing is new."""
    sections: list[DigestSection] = []
    listed = more = 0
    for subscription in sorted(subscriptions, key=lambda s: DISTRICTS.index(s.district)):
        since = subscription.last_digest_at or subscription.created_at
        reports = await reports_between(session, subscription.district, since, now)
        if not reports:
            continue
        room = max(max_listed - listed, 0)
        items = tuple(_item(report) for report in reports[:room])
        listed += len(items)
        more += len(reports) - len(items)
        new = sum(1 for r in reports if since < r.created_at <= now)
        resolved = sum(1 for r in reports if _resolved_between(r, since, now))
        sections.append(DigestSection(subscription.district, new, resolved, items))
    if not sections:
        return None
    return AreaDigest(
        day=day.isoformat(), sections=tuple(sections), more=more, script=subscriptions[-1].script
    )


async def reports_between(
    session: AsyncSession, district: str, since: datetime, until: datetime
) -> list[Report]:
    """Reports of `district` filed, or resolved, in (since, until]; never a demo report."""
    filed = and_(Report.created_at > since, Report.created_at <= until)
    resolved = and_(
        Report.status == Status.RESOLVED.value,
        Report.closed_at > since,
        Report.closed_at <= until,
    )
    rows = await session.scalars(
        select(Report)
        .where(Report.district == district, Report.demo.is_(False), or_(filed, resolved))
        .order_by(Report.created_at, Report.id)
    )
    return list(rows)


def _resolved_between(report: Report, since: datetime, until: datetime) -> bool:
    closed = report.closed_at
    return report.status == Status.RESOLVED and closed is not None and since < closed <= until


def _item(report: Report) -> DigestItem:
    """Only what is public: the published text, never the reporter's description."""
    public = report.public_description if is_published(report) else None
    if public and len(public) > MAX_PUBLIC_CHARS:
        public = public[: MAX_PUBLIC_CHARS - 1] + "…"
    return DigestItem(
        ticket=report.ticket, category=report.category, status=report.status, public=public
    )
