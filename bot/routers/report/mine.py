"""/myreports: a citizen's own reports and where each one stands."""

from __future__ import annotations

from typing import TYPE_CHECKING

from aiogram import Router
from aiogram.filters import Command

from bot.texts import reports as words
from reports import category_name, status_name

if TYPE_CHECKING:
    from aiogram.types import Message

    from bot.routers.report.context import Turn

router = Router(name=__name__)

SHOWN = 20  # newest first; one message stays far below Telegram's 4096 characters


@router.message(Command("myreports"))
async def my_reports(message: Message, turn: Turn) -> None:
    """Listing does not touch the flow's state: a half-filled report carries on after it."""
    mine = await turn.reports.for_reporter(turn.user_id)
    if not mine:
        await turn.send(words.MY_REPORTS_EMPTY)
        return
    lines = [turn.text(words.MY_REPORTS, shown=min(SHOWN, len(mine)), total=len(mine))]
    lines += [
        turn.text(
            words.MY_REPORT_ITEM,
            ticket=report.ticket,
            category=turn.word(category_name(report.category)),
            district=turn.word(report.district),
            date=report.created_at.strftime("%Y-%m-%d"),
            status=status_name(report.status, turn.script),
        )
        for report in mine[:SHOWN]
    ]
    await turn.send_html("\n".join(lines))
