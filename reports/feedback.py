"""Was it fixed? The reporter's answer to a resolution, as FixMyStreet asks its reporters.

The resolution's notice asks the reporter (the surface adds two buttons); `ask_again` asks once
more, after `ASK_AGAIN_DAYS`, whoever has not answered. 已解决 is counted for the department that
resolved it (`satisfaction`); 没解决 with a note, photos, voice notes or videos moves the report
`resolved → reopened`, back to staff, with the citizen's evidence on the audit row that
reopened it, and tells its followers. Each resolution is answered once (`report_feedback` is
unique on it).

A surface carries the answer in an opaque token (`answer_token`), checked here again: the
report must be the caller's own, resolved, and not answered yet, whatever a button claims.
"""

from __future__ import annotations

import asyncio
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import TYPE_CHECKING, Any

from sqlalchemy import Integer, and_, exists, func, select

from campaigns.quiet import QUIET_END_HOUR, QUIET_START_HOUR, next_allowed
from reports.errors import AlreadyAnswered, InvalidReport, InvalidTransition, NotYourReport
from reports.evidence import MAX_PIECES, TooMuchEvidence, attach_evidence
from reports.models import Report, ReportEvent, ReportFeedback
from reports.notices import (
    FixedQuestion,
    fixed_buttons,
    fixed_question,
    notice_from_payload,
    queue_status_notices,
)
from reports.statuses import Status, check_transition
from reports.tickets import normalise_ticket

if TYPE_CHECKING:
    from sqlalchemy.ext.asyncio import AsyncSession

    from outbox import Outbox
    from reports.media import StoredPhoto
    from reports.service import ReportService

TOKEN_PREFIX = "fixed"
MAX_NOTE = 1000
ASK_AGAIN_DAYS = 14  # FixMyStreet asks after four weeks; a resolution is fresher in mind
ASK_AGAIN_KIND = "report_fixed_again"
ASK_AGAIN_WINDOW = timedelta(days=7)  # a leader away longer than this skips the second question
FIXED_NOTE = "举报人确认问题已解决"
NOT_FIXED_NOTE = "举报人反馈问题未解决"


def answer_token(ticket: str, fixed: bool) -> str:
    """`fixed:TR-2612-0001:y`: what a button carries (well under Telegram's 64 bytes)."""
    return f"{TOKEN_PREFIX}:{ticket}:{'y' if fixed else 'n'}"


def answer_choices(ticket: str, script: str) -> list[tuple[str, str]]:
    """The two answers as (label in `script`, token): a surface makes them buttons."""
    yes, no = fixed_buttons(script)
    return [(yes, answer_token(ticket, True)), (no, answer_token(ticket, False))]


def reply_markup(
    payload: dict[str, Any] | None, queued: dict[str, Any] | None, script: str | None
) -> dict[str, Any] | None:
    """The buttons of an outbox row at send time: a notice asking "was it fixed?" gets the two
    answers in `script` (by default the one it was queued in), in the Bot API's inline-keyboard
    shape every outbox row's `reply_markup` has; any other row keeps the markup it was queued
    with (`queued`)."""
    notice = notice_from_payload(payload)
    ticket = fixed_question(notice)
    if notice is None or ticket is None:
        return queued
    row = [
        {"text": label, "callback_data": token}
        for label, token in answer_choices(ticket, script or notice.script)
    ]
    return {"inline_keyboard": [row]}


def parse_answer_token(token: str) -> tuple[str, bool] | None:
    """(ticket, fixed) from a token; None when it is not one (forged, truncated)."""
    parts = token.split(":")
    if len(parts) != 3 or parts[0] != TOKEN_PREFIX or parts[2] not in ("y", "n"):
        return None
    try:
        return normalise_ticket(parts[1]), parts[2] == "y"
    except ValueError:
        return None


@dataclass(frozen=True)
class Satisfaction:
    """Answers to "was it fixed?" for one department (or all, `department` None)."""

    department: str | None
    answered: int
    fixed: int

    @property
    def share(self) -> float | None:
        return self.fixed / self.answered if self.answered else None


