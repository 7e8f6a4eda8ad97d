"""Webhook mode: an aiohttp server that Telegram posts updates to, checked by a secret token.

Several instances can run behind a load balancer (unlike getUpdates: one poller per token),
with FSM state in Redis. A request without the right secret header gets 401 (aiogram's
SimpleRequestHandler) and is never processed.
"""

from __future__ import annotations

import asyncio
import logging
from typing import TYPE_CHECKING

from aiogram.webhook.aiohttp_server import SimpleRequestHandler, setup_application
from aiohttp import web

if TYPE_CHECKING:
    from aiogram import Bot, Dispatcher

    from ground.settings import Settings

log = logging.getLogger(__name__)


def webhook_url(settings: Settings) -> str:
    if not settings.webhook_base_url:
        raise ValueError("webhook mode needs GREENBOT_WEBHOOK_BASE_URL (the public https URL)")
    return settings.webhook_base_url.rstrip("/") + settings.webhook_path


async def serve_webhook(dispatcher: Dispatcher, bot: Bot, settings: Settings) -> None:
    """Serve until cancelled; setWebhook runs at start-up, after the server is listening."""
    assert settings.webhook_secret is not None  # Settings refuses webhook mode without one
    secret = settings.webhook_secret.get_secret_value()
    url = webhook_url(settings)

    async def register_webhook(bot: Bot) -> None:
        await bot.set_webhook(
            url,
            secret_token=secret,
            allowed_updates=dispatcher.resolve_used_update_types(),
        )
        log.info("webhook set; listening on %s:%s", settings.webhook_host, settings.webhook_port)

    app = web.Application()
    SimpleRequestHandler(dispatcher, bot, secret_token=secret).register(
        app, path=settings.webhook_path
    )
    setup_application(app, dispatcher, bot=bot)
    runner = web.AppRunner(app, access_log=None)  # access logs would list every update
    await runner.setup()
    try:
        site = web.TCPSite(runner, settings.webhook_host, settings.webhook_port)
        await site.start()
        await register_webhook(bot)
        await asyncio.Event().wait()
    finally:
        await runner.cleanup()
