"""The web chat sandbox: a visitor's actions become Telegram Updates fed to the bot's own
dispatcher (`bot.app.create_dispatcher`), so questions, buttons, the report flow and
subscriptions run through the very handlers Telegram users reach; only the Bot's session is
different (`SandboxSession` writes replies into the visitor's chat instead of calling Telegram).

Visitors get user ids in [2**52, 2**53) (`transport.py`): Telegram user ids fit in 52 bits, so
a sandbox id can never be a real user's. What the outbox owes a visitor is delivered into their
chat by the sandbox's own transport when their page looks (`deliver_outbox`).

Chats live in the database (`store.py`), and each source address is held to its limits
(`limits.py`): messages, button presses, new visitor ids and reports.
"""

from __future__ import annotations

import asyncio
import contextlib
import itertools
import logging
import math
import secrets
from collections.abc import Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from aiogram import Bot, Dispatcher
from aiogram.client.default import DefaultBotProperties
from aiogram.enums import ParseMode
from aiogram.methods import TelegramMethod
from aiogram.types import Update

from outbox import OutboxSender, Routes
from reports import InvalidReport
from reports import Limits as ReportLimits
from reports.media import strip_metadata
from web.sandbox.limits import MESSAGE, PRESS, REPORT, VISITOR, Limits
from web.sandbox.session import SandboxSession, photo_sizes
from web.sandbox.store import ChatStore, new_file_id
from web.sandbox.transcript import Chat, visitor_entry
from web.sandbox.transport import FIRST_VISITOR_ID, VISITOR_CHATS, VISITOR_IDS, SandboxTransport

if TYPE_CHECKING:
    from collections.abc import Callable

    from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

    from ground.clock import Clock

log = logging.getLogger(__name__)

SANDBOX_TOKEN = "1000000001:web-sandbox"  # only its id matters: FSM keys are per bot id
MAX_TEXT = 4096  # Telegram's limit for one message
STALE_BUTTON = "这个按钮已失效。"
NOT_READY = "机器人正在启动，请稍后再试。"
SUBMIT_REPORT = "rp:submit"  # bot/routers/report/keyboards.py: StepCb(action="submit")
PHOTOS_AT_ONCE = ReportLimits().max_photos  # more than a report holds is never useful
PHOTOS_LEFT_OUT = "一次最多发送 {max} 张照片，多选的 {extra} 张没有发送。"


def new_visitor_id() -> int:
    return FIRST_VISITOR_ID + secrets.randbelow(VISITOR_IDS)


def is_visitor(user_id: int) -> bool:
    """A sandbox visitor (also their private chat id), never a Telegram user."""
    return FIRST_VISITOR_ID <= user_id < FIRST_VISITOR_ID + VISITOR_IDS


class InvalidInput(ValueError):
    """What the visitor sent cannot be a Telegram message (bad coordinates, empty photo)."""


@dataclass(frozen=True)
class Visitor:
    """Who is acting: their visitor id (the cookie's) and where the request came from."""

    id: int
    source: str  # Limits.source(the client address): what the limits count by


