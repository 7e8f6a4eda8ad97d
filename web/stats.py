"""The dashboard's numbers: read-only aggregates over the domains' tables.

Grouping by week and by topic happens here in Python (over bounded windows), so the same
queries run on SQLite and PostgreSQL without date or JSON functions that differ between them.
Report counts leave out the web sandbox's demo reports: they are not the city's workload.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from typing import TYPE_CHECKING

from sqlalchemy import func, select

from campaigns import Broadcast, Subscriptions
from ground.clock import SHANGHAI
from knowledge.feedback import AskedQuestion
from outbox import Outbox
from reports import CATEGORY_NAMES, DISTRICTS, OPEN, Report
from reports.repo import overdue_clause
from web.markup import to_plain

if TYPE_CHECKING:
    from sqlalchemy.ext.asyncio import AsyncSession

    from outbox import DeliveryCounts

WEEKS = 12
QUESTION_DAYS = 90
BROADCASTS = 8
MAP_POINTS = 500  # the newest open reports on the dashboard's map
NOT_COVERED = "未能回答"
REAL = Report.demo.is_(False)


@dataclass(frozen=True)
class Summary:
    reports_open: int
    reports_overdue: int
    reports_total: int
    questions_week: int
    subscribers: int


async def summary(session: AsyncSession, now: datetime) -> Summary:
    open_count = await session.scalar(
        select(func.count(Report.id)).where(REAL, Report.status.in_([s.value for s in OPEN]))
    )
    overdue = await session.scalar(select(func.count(Report.id)).where(REAL, overdue_clause(now)))
    total = await session.scalar(select(func.count(Report.id)).where(REAL))
    week = await session.scalar(
        select(func.count(AskedQuestion.id)).where(
            AskedQuestion.created_at >= now - timedelta(days=7)
        )
    )
    return Summary(
        reports_open=int(open_count or 0),
        reports_overdue=int(overdue or 0),
        reports_total=int(total or 0),
        questions_week=int(week or 0),
        subscribers=await Subscriptions(session).count(),
    )


async def reports_by_category(session: AsyncSession) -> list[tuple[str, int]]:
    query = select(Report.category, func.count()).where(REAL).group_by(Report.category)
    rows = dict((await session.execute(query)).all())
    return [(name, int(rows.get(code.value, 0))) for code, name in CATEGORY_NAMES.items()]


async def reports_by_district(session: AsyncSession) -> list[tuple[str, int]]:
    query = select(Report.district, func.count()).where(REAL).group_by(Report.district)
    rows = dict((await session.execute(query)).all())
    return [(district, int(rows.get(district, 0))) for district in DISTRICTS]


async def open_report_points(
    session: AsyncSession, *, decimals: int, limit: int = MAP_POINTS
) -> list[tuple[float, float, str]]:
    """(lat, lon, ticket) of the newest open reports with a point, rounded to `decimals`: a
    wall-sized overview needs no more than the public precision."""
    query = (
        select(Report.lat, Report.lon, Report.ticket)
        .where(REAL, Report.status.in_(OPEN), Report.lat.is_not(None), Report.lon.is_not(None))
        .order_by(Report.created_at.desc())
        .limit(limit)
    )
    return [
        (round(lat, decimals), round(lon, decimals), ticket)
        for lat, lon, ticket in (await session.execute(query)).all()
    ]


def week_start(moment: datetime) -> date:
    day = moment.astimezone(SHANGHAI).date()
    return day - timedelta(days=day.weekday())


async def reports_by_week(session: AsyncSession, now: datetime) -> list[tuple[str, int]]:
    """Reports filed per week (Monday to Sunday, Asia/Shanghai), the last WEEKS weeks."""
    first = week_start(now) - timedelta(weeks=WEEKS - 1)
    since = datetime.combine(first, time(), tzinfo=SHANGHAI)
    created = await session.scalars(
        select(Report.created_at).where(REAL, Report.created_at >= since)
    )
    counts = Counter(week_start(moment) for moment in created)
    weeks = [first + timedelta(weeks=n) for n in range(WEEKS)]
    return [(f"{day:%m-%d} 起", counts.get(day, 0)) for day in weeks]


async def questions_by_topic(session: AsyncSession, now: datetime) -> list[tuple[str, int]]:
    """Questions of the last QUESTION_DAYS days by the document their answer cited first."""
    rows = await session.execute(
        select(AskedQuestion.covered, AskedQuestion.sources).where(
            AskedQuestion.created_at >= now - timedelta(days=QUESTION_DAYS)
        )
    )
    counts: Counter[str] = Counter()
    for covered, sources in rows.all():
        if not covered or not sources:
            counts[NOT_COVERED] += 1
        else:
            counts[str(sources[0].get("source") or sources[0].get("title") or "?")] += 1
    return counts.most_common()


@dataclass(frozen=True)
class Reach:
    broadcast: Broadcast
    counts: DeliveryCounts

    @property
    def label(self) -> str:
        text = " ".join(to_plain(self.broadcast.text, "HTML").split())
        return f"#{self.broadcast.id} {text[:14]}{'…' if len(text) > 14 else ''}"


async def broadcast_reach(session: AsyncSession, limit: int = BROADCASTS) -> list[Reach]:
    """The latest broadcasts (and reminders) and how their delivery went."""
    latest = await session.scalars(select(Broadcast).order_by(Broadcast.id.desc()).limit(limit))
    outbox = Outbox(session)
    return [Reach(b, await outbox.counts(b.id)) for b in latest]
