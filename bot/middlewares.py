"""What wraps every update and every Bot API request: flood control, one database session per
update, and a bounded retry when Telegram answers 429."""

from __future__ import annotations

import asyncio
import contextlib
import logging
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from aiogram import BaseMiddleware
from aiogram.client.session.middlewares.base import BaseRequestMiddleware
from aiogram.exceptions import TelegramAPIError, TelegramRetryAfter
from aiogram.types import Update

from bot import texts
from campaigns import Subscriptions
from citizens import Citizens
from knowledge.feedback import QuestionLog

if TYPE_CHECKING:
    from collections.abc import Awaitable, Callable

    from aiogram import Bot
    from aiogram.client.session.middlewares.base import NextRequestMiddlewareType
    from aiogram.methods import Response, TelegramMethod
    from aiogram.methods.base import TelegramType
    from aiogram.types import TelegramObject, User
    from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

    from ground.clock import Clock

    Handler = Callable[[TelegramObject, dict[str, Any]], Awaitable[Any]]

log = logging.getLogger(__name__)

WINDOW_SECONDS = 60.0
TRADITIONAL_LANGUAGES = ("zh-hant", "zh-tw", "zh-hk", "zh-mo")


@dataclass
class _Window:
    started: float
    count: int = 0
    warned: bool = False


class Throttle(BaseMiddleware):
    """At most `per_minute` messages per citizen per minute; the first one over gets one
    "请慢一点" for the window, the rest are dropped before they touch the database."""

    def __init__(self, per_minute: int, clock: Clock) -> None:
        self.per_minute = per_minute
        self.clock = clock
        self._windows: dict[int, _Window] = {}

    async def __call__(self, handler: Handler, event: TelegramObject, data: dict[str, Any]) -> Any:
        message = event.message if isinstance(event, Update) else None
        user: User | None = data.get("event_from_user")
        if message is None or user is None or self.per_minute <= 0:
            return await handler(event, data)
        now = self.clock.now().timestamp()
        window = self._windows.get(user.id)
        if window is None or now - window.started >= WINDOW_SECONDS:
            self._forget_old(now)
            window = self._windows[user.id] = _Window(started=now)
        window.count += 1
        if window.count <= self.per_minute:
            return await handler(event, data)
        if not window.warned:
            window.warned = True
            log.info("update %s: user over %s messages/min", event.update_id, self.per_minute)
            reply = texts.say(texts.SLOW_DOWN, texts.detect(message.text or ""))
            with contextlib.suppress(TelegramAPIError):
                await data["bot"].send_message(message.chat.id, reply)
        return None

    def _forget_old(self, now: float) -> None:
        if len(self._windows) > 10_000:
            self._windows = {
                uid: w for uid, w in self._windows.items() if now - w.started < WINDOW_SECONDS
            }


class UnitOfWork(BaseMiddleware):
    """One session per update (commit when the handler returns, roll back if it raised);
    records the citizen and hands handlers `session`, `citizen`, `citizens`, `question_log`.
    Only a private chat is recorded as where to reach a citizen: a group (the staff chat) would
    send their notices there, and a 403 from it would mark them all unreachable.

    The citizen is read, then the read is ended before the handler runs: a handler waiting
    for the engine (a burst queues for seconds) holds no pooled connection, so button presses
    and greetings are not stuck behind questions. Its changes are written with the handler's.
    """

    def __init__(self, sessions: async_sessionmaker[AsyncSession], clock: Clock) -> None:
        self.sessions = sessions
        self.clock = clock

    async def __call__(self, handler: Handler, event: TelegramObject, data: dict[str, Any]) -> Any:
        async with self.sessions() as session:
            citizens = Citizens(session)
            data.update(session=session, citizens=citizens, question_log=QuestionLog(session))
            user: User | None = data.get("event_from_user")
            chat = data.get("event_chat")
            data["citizen"] = None
            if user is not None and chat is not None:
                known = await citizens.get(user.id)
                await session.commit()  # nothing written yet: ends the read, frees the connection
                if chat.type != "private":  # the staff group: no place to reach the citizen
                    data["citizen"] = known
                    return await self._handle(handler, event, data, session)
                if known is not None and not known.reachable:  # wrote again after a 403
                    await Subscriptions(session).reactivate_chat(chat.id)
                    known.reachable = True
                    await session.commit()  # now: a write lock held through the handler blocks
                citizen = await citizens.seen(
                    user_id=user.id, chat_id=chat.id, now=self.clock.now()
                )
                if known is None and (user.language_code or "").lower() in TRADITIONAL_LANGUAGES:
                    citizen.script = "hant"  # a first guess; their first message or /lang decides
                data["citizen"] = citizen
            return await self._handle(handler, event, data, session)

    @staticmethod
    async def _handle(
        handler: Handler, event: TelegramObject, data: dict[str, Any], session: AsyncSession
    ) -> Any:
        try:
            result = await handler(event, data)
        except BaseException:
            await session.rollback()
            raise
        await session.commit()
        return result


class RetryAfter(BaseRequestMiddleware):
    """Retry a request Telegram refused with 429 after its `retry_after`, at most `attempts`
    times and never for a wait over `max_wait` seconds (aiogram itself does not retry).

    A 429 means the call had no effect, so retrying still delivers a reply exactly once.
    """

    def __init__(self, attempts: int = 2, max_wait: float = 30.0) -> None:
        self.attempts = attempts
        self.max_wait = max_wait

    async def __call__(
        self,
        make_request: NextRequestMiddlewareType[TelegramType],
        bot: Bot,
        method: TelegramMethod[TelegramType],
    ) -> Response[TelegramType]:
        for attempt in range(self.attempts):
            try:
                return await make_request(bot, method)
            except TelegramRetryAfter as error:
                if error.retry_after > self.max_wait:
                    raise
                log.warning(
                    "%s: 429, retrying in %s s (attempt %s)",
                    type(method).__name__,
                    error.retry_after,
                    attempt + 1,
                )
                await asyncio.sleep(error.retry_after)
        return await make_request(bot, method)
