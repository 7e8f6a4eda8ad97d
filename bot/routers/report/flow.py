"""Starting a report (/report, the menu button), and the moves available at every step: back
and cancel (the flow's own buttons; /cancel itself is start.py's and leaves the flow too)."""

from __future__ import annotations

import logging
from typing import TYPE_CHECKING

from aiogram import F, Router
from aiogram.filters import Command, StateFilter

from bot import texts
from bot.routers.report import keyboards, steps
from bot.routers.report.draft import Draft, ReportFlow
from bot.routers.report.keyboards import StepCb
from bot.texts import reports as words

if TYPE_CHECKING:
    from aiogram.fsm.state import State
    from aiogram.types import CallbackQuery, Message

    from bot.routers.report.context import Turn

log = logging.getLogger(__name__)
router = Router(name=__name__)

STATES: dict[str, State] = {state.state: state for state in ReportFlow.__all_states__}
REPLY_BACK = keyboards.labels(words.BUTTON_BACK)
REPLY_CANCEL = keyboards.labels(words.BUTTON_CANCEL)


@router.message(Command("report"))
@router.message(F.text.in_(texts.both_scripts(texts.MENU_REPORT)))
async def start_report(message: Message, turn: Turn) -> None:
    """A fresh draft (a half-filled one is dropped), after the daily limit and, before the
    first report, the personal-data notice."""
    if await turn.reports.at_daily_limit(turn.user_id):
        log.info("daily report limit reached for user %s", turn.user_id)
        await turn.send(words.LIMIT_REACHED, limit=turn.reports.limits.reports_per_day)
        return
    if not await turn.reports.for_reporter(turn.user_id):
        kept = words.kept_for(turn.settings.report_retention_days)
        await turn.send(words.PRIVACY_NOTICE, kept=kept)
    await steps.ask(turn, ReportFlow.category, Draft())


async def _back(turn: Turn, raw_state: str | None) -> None:
    current = STATES.get(raw_state or "")
    if current is None or current == ReportFlow.category:
        await steps.cancel(turn)
        return
    await steps.go_back(turn, await Draft.load(turn.state), current)


@router.callback_query(StepCb.filter(F.action == "back"), StateFilter(ReportFlow))
async def back_by_button(query: CallbackQuery, turn: Turn, raw_state: str | None) -> None:
    await query.answer()
    await _back(turn, raw_state)


@router.message(StateFilter(ReportFlow), F.text.in_(REPLY_BACK))
async def back_by_keyboard(message: Message, turn: Turn, raw_state: str | None) -> None:
    await _back(turn, raw_state)


@router.callback_query(StepCb.filter(F.action == "cancel"), StateFilter(ReportFlow))
async def cancel_by_button(query: CallbackQuery, turn: Turn) -> None:
    await query.answer()
    await steps.cancel(turn)


@router.message(StateFilter(ReportFlow), F.text.in_(REPLY_CANCEL))
async def cancel_by_keyboard(message: Message, turn: Turn) -> None:
    await steps.cancel(turn)
