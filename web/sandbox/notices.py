"""Notices rendered for the sandbox's chat at delivery: an outbox row queued as data (a report's
status change, `reports.StatusNotice`) becomes the message a visitor reads, in Telegram's HTML
(the transcript shows bot messages as Telegram would) and in the script the visitor reads then.
Every other row (and a notice queued before notices were data) shows the text it was queued with.
"""

from __future__ import annotations

from html import escape
from typing import TYPE_CHECKING, Any

from reports.feedback import reply_markup
from reports.notices import Notice, notice_from_payload

if TYPE_CHECKING:
    from outbox.models import OutboxMessage


def status_notice_html(notice: Notice, script: str) -> str:
    """The notice as a bot message in the visitor's chat; what staff typed is escaped."""
    return notice.render(script, escape=escape, strong=_ticket)


def message_text(message: OutboxMessage, script: str | None) -> str:
    """The row's notice in `script` (else the script it was queued in), or its queued text."""
    notice = notice_from_payload(message.payload)
    if notice is None:
        return message.text
    return status_notice_html(notice, script or notice.script)


def message_markup(message: OutboxMessage, script: str | None) -> dict[str, Any] | None:
    """The row's buttons: the two answers under a "was it fixed?" notice (the sandbox's bot
    handles them as Telegram's would), else the markup it was queued with."""
    return reply_markup(message.payload, message.reply_markup, script)


def _ticket(ticket: str) -> str:
    return f"<b>{escape(ticket)}</b>"
