"""Queries over the reports tables; the caller's session owns the transaction (never commits)."""

from __future__ import annotations

from collections.abc import Collection
from dataclasses import dataclass
from datetime import datetime
from typing import TYPE_CHECKING

from sqlalchemy import ColumnElement, and_, case, delete, func, or_, select, update

from reports.categories import CATEGORY_NAMES
from reports.districts import DISTRICTS
from reports.errors import ReportNotFound
from reports.models import Report, ReportEvent, ReportFollower
from reports.statuses import OPEN, Status
from reports.tickets import normalise_ticket

if TYPE_CHECKING:
    from sqlalchemy.ext.asyncio import AsyncSession


@dataclass(frozen=True)
class Page:
    items: list[Report]
    total: int
    page: int
    page_size: int

    @property
    def pages(self) -> int:
        return max(1, -(-self.total // self.page_size))


def _in_order(column: ColumnElement[str] | object, values: list[str]) -> ColumnElement[int]:
    """A column's values by their place in `values` (the order staff know them in), not
    alphabetically; unknown values last."""
    return case({value: n for n, value in enumerate(values)}, value=column, else_=len(values))


# The queue's orders: each sorts by a key, then by submission (oldest first) to stay stable.
QUEUE_ORDERS: dict[str, ColumnElement[object]] = {
    "time": Report.created_at,  # type: ignore[dict-item]
    "status": _in_order(Report.status, [status.value for status in Status]),
    "category": _in_order(Report.category, [code.value for code in CATEGORY_NAMES]),
    "district": _in_order(Report.district, list(DISTRICTS)),
    # the deadline that matters now: acceptance while submitted, closing after
    "deadline": case(
        (Report.status == Status.SUBMITTED.value, Report.respond_by), else_=Report.close_by
    ),
}


def _ordering(order: str, *, descending: bool) -> list[ColumnElement[object]]:
    key = QUEUE_ORDERS.get(order, QUEUE_ORDERS["time"])
    ties = [Report.created_at, Report.id]
    if descending:
        return [key.desc(), *(column.desc() for column in ties)]
    return [key.asc(), *(column.asc() for column in ties)]


def overdue_clause(now: datetime) -> ColumnElement[bool]:
    """Open and past a deadline: still `submitted` after respond_by, or open after close_by."""
    return or_(
        and_(Report.status == Status.SUBMITTED, Report.respond_by < now),
        and_(Report.status.in_(OPEN), Report.close_by < now),
    )


class ReportRepo:
    def __init__(self, session: AsyncSession) -> None:
        self.session = session

    async def find(self, ticket: str, *, for_update: bool = False) -> Report | None:
        stmt = select(Report).where(Report.ticket == normalise_ticket(ticket))
        if for_update:  # PostgreSQL row lock; SQLite already serialises writers
            stmt = stmt.with_for_update()
        return (await self.session.scalars(stmt)).first()

    async def get(self, ticket: str, *, for_update: bool = False) -> Report:
        report = await self.find(ticket, for_update=for_update)
        if report is None:
            raise ReportNotFound(f"no report {ticket!r}")
        return report

    async def events(self, report_id: int) -> list[ReportEvent]:
        rows = await self.session.scalars(
            select(ReportEvent).where(ReportEvent.report_id == report_id).order_by(ReportEvent.id)
        )
        return list(rows)

    async def followers(self, report_id: int) -> list[ReportFollower]:
        rows = await self.session.scalars(
            select(ReportFollower)
            .where(ReportFollower.report_id == report_id)
            .order_by(ReportFollower.id)
        )
        return list(rows)

    async def follower(self, report_id: int, user_id: int) -> ReportFollower | None:
        return (
            await self.session.scalars(
                select(ReportFollower).where(
                    ReportFollower.report_id == report_id, ReportFollower.user_id == user_id
                )
            )
        ).first()

    async def count_by_reporter(self, user_id: int, start: datetime, end: datetime) -> int:
        """Reports filed by `user_id` with start <= created_at < end."""
        stmt = select(func.count(Report.id)).where(
            Report.reporter_user_id == user_id,
            Report.created_at >= start,
            Report.created_at < end,
        )
        return int((await self.session.execute(stmt)).scalar_one())

    async def for_reporter(self, user_id: int) -> list[Report]:
        rows = await self.session.scalars(
            select(Report)
            .where(Report.reporter_user_id == user_id)
            .order_by(Report.created_at.desc(), Report.id.desc())
        )
        return list(rows)

    async def recent(
        self, category: str, since: datetime, *, excluding: Collection[Status]
    ) -> list[Report]:
        """Reports of `category` created at or after `since`, not in the `excluding` statuses,
        demo reports aside."""
        rows = await self.session.scalars(
            select(Report).where(
                Report.demo.is_(False),
                Report.category == category,
                Report.created_at >= since,
                Report.status.not_in(list(excluding)),
            )
        )
        return list(rows)

    async def overdue(self, now: datetime) -> list[Report]:
        rows = await self.session.scalars(
            select(Report)
            .where(overdue_clause(now), Report.demo.is_(False))
            .order_by(Report.created_at, Report.id)
        )
        return list(rows)

    async def queue(
        self,
        *,
        statuses: Collection[Status] | None,
        category: str | None,
        district: str | None,
        overdue_at: datetime | None,
        search: str | None,
        page: int,
        page_size: int,
        include_demo: bool = False,
        order: str = "time",
        descending: bool = False,
    ) -> Page:
        """The staff list in `order` (a QUEUE_ORDERS key), oldest first by default (the
        deadlines run from submission)."""
        conditions: list[ColumnElement[bool]] = []
        if not include_demo:
            conditions.append(Report.demo.is_(False))
        if statuses:
            conditions.append(Report.status.in_(list(statuses)))
        if category:
            conditions.append(Report.category == category)
        if district:
            conditions.append(Report.district == district)
        if overdue_at is not None:
            conditions.append(overdue_clause(overdue_at))
        if search and search.strip():
            text = search.strip()
            conditions.append(
                or_(
                    Report.ticket.icontains(text, autoescape=True),
                    Report.description.icontains(text, autoescape=True),
                    Report.address.icontains(text, autoescape=True),
                )
            )
        total = (
            await self.session.execute(select(func.count(Report.id)).where(*conditions))
        ).scalar_one()
        rows = await self.session.scalars(
            select(Report)
            .where(*conditions)
            .order_by(*_ordering(order, descending=descending))
            .offset((page - 1) * page_size)
            .limit(page_size)
        )
        return Page(items=list(rows), total=int(total), page=page, page_size=page_size)

    async def erase_reporter(self, user_id: int, now: datetime) -> int:
        """Strip identity and contact from every report of `user_id`; drop their follows."""
        result = await self.session.execute(
            update(Report)
            .where(Report.reporter_user_id == user_id)
            .values(
                reporter_user_id=None,
                reporter_chat_id=None,
                phone=None,
                anonymous=True,
                erased_at=now,
            )
            .execution_options(synchronize_session="fetch")
        )
        await self.session.execute(delete(ReportFollower).where(ReportFollower.user_id == user_id))
        return int(result.rowcount or 0)

    async def purge_contacts(self, before: datetime) -> int:
        """Clear phone numbers of reports created before `before`."""
        result = await self.session.execute(
            update(Report)
            .where(Report.phone.is_not(None), Report.created_at < before)
            .values(phone=None)
            .execution_options(synchronize_session="fetch")
        )
        return int(result.rowcount or 0)
