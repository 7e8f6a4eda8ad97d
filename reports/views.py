"""What staff may see of a report: everything but an anonymous reporter's identity and contact.

The chat id is never shown (it is only for delivering notices); the user id and phone appear
only when the reporter did not ask for anonymity.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass
from datetime import datetime
from typing import Any

from reports.categories import category_name
from reports.models import Report
from reports.notices import status_name

IDENTITY_FIELDS = ("reporter_user_id", "phone")


@dataclass(frozen=True)
class StaffView:
    ticket: str
    status: str
    status_name: str
    status_note: str | None
    category: str
    category_name: str
    description: str
    district: str
    address: str | None
    lat: float | None
    lon: float | None
    department: str
    duplicate_of: str | None
    photos: tuple[str, ...]  # media store names
    anonymous: bool
    created_at: datetime
    updated_at: datetime
    respond_by: datetime
    close_by: datetime
    reporter_user_id: int | None  # None when anonymous or erased
    phone: str | None  # None when anonymous or erased

    @classmethod
    def of(cls, report: Report) -> StaffView:
        hidden = report.anonymous
        return cls(
            ticket=report.ticket,
            status=report.status,
            status_name=status_name(report.status),
            status_note=report.status_note,
            category=report.category,
            category_name=category_name(report.category),
            description=report.description,
            district=report.district,
            address=report.address,
            lat=report.lat,
            lon=report.lon,
            department=report.department,
            duplicate_of=report.duplicate_of,
            photos=tuple(photo.name for photo in report.photos),
            anonymous=report.anonymous,
            created_at=report.created_at,
            updated_at=report.updated_at,
            respond_by=report.respond_by,
            close_by=report.close_by,
            reporter_user_id=None if hidden else report.reporter_user_id,
            phone=None if hidden else report.phone,
        )

    def to_dict(self) -> dict[str, Any]:
        """A plain dict for templates and JSON; identity keys are absent for anonymous reports."""
        data = asdict(self)
        if self.anonymous:
            for key in IDENTITY_FIELDS:
                data.pop(key)
        return data


def to_staff_dict(report: Report) -> dict[str, Any]:
    return StaffView.of(report).to_dict()
