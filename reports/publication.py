"""Publishing a report: what Open311 shows anyone without a key, once staff decide to.

The public record is a text staff wrote or approved (`public_description`; the reporter's own
description never leaves, since a name or a house typed into it would go with it), the category,
status, department, district and dates, and the location rounded to 3 decimals (about 110 m
north-south and 99 m east-west at Tongren's 27.7°N). Identity, contact, photos, the typed
address and staff notes are never public. Demo reports (the web sandbox) are never published.
Every publication and withdrawal is a row in the report's audit trail.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from reports.errors import ReportError
from reports.models import ReportEvent
from reports.privacy import has_contacts

if TYPE_CHECKING:
    from datetime import datetime

    from reports.models import Report
    from reports.service import ReportService, Staff

PUBLIC_DECIMALS = 3
MAX_PUBLIC_TEXT = 1000
PUBLISHED = "published"
WITHDRAWN = "withdrawn"
WITHDRAWN_NOTE = "withdrawn from publication"


class CannotPublish(ReportError):
    """A demo report, an empty or overlong public text, or one with a phone, ID or e-mail."""


def approximate(value: float | None) -> float | None:
    """A coordinate rounded for the public: about 100 m."""
    return None if value is None else round(value, PUBLIC_DECIMALS)


def is_published(report: Report) -> bool:
    return report.published_at is not None and not report.demo


def check_public_text(text: str) -> str:
    cleaned = (text or "").strip()
    if not cleaned:
        raise CannotPublish("the public text is empty")
    if len(cleaned) > MAX_PUBLIC_TEXT:
        raise CannotPublish(f"public text longer than {MAX_PUBLIC_TEXT} characters")
    if has_contacts(cleaned):
        raise CannotPublish("the public text holds a phone number, an ID number or an e-mail")
    return cleaned


async def publish(service: ReportService, ticket: str, text: str, *, by: Staff) -> Report:
    """Publish (or republish with a new text) `ticket` with `text`; CannotPublish otherwise."""
    public = check_public_text(text)
    report = await service.repo.get(ticket, for_update=True)
    if report.demo:
        raise CannotPublish(f"{report.ticket} is a demo report")
    now = service.clock.now()
    report.public_description = public
    report.published_at = now
    service.session.add(_event(report, PUBLISHED, public, by, now))
    await service.session.flush()
    return report


async def withdraw(service: ReportService, ticket: str, *, by: Staff) -> Report:
    """Take `ticket` off the public list; its text stays as a draft for a later publication."""
    report = await service.repo.get(ticket, for_update=True)
    if report.published_at is None:
        raise CannotPublish(f"{report.ticket} is not published")
    now = service.clock.now()
    report.published_at = None
    service.session.add(_event(report, WITHDRAWN, WITHDRAWN_NOTE, by, now))
    await service.session.flush()
    return report


def _event(report: Report, action: str, note: str, by: Staff, now: datetime) -> ReportEvent:
    return ReportEvent(
        report_id=report.id,
        at=now,
        from_status=report.status,
        to_status=report.status,
        note=note,
        staff_id=by.id,
        staff_name=by.name,
        department=report.department,
        action=action,
    )
