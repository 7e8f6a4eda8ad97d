"""The reports use cases: submit, move through the lifecycle, follow, list, erase.

Runs inside the caller's transaction (the bot middleware or a web dependency commits), so a
status change, its audit row and the citizen's outbox notices commit or roll back together.
"""

from __future__ import annotations

import asyncio
from collections.abc import Collection, Sequence
from dataclasses import dataclass, field
from datetime import datetime, time, timedelta
from typing import TYPE_CHECKING

from ground.clock import SHANGHAI
from outbox import Outbox
from reports.categories import Category, parse_category
from reports.deadlines import Overdue, deadlines_for, missed_deadlines
from reports.districts import check_district
from reports.errors import InvalidTransition, TooManyReports
from reports.media import MediaStore, StoredPhoto
from reports.models import Report, ReportEvent, ReportFollower, ReportPhoto
from reports.notices import queue_status_notices
from reports.privacy import is_demo_reporter
from reports.repo import Page, ReportRepo
from reports.routing import Routing, load_routing
from reports.similarity import WINDOW, Similar, compare, rank
from reports.statuses import TERMINAL, Status, check_transition
from reports.tickets import next_ticket, normalise_ticket
from reports.validation import check_description, check_location, check_phone, check_script

if TYPE_CHECKING:
    from sqlalchemy.ext.asyncio import AsyncSession

    from ground.clock import Clock

MAX_NOTE = 2000
SUBMISSION_NOTE = "submitted by the reporter"


@dataclass(frozen=True)
class Staff:
    """Who made a change, for the audit trail."""

    id: int
    name: str


@dataclass(frozen=True)
class Limits:
    reports_per_day: int = 5  # per reporter, Asia/Shanghai calendar day
    max_photos: int = 5


@dataclass(frozen=True)
class ReportServices:
    """Makes the ReportService of one transaction. Built once from the settings (the photo
    store, routing.yaml read once, the limits) and handed to every surface, so the bot, the
    console, Open311 and the CLI file and move reports under the same rules."""

    clock: Clock
    media: MediaStore
    routing: Routing = field(default_factory=load_routing)
    limits: Limits = field(default_factory=Limits)

    def __call__(self, session: AsyncSession) -> ReportService:
        return ReportService(
            session,
            Outbox(session),
            self.clock,
            self.media,
            routing=self.routing,
            limits=self.limits,
        )


def _day_bounds(moment: datetime) -> tuple[datetime, datetime]:
    """Start and end of `moment`'s calendar day in Asia/Shanghai."""
    start = datetime.combine(moment.astimezone(SHANGHAI).date(), time(), tzinfo=SHANGHAI)
    return start, start + timedelta(days=1)


def _check_note(note: str) -> str:
    cleaned = (note or "").strip()
    if not cleaned:
        raise InvalidTransition("a status change needs a note")
    if len(cleaned) > MAX_NOTE:
        raise InvalidTransition(f"note longer than {MAX_NOTE} characters")
    return cleaned


