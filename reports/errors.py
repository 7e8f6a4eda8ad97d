"""What can go wrong in the reports domain; messages are for logs, surfaces translate them."""

from __future__ import annotations


class ReportError(Exception):
    """Base of every reports error, so a surface can catch the domain in one place."""


class ReportNotFound(ReportError):
    """No report has that ticket."""


class InvalidTransition(ReportError):
    """The status change is not in the allowed table, or lacks what it needs (note, target)."""


class UnknownDepartment(InvalidTransition):
    """A transfer named a department that is not in `routing.yaml`."""


class TooManyReports(ReportError):
    """The reporter reached the daily limit (Asia/Shanghai calendar day)."""


class InvalidReport(ReportError):
    """Bad input: description length, district, category, location, photo count or size."""


class NotYourReport(ReportError):
    """A citizen acted on a report they did not file (a forged or forwarded button)."""


class AlreadyAnswered(ReportError):
    """The reporter already said whether this resolution fixed the problem."""