class Sandbox:
    def __init__(
        self,
        dispatcher: Dispatcher | Callable[[], Dispatcher | None],
        *,
        sessions: async_sessionmaker[AsyncSession],
        clock: Clock,
        owns_dispatcher: bool,
        limits: Limits,
        keep_days: int = 7,
        max_photo_bytes: int = 10 * 1024 * 1024,
        commands: Sequence[tuple[str, str]] = (),
    ) -> None:
        self._dispatcher = dispatcher
        self.sessions = sessions
        self.clock = clock
        self.owns_dispatcher = owns_dispatcher
        self.limits = limits
        self.max_photo_bytes = max_photo_bytes
        self.chats = ChatStore(sessions, clock, keep_days=keep_days)
        self.session = SandboxSession(self.chats)
        self.bot = Bot(
            SANDBOX_TOKEN,
            session=self.session,
            default=DefaultBotProperties(parse_mode=ParseMode.HTML),
        )
        self.session.bot_user["id"] = self.bot.id
        self.transport = SandboxTransport(self.chats, self.session.bot_user, sessions)
        # Delivers visitors' rows when their page looks: the only sender that reaches them.
        self.outbox = OutboxSender(
            sessions, Routes([(VISITOR_CHATS, self.transport)]), clock, name="sandbox"
        )
        self._update_ids = itertools.count(1)
        self._query_ids = itertools.count(1)
        # The "/" menu (command, description) the bot registers with setMyCommands, handed in
        # by the composition root: the sandbox does not import the bot.
        self.chats.commands = list(commands)

    @property
    def dispatcher(self) -> Dispatcher | None:
        """The dispatcher updates go to (or, for a function, the one it finds now)."""
        if isinstance(self._dispatcher, Dispatcher):
            return self._dispatcher
        return self._dispatcher()

    # --- what the visitor does ------------------------------------------------------------

    def _open(self, visitor: Visitor) -> contextlib.AbstractAsyncContextManager[Chat]:
        """The visitor's chat for one action; a new chat counts against the new-visitor limit."""

        async def count_new_visitor() -> None:
            await self.limits.hit(visitor.source, VISITOR)

        return self.chats.open(visitor.id, source=visitor.source, on_new=count_new_visitor)

    async def view(self, visitor: Visitor) -> Chat:
        """The chat to show, after delivering what the outbox owes it."""
        await self.deliver_outbox(visitor)
        return await self.chats.view(visitor.id)

    async def send_text(self, visitor: Visitor, text: str) -> None:
        text = text.strip()[:MAX_TEXT]
        if not text:
            raise InvalidInput("empty message")
        content: dict[str, Any] = {"text": text}
        command = text.split(maxsplit=1)[0]
        if command.startswith("/"):
            content["entities"] = [{"type": "bot_command", "offset": 0, "length": len(command)}]
        await self._say(visitor, shown=text, content=content)

    async def send_location(self, visitor: Visitor, latitude: float, longitude: float) -> None:
        if not (
            _finite(latitude, longitude) and -90 <= latitude <= 90 and -180 <= longitude <= 180
        ):
            raise InvalidInput("coordinates out of range")
        point = (round(latitude, 6), round(longitude, 6))
        location = {"latitude": point[0], "longitude": point[1]}
        shown = f"📍 {point[0]}, {point[1]}"
        await self._say(visitor, shown=shown, content={"location": location}, location=point)

    async def send_photo(self, visitor: Visitor, data: bytes, caption: str = "") -> None:
        """A photo, stored stripped of its metadata (GPS, device) like the bot stores it."""
        await self._send_stripped(visitor, await self._strip(data), caption)

    async def send_photos(
        self, visitor: Visitor, photos: list[bytes], caption: str = "", *, left_out: int = 0
    ) -> None:
        """Several photos chosen at once, sent as Telegram's apps send an album: one message
        each, the caption on the first. All are checked before any is sent; past a report's
        photo limit the rest are left out (`left_out` counts those never read) and the
        visitor is told."""
        if not photos:
            raise InvalidInput("empty photo")
        kept = [await self._strip(data) for data in photos[:PHOTOS_AT_ONCE]]
        for n, data in enumerate(kept):
            await self._send_stripped(visitor, data, caption if n == 0 else "")
        if extra := len(photos) - len(kept) + left_out:
            async with self._open(visitor) as chat:
                chat.toast(PHOTOS_LEFT_OUT.format(max=PHOTOS_AT_ONCE, extra=extra), alert=True)

    async def _strip(self, data: bytes) -> bytes:
        if not data:
            raise InvalidInput("empty photo")
        if len(data) > self.max_photo_bytes:
            raise InvalidInput("photo too big")
        try:
            return await asyncio.to_thread(strip_metadata, data)
        except InvalidReport as error:
            raise InvalidInput("not a photo") from error

    async def _send_stripped(self, visitor: Visitor, data: bytes, caption: str) -> None:
        file_id = new_file_id(data)
        caption = caption.strip()[:1024]  # Telegram's caption limit
        content = {"photo": photo_sizes(file_id, len(data)), "caption": caption or None}
        await self._say(visitor, shown=caption, content=content, photo=(file_id, data))

    async def send_contact(self, visitor: Visitor, phone: str) -> None:
        phone = phone.strip()[:32]
        if not phone:
            raise InvalidInput("empty phone number")
        contact = {"phone_number": phone, "first_name": "访客", "user_id": visitor.id}
        await self._say(visitor, shown=f"📱 {phone}", content={"contact": contact})

    async def _say(
        self,
        visitor: Visitor,
        *,
        shown: str,
        content: dict[str, Any],
        photo: tuple[str, bytes] | None = None,
        location: tuple[float, float] | None = None,
    ) -> None:
        """One message from the visitor, within the source's message limit."""
        async with self._open(visitor) as chat:
            await self.limits.hit(visitor.source, MESSAGE)
            if photo is not None:
                chat.files[photo[0]] = photo[1]
            entry = visitor_entry(
                chat,
                _user(visitor.id),
                shown=shown,
                content=content,
                photo=photo[0] if photo else None,
                location=location,
            )
            await self._feed(chat, {"message": entry.raw})

    async def press(self, visitor: Visitor, message_id: int, data: str) -> None:
        """An inline button: only one that is on that message now, as in Telegram's apps."""
        async with self._open(visitor) as chat:
            await self.limits.hit(visitor.source, PRESS)
            entry = chat.find(message_id)
            offered = {b.callback_data for row in (entry.buttons if entry else ()) for b in row}
            if entry is None or data not in offered:
                chat.toast(STALE_BUTTON, alert=False)
                return
            if data == SUBMIT_REPORT:
                await self.limits.hit(visitor.source, REPORT)
            query_id = f"sandbox-{next(self._query_ids)}"
            self.session.callback_chats[query_id] = visitor.id
            query = {
                "id": query_id,
                "from": _user(visitor.id),
                "message": entry.raw,
                "chat_instance": str(visitor.id),
                "data": data,
            }
            await self._feed(chat, {"callback_query": query})

    async def _feed(self, chat: Chat, content: dict[str, Any]) -> None:
        update = Update.model_validate(
            {"update_id": next(self._update_ids), **content}, context={"bot": self.bot}
        )
        dispatcher = self.dispatcher
        if dispatcher is None:
            chat.toast(NOT_READY, alert=True)
            return
        try:
            response = await dispatcher.feed_update(self.bot, update)
            if isinstance(response, TelegramMethod):  # a handler answered webhook-style
                await self.bot(response)
        except Exception:  # the dispatcher's error handler has apologised already
            log.exception("sandbox update %s failed", update.update_id)

    # --- what the outbox owes the visitor -------------------------------------------------

    async def deliver_outbox(self, visitor: Visitor) -> int:
        """Status notices and broadcasts queued for this visitor's chat, shown in it now.

        Rows are claimed and recorded like any sender's (`outbox.OutboxSender.deliver_now`),
        so a notice shows once even when two pages poll at the same moment.
        """
        rows = await self.outbox.due(visitor.id)
        if not rows:
            return 0
        async with self.chats.open(visitor.id, source=visitor.source):
            return await self.outbox.deliver_now(rows)

    async def close(self) -> None:
        dispatcher = self.dispatcher
        if self.owns_dispatcher and dispatcher is not None:
            await dispatcher.emit_shutdown(**dispatcher.workflow_data, bot=self.bot)
        await self.bot.session.close()


def _user(visitor_id: int) -> dict[str, Any]:
    return {"id": visitor_id, "is_bot": False, "first_name": "访客", "language_code": "zh-hans"}


def _finite(*values: float) -> bool:
    return all(math.isfinite(value) for value in values)
