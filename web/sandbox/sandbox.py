"""The web chat sandbox: a visitor's actions become Telegram Updates fed to the bot's own
dispatcher (`bot.app.create_dispatcher`), so questions, buttons, the report flow and
subscriptions run through the very handlers Telegram users reach; only the Bot's session is
different (`SandboxSession` writes replies into the visitor's chat instead of calling Telegram).

Visitors get user ids in [2**52, 2**53): Telegram user ids fit in 52 bits, so a sandbox id can
never be a real user's, and it is still exact as a JavaScript number.
"""

from __future__ import annotations

import itertools
import logging
import math
import secrets
import uuid
from typing import TYPE_CHECKING, Any

from aiogram import Bot, Dispatcher
from aiogram.client.default import DefaultBotProperties
from aiogram.enums import ParseMode
from aiogram.methods import TelegramMethod
from aiogram.types import Update
from sqlalchemy import select

from outbox.claims import Claims
from outbox.models import SANDBOX_CHATS_FROM, OutboxMessage, OutboxStatus
from web.sandbox.session import FileStore, SandboxSession
from web.sandbox.transcript import Chat, ChatStore, Toast, bot_entry, visitor_entry

if TYPE_CHECKING:
    from collections.abc import Callable

    from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

    from greenbot.clock import Clock

log = logging.getLogger(__name__)

SANDBOX_TOKEN = "1000000001:web-sandbox"  # only its id matters: FSM keys are per bot id
FIRST_VISITOR_ID = SANDBOX_CHATS_FROM  # Telegram senders skip these chats
VISITOR_IDS = 2**52
MAX_TEXT = 4096  # Telegram's limit for one message
STALE_BUTTON = "这个按钮已失效。"
NOT_READY = "机器人正在启动，请稍后再试。"


def new_visitor_id() -> int:
    return FIRST_VISITOR_ID + secrets.randbelow(VISITOR_IDS)


def is_visitor(user_id: int) -> bool:
    """A sandbox visitor (also their private chat id), never a Telegram user."""
    return FIRST_VISITOR_ID <= user_id < FIRST_VISITOR_ID + VISITOR_IDS


class InvalidInput(ValueError):
    """What the visitor sent cannot be a Telegram message (bad coordinates, empty photo)."""


