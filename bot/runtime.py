"""Serving the bot's updates (`serve_updates`: long polling, or the webhook server of
`bot/webhook.py`) until stopped. The composition root (greenbot/root.py, `serve_bot`) builds the
dispatcher and the `Bot` and runs this beside the outbox sender and the campaign scheduler
(greenbot/delivery.py, `delivering`).

Queueing a message for a citizen (a report status notice, a broadcast): write it to the outbox in
the update's session, then call the dispatcher's workflow data `outbox_nudge` so the sender
drains now instead of at its next poll (≤ 2 s). Handlers take it by name, optional because a
dispatcher may run without delivery (a test rig without the sender):

    async def change_status(..., session: AsyncSession, outbox_nudge: outbox.Nudge | None = None):
        await reports.change_status(...)           # adds the notice to the outbox
        if outbox_nudge is not None:
            outbox_nudge(session)                  # fires once this update's session commits

With a session the nudge waits for that session's commit (the row is invisible to the sender
until then); `outbox_nudge()` without one nudges at once (after your own commit).
"""

from __future__ import annotations

import logging
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from aiogram import Bot, Dispatcher

    from ground.settings import Settings

log = logging.getLogger(__name__)


async def serve_updates(settings: Settings, dispatcher: Dispatcher, bot: Bot) -> None:
    """Until cancelled (or SIGINT in polling mode): a webhook server, or long polling."""
    if settings.mode == "webhook":
        from bot.webhook import serve_webhook

        await serve_webhook(dispatcher, bot, settings)
        return
    await _leave_webhook_mode(bot)
    await dispatcher.start_polling(
        bot,
        allowed_updates=dispatcher.resolve_used_update_types(),
        close_bot_session=False,
    )


async def _leave_webhook_mode(bot: Bot) -> None:
    """getUpdates is refused while a webhook is set. A server that cannot delete one (or has no
    such method) is logged: if a webhook really is set, polling says so itself."""
    from aiogram.exceptions import TelegramAPIError

    try:
        await bot.delete_webhook()
    except TelegramAPIError as error:
        log.warning("deleteWebhook failed (%s): polling anyway", type(error).__name__)
