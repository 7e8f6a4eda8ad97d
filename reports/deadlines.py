"""Service levels after the 12369 rules: accept or reject within 15 days of submission, close
(resolved, rejected or duplicate) within 60. Deadlines are fixed on the report at submission."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from enum import StrEnum
from typing import TYPE_CHECKING

from reports.statuses import Status, is_open

if TYPE_CHECKING:
    from reports.models import Report

RESPOND_WITHIN = timedelta(days=15)
CLOSE_WITHIN = timedelta(days=60)


class Deadline(StrEnum):
    RESPOND = "respond"  # accepted or rejected (left `submitted`) within 15 days
    CLOSE = "close"  # terminal within 60 days


@dataclass(frozen=True)
class Overdue:
    report: Report
    missed: tuple[Deadline, ...]  # RESPOND, CLOSE or both, in that order


def deadlines_for(submitted_at: datetime) -> tuple[datetime, datetime]:
    """(respond_by, close_by) for a report submitted at `submitted_at`."""
    return submitted_at + RESPOND_WITHIN, submitted_at + CLOSE_WITHIN


def missed_deadlines(report: Report, now: datetime) -> tuple[Deadline, ...]:
    """Which deadlines an open report has passed at `now` (empty once it is closed)."""
    if not is_open(report.status):
        return ()
    missed: list[Deadline] = []
    if report.status == Status.SUBMITTED and now > report.respond_by:
        missed.append(Deadline.RESPOND)
    if now > report.close_by:
        missed.append(Deadline.CLOSE)
    return tuple(missed)
