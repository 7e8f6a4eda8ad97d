"""Notices rendered for Telegram at send time: an outbox row queued as data (a report's status
change, `reports.StatusNotice`) becomes its HTML message here, in the script its recipient reads
when it is sent. Every other row (and a notice queued before notices were data) goes out as the
text it was queued with.

Anything typed by staff (the note, a department) is escaped for parse_mode=HTML.
"""

from __future__ import annotations

import logging
from collections.abc import Awaitable, Callable
from typing import TYPE_CHECKING, Any

from bot.render import html
from citizens import Citizens
from reports.feedback import reply_markup
from reports.notices import Notice, notice_from_payload

if TYPE_CHECKING:
    from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

    from outbox.models import OutboxMessage

log = logging.getLogger(__name__)

# The script (hans | hant) a chat's citizen reads now; None when unknown.
ScriptOf = Callable[[int], Awaitable[str | None]]


def status_notice_html(notice: Notice, script: str) -> str:
    """The HTML message of a notice queued as data (a report's status change, …)."""
    return notice.render(script, escape=html, strong=_bold)


def message_text(message: OutboxMessage, script: str | None = None) -> str:
    """What Telegram shows for this row: its notice rendered in `script` (by default the script
    its recipient read when it was queued), else the text it was queued with."""
    notice = notice_from_payload(message.payload)
    if notice is None:
        return message.text
    return status_notice_html(notice, script or notice.script)


def message_markup(message: OutboxMessage, script: str | None = None) -> dict[str, Any] | None:
    """The row's buttons: a notice asking "was it fixed?" gets the two answers (in `script`,
    by default the one it was queued in); any other row keeps the markup it was queued with."""
    return reply_markup(message.payload, message.reply_markup, script)


async def rendered_at_send_time(
    message: OutboxMessage, script_of: ScriptOf | None
) -> tuple[str, dict[str, Any] | None]:
    """The row's text and buttons in the script the recipient reads now (looked up only for a
    notice; when the lookup fails the notice keeps the script it was queued in)."""
    if notice_from_payload(message.payload) is None or script_of is None:
        return message_text(message), message_markup(message)
    try:
        script = await script_of(message.chat_id)
    except Exception:  # a locked database must not hold a notice back: it has a script
        log.warning("outbox row %s: the recipient's script is unknown", message.id, exc_info=True)
        script = None
    return message_text(message, script), message_markup(message, script)


def citizen_scripts(sessions: async_sessionmaker[AsyncSession]) -> ScriptOf:
    """`ScriptOf` from the citizens' table."""

    async def script_of(chat_id: int) -> str | None:
        async with sessions() as session:
            return await Citizens(session).script_for_chat(chat_id)

    return script_of


def _bold(ticket: str) -> str:
    return f"<b>{html(ticket)}</b>"
