"""CSV export shaped like Open311 GeoReport v2 service requests, one row per report.

Contact columns appear only with `include_contact=True`, and each row's contact only where
`reports.privacy.contact_visible` allows it for `role` (an operator at the command line is an
admin): an anonymous or erased reporter's never. `mark_demo=True` adds a `demo` column (演示) for
an export that includes the web sandbox's reports. Free-text cells are defused against
spreadsheet formula injection.
"""

from __future__ import annotations

import csv
from collections.abc import Iterable, Iterator
from typing import Any, TextIO

from reports.categories import category_name
from reports.models import Report
from reports.privacy import ADMIN, contact_visible
from reports.statuses import open311_status

OPEN311_FIELDS = (
    "service_request_id",
    "status",
    "status_notes",
    "service_name",
    "service_code",
    "description",
    "agency_responsible",
    "requested_datetime",
    "updated_datetime",
    "address",
    "lat",
    "long",
    "media_url",
    "district",  # not Open311: the plan's unit of responsibility
)
CONTACT_FIELDS = ("reporter_user_id", "phone")
DEMO_FIELD = "demo"
DEMO_MARK = "演示"

_FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


def defuse(text: str | None) -> str:
    """Prefix a quote so a spreadsheet shows `=…` as text instead of running it."""
    if not text:
        return ""
    return "'" + text if text.startswith(_FORMULA_STARTS) else text


def _media(report: Report, base_url: str | None) -> str:
    names = [photo.name for photo in report.photos]
    if base_url:
        names = [f"{base_url.rstrip('/')}/{name}" for name in names]
    return " ".join(names)


def open311_row(
    report: Report,
    *,
    include_contact: bool = False,
    role: str = ADMIN,
    reviewers_see_contact: bool = False,
    mark_demo: bool = False,
    media_base_url: str | None = None,
) -> dict[str, str]:
    row = {
        "service_request_id": report.ticket,
        "status": open311_status(report.status),
        "status_notes": defuse(report.status_note),
        "service_name": category_name(report.category),
        "service_code": report.category,
        "description": defuse(report.description),
        "agency_responsible": report.department,
        "requested_datetime": report.created_at.isoformat(timespec="seconds"),
        "updated_datetime": report.updated_at.isoformat(timespec="seconds"),
        "address": defuse(" ".join(part for part in (report.district, report.address) if part)),
        "lat": "" if report.lat is None else f"{report.lat:.6f}",
        "long": "" if report.lon is None else f"{report.lon:.6f}",
        "media_url": _media(report, media_base_url),
        "district": report.district,
    }
    if include_contact:
        shown = contact_visible(role, report, reviewers_see_contact=reviewers_see_contact)
        user_id = report.reporter_user_id if shown else None
        row["reporter_user_id"] = "" if user_id is None else str(user_id)
        row["phone"] = defuse(report.phone) if shown else ""
    if mark_demo:
        row[DEMO_FIELD] = DEMO_MARK if report.demo else ""
    return row


def open311_rows(reports: Iterable[Report], **options: Any) -> Iterator[dict[str, str]]:
    """`open311_row` for each report, with the same keyword options."""
    for report in reports:
        yield open311_row(report, **options)


def write_csv(
    reports: Iterable[Report],
    out: TextIO,
    *,
    include_contact: bool = False,
    role: str = ADMIN,
    reviewers_see_contact: bool = False,
    mark_demo: bool = False,
    media_base_url: str | None = None,
) -> int:
    """Write a header and one row per report to `out`; return the number of rows."""
    fields = (
        OPEN311_FIELDS
        + (CONTACT_FIELDS if include_contact else ())
        + ((DEMO_FIELD,) if mark_demo else ())
    )
    writer = csv.DictWriter(out, fieldnames=fields)
    writer.writeheader()
    count = 0
    rows = open311_rows(
        reports,
        include_contact=include_contact,
        role=role,
        reviewers_see_contact=reviewers_see_contact,
        mark_demo=mark_demo,
        media_base_url=media_base_url,
    )
    for row in rows:
        writer.writerow(row)
        count += 1
    return count
