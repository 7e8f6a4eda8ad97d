"""What anyone may see of the city's reports without logging in (the public transparency page
and its open data): the reports staff published, and figures over every real report.

A published report shows only what publication made public (reports/publication.py): the text
staff reviewed, category, status, department, district, the days it was filed, answered and
closed, and its place rounded to about 100 m. Figures count every report that is not a demo,
published or not, since they identify no one: counts by district, category and status, and the
days to respond and to close against the 12369 deadlines (15 and 60 days), overall and per
department. Never a reporter's description, name, account, phone, address, photo or exact place,
and never a web-sandbox report.
"""

from __future__ import annotations

import statistics
from collections import Counter
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, replace
from datetime import date, datetime

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from ground.clock import SHANGHAI
from reports.categories import category_name
from reports.deadlines import CLOSE_WITHIN, RESPOND_WITHIN
from reports.feedback import satisfaction
from reports.models import Report
from reports.notices import status_name
from reports.publication import approximate
from reports.statuses import is_open

MAX_LISTED = 2000  # the newest published reports on the page and in the files
DAY_SECONDS = 86400.0
ALL = "全部"  # the service level over every department

# The open-data schema: CSV columns and JSON keys, with what each holds (shown on the page,
# served in the JSON, and in docs/open-data.md).
OPEN_DATA_SCHEMA = {
    "ticket": "工单号，例如 TR-2611-0042",
    "category": "问题类别代码（air、water、noise 等）",
    "category_name": "问题类别名称",
    "status": (
        "状态代码（submitted、accepted、transferred、in_progress、resolved、rejected、duplicate、reopened）"
    ),
    "status_name": "状态名称",
    "district": "所在区县",
    "department": "承办单位",
    "text": "工作人员审核后公开的说明（不是举报人原文）",
    "filed_on": "提交日期（YYYY-MM-DD，北京时间）",
    "responded_on": "受理或不予受理的日期，尚未答复为空",
    "closed_on": "办结日期（已解决、不予受理或重复），未办结为空",
    "latitude": "纬度，保留 3 位小数（约 100 米），未提供位置为空",
    "longitude": "经度，保留 3 位小数（约 100 米），未提供位置为空",
}
OPEN_DATA_FIELDS = tuple(OPEN_DATA_SCHEMA)


@dataclass(frozen=True)
class PublicReport:
    ticket: str
    category: str
    status: str
    district: str
    department: str
    text: str  # the text staff reviewed for publication, never the reporter's own
    filed_on: date
    responded_on: date | None
    closed_on: date | None
    latitude: float | None  # rounded to about 100 m
    longitude: float | None

    def row(self) -> dict[str, str | float | None]:
        """One record of the open data, keyed by OPEN_DATA_FIELDS."""
        return {
            "ticket": self.ticket,
            "category": self.category,
            "category_name": category_name(self.category),
            "status": self.status,
            "status_name": status_name(self.status),
            "district": self.district,
            "department": self.department,
            "text": self.text,
            "filed_on": self.filed_on.isoformat(),
            "responded_on": self.responded_on.isoformat() if self.responded_on else None,
            "closed_on": self.closed_on.isoformat() if self.closed_on else None,
            "latitude": self.latitude,
            "longitude": self.longitude,
        }


@dataclass(frozen=True)
class ServiceLevel:
    """How fast reports were answered and closed, against the 12369 deadlines."""

    name: str  # a department, or 全部
    reports: int
    responded: int
    respond_median_days: float | None
    respond_on_time: float | None  # of reports answered or past 15 days: answered within 15
    closed: int
    close_median_days: float | None
    close_on_time: float | None  # of reports closed or past 60 days: closed within 60
    # Was it fixed? (reports/feedback.py) Reporters' answers to resolutions, and the share that
    # said 已解决: satisfaction, counted for the department that resolved it.
    answered: int = 0
    fixed_share: float | None = None


@dataclass(frozen=True)
class Figures:
    reports: int
    open: int
    by_district: dict[str, int]
    by_category: dict[str, int]
    by_status: dict[str, int]
    overall: ServiceLevel
    departments: tuple[ServiceLevel, ...]


@dataclass(frozen=True)
class _Timing:
    """The columns figures need of one report: nothing about who filed it."""

    district: str
    category: str
    status: str
    department: str
    created_at: datetime
    responded_at: datetime | None
    closed_at: datetime | None


