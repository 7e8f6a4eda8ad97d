"""The one error handler: log the update id and where it failed, apologise to the citizen.

Only the exception type and the traceback's frames are logged: an exception's message can
quote what the citizen wrote (an SQL parameter, a Bot API description), and that stays private.
"""

from __future__ import annotations

import contextlib
import logging
import traceback
from typing import TYPE_CHECKING

from aiogram.exceptions import TelegramAPIError, TelegramBadRequest

from bot import texts

if TYPE_CHECKING:
    from collections.abc import Iterator

    from aiogram import Bot
    from aiogram.types import ErrorEvent

log = logging.getLogger(__name__)


async def apologise(event: ErrorEvent, bot: Bot) -> bool:
    update = event.update
    error = event.exception
    frames = "".join(traceback.format_tb(error.__traceback__))
    log.error("update %s failed with %s\n%s", update.update_id, type(error).__name__, frames)
    reply = texts.ERROR
    with contextlib.suppress(TelegramAPIError):  # Telegram itself may be what failed
        if update.callback_query is not None:
            await bot.answer_callback_query(update.callback_query.id, text=reply, show_alert=True)
        elif update.message is not None:
            script = texts.detect(update.message.text or "")
            await bot.send_message(update.message.chat.id, texts.say(reply, script))
    return True


@contextlib.contextmanager
def unless_unchanged() -> Iterator[None]:
    """An edit a double tap repeats: Telegram refuses it with 400 "message is not modified",
    which means the message already shows what was wanted."""
    try:
        yield
    except TelegramBadRequest as error:
        if "message is not modified" not in error.message:
            raise
