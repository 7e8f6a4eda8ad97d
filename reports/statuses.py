"""The report lifecycle: statuses, the allowed moves between them, and open/closed."""

from __future__ import annotations

from enum import StrEnum

from reports.errors import InvalidTransition


class Status(StrEnum):
    SUBMITTED = "submitted"
    ACCEPTED = "accepted"
    TRANSFERRED = "transferred"  # handed to a department (recorded on the event and the report)
    IN_PROGRESS = "in_progress"
    RESOLVED = "resolved"
    REJECTED = "rejected"
    DUPLICATE = "duplicate"  # points at the original ticket
    REOPENED = "reopened"  # the reporter answered "not fixed" to a resolution (or staff reopened)


TRANSITIONS: dict[Status, frozenset[Status]] = {
    Status.SUBMITTED: frozenset({Status.ACCEPTED, Status.REJECTED, Status.DUPLICATE}),
    Status.ACCEPTED: frozenset(
        {
            Status.TRANSFERRED,
            Status.IN_PROGRESS,
            Status.RESOLVED,
            Status.REJECTED,
            Status.DUPLICATE,
        }
    ),
    # A department may pass the case on again (transferred → transferred).
    Status.TRANSFERRED: frozenset({Status.IN_PROGRESS, Status.TRANSFERRED, Status.RESOLVED}),
    Status.IN_PROGRESS: frozenset({Status.RESOLVED, Status.TRANSFERRED}),
    # Closed, but the reporter may answer "not fixed" (reports/feedback.py): back to staff.
    Status.RESOLVED: frozenset({Status.REOPENED}),
    Status.REOPENED: frozenset(
        {Status.IN_PROGRESS, Status.TRANSFERRED, Status.RESOLVED, Status.REJECTED}
    ),
    Status.REJECTED: frozenset(),
    Status.DUPLICATE: frozenset(),
}

# Closed: counted as closed (closed_at set, Open311 `closed`); only a resolution can reopen.
TERMINAL: frozenset[Status] = frozenset({Status.RESOLVED, Status.REJECTED, Status.DUPLICATE})
OPEN: frozenset[Status] = frozenset(Status) - TERMINAL


def allowed_moves(current: Status | str) -> frozenset[Status]:
    """Where a report in `current` may go next (empty when terminal)."""
    return TRANSITIONS[Status(current)]


def check_transition(current: Status | str, target: Status | str) -> Status:
    """Return `target` as a Status, or raise InvalidTransition when the move is not allowed."""
    try:
        source, goal = Status(current), Status(target)
    except ValueError as error:
        raise InvalidTransition(f"unknown status: {error}") from None
    if goal not in TRANSITIONS[source]:
        raise InvalidTransition(f"{source} → {goal} is not allowed")
    return goal


def is_open(status: Status | str) -> bool:
    return Status(status) in OPEN


def open311_status(status: Status | str) -> str:
    """Open311 GeoReport v2 knows only `open` and `closed`."""
    return "open" if is_open(status) else "closed"
