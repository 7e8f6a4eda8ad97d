"""Add to my report: the reporter adds a note, photos, voice notes or videos to an open report
(issue 17; FixMyStreet's users ask for it), and staff see it in the audit trail.

An addition is one `ReportEvent` (`action` "addition", the status unchanged, no staff) whose
note is the citizen's text, and the evidence rows linked to it (`ReportPhoto.event_id`). Only
the reporter, only while the report is open (not resolved, rejected or duplicate: a resolved
report is reopened through "was it fixed?", reports/feedback.py), and within limits, so an
addition can neither flood the staff's view nor the disk.
"""

from __future__ import annotations

import asyncio
from collections.abc import Sequence
from typing import TYPE_CHECKING

from sqlalchemy import func, select

from reports.errors import InvalidReport, ReportError, ReportNotFound
from reports.media import KINDS, MAX_RECORDINGS, RECORDINGS, StoredPhoto
from reports.models import ReportEvent, ReportPhoto
from reports.statuses import TERMINAL, Status
from reports.tickets import normalise_ticket

if TYPE_CHECKING:
    from reports.models import Report
    from reports.service import ReportService

ADDITION = "addition"
DEFAULT_NOTE = "举报人补充了材料"
MAX_NOTE = 2000
MAX_PIECES = 5  # evidence in one addition
MAX_ADDITIONS = 10  # additions to one report
MAX_EVIDENCE = 15  # evidence on one report, filed and added together


class NotTheReporter(ReportNotFound):
    """Someone other than the reporter tried to add to a report (a forged or forwarded button).
    A ReportNotFound: to the caller, someone else's report is as good as none."""


class ReportClosed(ReportError):
    """The report is resolved, rejected or a duplicate: nothing more can be added."""


class TooMuchEvidence(InvalidReport):
    """The addition, or the report with it, would pass MAX_PIECES, MAX_EVIDENCE or
    MAX_ADDITIONS (or reports.media.MAX_RECORDINGS voice notes and videos at once)."""


async def open_report_of(
    reports: ReportService, ticket: str, user_id: int, *, for_update: bool = False
) -> Report:
    """The caller's own open report; NotTheReporter, ReportNotFound or ReportClosed otherwise
    (asked when the citizen starts adding, and again when the addition is written)."""
    report = await reports.repo.get(normalise_ticket(ticket), for_update=for_update)
    if report.reporter_user_id is None or report.reporter_user_id != user_id:
        raise NotTheReporter(f"user {user_id} is not the reporter of {report.ticket}")
    if Status(report.status) in TERMINAL:
        raise ReportClosed(f"{report.ticket} is {report.status}")
    return report


async def add_to_report(
    reports: ReportService,
    ticket: str,
    *,
    user_id: int,
    note: str | None,
    evidence: Sequence[StoredPhoto] = (),
) -> ReportEvent:
    """Write the addition: the audit row and its evidence (pieces the surface stored already;
    a piece the report holds already is not added twice). InvalidReport when there is nothing
    to add or the note is too long, TooMuchEvidence past the limits."""
    text = (note or "").strip()
    if len(text) > MAX_NOTE:
        raise InvalidReport(f"note longer than {MAX_NOTE} characters")
    report = await open_report_of(reports, ticket, user_id, for_update=True)
    await reports.session.refresh(report, ["photos"])  # rows added since it was loaded
    held = {photo.sha256 for photo in report.photos}
    pieces: dict[str, StoredPhoto] = {}
    for piece in evidence:
        if piece.sha256 not in held:
            pieces.setdefault(piece.sha256, piece)
    if not text and not pieces:
        raise InvalidReport("an addition with neither a note nor new evidence")
    await _check_limits(reports, report, list(pieces.values()))
    for piece in pieces.values():
        if not await asyncio.to_thread(reports.media.exists, piece.name):
            raise InvalidReport(f"stored {piece.kind} {piece.name!r} is missing")
    now = reports.clock.now()
    event = ReportEvent(
        report_id=report.id,
        at=now,
        from_status=report.status,
        to_status=report.status,
        note=text or DEFAULT_NOTE,
        staff_id=None,
        department=report.department,
        action=ADDITION,
    )
    reports.session.add(event)
    await reports.session.flush()
    attach_evidence(report, list(pieces.values()), event)
    await reports.session.flush()
    return event


def attach_evidence(report: Report, evidence: Sequence[StoredPhoto], event: ReportEvent) -> None:
    """Evidence rows after the report's own, linked to the audit row that brought them."""
    position = max((photo.position for photo in report.photos), default=-1) + 1
    for offset, piece in enumerate(evidence):
        report.photos.append(
            ReportPhoto(
                position=position + offset,
                sha256=piece.sha256,
                name=piece.name,
                size=piece.size,
                kind=piece.kind,
                event_id=event.id,
            )
        )


async def _check_limits(
    reports: ReportService, report: Report, pieces: Sequence[StoredPhoto]
) -> None:
    recordings = sum(piece.kind in RECORDINGS for piece in pieces)
    if len(pieces) > MAX_PIECES or recordings > MAX_RECORDINGS:
        raise TooMuchEvidence(f"{len(pieces)} pieces ({recordings} recordings) in one addition")
    if len(report.photos) + len(pieces) > MAX_EVIDENCE:
        raise TooMuchEvidence(f"{report.ticket} would hold more than {MAX_EVIDENCE} pieces")
    additions = await reports.session.scalar(
        select(func.count())
        .select_from(ReportEvent)
        .where(ReportEvent.report_id == report.id, ReportEvent.action == ADDITION)
    )
    if (additions or 0) >= MAX_ADDITIONS:
        raise TooMuchEvidence(f"{report.ticket} has {additions} additions already")


def evidence_counts(kinds: Sequence[str]) -> dict[str, int]:
    """How many pieces of each kind (photo, voice, video), for a summary."""
    return {kind: sum(1 for k in kinds if k == kind) for kind in KINDS}
