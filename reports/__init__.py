"""Public pollution and energy-waste reports: filing, routing, handling, notices, export.

No Telegram or web imports here: `bot/` and `web/` build on this API.
"""

from reports.categories import CATEGORY_NAMES, Category, category_name, parse_category
from reports.deadlines import CLOSE_WITHIN, RESPOND_WITHIN, Deadline, Overdue
from reports.districts import DISTRICTS, check_district
from reports.errors import (
    InvalidReport,
    InvalidTransition,
    ReportError,
    ReportNotFound,
    TooManyReports,
    UnknownDepartment,
)
from reports.export import OPEN311_FIELDS, open311_row, open311_rows, write_csv
from reports.media import MediaStore, StoredPhoto
from reports.models import Report, ReportEvent, ReportFollower, ReportPhoto, TicketCounter
from reports.notices import (
    ANONYMITY_EXPLAINED,
    NOTICE_KIND,
    STATUS_NAMES,
    StatusNotice,
    anonymity_explained,
    status_name,
)
from reports.privacy import (
    ADMIN,
    REVIEWER,
    contact_visible,
    is_demo_reporter,
    may_see_contact,
)
from reports.publication import CannotPublish, is_published, publish, withdraw
from reports.repo import Page, ReportRepo
from reports.routing import Routing, load_routing
from reports.service import Limits, ReportService, Staff
from reports.similarity import Similar, haversine_m, text_similarity
from reports.statuses import OPEN, TERMINAL, TRANSITIONS, Status, allowed_moves, check_transition
from reports.tickets import normalise_ticket
from reports.views import StaffView, to_staff_dict

__all__ = [
    "ADMIN",
    "ANONYMITY_EXPLAINED",
    "CATEGORY_NAMES",
    "CLOSE_WITHIN",
    "DISTRICTS",
    "NOTICE_KIND",
    "OPEN",
    "OPEN311_FIELDS",
    "RESPOND_WITHIN",
    "REVIEWER",
    "STATUS_NAMES",
    "TERMINAL",
    "TRANSITIONS",
    "CannotPublish",
    "Category",
    "Deadline",
    "InvalidReport",
    "InvalidTransition",
    "Limits",
    "MediaStore",
    "Overdue",
    "Page",
    "Report",
    "ReportError",
    "ReportEvent",
    "ReportFollower",
    "ReportNotFound",
    "ReportPhoto",
    "ReportRepo",
    "ReportService",
    "Routing",
    "Similar",
    "Staff",
    "StaffView",
    "Status",
    "StatusNotice",
    "StoredPhoto",
    "TicketCounter",
    "TooManyReports",
    "UnknownDepartment",
    "allowed_moves",
    "anonymity_explained",
    "category_name",
    "check_district",
    "check_transition",
    "contact_visible",
    "haversine_m",
    "is_demo_reporter",
    "is_published",
    "load_routing",
    "may_see_contact",
    "normalise_ticket",
    "open311_row",
    "open311_rows",
    "parse_category",
    "publish",
    "status_name",
    "text_similarity",
    "to_staff_dict",
    "withdraw",
    "write_csv",
]
