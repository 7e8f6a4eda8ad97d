"""Staff broadcasts and campaign dates: the bot's staff side of issue 5.

- compose.py: /broadcast, compose → audience → preview → send now or at a time (admins)
- manage.py: /broadcasts lists them (any staff), /broadcast_cancel ID stops one (admins)
- dates.py: /campaign_dates enters this year's announced dates (admins)

Every sub-router has its own `bot.staff.guard`: a citizen's command or forged button is refused
before any staff code runs.
"""

from __future__ import annotations

from aiogram import Router

from bot.routers.broadcast import compose, dates, manage

router = Router(name=__name__)
router.include_routers(compose.router, manage.router, dates.router)
