"""随手拍/举报, the citizen's side: /report (or the menu button) through seven steps to a ticket
number, with similar reports offered first, and /myreports. Staff handle reports in
`bot/routers/staff_reports.py`; personal data is `bot/routers/privacy.py`.

Modules: `flow` (start, back, cancel), `intake` (each step's input), `summary` (follow, submit,
edit), `mine`; `steps` asks and navigates, `draft` keeps the report in the FSM data,
`keyboards` holds the `…Cb` classes, `cards` the staff's view, `context` the per-update service.
"""

from __future__ import annotations

from aiogram import F, Router

from bot.routers.report import additions, fixed, flow, intake, mine, summary
from bot.routers.report.context import provide_reports

router = Router(name=__name__)
router.message.filter(F.chat.type == "private")  # a flow in a group would mix people's drafts
router.include_routers(
    mine.router, fixed.router, additions.router, flow.router, intake.router, summary.router
)
provide_reports(router)

__all__ = ["router"]