class ReportService:
    def __init__(
        self,
        session: AsyncSession,
        outbox: Outbox,
        clock: Clock,
        media: MediaStore,
        *,
        routing: Routing | None = None,
        limits: Limits | None = None,
    ) -> None:
        self.session = session
        self.repo = ReportRepo(session)
        self.outbox = outbox
        self.clock = clock
        self.media = media
        self.routing = routing or load_routing()
        self.limits = limits or Limits()

    # --- filing ---------------------------------------------------------------------------

    async def submit(
        self,
        *,
        user_id: int,
        chat_id: int,
        category: Category | str,
        description: str,
        district: str,
        lat: float | None = None,
        lon: float | None = None,
        address: str | None = None,
        photos: Sequence[bytes | StoredPhoto] = (),
        phone: str | None = None,
        anonymous: bool = False,
        script: str = "hans",
    ) -> Report:
        """File a report, routed to its category's department, with a fresh ticket; a web
        sandbox visitor's is marked a demo (reports/privacy.py). `photos` is the evidence:
        photos as bytes, or pieces the bot stored already (`StoredPhoto`, of any kind: voice
        notes and videos count apart from photos, reports.media.MAX_RECORDINGS)."""
        code = parse_category(category)
        text = check_description(description)
        place = check_district(district)
        lat, lon, address = check_location(lat, lon, address)
        contact = check_phone(phone)
        unique_photos = self.media.unique(photos, max_count=self.limits.max_photos)
        now = self.clock.now()
        await self._check_daily_limit(user_id, now)
        stored = [await asyncio.to_thread(self.media.put_once, photo) for photo in unique_photos]
        ticket = await next_ticket(self.session, now)  # takes the write lock: keep it late
        respond_by, close_by = deadlines_for(now)
        report = Report(
            ticket=ticket,
            category=code.value,
            description=text,
            district=place,
            address=address,
            lat=lat,
            lon=lon,
            anonymous=anonymous,
            demo=is_demo_reporter(user_id) or is_demo_reporter(chat_id),
            reporter_user_id=user_id,
            reporter_chat_id=chat_id,
            reporter_script=check_script(script),
            phone=contact,
            status=Status.SUBMITTED.value,
            department=self.routing.department_for(code),
            created_at=now,
            updated_at=now,
            respond_by=respond_by,
            close_by=close_by,
            photos=[
                ReportPhoto(position=i, sha256=p.sha256, name=p.name, size=p.size, kind=p.kind)
                for i, p in enumerate(stored)
            ],
        )
        self.session.add(report)
        await self.session.flush()
        self.session.add(
            ReportEvent(
                report_id=report.id,
                at=now,
                to_status=Status.SUBMITTED.value,
                note=SUBMISSION_NOTE,
                department=report.department,
            )
        )
        await self.session.flush()
        return report

    async def at_daily_limit(self, user_id: int) -> bool:
        """Whether `user_id` has filed today's `limits.reports_per_day` reports already: asked
        as a report is started, so nobody fills in a form that `submit` would refuse."""
        filed = await self._filed_on_day(user_id, self.clock.now())
        return filed >= self.limits.reports_per_day

    async def follow(
        self, ticket: str, *, user_id: int, chat_id: int, script: str = "hans"
    ) -> bool:
        """Subscribe a citizen to an existing report's notices; False if nothing was added."""
        report = await self.repo.get(ticket)
        if report.reporter_user_id == user_id:
            return False
        existing = await self.repo.follower(report.id, user_id)
        if existing is not None:
            existing.chat_id, existing.script = chat_id, check_script(script)
            return False
        self.session.add(
            ReportFollower(
                report_id=report.id,
                user_id=user_id,
                chat_id=chat_id,
                script=check_script(script),
                created_at=self.clock.now(),
            )
        )
        await self.session.flush()
        return True

    async def unfollow(self, ticket: str, *, user_id: int) -> bool:
        report = await self.repo.get(ticket)
        existing = await self.repo.follower(report.id, user_id)
        if existing is None:
            return False
        await self.session.delete(existing)
        await self.session.flush()
        return True

    # --- handling -------------------------------------------------------------------------

    async def change_status(
        self,
        ticket: str,
        to: Status | str,
        *,
        by: Staff,
        note: str,
        department: str | None = None,
        duplicate_of: str | None = None,
    ) -> Report:
        """Move a report, write the audit row and queue notices to its reporter and followers.

        `department` is required for (and only for) `transferred`; `duplicate_of` likewise for
        `duplicate`. Raises InvalidTransition (UnknownDepartment) or ReportNotFound.
        """
        text = _check_note(note)
        report = await self.repo.get(ticket, for_update=True)
        source = Status(report.status)
        target = check_transition(source, to)
        if (department is not None) != (target == Status.TRANSFERRED):
            raise InvalidTransition("a department is given with, and only with, a transfer")
        if (duplicate_of is not None) != (target == Status.DUPLICATE):
            raise InvalidTransition("an original ticket is given with, and only with, duplicate")
        original = await self._original(report, duplicate_of) if duplicate_of else None
        now = self.clock.now()
        self._apply(report, target, text, now, department=department, original=original)
        event = ReportEvent(
            report_id=report.id,
            at=now,
            from_status=source.value,
            to_status=target.value,
            note=text,
            staff_id=by.id,
            staff_name=by.name,
            department=report.department,
            duplicate_of=report.duplicate_of,
        )
        self.session.add(event)
        await self.session.flush()
        if original is not None:
            await self._reporter_follows(report, original, now)
        followers = await self.repo.followers(report.id)
        await queue_status_notices(self.outbox, report, event, followers)
        return report

    async def transfer(self, ticket: str, department: str, *, by: Staff, note: str) -> Report:
        return await self.change_status(
            ticket, Status.TRANSFERRED, by=by, note=note, department=department
        )

    async def mark_duplicate(self, ticket: str, original: str, *, by: Staff, note: str) -> Report:
        return await self.change_status(
            ticket, Status.DUPLICATE, by=by, note=note, duplicate_of=original
        )

    # --- reading --------------------------------------------------------------------------

    async def get(self, ticket: str) -> Report:
        return await self.repo.get(ticket)

    async def events(self, ticket: str) -> list[ReportEvent]:
        """The audit trail, oldest first."""
        return await self.repo.events((await self.repo.get(ticket)).id)

    async def followers(self, ticket: str) -> list[ReportFollower]:
        return await self.repo.followers((await self.repo.get(ticket)).id)

    async def for_reporter(self, user_id: int) -> list[Report]:
        """A citizen's own reports, newest first."""
        return await self.repo.for_reporter(user_id)

    async def queue(
        self,
        *,
        statuses: Collection[Status | str] | None = None,
        category: Category | str | None = None,
        district: str | None = None,
        overdue: bool = False,
        search: str | None = None,
        include_demo: bool = False,
        page: int = 1,
        page_size: int = 20,
        order: str = "time",
        descending: bool = False,
    ) -> Page:
        """The staff work list, filtered, in `order` (reports.repo.QUEUE_ORDERS; oldest first
        by default), one page at a time (pages from 1); demo reports only when asked."""
        return await self.repo.queue(
            statuses=[Status(s) for s in statuses] if statuses else None,
            category=parse_category(category).value if category else None,
            district=check_district(district) if district else None,
            overdue_at=self.clock.now() if overdue else None,
            search=search,
            include_demo=include_demo,
            page=max(1, page),
            page_size=max(1, min(page_size, 200)),
            order=order,
            descending=descending,
        )

    async def overdue(self, now: datetime | None = None) -> list[Overdue]:
        """Open reports past the 15-day (respond) or 60-day (close) deadline, and which (demo
        reports aside)."""
        moment = now or self.clock.now()
        return [
            Overdue(report, missed_deadlines(report, moment))
            for report in await self.repo.overdue(moment)
        ]

    async def find_similar(
        self,
        category: Category | str,
        lat: float | None,
        lon: float | None,
        district: str | None,
        description: str,
        now: datetime | None = None,
    ) -> list[Similar]:
        """Reports of the last 7 days that are probably the same problem, closest first.

        Rejected and duplicate reports are skipped: there is nothing to follow on them; demo
        reports too: a citizen is never asked to follow a sandbox visitor's report.
        """
        since = (now or self.clock.now()) - WINDOW
        candidates = await self.repo.recent(
            parse_category(category).value, since, excluding=(Status.REJECTED, Status.DUPLICATE)
        )
        matches = [
            match
            for candidate in candidates
            if (
                match := compare(
                    candidate, lat=lat, lon=lon, district=district, description=description
                )
            )
        ]
        return rank(matches)

    # --- personal data --------------------------------------------------------------------

    async def erase_reporter(self, user_id: int) -> int:
        """/deleteme: anonymise every report of `user_id` (identity, contact, chat) and drop
        their follows; the reports stay. Returns how many reports changed."""
        return await self.repo.erase_reporter(user_id, self.clock.now())

    async def purge_contacts(self, *, older_than_days: int) -> int:
        """Retention: clear phone numbers on reports older than the given number of days."""
        return await self.repo.purge_contacts(self.clock.now() - timedelta(days=older_than_days))

    # --- internals ------------------------------------------------------------------------

    async def _check_daily_limit(self, user_id: int, now: datetime) -> None:
        filed = await self._filed_on_day(user_id, now)
        if filed >= self.limits.reports_per_day:
            raise TooManyReports(f"user {user_id} filed {filed} reports today")

    async def _filed_on_day(self, user_id: int, moment: datetime) -> int:
        start, end = _day_bounds(moment)
        return await self.repo.count_by_reporter(user_id, start, end)

    async def _original(self, report: Report, ticket: str) -> Report:
        """The report a duplicate points at, followed to the root of any duplicate chain."""
        original = await self.repo.get(normalise_ticket(ticket))
        seen = {report.ticket}
        while original.status == Status.DUPLICATE and original.duplicate_of:
            seen.add(original.ticket)
            original = await self.repo.get(original.duplicate_of)
            if original.ticket in seen:
                break
        if original.ticket in seen or original.status == Status.REJECTED:
            raise InvalidTransition(f"{report.ticket} cannot duplicate {original.ticket}")
        return original

    def _apply(
        self,
        report: Report,
        target: Status,
        note: str,
        now: datetime,
        *,
        department: str | None,
        original: Report | None,
    ) -> None:
        if department is not None:
            report.department = self.routing.check_department(department)
        if original is not None:
            report.duplicate_of = original.ticket
        if report.status == Status.SUBMITTED:
            report.responded_at = now
        if target in TERMINAL:
            report.closed_at = now
        elif report.closed_at is not None:  # reopened: open again until the next resolution
            report.closed_at = None
        report.status = target.value
        report.status_note = note
        report.updated_at = now

    async def _reporter_follows(self, duplicate: Report, original: Report, now: datetime) -> None:
        """The duplicate's reporter hears about the original from now on."""
        user_id, chat_id = duplicate.reporter_user_id, duplicate.reporter_chat_id
        if user_id is None or chat_id is None or user_id == original.reporter_user_id:
            return
        if await self.repo.follower(original.id, user_id) is None:
            self.session.add(
                ReportFollower(
                    report_id=original.id,
                    user_id=user_id,
                    chat_id=chat_id,
                    script=duplicate.reporter_script,
                    created_at=now,
                )
            )
            await self.session.flush()
