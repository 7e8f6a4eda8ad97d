"""Deliver outbox rows through the Bot API: `BotTransport` turns every answer into an `Outcome`.

Bulk sends use their own `Bot` (`create_delivery_bot`), without the `RetryAfter` request
middleware of the interactive bot: a 429 must reach the sender, which pauses *every* send for
`retry_after` (STYLE.md: bulk sends handle 429/403/5xx here), instead of one task sleeping while
the others keep hitting the limit. A separate HTTP session also keeps a long broadcast from
taking the connections citizens' replies need.
"""

from __future__ import annotations

import asyncio
import logging
from pathlib import Path
from typing import TYPE_CHECKING

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

from bot.texts import campaigns as campaign_texts
from campaigns import BroadcastNotFound, Broadcasts, Subscriptions
from citizens import Citizens
from outbox.transport import SendResult

if TYPE_CHECKING:
    from collections.abc import Awaitable, Callable

    from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

    from greenbot.clock import Clock
    from greenbot.settings import Settings
    from outbox import DeliveryCounts
    from outbox.models import OutboxMessage

log = logging.getLogger(__name__)

# One request, answer included. The sender's claim timeout (default 300 s) must stay well above
# it, or a slow request would look like a dead sender and be marked uncertain.
SEND_TIMEOUT = 20.0
MAX_PROGRESS_WAIT = 10.0  # seconds a progress report may wait after a 429 before it is dropped


def create_delivery_bot(settings: Settings, *, timeout: float = SEND_TIMEOUT) -> Bot:
    """A Bot for bulk delivery: same token and server, no 429 retry, its own connection pool."""
    if settings.bot_token is None:
        raise ValueError("delivery needs GREENBOT_BOT_TOKEN")
    session = AiohttpSession(
        api=TelegramAPIServer.from_base(settings.telegram_api_url), timeout=timeout
    )
    return Bot(settings.bot_token.get_secret_value(), session=session)


class BotTransport:
    """`outbox.Transport` over aiogram: never raises for a Telegram or network error."""

    def __init__(self, bot: Bot, *, timeout: float = SEND_TIMEOUT) -> None:
        self.bot = bot
        self.timeout = timeout

    async def send(self, message: OutboxMessage) -> SendResult:
        try:
            async with asyncio.timeout(self.timeout + 1):  # aiogram's own timeout fires first
                try:
                    await self._send(message, message.chat_id)
                except TelegramMigrateToChat as moved:  # a group became a supergroup
                    log.info("outbox row %s: chat migrated, sending to the new id", message.id)
                    await self._send(message, moved.migrate_to_chat_id)
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

    async def _send(self, message: OutboxMessage, chat_id: int) -> None:
        markup = (
            InlineKeyboardMarkup.model_validate(message.reply_markup)
            if message.reply_markup
            else None
        )
        timeout = max(1, int(self.timeout))
        if message.photo:
            await self.bot.send_photo(
                chat_id,
                photo=_photo(message.photo),
                caption=message.text or None,
                parse_mode=message.parse_mode,
                reply_markup=markup,
                request_timeout=timeout,
            )
        else:
            await self.bot.send_message(
                chat_id,
                message.text,
                parse_mode=message.parse_mode,
                reply_markup=markup,
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


def progress_hook(
    bot: Bot,
    sessions: async_sessionmaker[AsyncSession],
    clock: Clock,
    *,
    staff_chat_id: int | None,
    pace: Callable[[], Awaitable[None]] | None = None,
) -> Callable[[DeliveryCounts], Awaitable[None]]:
    """The sender's `on_progress`: tell the staff member who sent a broadcast how it goes (every
    N messages or seconds, and once when done); calendar reminders report only their end, to the
    staff chat. A finished broadcast is marked done here, not only at the scheduler's next tick.
    `pace` (the sender's rate limiter) keeps reports inside the bot's global message rate."""

    async def report(counts: DeliveryCounts) -> None:
        async with sessions.begin() as session:
            broadcasts = Broadcasts(session)
            try:
                broadcast = await broadcasts.get(counts.broadcast_id)
            except BroadcastNotFound:
                return
            if counts.finished:
                await broadcasts.complete_if_drained(broadcast.id, now=clock.now())
            creator, kind = broadcast.created_by, broadcast.kind
        chat_id = creator if creator is not None else staff_chat_id
        if chat_id is None or (creator is None and not counts.finished):
            return
        text = campaign_texts.progress(counts, reminder=kind == "reminder")
        for attempt in (1, 2):  # the broadcast itself keeps the rate near the limit: one retry
            try:
                if pace is not None:
                    await pace()
                await bot.send_message(chat_id, text, request_timeout=int(SEND_TIMEOUT))
                return
            except TelegramRetryAfter as error:
                if attempt == 2 or error.retry_after > MAX_PROGRESS_WAIT:
                    break
                await asyncio.sleep(error.retry_after)
            except TelegramAPIError as error:
                log.warning(
                    "progress of broadcast %s: %s", counts.broadcast_id, type(error).__name__
                )
                return
        log.warning("progress of broadcast %s not delivered: 429", counts.broadcast_id)

    return report