class Sandbox:
    def __init__(
        self,
        dispatcher: Dispatcher | Callable[[], Dispatcher | None],
        *,
        sessions: async_sessionmaker[AsyncSession],
        clock: Clock,
        owns_dispatcher: bool,
        max_photo_bytes: int = 10 * 1024 * 1024,
    ) -> None:
        self._dispatcher = dispatcher
        self.sessions = sessions
        self.clock = clock
        self.owns_dispatcher = owns_dispatcher
        self.max_photo_bytes = max_photo_bytes
        self.chats = ChatStore()
        self.files = FileStore()
        self.session = SandboxSession(self.chats, self.files)
        self.bot = Bot(
            SANDBOX_TOKEN,
            session=self.session,
            default=DefaultBotProperties(parse_mode=ParseMode.HTML),
        )
        self.session.bot_user["id"] = self.bot.id
        self._update_ids = itertools.count(1)
        self._query_ids = itertools.count(1)
        self._load_commands()

    @property
    def dispatcher(self) -> Dispatcher | None:
        """The dispatcher updates go to: this sandbox's own, or the running bot's (found when
        needed, since the bot builds it after the web app)."""
        if isinstance(self._dispatcher, Dispatcher):
            return self._dispatcher
        return self._dispatcher()

    def _load_commands(self) -> None:
        """The "/" menu, as the bot registers it with setMyCommands at start-up."""
        from bot.routers.start import bot_commands

        self.chats.commands = [(c.command, c.description) for c in bot_commands()]

    # --- what the visitor does ------------------------------------------------------------

    def chat(self, visitor_id: int) -> Chat:
        info = {"id": visitor_id, "type": "private", "first_name": "访客"}
        return self.chats.chat(visitor_id, info)

    async def send_text(self, visitor_id: int, text: str) -> None:
        text = text.strip()[:MAX_TEXT]
        if not text:
            raise InvalidInput("empty message")
        content: dict[str, Any] = {"text": text}
        command = text.split(maxsplit=1)[0]
        if command.startswith("/"):
            content["entities"] = [{"type": "bot_command", "offset": 0, "length": len(command)}]
        entry = visitor_entry(self.chat(visitor_id), _user(visitor_id), shown=text, content=content)
        await self._feed(visitor_id, {"message": entry.raw})

    async def send_location(self, visitor_id: int, latitude: float, longitude: float) -> None:
        if not (
            _finite(latitude, longitude) and -90 <= latitude <= 90 and -180 <= longitude <= 180
        ):
            raise InvalidInput("coordinates out of range")
        point = (round(latitude, 6), round(longitude, 6))
        location = {"latitude": point[0], "longitude": point[1]}
        entry = visitor_entry(
            self.chat(visitor_id),
            _user(visitor_id),
            shown=f"📍 {point[0]}, {point[1]}",
            content={"location": location},
            location=point,
        )
        await self._feed(visitor_id, {"message": entry.raw})

    async def send_photo(self, visitor_id: int, data: bytes, caption: str = "") -> None:
        if not data:
            raise InvalidInput("empty photo")
        if len(data) > self.max_photo_bytes:
            raise InvalidInput("photo too big")
        file_id = self.files.put(data)
        caption = caption.strip()[:1024]  # Telegram's caption limit
        entry = visitor_entry(
            self.chat(visitor_id),
            _user(visitor_id),
            shown=caption,
            content={"photo": self.files.photo_sizes(file_id), "caption": caption or None},
            photo=file_id,
        )
        await self._feed(visitor_id, {"message": entry.raw})

    async def send_contact(self, visitor_id: int, phone: str) -> None:
        phone = phone.strip()[:32]
        if not phone:
            raise InvalidInput("empty phone number")
        contact = {"phone_number": phone, "first_name": "访客", "user_id": visitor_id}
        entry = visitor_entry(
            self.chat(visitor_id),
            _user(visitor_id),
            shown=f"📱 {phone}",
            content={"contact": contact},
        )
        await self._feed(visitor_id, {"message": entry.raw})

    async def press(self, visitor_id: int, message_id: int, data: str) -> None:
        """An inline button: only one that is on that message now, as in Telegram's apps."""
        chat = self.chat(visitor_id)
        entry = chat.find(message_id)
        offered = {b.callback_data for row in (entry.buttons if entry else ()) for b in row}
        if entry is None or data not in offered:
            chat.toasts.append(Toast(STALE_BUTTON, alert=False))
            chat.version += 1
            return
        query_id = f"sandbox-{next(self._query_ids)}"
        self.session.callback_chats[query_id] = visitor_id
        query = {
            "id": query_id,
            "from": _user(visitor_id),
            "message": entry.raw,
            "chat_instance": str(visitor_id),
            "data": data,
        }
        await self._feed(visitor_id, {"callback_query": query})

    async def _feed(self, visitor_id: int, content: dict[str, Any]) -> None:
        update = Update.model_validate(
            {"update_id": next(self._update_ids), **content}, context={"bot": self.bot}
        )
        dispatcher = self.dispatcher
        if dispatcher is None:
            chat = self.chat(visitor_id)
            chat.toasts.append(Toast(NOT_READY, alert=True))
            chat.version += 1
            return
        try:
            response = await dispatcher.feed_update(self.bot, update)
            if isinstance(response, TelegramMethod):  # a handler answered webhook-style
                await self.bot(response)
        except Exception:  # the dispatcher's error handler has apologised already
            log.exception("sandbox update %s failed", update.update_id)

    # --- what the outbox owes the visitor -------------------------------------------------

    async def deliver_outbox(self, visitor_id: int) -> int:
        """Status notices and broadcasts queued for this visitor's chat, shown in it now.

        Rows are claimed and finished like any sender does (`outbox.claims`), so a notice
        shows once even when two pages poll at the same moment.
        """
        now = self.clock.now()
        async with self.sessions() as session:
            rows = list(
                await session.scalars(
                    select(OutboxMessage)
                    .where(
                        OutboxMessage.chat_id == visitor_id,
                        OutboxMessage.status == OutboxStatus.PENDING,
                        OutboxMessage.not_before <= now,
                    )
                    .order_by(OutboxMessage.id)
                    .limit(50)
                )
            )
        claims = Claims(self.sessions)
        shown = 0
        for row in rows:
            token = f"sandbox:{uuid.uuid4().hex}"
            if await claims.claim(row.id, token=token, now=now) is None:
                continue
            bot_entry(
                self.chat(visitor_id),
                self.session.bot_user,
                text=row.text if not row.photo else f"🖼 {row.text}",
                parse_mode=row.parse_mode,
                markup=row.reply_markup,
            )
            await claims.finish(row.id, token=token, status=OutboxStatus.SENT, now=now, error=None)
            shown += 1
        return shown

    async def close(self) -> None:
        dispatcher = self.dispatcher
        if self.owns_dispatcher and dispatcher is not None:
            await dispatcher.emit_shutdown(**dispatcher.workflow_data, bot=self.bot)
        await self.bot.session.close()


def _user(visitor_id: int) -> dict[str, Any]:
    return {"id": visitor_id, "is_bot": False, "first_name": "访客", "language_code": "zh-hans"}


def _finite(*values: float) -> bool:
    return all(math.isfinite(value) for value in values)