class Feedback:
    """The reporter's side of a resolution, inside the caller's transaction."""

    def __init__(self, service: ReportService) -> None:
        self.service = service
        self.session = service.session

    async def pending(self, ticket: str, *, user_id: int) -> tuple[Report, ReportEvent]:
        """The caller's resolved report and the resolution still to answer; raises
        ReportNotFound, NotYourReport, InvalidTransition (not resolved) or AlreadyAnswered."""
        report = await self.service.repo.get(ticket, for_update=True)
        if report.reporter_user_id is None or report.reporter_user_id != user_id:
            raise NotYourReport(f"{report.ticket} was not filed by this citizen")
        if report.status != Status.RESOLVED:
            raise InvalidTransition(f"{report.ticket} is {report.status}, not resolved")
        resolution = await _latest_resolution(self.session, report.id)
        if resolution is None:
            raise InvalidTransition(f"{report.ticket} has no resolution to answer")
        if await self._answer_of(report.id, resolution.id) is not None:
            raise AlreadyAnswered(f"{report.ticket}: resolution {resolution.id} answered")
        return report, resolution

    async def fixed(self, ticket: str, *, user_id: int) -> Report:
        """已解决: counted for the department that resolved it; the report stays resolved."""
        report, resolution = await self.pending(ticket, user_id=user_id)
        event = self._event(report, Status.RESOLVED, FIXED_NOTE, action="feedback")
        self.session.add(event)
        await self.session.flush()
        self._answer(report, resolution, fixed=True, note=None, event=event)
        await self.session.flush()
        return report

    async def not_fixed(
        self,
        ticket: str,
        *,
        user_id: int,
        note: str | None = None,
        evidence: Sequence[StoredPhoto] = (),
    ) -> Report:
        """没解决, with a note or evidence the surface stored (photos, voice notes, videos; at
        least one of note and evidence): reopened to staff with it, and its followers told.
        Raises InvalidReport when there is neither, too much, or a stored file is missing."""
        text = (note or "").strip()
        if len(text) > MAX_NOTE:
            raise InvalidReport(f"note longer than {MAX_NOTE} characters")
        if not text and not evidence:
            raise InvalidReport("a 'not fixed' answer needs a note or evidence")
        if len(evidence) > MAX_PIECES:
            raise TooMuchEvidence(f"{len(evidence)} pieces, at most {MAX_PIECES}")
        for piece in evidence:
            if not await asyncio.to_thread(self.service.media.exists, piece.name):
                raise InvalidReport(f"stored {piece.kind} {piece.name!r} is missing")
        report, resolution = await self.pending(ticket, user_id=user_id)
        held = {photo.sha256 for photo in report.photos}
        pieces = list({p.sha256: p for p in evidence if p.sha256 not in held}.values())
        target = check_transition(report.status, Status.REOPENED)
        now = self.service.clock.now()
        event = self._event(report, target, text or NOT_FIXED_NOTE, action="status")
        report.status, report.status_note = target.value, event.note
        report.updated_at, report.closed_at = now, None
        self.session.add(event)
        await self.session.flush()
        attach_evidence(report, pieces, event)
        self._answer(report, resolution, fixed=False, note=text or None, event=event)
        await self.session.flush()
        followers = await self.service.repo.followers(report.id)
        await queue_status_notices(self.service.outbox, report, event, followers, reporter=False)
        return report

    def _event(self, report: Report, to: Status, note: str, *, action: str) -> ReportEvent:
        return ReportEvent(
            report_id=report.id,
            at=self.service.clock.now(),
            from_status=report.status,
            to_status=to.value,
            note=note,
            staff_id=None,  # the reporter
            department=report.department,
            action=action,
        )

    def _answer(
        self,
        report: Report,
        resolution: ReportEvent,
        *,
        fixed: bool,
        note: str | None,
        event: ReportEvent,
    ) -> None:
        self.session.add(
            ReportFeedback(
                report_id=report.id,
                resolved_event_id=resolution.id,
                department=resolution.department or report.department,
                fixed=fixed,
                note=note,
                event_id=event.id,
                at=event.at,
            )
        )

    async def _answer_of(self, report_id: int, resolution_id: int) -> ReportFeedback | None:
        return (
            await self.session.scalars(
                select(ReportFeedback).where(
                    ReportFeedback.report_id == report_id,
                    ReportFeedback.resolved_event_id == resolution_id,
                )
            )
        ).first()


