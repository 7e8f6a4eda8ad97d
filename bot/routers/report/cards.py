"""A report as staff see it in the bot, its action buttons, and the post of a new report to the
staff chat.

A card follows the contact policy (`reports.contact_visible`) at the reviewer's level for every
reader, admins included: cards land in chats GreenBot does not control (the staff group, its
forwards), so admins read contact in the web console. The new-report post never carries it."""

from __future__ import annotations

from typing import TYPE_CHECKING

from aiogram.filters.callback_data import CallbackData
from aiogram.types import InlineKeyboardButton, InlineKeyboardMarkup

from bot.render import html, shorten
from bot.texts import fixed as fixed_words
from bot.texts import reports as words
from ground.clock import local_time
from outbox import Outbox
from reports import REVIEWER, StaffView, allowed_moves
from reports.deadlines import missed_deadlines
from reports.evidence import evidence_counts

if TYPE_CHECKING:
    from datetime import datetime

    from sqlalchemy.ext.asyncio import AsyncSession

    from reports import Report


NEW_REPORT_KIND = "staff_new_report"
REOPENED_KIND = "staff_reopened_report"
CARD_DESCRIPTION_CHARS = 1500  # a card stays one message; the full text is in the web console


class StaffCb(CallbackData, prefix="sr"):
    """`view`, `photos`, or a target status (`accepted`, `transferred`, …) for a ticket."""

    action: str
    ticket: str


class DepartmentCb(CallbackData, prefix="sd"):
    ticket: str
    n: int  # position in routing.yaml's department list


class QueueCb(CallbackData, prefix="sq"):
    page: int


def _reporter(report: Report, view: StaffView) -> str:
    if report.erased_at is not None:
        return words.STAFF_ERASED
    if view.anonymous:
        return words.STAFF_ANONYMOUS
    if not view.contact_shown:
        return words.STAFF_CONTACT_HIDDEN
    phone = words.STAFF_PHONE.format(phone=view.phone) if view.phone else ""
    template = words.STAFF_REPORTER_WEB if view.demo else words.STAFF_REPORTER
    return template.format(user_id=view.reporter_user_id, phone=phone)


def _evidence(report: Report) -> str:
    """照片 2 张、语音 1 条: each kind the report holds, filed or added later."""
    counts = evidence_counts([photo.kind for photo in report.photos])
    shown = [words.STAFF_EVIDENCE[kind].format(n=n) for kind, n in counts.items() if n]
    return "、".join(shown) or words.STAFF_NO_EVIDENCE


def staff_card(
    report: Report,
    now: datetime,
    *,
    new: bool = False,
    reviewers_see_contact: bool = False,
    headline: str | None = None,
) -> str:
    """HTML: every value escaped; contact only as the policy allows a reviewer. `headline`
    (our own words) tops the card in place of the new-report line."""
    view = StaffView.of(report, role=REVIEWER, reviewers_see_contact=reviewers_see_contact)
    point = f"{view.lat:.5f}, {view.lon:.5f}" if view.lat is not None else "—"
    lines = [
        f"<b>{html(headline or words.STAFF_NEW)}</b>" if new or headline else "",
        f"<b>{html(words.STAFF_DEMO)}</b>" if view.demo else "",
        f"<b>{html(words.STAFF_CARD_HEAD.format(ticket=view.ticket, status=view.status_name))}</b>",
        html(
            words.STAFF_CARD_LINES.format(
                category=view.category_name,
                department=view.department,
                district=view.district,
                address=view.address or "—",
                point=point,
                description=shorten(view.description, CARD_DESCRIPTION_CHARS),
                evidence=_evidence(report),
                reporter=_reporter(report, view),
                created=local_time(view.created_at, digits=True),
                respond_by=local_time(view.respond_by, digits=True),
                close_by=local_time(view.close_by, digits=True),
            )
        ),
    ]
    missed = missed_deadlines(report, now)
    if missed:
        which = "、".join(words.STAFF_DEADLINES[deadline.value] for deadline in missed)
        lines.append(html(words.STAFF_OVERDUE.format(which=which)))
    if view.status_note:
        lines.append(html(words.STAFF_NOTE.format(note=shorten(view.status_note, 500))))
    return "\n".join(line for line in lines if line)


def staff_buttons(report: Report) -> InlineKeyboardMarkup:
    """One button per move the lifecycle allows from the current status, and the photos."""
    moves = allowed_moves(report.status)
    actions = [
        InlineKeyboardButton(
            text=label, callback_data=StaffCb(action=status, ticket=report.ticket).pack()
        )
        for status, label in words.STAFF_ACTIONS.items()
        if status in moves
    ]
    rows = [actions[i : i + 3] for i in range(0, len(actions), 3)]
    if report.photos:
        photos = StaffCb(action="photos", ticket=report.ticket).pack()
        rows.append([InlineKeyboardButton(text=words.STAFF_PHOTOS_BUTTON, callback_data=photos)])
    return InlineKeyboardMarkup(inline_keyboard=rows)


async def announce(
    session: AsyncSession, chat_id: int | None, report: Report, now: datetime
) -> bool:
    """Queue the new report's card for the staff chat in the outbox, in the transaction that
    files it: retried on 5xx and paced like any message owed, and never before the ticket
    exists (a button on the card always finds its report). True when queued; a demo report
    (the web sandbox) is not posted: it stays out of the staff's queue."""
    if chat_id is None or report.demo:
        return False
    return await Outbox(session).add(
        chat_id=chat_id,
        text=staff_card(report, now, new=True),
        kind=NEW_REPORT_KIND,
        dedupe_key=f"{NEW_REPORT_KIND}:{report.ticket}:{chat_id}",
        now=now,
        reply_markup=staff_buttons(report).model_dump(exclude_none=True),
    )


async def announce_reopened(
    session: AsyncSession, chat_id: int | None, report: Report, now: datetime, *, event_id: int
) -> bool:
    """Queue the card of a report its reporter reopened ("not fixed") for the staff chat, once
    per reopening; demo reports stay out of the staff chat."""
    if chat_id is None or report.demo:
        return False
    return await Outbox(session).add(
        chat_id=chat_id,
        text=staff_card(report, now, headline=fixed_words.STAFF_REOPENED),
        kind=REOPENED_KIND,
        dedupe_key=f"{REOPENED_KIND}:{report.ticket}:{event_id}:{chat_id}",
        now=now,
        reply_markup=staff_buttons(report).model_dump(exclude_none=True),
    )