def _day(moment: datetime | None) -> date | None:
    return moment.astimezone(SHANGHAI).date() if moment is not None else None


async def published(session: AsyncSession, *, limit: int = MAX_LISTED) -> list[PublicReport]:
    """The newest published, non-demo reports, as the public may see them."""
    rows = await session.execute(
        select(
            Report.ticket,
            Report.category,
            Report.status,
            Report.district,
            Report.department,
            Report.public_description,
            Report.created_at,
            Report.responded_at,
            Report.closed_at,
            Report.lat,
            Report.lon,
        )
        .where(Report.published_at.is_not(None), Report.demo.is_(False))
        .order_by(Report.created_at.desc(), Report.id.desc())
        .limit(limit)
    )
    return [
        PublicReport(
            ticket=row.ticket,
            category=row.category,
            status=row.status,
            district=row.district,
            department=row.department,
            text=row.public_description or "",
            filed_on=_day(row.created_at) or date.min,
            responded_on=_day(row.responded_at),
            closed_on=_day(row.closed_at),
            latitude=approximate(row.lat),
            longitude=approximate(row.lon),
        )
        for row in rows
    ]


async def figures(session: AsyncSession, now: datetime) -> Figures:
    """Counts and service levels over every real report (demo reports left out)."""
    rows = await session.execute(
        select(
            Report.district,
            Report.category,
            Report.status,
            Report.department,
            Report.created_at,
            Report.responded_at,
            Report.closed_at,
        ).where(Report.demo.is_(False))
    )
    timings = [_Timing(*row) for row in rows]
    by_department: dict[str, list[_Timing]] = {}
    for timing in timings:
        by_department.setdefault(timing.department, []).append(timing)
    answers = {row.department or ALL: row for row in await satisfaction(session)}
    for name in answers.keys() - by_department.keys() - {ALL}:
        by_department[name] = []  # answered for a department that no longer holds a report

    def level(name: str, group: Sequence[_Timing]) -> ServiceLevel:
        answered = answers.get(name)
        return replace(
            service_level(name, group, now),
            answered=answered.answered if answered else 0,
            fixed_share=answered.share if answered else None,
        )

    return Figures(
        reports=len(timings),
        open=sum(is_open(t.status) for t in timings),
        by_district=_counted(t.district for t in timings),
        by_category=_counted(t.category for t in timings),
        by_status=_counted(t.status for t in timings),
        overall=level(ALL, timings),
        departments=tuple(
            sorted(
                (level(name, group) for name, group in by_department.items()),
                key=lambda level: (-level.reports, level.name),
            )
        ),
    )


def _counted(values: Iterable[str]) -> dict[str, int]:
    return dict(Counter(values).most_common())


def service_level(name: str, timings: Sequence[_Timing], now: datetime) -> ServiceLevel:
    """Median days to respond and to close, and the share within each deadline among the
    reports whose deadline has been decided (met, or passed without it)."""
    respond = [_days(t.created_at, t.responded_at) for t in timings if t.responded_at]
    close = [_days(t.created_at, t.closed_at) for t in timings if t.closed_at]
    return ServiceLevel(
        name=name,
        reports=len(timings),
        responded=len(respond),
        respond_median_days=_median(respond),
        respond_on_time=_on_time(timings, now, "responded_at", RESPOND_WITHIN.days),
        closed=len(close),
        close_median_days=_median(close),
        close_on_time=_on_time(timings, now, "closed_at", CLOSE_WITHIN.days),
    )


def _days(start: datetime, end: datetime) -> float:
    return max(0.0, (end - start).total_seconds() / DAY_SECONDS)


def _median(values: Sequence[float]) -> float | None:
    return round(statistics.median(values), 1) if values else None


def _on_time(timings: Sequence[_Timing], now: datetime, field: str, within: int) -> float | None:
    decided = on_time = 0
    for timing in timings:
        done: datetime | None = getattr(timing, field)
        if done is not None:
            decided += 1
            on_time += _days(timing.created_at, done) <= within
        elif _days(timing.created_at, now) > within:
            decided += 1  # still waiting past the deadline: missed
    return round(on_time / decided, 2) if decided else None