async def _latest_resolution(session: AsyncSession, report_id: int) -> ReportEvent | None:
    return (
        await session.scalars(
            select(ReportEvent)
            .where(
                ReportEvent.report_id == report_id,
                ReportEvent.to_status == Status.RESOLVED.value,
                ReportEvent.action == "status",
            )
            .order_by(ReportEvent.id.desc())
            .limit(1)
        )
    ).first()


async def satisfaction(session: AsyncSession, *, include_demo: bool = False) -> list[Satisfaction]:
    """Answers per department (most answered first), then the total (`department` None)."""
    fixed = func.sum(func.cast(ReportFeedback.fixed, Integer))
    stmt = (
        select(ReportFeedback.department, func.count(ReportFeedback.id), fixed)
        .join(Report, Report.id == ReportFeedback.report_id)
        .group_by(ReportFeedback.department)
    )
    if not include_demo:
        stmt = stmt.where(Report.demo.is_(False))
    rows = [
        Satisfaction(department, int(answered), int(yes or 0))
        for department, answered, yes in await session.execute(stmt)
    ]
    rows.sort(key=lambda row: (-row.answered, row.department or ""))
    total = Satisfaction(None, sum(row.answered for row in rows), sum(row.fixed for row in rows))
    return [*rows, total]


@dataclass(frozen=True)
class AskAgain:
    """Due second questions: resolved at least `after` ago, not answered, not asked again."""

    report: Report
    resolution: ReportEvent


async def ask_again(
    session: AsyncSession,
    outbox: Outbox,
    now: datetime,
    *,
    after: timedelta = timedelta(days=ASK_AGAIN_DAYS),
    window: timedelta = ASK_AGAIN_WINDOW,
    quiet_start: int = QUIET_START_HOUR,
    quiet_end: int = QUIET_END_HOUR,
) -> int:
    """Queue the second "was it fixed?" for every resolution `after` old and unanswered, once
    (the dedupe key is the resolution), not before quiet hours end. Runs on every scheduler
    tick, so it looks only at resolutions in the `window` after they became due: the ones
    asked already stay out of the scan instead of piling up. Returns how many were queued."""
    answered = exists().where(
        and_(
            ReportFeedback.report_id == ReportEvent.report_id,
            ReportFeedback.resolved_event_id == ReportEvent.id,
        )
    )
    rows = await session.execute(
        select(Report, ReportEvent)
        .join(ReportEvent, ReportEvent.report_id == Report.id)
        .where(
            Report.status == Status.RESOLVED.value,
            Report.demo.is_(False),
            Report.reporter_chat_id.is_not(None),
            ReportEvent.to_status == Status.RESOLVED.value,
            ReportEvent.action == "status",
            ReportEvent.at <= now - after,
            ReportEvent.at > now - after - window,
            ~answered,
        )
        .order_by(ReportEvent.id)
    )
    queued = 0
    for report, resolution in rows:
        latest = await _latest_resolution(session, report.id)
        if latest is None or latest.id != resolution.id:
            continue
        key = f"{ASK_AGAIN_KIND}:{report.ticket}:{resolution.id}"
        if await outbox.has(key):
            continue
        notice = FixedQuestion(ticket=report.ticket, script=report.reporter_script)
        queued += await outbox.add(  # the surface adds the two buttons
            chat_id=int(report.reporter_chat_id or 0),
            text="",
            payload=notice.payload(),
            kind=ASK_AGAIN_KIND,
            dedupe_key=key,
            now=now,
            not_before=next_allowed(now, start_hour=quiet_start, end_hour=quiet_end),
        )
    return queued
