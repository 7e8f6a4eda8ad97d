"""What staff may see of a report: everything but the reporter's contact where the contact
policy (`reports.privacy.contact_visible`) hides it from the viewer's role.

The chat id is never shown (it is only for delivering notices); the Telegram user id and the
phone are the contact, shown only when the policy allows it for this role.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass
from datetime import datetime
from typing import Any

from reports.categories import category_name
from reports.models import Report
from reports.notices import status_name
from reports.privacy import REVIEWER, contact_visible

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
    erased: bool
    demo: bool  # filed in the web sandbox: shown as 演示
    public_description: str | None
    published_at: datetime | None
    created_at: datetime
    updated_at: datetime
    respond_by: datetime
    close_by: datetime
    contact_shown: bool  # False: the policy hides the contact from this viewer
    reporter_user_id: int | None  # None when hidden, anonymous or erased
    phone: str | None  # None when hidden, anonymous, erased or never given

    @classmethod
    def of(
        cls, report: Report, *, role: str = REVIEWER, reviewers_see_contact: bool = False
    ) -> StaffView:
        """The report as `role` sees it (a reviewer's view unless told otherwise)."""
        shown = contact_visible(role, report, reviewers_see_contact=reviewers_see_contact)
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
            erased=report.erased_at is not None,
            demo=report.demo,
            public_description=report.public_description,
            published_at=report.published_at,
            created_at=report.created_at,
            updated_at=report.updated_at,
            respond_by=report.respond_by,
            close_by=report.close_by,
            contact_shown=shown,
            reporter_user_id=report.reporter_user_id if shown else None,
            phone=report.phone if shown else None,
        )

    def to_dict(self) -> dict[str, Any]:
        """A plain dict for templates and JSON; contact keys are absent where hidden."""
        data = asdict(self)
        if not self.contact_shown:
            for key in IDENTITY_FIELDS:
                data.pop(key)
        return data


def to_staff_dict(
    report: Report, *, role: str = REVIEWER, reviewers_see_contact: bool = False
) -> dict[str, Any]:
    return StaffView.of(report, role=role, reviewers_see_contact=reviewers_see_contact).to_dict()
