"""Deliver outbox rows through the Bot API: `BotTransport` turns every answer into an `Outcome`.

Bulk sends use their own `Bot` (`create_delivery_bot`), without the `RetryAfter` request
middleware of the interactive bot: a 429 must reach the sender, which pauses *every* send for
`retry_after` (STYLE.md: bulk sends handle 429/403/5xx here), instead of one task sleeping while
the others keep hitting the limit. A separate HTTP session also keeps a long broadcast from
taking the connections citizens' replies need.

Telegram reaches the chats in `TELEGRAM_CHATS`; a row queued as data (a report's status notice)
is rendered here, when it is sent, in the script its recipient reads then (`bot/notices.py`).
"""

from __future__ import annotations

import asyncio
import logging
from pathlib import Path
from typing import TYPE_CHECKING, Any

from aiogram import Bot
from aiogram.client.session.aiohttp import AiohttpSession
from aiogram.client.telegram import TelegramAPIServer
from aiogram.exceptions import (
    ClientDecodeError,
    TelegramAPIError,
    TelegramBadRequest,
    TelegramEntityTooLarge,
    TelegramForbiddenError,
    TelegramMigrateToChat,
    TelegramNetworkError,
    TelegramNotFound,
    TelegramRetryAfter,
    TelegramServerError,
)
from aiogram.types import FSInputFile, InlineKeyboardMarkup

from bot.notices import ScriptOf, rendered_at_send_time
from campaigns import Subscriptions
from citizens import Citizens
from outbox.sender import is_delivery
from outbox.transport import Chats, SendResult
from reports.privacy import DEMO_IDS_FROM

if TYPE_CHECKING:
    from collections.abc import Awaitable, Callable

    from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

    from ground.settings import Settings
    from outbox.models import OutboxMessage

log = logging.getLogger(__name__)

# One request, answer included. The sender's claim timeout (default 300 s) must stay well above
# it, or a slow request would look like a dead sender and be marked uncertain.
SEND_TIMEOUT = 20.0

# The chats Telegram reaches: users (their ids fit in 52 bits) and groups (negative ids). Ids
# from DEMO_IDS_FROM up are the web sandbox's visitors, never Telegram's.
TELEGRAM_CHATS = Chats(stop=DEMO_IDS_FROM)


def create_delivery_bot(settings: Settings, *, timeout: float = SEND_TIMEOUT) -> Bot:
    """A Bot for bulk delivery: same token and server, no 429 retry, its own connection pool."""
    if settings.bot_token is None:
        raise ValueError("delivery needs GREENBOT_BOT_TOKEN")
    session = AiohttpSession(
        api=TelegramAPIServer.from_base(settings.telegram_api_url), timeout=timeout
    )
    return Bot(settings.bot_token.get_secret_value(), session=session)


class BotTransport:
    """`outbox.Transport` over aiogram: never raises for a Telegram or network error.

    `paid_broadcast`: broadcast deliveries carry `allow_paid_broadcast` (the city pays 0.1 Star
    a message to pass the 30 msg/s limit); single messages never do. `script_of`: the script a
    recipient reads now, for a notice rendered at send time (without it, the script it was
    queued in).
    """

    def __init__(
        self,
        bot: Bot,
        *,
        timeout: float = SEND_TIMEOUT,
        paid_broadcast: bool = False,
        script_of: ScriptOf | None = None,
    ) -> None:
        self.bot = bot
        self.timeout = timeout
        self.paid_broadcast = paid_broadcast
        self.script_of = script_of

    async def send(self, message: OutboxMessage) -> SendResult:
        text, markup = await rendered_at_send_time(message, self.script_of)
        try:
            async with asyncio.timeout(self.timeout + 1):  # aiogram's own timeout fires first
                try:
                    await self._send(message, text, markup, message.chat_id)
                except TelegramMigrateToChat as moved:  # a group became a supergroup
                    log.info("outbox row %s: chat migrated, sending to the new id", message.id)
                    await self._send(message, text, markup, moved.migrate_to_chat_id)
        except TelegramRetryAfter as error:
            return SendResult.wait(float(error.retry_after))
        except TelegramForbiddenError as error:
            return SendResult.blocked(f"403 {error.message}")
        except (TelegramBadRequest, TelegramNotFound, TelegramEntityTooLarge) as error:
            return SendResult.bad_request(f"{type(error).__name__}: {error.message}")
        except (
            TelegramServerError,
            TelegramNetworkError,
            ClientDecodeError,
            TimeoutError,
        ) as error:
            return SendResult.server_error(_describe(error))  # 5xx, timeout, a proxy's HTML page
        except (TelegramAPIError, OSError) as error:  # 401, 409, an unwrapped socket error:
            return SendResult.server_error(_describe(error))  # not the message's fault; later
        return SendResult.ok()

    async def _send(
        self, message: OutboxMessage, text: str, buttons: dict[str, Any] | None, chat_id: int
    ) -> None:
        markup = InlineKeyboardMarkup.model_validate(buttons) if buttons else None
        timeout = max(1, int(self.timeout))
        paid = True if self.paid_broadcast and is_delivery(message) else None
        if message.photo:
            await self.bot.send_photo(
                chat_id,
                photo=_photo(message.photo),
                caption=text or None,
                parse_mode=message.parse_mode,
                reply_markup=markup,
                allow_paid_broadcast=paid,
                request_timeout=timeout,
            )
        else:
            await self.bot.send_message(
                chat_id,
                text,
                parse_mode=message.parse_mode,
                reply_markup=markup,
                allow_paid_broadcast=paid,
                request_timeout=timeout,
            )


def _photo(photo: str) -> str | FSInputFile:
    """A local file is uploaded; anything else is a Telegram file_id (or an URL) sent as is."""
    path = Path(photo)
    if photo.startswith(("/", "./")) and path.is_file():
        return FSInputFile(path)
    return photo


def _describe(error: BaseException) -> str:
    """For `last_error`: the kind of failure, without request contents."""
    if isinstance(error, TelegramAPIError):
        return f"{type(error).__name__}: {error.message}"
    if isinstance(error, TimeoutError):
        return "TimeoutError: no answer in time"
    return type(error).__name__


def blocked_hook(
    sessions: async_sessionmaker[AsyncSession],
) -> Callable[[int], Awaitable[None]]:
    """The sender's `on_blocked`: a 403 marks the citizen unreachable and pauses their
    subscriptions (their topics stay; `UnitOfWork` resumes them when they write again)."""

    async def mark_blocked(chat_id: int) -> None:
        async with sessions.begin() as session:
            await Citizens(session).mark_unreachable(chat_id)
            await Subscriptions(session).deactivate_chat(chat_id)
        log.info("chat %s blocked the bot: marked unreachable", chat_id)

    return mark_blocked
