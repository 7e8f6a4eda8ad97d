"""Errors at the edge: a known domain error gets its own polite reply (`ExceptionTypeFilter`
handlers), anything else the one apology; each is logged with the update id.

Only the exception type and the traceback's frames are logged: an exception's message can
quote what the citizen wrote (an SQL parameter, a Bot API description), and that stays private.

By the time an error handler runs, the update's session has rolled back and the citizen row
with it, so `ReaderScript` notes their script (as `reader`) before the handler runs.
"""

from __future__ import annotations

import contextlib
import logging
import traceback
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from aiogram import BaseMiddleware, F
from aiogram.exceptions import TelegramAPIError, TelegramBadRequest
from aiogram.filters import ExceptionTypeFilter
from sqlalchemy.exc import DisconnectionError, InterfaceError, OperationalError
from sqlalchemy.exc import TimeoutError as PoolTimeout

from bot import texts
from bot.middlewares import TRADITIONAL_LANGUAGES
from bot.render import html
from bot.texts import campaigns as campaign_words
from bot.texts import errors as words
from bot.texts import reports as report_words
from campaigns import BroadcastNotFound
from reports import (
    InvalidTransition,
    Limits,
    ReportNotFound,
    TooManyReports,
    UnknownDepartment,
)

if TYPE_CHECKING:
    from collections.abc import Awaitable, Callable, Iterator

    from aiogram import Bot
    from aiogram.dispatcher.event.telegram import TelegramEventObserver
    from aiogram.types import ErrorEvent, TelegramObject, Update

    from citizens import Citizen
    from knowledge.scripts import Script
    from reports.service import ReportServices

    Handler = Callable[[TelegramObject, dict[str, Any]], Awaitable[Any]]
    ErrorHandler = Callable[..., Awaitable[bool]]

log = logging.getLogger(__name__)

# A locked SQLite file (past its busy timeout), a PostgreSQL that is down or restarting, a pool
# with no free connection: nothing the citizen did, and trying again later works.
DATABASE_UNAVAILABLE = (OperationalError, InterfaceError, DisconnectionError, PoolTimeout)


@dataclass(frozen=True)
class Reader:
    """The citizen's script as recorded when their update came in."""

    script: Script = "hans"
    chosen: bool = False  # by /lang: it wins over how a message looks


class ReaderScript(BaseMiddleware):
    """Notes the citizen's `reader` for the error handlers; registered after UnitOfWork."""

    async def __call__(self, handler: Handler, event: TelegramObject, data: dict[str, Any]) -> Any:
        citizen: Citizen | None = data.get("citizen")
        if citizen is not None:
            script: Script = "hant" if citizen.script == "hant" else "hans"
            data["reader"] = Reader(script, chosen=bool(citizen.script_chosen))
        return await handler(event, data)


def script_of(update: Update, reader: Reader | None) -> Script:
    """A /lang choice, else how the message looks, else the citizen's recorded script (or,
    before it was read, their Telegram client's language)."""
    if reader is None:
        sent = update.message or update.callback_query
        user = sent.from_user if sent is not None else None
        language = (user.language_code or "").lower() if user is not None else ""
        reader = Reader("hant" if language in TRADITIONAL_LANGUAGES else "hans")
    if reader.chosen or update.message is None or not update.message.text:
        return reader.script
    return texts.detect(update.message.text, default=reader.script)


async def reply(event: ErrorEvent, bot: Bot, text: str, reader: Reader | None) -> None:
    """`text` in the reader's script: an alert on the pressed button, or a message in the chat.
    A button the handler already answered (its `query.answer()` came before the error) cannot
    be answered twice, so the chat gets the message instead."""
    update = event.update
    said = texts.say(text, script_of(update, reader))
    with contextlib.suppress(TelegramAPIError):  # Telegram itself may be what failed
        query = update.callback_query
        if query is not None:
            try:
                await bot.answer_callback_query(query.id, text=said, show_alert=True)
                return
            except TelegramBadRequest:
                chat_id = query.message.chat.id if query.message else query.from_user.id
                await bot.send_message(chat_id, html(said))
        elif update.message is not None:
            await bot.send_message(update.message.chat.id, html(said))


async def apologise(event: ErrorEvent, bot: Bot, reader: Reader | None = None) -> bool:
    """The catch-all: an error nobody expected, logged with its traceback's frames."""
    error = event.exception
    frames = "".join(traceback.format_tb(error.__traceback__))
    log.error("update %s failed with %s\n%s", event.update.update_id, type(error).__name__, frames)
    await reply(event, bot, texts.ERROR, reader)
    return True


def replying(text: str) -> ErrorHandler:
    """An error handler that logs the error's type and says `text`."""

    async def handle(event: ErrorEvent, bot: Bot, reader: Reader | None = None) -> bool:
        _log_known(event)
        await reply(event, bot, text, reader)
        return True

    return handle


async def too_many_reports(
    event: ErrorEvent,
    bot: Bot,
    reader: Reader | None = None,
    report_services: ReportServices | None = None,
) -> bool:
    _log_known(event)
    limits = report_services.limits if report_services is not None else Limits()
    text = report_words.LIMIT_REACHED.format(limit=limits.reports_per_day)
    await reply(event, bot, text, reader)
    return True


def _log_known(event: ErrorEvent) -> None:
    """A domain error is the citizen's business (info); a database that failed is the
    operator's (a warning, with where it failed)."""
    error, update_id = event.exception, event.update.update_id
    if isinstance(error, DATABASE_UNAVAILABLE):
        name, frames = type(error).__name__, "".join(traceback.format_tb(error.__traceback__))
        log.warning("update %s: database unavailable (%s)\n%s", update_id, name, frames)
        return
    log.info("update %s: %s, replied politely", update_id, type(error).__name__)


def handle_errors(errors: TelegramEventObserver) -> None:
    """Register the error handlers on the dispatcher's `errors`: the first whose filter
    matches handles the error, so the specific ones come first and the apology last."""
    errors.register(replying(words.UNKNOWN_DEPARTMENT), ExceptionTypeFilter(UnknownDepartment))
    errors.register(replying(words.NOT_NOW), ExceptionTypeFilter(InvalidTransition))
    errors.register(replying(words.REPORT_NOT_FOUND), ExceptionTypeFilter(ReportNotFound))
    errors.register(too_many_reports, ExceptionTypeFilter(TooManyReports))
    errors.register(  # a preview's button for a broadcast that is gone
        replying(campaign_words.STALE),
        ExceptionTypeFilter(BroadcastNotFound),
        F.update.callback_query,
    )
    errors.register(replying(words.BUSY), ExceptionTypeFilter(*DATABASE_UNAVAILABLE))
    errors.register(apologise)


@contextlib.contextmanager
def unless_unchanged() -> Iterator[None]:
    """An edit a double tap repeats: Telegram refuses it with 400 "message is not modified",
    which means the message already shows what was wanted."""
    try:
        yield
    except TelegramBadRequest as error:
        if "message is not modified" not in error.message:
            raise
