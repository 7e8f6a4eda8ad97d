"""CSV export shaped like Open311 GeoReport v2 service requests, one row per report.

Anonymous reporters' identity and contact never appear; other reporters' appear only with
`include_contact=True`. Free-text cells are defused against spreadsheet formula injection.
"""

from __future__ import annotations

import csv
from collections.abc import Iterable, Iterator
from typing import TextIO

from reports.categories import category_name
from reports.models import Report
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

_FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


def _cell(text: str | None) -> str:
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
    report: Report, *, include_contact: bool = False, media_base_url: str | None = None
) -> dict[str, str]:
    row = {
        "service_request_id": report.ticket,
        "status": open311_status(report.status),
        "status_notes": _cell(report.status_note),
        "service_name": category_name(report.category),
        "service_code": report.category,
        "description": _cell(report.description),
        "agency_responsible": report.department,
        "requested_datetime": report.created_at.isoformat(timespec="seconds"),
        "updated_datetime": report.updated_at.isoformat(timespec="seconds"),
        "address": _cell(" ".join(part for part in (report.district, report.address) if part)),
        "lat": "" if report.lat is None else f"{report.lat:.6f}",
        "long": "" if report.lon is None else f"{report.lon:.6f}",
        "media_url": _media(report, media_base_url),
        "district": report.district,
    }
    if include_contact:
        shown = not report.anonymous
        user_id = report.reporter_user_id if shown else None
        row["reporter_user_id"] = "" if user_id is None else str(user_id)
        row["phone"] = _cell(report.phone) if shown else ""
    return row


def open311_rows(
    reports: Iterable[Report], *, include_contact: bool = False, media_base_url: str | None = None
) -> Iterator[dict[str, str]]:
    for report in reports:
        yield open311_row(report, include_contact=include_contact, media_base_url=media_base_url)


def write_csv(
    reports: Iterable[Report],
    out: TextIO,
    *,
    include_contact: bool = False,
    media_base_url: str | None = None,
) -> int:
    """Write a header and one row per report to `out`; return the number of rows."""
    fields = OPEN311_FIELDS + (CONTACT_FIELDS if include_contact else ())
    writer = csv.DictWriter(out, fieldnames=fields)
    writer.writeheader()
    count = 0
    for row in open311_rows(
        reports, include_contact=include_contact, media_base_url=media_base_url
    ):
        writer.writerow(row)
        count += 1
    return count
