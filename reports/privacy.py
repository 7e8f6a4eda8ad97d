"""Who may see a reporter's contact, and which reports are demos: one answer for every surface.

Contact is the phone number and the Telegram account id: either reaches the reporter. The
console's detail page, its CSV export, the bot's staff cards and Open311 all ask
`contact_visible`, so a reviewer cannot get from one what another hides (issue 13).

- An anonymous or erased (/deleteme) reporter's contact is shown to no one.
- Admins see it.
- Reviewers see it only where the city turned `reviewers_see_contact` on (off by default) and
  the reporter allowed a call back by leaving a phone number (the report flow's step 6 says
  staff may call); a reporter who left none is not reached through their Telegram account.
- Anyone else (Open311, with or without a key; a citizen) never does.
"""

from __future__ import annotations

import re
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from reports.models import Report

ADMIN = "admin"
REVIEWER = "reviewer"
OPEN311 = "open311"  # a city system holding an API key: it still never gets contact

# Web-sandbox visitors get ids from 2**52 (Telegram ids fit in 52 bits): the sandbox hands them
# out from here (web/sandbox), and Telegram's transport stops here (bot/notify.py), so the
# boundary is this one constant.
DEMO_IDS_FROM = 2**52


def is_demo_reporter(user_id: int | None) -> bool:
    """A web-sandbox visitor: what they file is a demo, never a citizen's report."""
    return user_id is not None and user_id >= DEMO_IDS_FROM


def contact_allowed(report: Report) -> bool:
    """The reporter is named, not erased, and left a phone for staff to call back."""
    return not report.anonymous and report.erased_at is None and bool(report.phone)


def contact_visible(role: str, report: Report, *, reviewers_see_contact: bool = False) -> bool:
    """Whether `role` (`admin`, `reviewer`, or anyone else) may see `report`'s contact."""
    if report.anonymous or report.erased_at is not None:
        return False
    if role == ADMIN:
        return True
    if role == REVIEWER:
        return reviewers_see_contact and contact_allowed(report)
    return False


def may_see_contact(role: str, *, reviewers_see_contact: bool = False) -> bool:
    """Whether `role` sees contact on any report at all (an export's contact columns)."""
    return role == ADMIN or (role == REVIEWER and reviewers_see_contact)


_MASKS = (
    (re.compile(r"[\w.+-]+@[\w-]+(?:\.[\w-]+)+"), "[邮箱已隐去]"),
    (re.compile(r"(?<!\d)\d{17}[\dXx](?![\dXx])"), "[证件号已隐去]"),
    (re.compile(r"(?<!\d)(?:\+?86[ -]?)?1[3-9]\d(?:[ -]?\d{4}){2}(?!\d)"), "[电话已隐去]"),
    (re.compile(r"(?<!\d)0\d{2,3}[ -]?\d{7,8}(?!\d)"), "[电话已隐去]"),
)


def mask_contacts(text: str | None) -> str | None:
    """Hide phone numbers, ID-card numbers and e-mail addresses typed into free text that
    leaves the staff (Open311's keyed view: a citizen may type them into a description)."""
    if not text:
        return text
    for pattern, replacement in _MASKS:
        text = pattern.sub(replacement, text)
    return text


def has_contacts(text: str) -> bool:
    return mask_contacts(text) != text
