"""/myreports: a citizen's own reports and where each one stands, with 补充材料 on the open
ones (the addition itself is additions.py)."""

from __future__ import annotations

from typing import TYPE_CHECKING

from aiogram import Router
from aiogram.filters import Command

from bot.routers.report import keyboards
from bot.texts import reports as words
from reports import OPEN, category_name, status_name

if TYPE_CHECKING:
    from aiogram.types import Message

    from bot.routers.report.context import Turn

router = Router(name=__name__)

SHOWN = 20  # newest first; one message stays far below Telegram's 4096 characters
ADD_BUTTONS = 8  # 补充材料 for the newest open reports listed; older ones are rarely added to


@router.message(Command("myreports"))
async def my_reports(message: Message, turn: Turn) -> None:
    """Listing does not touch the flow's state: a half-filled report carries on after it."""
    mine = await turn.reports.for_reporter(turn.user_id)
    if not mine:
        await turn.send(words.MY_REPORTS_EMPTY)
        return
    shown = mine[:SHOWN]
    lines = [turn.text(words.MY_REPORTS, shown=len(shown), total=len(mine))]
    lines += [
        turn.text(
            words.MY_REPORT_ITEM,
            ticket=report.ticket,
            category=turn.word(category_name(report.category)),
            district=turn.word(report.district),
            date=report.created_at.strftime("%Y-%m-%d"),
            status=status_name(report.status, turn.script),
        )
        for report in shown
    ]
    open_tickets = [report.ticket for report in shown if report.status in OPEN][:ADD_BUTTONS]
    if open_tickets:
        lines += ["", turn.text(words.MY_REPORTS_ADD_HINT)]
    markup = keyboards.my_reports(turn.script, open_tickets)
    await turn.send_html("\n".join(lines), markup=markup)
