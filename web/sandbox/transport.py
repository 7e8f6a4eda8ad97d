"""The sandbox as an outbox transport: a row owed to a visitor becomes a bot message in their
chat, as Telegram's transport makes it one in a Telegram chat.

The visitor's page delivers what is due when it is looked at (`Sandbox.deliver_outbox`, through
a sender whose only route is `VISITOR_CHATS`), so a notice shows up even where no Telegram
sender runs; no Telegram sender reaches these chats (`bot/notify.py`: `TELEGRAM_CHATS`).
"""

from __future__ import annotations

import logging
from typing import TYPE_CHECKING, Any

from citizens import Citizens
from outbox.transport import Chats, SendResult
from reports.privacy import DEMO_IDS_FROM
from web.sandbox.notices import message_markup, message_text
from web.sandbox.transcript import bot_entry

if TYPE_CHECKING:
    from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

    from outbox.models import OutboxMessage
    from web.sandbox.store import ChatStore
    from web.sandbox.transcript import Chat

log = logging.getLogger(__name__)

# Visitors get user ids in [2**52, 2**53): Telegram user ids fit in 52 bits, so a sandbox id can
# never be a real user's, and it is still exact as a JavaScript number. A visitor's private chat
# has their id.
FIRST_VISITOR_ID = DEMO_IDS_FROM
VISITOR_IDS = 2**52
VISITOR_CHATS = Chats(FIRST_VISITOR_ID, FIRST_VISITOR_ID + VISITOR_IDS)


class ChatGone(LookupError):
    """The visitor's chat expired (or never was): nobody is there to read the message."""


class SandboxTransport:
    """`outbox.Transport` into visitors' chats: the one the current request opened, else the
    stored one. Notices are rendered at delivery, in the script the visitor reads then."""

    def __init__(
        self,
        chats: ChatStore,
        bot_user: dict[str, Any],
        sessions: async_sessionmaker[AsyncSession],
    ) -> None:
        self.chats = chats
        self.bot_user = bot_user  # the sandbox bot's getMe, the sender of every bot message
        self.sessions = sessions

    async def send(self, message: OutboxMessage) -> SendResult:
        if message.chat_id not in VISITOR_CHATS:
            return SendResult.bad_request(f"chat {message.chat_id} is not a sandbox visitor's")
        script = await self._script(message)
        text = message_text(message, script)
        shown = text if not message.photo else f"🖼 {text}"
        markup = message_markup(message, script)
        chat = self.chats.working(message.chat_id)
        if chat is not None:
            self._show(chat, message, shown, markup)
            return SendResult.ok()
        try:
            async with self.chats.open(message.chat_id, source="", on_new=_refuse_new_chat) as chat:
                self._show(chat, message, shown, markup)
        except ChatGone:
            return SendResult.bad_request("the visitor's chat has expired")
        return SendResult.ok()

    def _show(
        self, chat: Chat, message: OutboxMessage, text: str, markup: dict[str, Any] | None
    ) -> None:
        bot_entry(chat, self.bot_user, text=text, parse_mode=message.parse_mode, markup=markup)

    async def _script(self, message: OutboxMessage) -> str | None:
        if message.payload is None:
            return None
        async with self.sessions() as session:
            return await Citizens(session).script_for_chat(message.chat_id)


async def _refuse_new_chat() -> None:
    raise ChatGone()
